"""Notifier example: append every fill to a CSV file a spreadsheet can open.

Settings: ``path`` (default ``var/fills.csv``, relative to the working directory).
"""

import csv
from pathlib import Path

from engine import hookimpl


@hookimpl
def on_trade(ctx, fill):
    path = Path(ctx.params.get("path", "var/fills.csv"))
    path.parent.mkdir(parents=True, exist_ok=True)
    new_file = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new_file:
            writer.writerow(["time", "strategy", "code", "side", "price", "volume", "amount", "fees", "trade_id"])
        writer.writerow([fill.time, fill.strategy, fill.code, fill.side.value, fill.price, fill.volume,
                         fill.amount, fill.commission, fill.trade_id])
