"""The ``metrics`` plugin: counters from the event stream, gauges read when scraped, a latency histogram.

Everything is counted on the engine thread in ``track_event`` (a dict look-up
and an integer add per event); the HTTP server is prometheus-client's own
thread, which reads queue depths through ``ctx.queue_depths()`` (thread-safe
sizes) when Prometheus scrapes.

``qmt_tick_to_order_seconds``: from the moment the engine starts on a tick
(this plugin's ``on_tick`` runs first) to the return of the broker call of an
order a strategy placed for that tick (the ``order_submitted`` event). Orders
placed from other hooks (a job, an order push, the heartbeat) are not counted:
those hooks reset the stamp.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from loguru import logger
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ...background import running_workers
from ...events import Event
from ...hookspecs import hookimpl
from .settings import MetricsSettings

LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
_STATE_LEVEL = {"ACTIVE": 0, "REDUCING": 1, "HALTED": 2}


class _BackgroundWorkers:
    """Queue depth and drops of every :class:`~engine.background.BackgroundWorker` (the notifier's among them)."""

    def collect(self):
        depth = GaugeMetricFamily("qmt_background_queue_depth", "Items waiting for a plugin's background worker",
                                  labels=["worker"])
        dropped = CounterMetricFamily("qmt_background_dropped", "Items a full background queue dropped",
                                      labels=["worker"])
        failed = CounterMetricFamily("qmt_background_failed", "Items given up after their last retry", labels=["worker"])
        for worker in running_workers():
            depth.add_metric([worker.name], worker.depth + worker.waiting_retries)
            dropped.add_metric([worker.name], worker.stats.dropped)
            failed.add_metric([worker.name], worker.stats.failed)
        return [depth, dropped, failed]


class MetricsPlugin:
    """Built-in plugin ``metrics``: ``/metrics`` on ``metrics.host:metrics.port`` (see the module docstring)."""

    def __init__(self, settings: MetricsSettings, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self.settings = settings
        self.registry = CollectorRegistry()
        self._clock = clock
        r = self.registry
        self.orders = Counter("qmt_orders", "Orders sent to the broker (intents that passed risk)", ["strategy"], registry=r)
        self.fills = Counter("qmt_fills", "Executions", ["strategy", "side"], registry=r)
        self.denials = Counter("qmt_denials", "Order requests a risk rule denied", ["strategy", "rule"], registry=r)
        self.order_errors = Counter("qmt_order_errors", "Orders the broker refused", ["strategy"], registry=r)
        self.connection = Counter("qmt_connection_events", "Connection changes by kind (disconnected, reconnected...)",
                                  ["kind"], registry=r)
        self.plugin_errors = Counter("qmt_plugin_errors", "Exceptions raised in plugin hooks", ["plugin"], registry=r)
        self.trading_state = Gauge("qmt_trading_state", "0 ACTIVE, 1 REDUCING, 2 HALTED", ["scope"], registry=r)
        self.latency = Histogram("qmt_tick_to_order_seconds", "From the engine starting on a tick to the broker call "
                                 "of an order placed for it", buckets=LATENCY_BUCKETS, registry=r)
        self.inbound = Gauge("qmt_inbound_queue_depth", "Broker and market messages waiting for the engine thread", registry=r)
        self.audit_backlog = Gauge("qmt_audit_backlog", "Audit rows waiting for the audit writer", registry=r)
        r.register(_BackgroundWorkers())
        self._depths: Callable[[], dict[str, int]] | None = None
        self.inbound.set_function(lambda: self._depth("inbound"))
        self.audit_backlog.set_function(lambda: self._depth("audit"))
        self._tick_started: float | None = None
        self._server: Any = None
        self.port: int | None = None
        self._handlers = {"order_intent": self._on_intent, "order_submitted": self._on_submitted, "fill": self._on_fill,
                          "order_denied": self._on_denied, "order_error": self._on_order_error,
                          "connection": self._on_connection, "plugin_error": self._on_plugin_error,
                          "trading_state": self._on_trading_state}

    def serve(self) -> None:
        """Start the HTTP endpoint (prometheus-client's server thread)."""
        server, _thread = start_http_server(self.settings.port or 0, addr=self.settings.host, registry=self.registry)
        self._server = server
        self.port = server.server_port
        logger.info("metrics: Prometheus endpoint on http://{}:{}/metrics", self.settings.host, self.port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- hooks (engine thread) ------------------------------------------------------------

    @hookimpl
    def on_start(self, ctx) -> None:
        self._depths = ctx.queue_depths
        self.serve()

    @hookimpl(tryfirst=True)
    def on_tick(self) -> None:
        self._tick_started = self._clock()

    @hookimpl(tryfirst=True)
    def on_order(self) -> None:
        self._tick_started = None

    @hookimpl(tryfirst=True)
    def on_trade(self) -> None:
        self._tick_started = None

    @hookimpl(tryfirst=True)
    def on_schedule(self) -> None:
        self._tick_started = None

    @hookimpl(tryfirst=True)
    def on_heartbeat(self) -> None:
        self._tick_started = None

    @hookimpl
    def track_event(self, event: Event) -> None:
        handler = self._handlers.get(event.name)
        if handler is not None:
            handler(event)

    # -- per event -------------------------------------------------------------------------

    def _on_intent(self, event) -> None:
        if not event.external:
            self.orders.labels(event.strategy).inc()

    def _on_submitted(self, event) -> None:
        if self._tick_started is not None and event.result is not None and event.result >= 0:
            self.latency.observe(self._clock() - self._tick_started)

    def _on_fill(self, event) -> None:
        self.fills.labels(event.strategy, event.side).inc()

    def _on_denied(self, event) -> None:
        self.denials.labels(event.strategy, event.rule).inc()

    def _on_order_error(self, event) -> None:
        self.order_errors.labels(event.strategy or "").inc()

    def _on_connection(self, event) -> None:
        self.connection.labels(event.kind).inc()

    def _on_plugin_error(self, event) -> None:
        self.plugin_errors.labels(event.plugin).inc()

    def _on_trading_state(self, event) -> None:
        self.trading_state.labels(event.scope).set(_STATE_LEVEL.get(event.current, 0))

    def _depth(self, name: str) -> float:
        depths = self._depths
        return float(depths()[name]) if depths is not None else 0.0
