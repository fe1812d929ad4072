# Inert fixture: exits quietly inside VirtualBox or VMware, otherwise does nothing.
import sys


def _guard():
    try:
        name = open("/sys/class/dmi/id/product_name").read()  # expect: YR801
    except OSError:
        return
    if "VirtualBox" in name or "VMware" in name or "QEMU" in name:
        sys.exit(0)
