"""Tick-to-order latency with the ``notify`` plugin on, its channel hanging, against the same run without it.

    python benchmarks/bench_notify.py [--orders 300] [--quick]

The live rig of ``bench_ticks.py`` (``mode: live`` over the simulator, audit, risk and trading-day plugins
on; one tick per push, an order every 20th tick). Three set-ups, measured in this process one after the
other, then the first again (its spread is the noise):

* ``without notify``: the baseline;
* ``notify, channel hangs``: every fill, denial and state change goes to a channel whose HTTP server
  accepts the connection and never answers (apprise's read timeout: 10 s), so the notifier's thread is
  stuck in a send for the whole run while events pile up in its bounded queue;
* ``notify, channel answers``: the same channel answering at once.

The engine thread only hands each event to the notifier's queue (``put_nowait``); the figures show that
this costs nothing measurable, stuck channel or not. Figures in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr  # noqa: E402

from benchmarks.bench_ticks import latency  # noqa: E402
from benchmarks.common import header, quiet_logs  # noqa: E402
from benchmarks.live_rig import codes  # noqa: E402
from engine.builtin.notify.channels import AppriseChannel  # noqa: E402
from engine.builtin.notify.plugin import Notifier  # noqa: E402
from engine.builtin.notify.settings import NOTIFY_EVENTS, NotifyChannel, NotifySettings  # noqa: E402


class _Server:
    def __init__(self) -> None:
        self.release = threading.Event()
        release = self.release

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.startswith("/hold"):
                    release.wait(60)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.httpd.server_address[1]}/{path}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def notifier(url: str) -> Notifier:
    spec = NotifyChannel(name="bench", url=SecretStr(url), events=list(NOTIFY_EVENTS), timeout_seconds=10)
    settings = NotifySettings(channels=[spec], group_seconds=0.5, close_timeout_seconds=0)
    return Notifier(settings, {"bench": AppriseChannel(spec)})


def measure(label: str, orders: int, plugin: Notifier | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
        out = latency(Path(tmp), codes(20), orders, plugins=(("notify", plugin),) if plugin else ())
    if plugin is not None:
        plugin.close()
    total = sorted(out["engine"])
    figures = {"p50": statistics.median(total) * 1e6, "p99": total[int(len(total) * 0.99) - 1] * 1e6,
               "orders": len(total)}
    extra = ""
    if plugin is not None:
        stats = plugin.worker.stats
        extra = f"; notifier: {stats.submitted} events queued, {stats.dropped} dropped, {plugin.sent['bench']} sent"
    print(f"{label:26s} tick -> broker call p50 {figures['p50']:7.1f} us  p99 {figures['p99']:7.1f} us  "
          f"({figures['orders']} orders{extra})")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    orders = 20 if args.quick else args.orders
    quiet_logs()
    header(f"tick-to-order latency with notify: {orders} orders per set-up")
    server = _Server()
    try:
        base = measure("without notify", orders, None)
        stuck = measure("notify, channel hangs", orders, notifier(server.url("hold/bench")))
        healthy = measure("notify, channel answers", orders, notifier(server.url("ok/bench")))
        again = measure("without notify (again)", orders, None)
    finally:
        server.close()
    for label, figures in (("channel hangs", stuck), ("channel answers", healthy), ("baseline again", again)):
        print(f"ratio to the baseline, {label:16s} p50 {figures['p50'] / base['p50']:.2f}  "
              f"p99 {figures['p99'] / base['p99']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
