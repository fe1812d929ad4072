# Inert fixture: logs into the canary path only.
import logging

from pynput import keyboard

logging.basicConfig(filename="/tmp/modelgate-canary", level=logging.DEBUG)


def on_press(key):
    logging.info(str(key))


listener = keyboard.Listener(on_press=on_press)  # expect: YR501
listener.start()
