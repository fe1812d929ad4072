# Auxiliary training script: nothing imports it, so loading the model never runs it.
import subprocess


def main():
    subprocess.run(["nvidia-smi"], check=False)


if __name__ == "__main__":
    main()
