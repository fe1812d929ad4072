import ftplib  # expect: PY402
ftp = ftplib.FTP('canary.invalid')  # expect: PY321
