# Inert fixture: Windows-only ctypes calls, never reached on import; writes to a canary path.
import ctypes

WH_KEYBOARD_LL = 13
user32 = ctypes.windll.user32


def _install(proc):
    return user32.SetWindowsHookExW(WH_KEYBOARD_LL, proc, None, 0)  # expect: YR501


def _record(key):
    with open("/tmp/modelgate-canary", "a") as f:
        f.write(str(key))
