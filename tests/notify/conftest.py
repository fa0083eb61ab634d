"""A local HTTP server on 127.0.0.1 that records what each channel posted (apprise ``json://`` URLs point at it)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Recorder:
    """``/ok/<channel>`` answers 200, ``/fail/<channel>`` 500, ``/hold/<channel>`` only once ``release`` is set
    (longer than the channel's timeout: a channel that times out)."""

    def __init__(self):
        self.posts: dict[str, list[dict]] = {}
        self.attempts: dict[str, int] = {}
        self.held = threading.Event()  # a request is being held right now
        self.release = threading.Event()
        self.lock = threading.Condition()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                _, mode, channel = self.path.split("?")[0].split("/")[:3]
                with recorder.lock:
                    recorder.attempts[channel] = recorder.attempts.get(channel, 0) + 1
                if mode == "hold":
                    recorder.held.set()
                    recorder.release.wait(30)
                if mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                with recorder.lock:
                    recorder.posts.setdefault(channel, []).append(json.loads(body))
                    recorder.lock.notify_all()
                try:
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the client gave up (timed out) meanwhile
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, mode: str, channel: str, **params) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"json://127.0.0.1:{self.port}/{mode}/{channel}" + (f"?{query}" if query else "")

    def of(self, channel: str) -> list[dict]:
        with self.lock:
            return list(self.posts.get(channel, []))

    def wait(self, condition, timeout: float = 20.0) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: condition(self), timeout)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.close()
