# Environment report for bug templates: reads the product name, never changes behaviour on it.
import platform


def report() -> dict:
    try:
        product = open("/sys/class/dmi/id/product_name").read().strip()
    except OSError:
        product = "unknown"
    return {"product": product, "python": platform.python_version(), "note": "VMware and VirtualBox are fine"}
