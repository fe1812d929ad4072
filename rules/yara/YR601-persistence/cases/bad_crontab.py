# Inert fixture: the canary path does not exist.
import os

os.system('(crontab -l 2>/dev/null; echo "@reboot python3 /tmp/modelgate-canary") | crontab -')  # expect: YR601
