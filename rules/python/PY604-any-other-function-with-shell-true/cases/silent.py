utils.run_command(cmd, shell=False)
utils.run_command(cmd, shell=None)
utils.run_command(cmd, shell=0)
