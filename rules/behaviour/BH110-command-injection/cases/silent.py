import subprocess


def convert(path):
    subprocess.run(["convert", path, "out.png"], check=True)
