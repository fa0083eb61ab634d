"""``notify:`` in config.yaml: channels (apprise URLs), which events go where, grouping, rate limits, retries.

Off until configured: with no channel the ``notify`` plugin stays out of the run.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

#: Every kind of notification, in the order the docs list them.
NOTIFY_EVENTS: tuple[str, ...] = (
    "fill", "denial", "order_error", "disconnect", "reconnect", "trading_state", "plugin_faulted",
    "feed_silent", "alert", "daily_statement", "chain_head", "run",
)
#: What a channel gets when its ``events`` are not given: everything but fills and run starts/stops.
DEFAULT_EVENTS: tuple[str, ...] = tuple(e for e in NOTIFY_EVENTS if e not in ("fill", "run"))

NotifyEvent = Literal[
    "fill", "denial", "order_error", "disconnect", "reconnect", "trading_state", "plugin_faulted",
    "feed_silent", "alert", "daily_statement", "chain_head", "run",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotifyChannel(_Section):
    """One destination: an apprise URL (DingTalk, WeCom, Feishu/Lark, email, Telegram, ServerChan, Bark, JSON...)."""

    name: str = Field(description="names the channel in logs and alerts (the URL is never logged)")
    url: SecretStr = Field(description="apprise URL, e.g. dingtalk://TOKEN, wecombot://KEY, feishu://TOKEN, "
                                       "tgram://BOT/CHAT, mailtos://..., json://host/path; use ${ENV_VAR}")
    events: list[NotifyEvent] = Field(default_factory=lambda: list(DEFAULT_EVENTS),
                                      description="which notifications go here")
    max_per_minute: int = Field(20, ge=1, description="messages per minute at most; the rest wait and go as one digest")
    timeout_seconds: float = Field(10.0, gt=0, description="connect and read timeout of one send")

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a channel needs a name")
        return value.strip()


class NotifySettings(_Section):
    """``notify:`` the built-in notifier (plugin ``notify``): off until a channel is configured."""

    channels: list[NotifyChannel] = Field(default_factory=list)
    language: Literal["en", "zh"] = Field("en", description="message language")
    group_seconds: float = Field(2.0, ge=0, description="notifications of one subject within this window go as one message")
    repeat_seconds: float = Field(300.0, ge=0, description="after a message about a repeating subject (a disconnect, a "
                                  "denial rule, an alert), later ones within this window go as one summary at its end")
    queue_size: int = Field(1000, ge=10, description="events waiting for the notifier's thread; beyond it they are dropped and counted")
    retry_attempts: int = Field(5, ge=1, description="tries per message on a failing channel")
    retry_backoff_seconds: float = Field(2.0, gt=0, description="first wait before a retry; doubles each time")
    retry_max_backoff_seconds: float = Field(300.0, gt=0)
    close_timeout_seconds: float = Field(5.0, ge=0, description="at the end of a run, how long queued messages may take")

    @field_validator("channels")
    @classmethod
    def _unique_names(cls, value: list[NotifyChannel]) -> list[NotifyChannel]:
        names = [c.name for c in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"channel names must be unique; repeated: {', '.join(repeated)}")
        return value


__all__ = ["DEFAULT_EVENTS", "NOTIFY_EVENTS", "NotifyChannel", "NotifySettings"]
