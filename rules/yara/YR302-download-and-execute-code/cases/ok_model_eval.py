# Evaluation code: model.eval(), a download of documented weights, and text fetched but not run.
import requests
import torch

URL = "https://huggingface.co/org/model/resolve/main/README.md"


def evaluate(model, batch):
    model.eval()
    with torch.no_grad():
        return model(batch)


def card() -> str:
    return requests.get(URL, timeout=10).text


def score(expr: str, text: str) -> float:
    card_text = requests.get(URL).text
    return float(len(card_text) + len(text))
