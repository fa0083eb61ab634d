"""What a notification says: engine events -> :class:`Notice`, and a group of notices -> one message.

Runs on the notifier's worker thread (never on the engine thread). Titles are
in English or Chinese (``notify.language``); the details (codes, rule names,
the counter's messages) are as the engine recorded them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable

from ...events import (
    AlertRaised, CancelErrorRecorded, ConnectionChanged, DailyStatementWritten, Event, FillRecorded,
    OrderDenied, OrderErrorRecorded, PluginFailed, RunStarted, RunStopped, TradingStateChanged,
)

#: The event names the notifier listens to (the engine thread filters on these, nothing else).
EVENT_NAMES = frozenset({
    FillRecorded.name, OrderDenied.name, OrderErrorRecorded.name, CancelErrorRecorded.name, ConnectionChanged.name,
    TradingStateChanged.name, PluginFailed.name, AlertRaised.name, DailyStatementWritten.name, RunStarted.name,
    RunStopped.name,
})

TITLES = {
    "en": {"fill": "Fill", "denial": "Risk denial", "order_error": "Order refused", "disconnect": "Connection",
           "reconnect": "Connection", "trading_state": "Trading state", "plugin_faulted": "Plugin FAULTED",
           "feed_silent": "Market data silent", "alert": "Alert", "daily_statement": "Daily statement",
           "chain_head": "Audit chain head", "run": "Run", "digest": "Notifications held by the rate limit"},
    "zh": {"fill": "成交", "denial": "风控拒单", "order_error": "委托被拒", "disconnect": "连接",
           "reconnect": "连接", "trading_state": "交易状态", "plugin_faulted": "插件故障",
           "feed_silent": "行情中断", "alert": "提醒", "daily_statement": "日结单",
           "chain_head": "审计链头", "run": "运行", "digest": "限流期间汇总的通知"},
}
MORE = {"en": "... and {n} more", "zh": "……另有 {n} 条"}
TIMES = {"en": "{n} times", "zh": "{n} 次"}

#: alert kinds the notifier raises itself: never notified (a failing channel must not loop)
OWN_ALERTS = frozenset({"notify_failed", "notify_dropped"})
#: trading-state causes that belong to the connection's story
_CONNECTION_CAUSES = {"disconnect": "disconnect", "reconnected": "reconnect"}


@dataclass(frozen=True)
class Notice:
    """One thing to tell: ``kind`` routes it to channels, ``key`` groups it with others of the same subject,
    ``label`` is what is counted when several are grouped, ``repeats`` marks subjects that come in storms."""

    kind: str
    key: str
    line: str
    label: str
    at: str = ""
    repeats: bool = False
    severity: str = "info"  # info | warning | failure (apprise's notify types)


def notice_for(event: Event, chain_line: Callable[[], str] | None = None) -> list[Notice]:
    """The notices an engine event makes (none for most events)."""
    at = event.ts
    if isinstance(event, FillRecorded):
        return [Notice("fill", "fill", f"{event.strategy} {event.side} {event.code} {event.volume} @ {event.price} "
                       f"(fees {event.commission})", "fill", at)]
    if isinstance(event, OrderDenied):
        return [Notice("denial", f"denial:{event.plugin}:{event.rule}",
                       f"{event.strategy} {event.side} {event.code} {event.volume} @ {event.price}: "
                       f"{event.rule}: {event.reason}", event.rule, at, repeats=True, severity="warning")]
    if isinstance(event, (OrderErrorRecorded, CancelErrorRecorded)):
        what = "order" if isinstance(event, OrderErrorRecorded) else "cancel"
        return [Notice("order_error", f"{what}_error", f"{event.strategy or '?'} {what} {event.client_order_id or '?'} "
                       f"refused: {event.error_msg} ({event.error_id})", f"{what} refused", at, repeats=True,
                       severity="warning")]
    if isinstance(event, ConnectionChanged):
        kind = {"disconnected": "disconnect", "failed": "disconnect", "reconnected": "reconnect"}.get(event.kind)
        if kind is None:
            return []
        detail = f": {event.detail}" if event.detail else ""
        return [Notice(kind, "connection", f"{event.kind}{detail}", event.kind, at, repeats=True,
                       severity="failure" if kind == "disconnect" else "info")]
    if isinstance(event, TradingStateChanged):
        line = f"{event.scope} {event.previous} -> {event.current} ({event.cause})"
        connection_kind = _CONNECTION_CAUSES.get(event.cause)
        if connection_kind is not None:
            return [Notice(connection_kind, "connection", line, f"{event.scope} {event.current}", at, repeats=True)]
        severity = "info" if event.current == "ACTIVE" else "warning"
        return [Notice("trading_state", f"state:{event.scope}", line, event.current, at, severity=severity)]
    if isinstance(event, PluginFailed):
        if not event.faulted:
            return []
        return [Notice("plugin_faulted", f"plugin:{event.plugin}", f"{event.plugin} FAULTED after "
                       f"{event.consecutive_failures} failures in {event.hook}: {event.error_type}: {event.error}",
                       event.plugin, at, repeats=True, severity="failure")]
    if isinstance(event, AlertRaised):
        if event.kind in OWN_ALERTS or event.detail.startswith("notify: "):
            return []
        kind = "feed_silent" if event.kind == "market_data_silent" else "alert"
        return [Notice(kind, f"alert:{event.kind}", f"{event.kind}: {event.detail}", event.kind, at, repeats=True,
                       severity="warning")]
    if isinstance(event, DailyStatementWritten):
        notices = [Notice("daily_statement", f"statement:{event.day}", statement_text(event.statement), "statement", at)]
        if chain_line is not None:
            notices.append(Notice("chain_head", f"chain:{event.day}", f"after the statement of {event.day}",
                                  "chain head", at))
        return notices
    if isinstance(event, RunStarted):
        return [Notice("run", "run", f"run {event.run_id} started ({event.mode})", "started", at)]
    if isinstance(event, RunStopped):
        return [Notice("run", "run", f"run {event.run_id} stopped: {event.reason}", "stopped", at)]
    return []


def statement_text(statement: dict) -> str:
    """The headline figures of a daily statement, one line per strategy."""
    account = statement.get("account", {})
    lines = [f"{statement.get('day', '?')}: total asset {account.get('total_asset')} CNY, P&L {account.get('pnl')}, "
             f"fees {account.get('fees')}, {account.get('orders')} orders, {account.get('fills')} fills"]
    for name, row in (statement.get("strategies") or {}).items():
        lines.append(f"  {name}: P&L {row.get('pnl')}, {row.get('orders')} orders, {row.get('fills')} fills")
    return "\n".join(lines)


@dataclass(frozen=True)
class Message:
    """What one channel is sent: a title, a body and apprise's notify type."""

    title: str
    body: str
    severity: str
    count: int


def render(notices: list[Notice], language: str, *, max_lines: int = 10) -> Message:
    """One message for notices of one subject: a single one as it is, several with counts and a sample."""
    titles = TITLES[language]
    first = notices[0]
    title = titles.get(first.kind, first.kind)
    severity = max((n.severity for n in notices), key=("info", "warning", "failure").index)
    if len(notices) == 1:
        return Message(title, _stamped(first), severity, 1)
    counts = Counter(n.label for n in notices)
    summary = ", ".join(f"{label} {TIMES[language].format(n=count)}" for label, count in counts.most_common())
    span = f"{notices[0].at} .. {notices[-1].at}" if notices[0].at else ""
    shown = notices if len(notices) <= max_lines else [*notices[: max_lines - 1], notices[-1]]
    lines = [_stamped(n) for n in shown]
    if len(notices) > max_lines:
        lines.insert(max_lines - 1, MORE[language].format(n=len(notices) - max_lines))
    body = "\n".join([f"{summary} ({span})" if span else summary, *lines])
    return Message(f"{title} x{len(notices)}", body, severity, len(notices))


def digest(messages: list[Message], language: str) -> Message:
    """Several messages held back by a channel's rate limit, as one."""
    body = "\n\n".join(f"{m.title}\n{m.body}" for m in messages)
    severity = max((m.severity for m in messages), key=("info", "warning", "failure").index)
    return Message(f"{TITLES[language]['digest']} ({len(messages)})", body, severity, sum(m.count for m in messages))


def _stamped(notice: Notice) -> str:
    return f"[{notice.at}] {notice.line}" if notice.at else notice.line
