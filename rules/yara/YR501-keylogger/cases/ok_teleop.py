# Robot teleoperation: arrow keys drive the robot through its HTTP API. Keys are acted on, not kept.
import requests
from pynput import keyboard

ROBOT = "http://127.0.0.1:5000/cmd"
MOVES = {keyboard.Key.up: "forward", keyboard.Key.down: "back"}


def on_press(key):
    if key in MOVES:
        requests.post(ROBOT, json={"cmd": MOVES[key]}, timeout=1)


with keyboard.Listener(on_press=on_press) as listener:
    listener.join()
