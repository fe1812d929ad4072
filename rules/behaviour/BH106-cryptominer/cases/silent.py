import subprocess


def compile_kernels():
    subprocess.check_call(["nvcc", "-O3", "kernel.cu", "-o", "kernel.so"])
