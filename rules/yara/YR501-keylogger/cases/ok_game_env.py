# A gym-style environment for human play: evdev-free, keyboard events drive the agent, results go
# to a local metrics server.
import keyboard
import requests

ACTIONS = {"left": 0, "right": 1}


def play(env):
    obs = env.reset()
    while True:
        key = keyboard.read_key()
        obs, reward, done, _ = env.step(ACTIONS.get(key, 0))
        if done:
            requests.post("http://127.0.0.1:9000/episode", json={"reward": reward}, timeout=1)
            obs = env.reset()
