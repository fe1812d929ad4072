import paramiko
client = paramiko.SSHClient()
client.exec_command("ls " + path)  # expect: PY601
