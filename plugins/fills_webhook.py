"""A fills webhook in twenty lines, on engine.background (docs/notifications.md)."""

import json
import urllib.request

from engine import hookimpl
from engine.background import BackgroundWorker


class FillsToWebhook:
    def __init__(self, url="http://127.0.0.1:9000/fills"):
        self.url = url
        self.worker = BackgroundWorker("fills-webhook", self.post, maxsize=500)

    @hookimpl
    def on_trade(self, fill):
        self.worker.submit({"text": f"{fill.strategy} {fill.side.value} {fill.code} {fill.volume} @ {fill.price}"})

    def post(self, payload):
        request = urllib.request.Request(self.url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).close()

    def close(self):
        self.worker.close()
