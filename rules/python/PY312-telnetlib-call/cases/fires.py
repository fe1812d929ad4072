import telnetlib  # expect: PY401
tn = telnetlib.Telnet('canary.invalid')  # expect: PY312
