"""Hook specifications: every point where a plugin or strategy plugs into the engine.

Strategies (files in ``strategies/``), risk plugins (``plugins/``), installed
packages and the engine's own built-ins all implement these hooks with the
``@hookimpl`` marker and nothing else. An implementation may declare any
subset of a hook's arguments, by name.

How the engine calls them:

* One engine thread calls every hook, one implementation after another, in
  pluggy's order (``tryfirst`` first, then the most recently registered,
  ``trylast`` last). Strategies never need a lock.
* Each implementation is called inside a guard. If it raises, the error, the
  hook, its input and the traceback are recorded (``plugin_error`` in the audit
  database and the log), and the next implementation is called. After
  ``engine.max_consecutive_failures`` failures in a row the plugin is marked
  FAULTED and is skipped for the rest of the run.
* ``ctx`` is a :class:`engine.context.StrategyContext` bound to the plugin
  being called: orders placed through it carry that plugin's name as their
  strategy.

Hook names follow their role: ``on_<event>`` notifications (return value
ignored), ``check_order`` a decision, ``track_event`` the event stream that the
audit writer records.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

import pluggy

if TYPE_CHECKING:
    from .context import StrategyContext
    from .core.day_record import DayRecord
    from .events import Event
    from .models import Bar, CancelError, Fill, Order, OrderError, OrderRequest, RiskDecision, Tick

PROJECT_NAME = "qmt_engine"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = [
    "check_order", "hookimpl", "hookspec", "on_bar", "on_bars", "on_cancel_error", "on_disconnect",
    "on_heartbeat", "on_order", "on_restore", "on_order_error", "on_reconnect", "on_schedule", "on_start", "register_jobs",
    "on_stop", "on_tick", "on_trade", "track_event",
]


# --------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------


@hookspec
def on_start(ctx: StrategyContext) -> None:
    """The run is ready: broker connected, account, positions and today's orders loaded.

    Fires once per run, before the first ``on_tick`` or ``on_bar``. Use it to
    set up state and to read ``ctx.params``.

    :param ctx: the context bound to this plugin.
    :return: ignored.
    """


@hookspec
def on_restore(ctx: StrategyContext, record: DayRecord) -> None:
    """What earlier runs on this account recorded, handed over at start-up, just before ``on_start``.

    A restart in the middle of a day must give the same risk decisions as a run that
    never stopped: a plugin that counts something (orders sent today, losses, signals)
    rebuilds its count here. The engine itself has already restored the day's loss
    baseline, the per-strategy book, ``holding_days`` and every ``ctx.state``.
    Called in every mode; in backtests and paper replays (which continue no account)
    ``record`` is empty. Nothing may be ordered from this hook.

    :param ctx: the context bound to this plugin.
    :param record: an :class:`engine.core.day_record.DayRecord`: ``day``, ``opening_equity``,
        ``events`` (today's recorded ``OrderIntent``, ``CancelRequested``, ``FillRecorded`` and
        ``TradingStateChanged`` events of earlier runs, in recorded order, each with its
        original ``ts``), ``fills`` (every recorded fill, oldest first) and ``strategy_states``.
    :return: ignored.
    """


@hookspec
def on_stop(ctx: StrategyContext, reason: str) -> None:
    """The run is ending. Fires once, even when the run ends with an error.

    Orders can no longer be placed. Use it to write a report or flush state.

    :param ctx: the context bound to this plugin.
    :param reason: ``"completed"`` (replay reached its end), ``"signal"``
        (Ctrl-C / SIGTERM), ``"requested"`` (``engine.stop()``) or ``"error"``.
    :return: ignored.
    """


@hookspec
def on_heartbeat(ctx: StrategyContext, now: dt.datetime) -> None:
    """The monitor loop's heartbeat, every ``engine.heartbeat_seconds`` of engine time.

    :param ctx: the context bound to this plugin.
    :param now: the engine clock (exchange-local naive time; simulated in replay).
    :return: ignored.
    """


# --------------------------------------------------------------------------
# Market data
# --------------------------------------------------------------------------


@hookspec
def on_tick(ctx: StrategyContext, tick: Tick) -> None:
    """A new tick (snapshot) for one subscribed code.

    Fires after the engine updated its last-tick cache and position prices,
    so ``ctx.last_tick(tick.code)`` is ``tick``.

    :param ctx: the context bound to this plugin.
    :param tick: the snapshot, volumes in shares.
    :return: ignored.
    """


@hookspec
def on_bar(ctx: StrategyContext, bar: Bar) -> None:
    """A finished bar for one subscribed code (backtests and bar subscriptions).

    :param ctx: the context bound to this plugin.
    :param bar: the bar; ``bar.time`` is its end time.
    :return: ignored.
    """


@hookspec
def on_bars(ctx: StrategyContext, bars: list[Bar]) -> None:
    """All codes' finished bars of one moment, in one call, after each of them went to ``on_bar``.

    For cross-sectional strategies (rank the codes, hold the top N): the batch holds
    every code that has a bar at that time (in a backtest, every file with a row of
    that time; suspended codes simply have none). ``ctx.history(code, n)`` already
    includes these bars.

    :param ctx: the context bound to this plugin.
    :param bars: the bars (:class:`engine.models.Bar`), ordered by code, all with the same ``time``.
    :return: ignored.
    """


# --------------------------------------------------------------------------
# Orders and risk
# --------------------------------------------------------------------------


@hookspec
def check_order(ctx: StrategyContext, request: OrderRequest) -> RiskDecision | None:
    """Decide whether an order request may leave the engine. Every request passes here.

    Called for every ``ctx.buy`` / ``ctx.sell`` / ``ctx.order`` before the order
    is journalled and sent. Every implementation is asked (not first-result);
    each non-``None`` answer is recorded in ``risk_decisions``. One denial
    blocks the order: it is never sent, ``order_denied`` is recorded and the
    request returns ``None`` to the strategy. An implementation that raises
    counts as a denial naming that plugin (fail closed).

    :param ctx: the context bound to the risk plugin (``ctx.account``,
        ``ctx.positions``, ``ctx.open_orders`` and ``ctx.last_tick`` are the
        state the decision should use).
    :param request: the request; do not mutate it.
    :return: :class:`engine.models.RiskDecision` (``RiskDecision.allow`` or
        ``RiskDecision.deny`` with rule, value, limit and reason), or ``None``
        for "no opinion".
    """


@hookspec
def on_order(ctx: StrategyContext, order: Order) -> None:
    """An order changed: every status change and every change of filled volume.

    Duplicate and out-of-order broker pushes are filtered before this hook:
    a status never moves backwards and a final status (cancelled, partly
    cancelled, filled, rejected) is reported once.

    :param ctx: the context bound to this plugin.
    :param order: the engine's order (read it, do not mutate it).
    :return: ignored.
    """


@hookspec
def on_trade(ctx: StrategyContext, fill: Fill) -> None:
    """An execution of one of the account's orders, de-duplicated by trade id.

    Fires after positions and cash were updated.

    :param ctx: the context bound to this plugin.
    :param fill: the execution (price, volume, amount, commission as Decimal).
    :return: ignored.
    """


@hookspec
def on_order_error(ctx: StrategyContext, error: OrderError) -> None:
    """The broker refused an order (a 废单). ``error.error_msg`` is the counter's text.

    :param ctx: the context bound to this plugin.
    :param error: the refusal, with the engine's ``client_order_id``.
    :return: ignored.
    """


@hookspec
def on_cancel_error(ctx: StrategyContext, error: CancelError) -> None:
    """The broker refused a cancel; the order keeps its status.

    :param ctx: the context bound to this plugin.
    :param error: the refusal, with the engine's ``client_order_id``.
    :return: ignored.
    """


# --------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------


@hookspec
def on_disconnect(ctx: StrategyContext, reason: str) -> None:
    """The broker connection was lost. Trading is halted until ``on_reconnect``.

    :param ctx: the context bound to this plugin.
    :param reason: what the gateway saw (SDK push, failed liveness query...).
    :return: ignored.
    """


@hookspec
def on_reconnect(ctx: StrategyContext, attempts: int) -> None:
    """The connection is back and orders, fills and positions were reconciled.

    :param ctx: the context bound to this plugin.
    :param attempts: how many connection attempts it took.
    :return: ignored.
    """


# --------------------------------------------------------------------------
# Scheduling
# --------------------------------------------------------------------------


@hookspec
def register_jobs(register: Callable[..., None]) -> None:
    """Contribute scheduled jobs in code, beside those declared under ``jobs:`` in config.yaml.

    Called once at start-up, before ``on_start``. Call ``register(name=...,
    target=..., **when)`` once per job, with the same keys a ``jobs:`` entry
    takes (``at``, ``every``, ``when``, ``days``, ``params``, ``missed``...);
    ``target`` defaults to the registering plugin. A name used twice is a
    start-up error.

    :param register: the engine's job registration function.
    :return: ignored.
    """


@hookspec
def on_schedule(ctx: StrategyContext, job: str, params: dict) -> None:
    """A scheduled job fired. Called only on the plugin the job names as its target.

    :param ctx: the context bound to this plugin.
    :param job: the job's name from ``config.yaml``.
    :param params: the job's ``params`` mapping (empty if none).
    :return: ignored.
    """


# --------------------------------------------------------------------------
# Event stream (audit, notifiers)
# --------------------------------------------------------------------------


@hookspec
def track_event(event: Event) -> None:
    """Every engine event, in order: run start/stop, risk decisions, denials,
    order intents, submissions, order updates, fills, errors, connection
    changes, plugin errors, job runs, trading-state changes.

    The built-in audit writer implements this hook; notifiers can too. The
    event carries ``run_id``, ``seq`` (monotonic within the run) and ``ts``.
    For events with ``event.durable`` true (order intents, run start/stop) a
    plugin that declares ``AUDIT_JOURNAL = True`` must have written the event
    durably when the hook returns; if such a plugin raises, the engine does
    not act on the event (the order is not sent).

    :param event: an :class:`engine.events.Event` subclass instance.
    :return: ignored.
    """
