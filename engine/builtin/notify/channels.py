"""Channels: one apprise URL each (DingTalk, WeCom bot, Feishu/Lark, email, Telegram, ServerChan, Bark, JSON...).

The URL holds the channel's secret (a bot token, a password): it is never
logged; errors name the channel.
"""

from __future__ import annotations

import logging
import re

from ...config import ConfigError
from .messages import Message
from .settings import NotifyChannel


class ChannelError(RuntimeError):
    """A send failed (the message says which channel and why, without the URL's secrets)."""


class AppriseChannel:
    """Sends :class:`Message` objects through one apprise URL, with the channel's timeouts."""

    def __init__(self, spec: NotifyChannel, where: str = "config") -> None:
        import apprise

        self.name = spec.name
        self._apprise = apprise.Apprise()
        url = spec.url.get_secret_value()
        if not self._apprise.add(url):
            raise ConfigError(where, [f"notify.channels: channel {spec.name!r}: apprise does not know this URL's "
                                      "scheme or cannot parse it (the URL is not shown: it holds secrets)"])
        for server in self._apprise:
            server.socket_connect_timeout = spec.timeout_seconds
            server.socket_read_timeout = spec.timeout_seconds
        self._secrets = [part for part in re.split(r"[/:@?&=#]+", url) if len(part) >= 6]
        self._types = {"info": apprise.NotifyType.INFO, "warning": apprise.NotifyType.WARNING,
                       "failure": apprise.NotifyType.FAILURE}

    def send(self, message: Message) -> None:
        import apprise

        with apprise.LogCapture(level=logging.WARNING) as captured:
            ok = self._apprise.notify(body=message.body, title=message.title, notify_type=self._types[message.severity])
        if not ok:
            raise ChannelError(f"channel {self.name}: send failed: {self._scrub(captured.getvalue().strip()) or 'no detail'}")

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())[:300]
