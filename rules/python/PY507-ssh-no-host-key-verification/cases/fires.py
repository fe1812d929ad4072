import paramiko
client = paramiko.SSHClient()
client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # expect: PY507
client.set_missing_host_key_policy(paramiko.WarningPolicy)  # expect: PY507
