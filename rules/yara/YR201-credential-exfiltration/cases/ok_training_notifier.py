# Posts training progress to a webhook; no secrets, no environment dump.
import requests

WEBHOOK = "https://discord.com/api/webhooks/000/modelgate-docs-example"


def notify(epoch: int, loss: float) -> None:
    requests.post(WEBHOOK, json={"content": f"epoch {epoch}: loss {loss:.4f}"}, timeout=5)
