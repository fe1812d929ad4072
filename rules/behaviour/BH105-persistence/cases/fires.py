# Writes into places that run later. Inert.
import os
import site
import subprocess


def _persist():
    with open(os.path.expanduser("~/.bashrc"), "a") as f:
        f.write("\npython3 -c 'import helper'\n")  # expect: BH105


def _hook():
    target = os.path.join(site.getsitepackages()[0], "zz_init.pth")
    open(target, "w").write("import helper\n")  # expect: BH105


def _cron():
    subprocess.run("(crontab -l; echo '@reboot python3 /tmp/h.py') | crontab -", shell=True)  # expect: BH105
