utils.run_command(cmd, shell=True)  # expect: PY604
pop("/bin/gcc --version", shell=True)  # expect: PY604
