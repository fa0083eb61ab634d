"""Built-in plugin ``notify``: fills, denials, disconnects, halts... to DingTalk, WeCom, Feishu, email, Telegram.

Off until ``notify.channels`` names at least one channel (an apprise URL). One
worker thread with a bounded queue does all the work; the engine thread only
hands events over. See docs/notifications.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import NOTIFY_EVENTS, NotifyChannel, NotifySettings

if TYPE_CHECKING:
    from ...config import EngineConfig
    from .plugin import Notifier


def make_plugin(config: EngineConfig) -> Notifier | None:
    settings = config.notify
    if not settings.channels:
        return None
    from .channels import AppriseChannel
    from .plugin import Notifier

    where = str(config.source_path or "config")
    channels = {spec.name: AppriseChannel(spec, where) for spec in settings.channels}
    return Notifier(settings, channels, audit_path=config.audit.path)


__all__ = ["NOTIFY_EVENTS", "NotifyChannel", "NotifySettings", "make_plugin"]
