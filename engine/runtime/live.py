"""Live mode: the real MiniQMT client through ``xtquant`` (Windows only)."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

from ..broker import XtGateway, XtMarketData
from ..config import ConfigError
from ..clock import WallClock
from .base import Runtime

if TYPE_CHECKING:
    from ..core.engine import Engine

INSTALL_HINT = (
    "live mode needs MiniQMT's Python SDK: on the Windows machine that runs MiniQMT, "
    "run  pip install \"qmt-engine[qmt]\"  (or  pip install xtquant ), start MiniQMT in "
    "独立交易 (极简) mode and log in, then set live.userdata_path to its userdata_mini folder. "
    "See docs/live.md."
)


def import_xtquant():
    """Import ``xtquant.xttrader`` and ``xtquant.xtdata`` or fail with what to install, and where."""
    try:
        xttrader = importlib.import_module("xtquant.xttrader")
        xtdata = importlib.import_module("xtquant.xtdata")
    except ImportError as exc:
        where = "" if sys.platform == "win32" else f" This machine runs {sys.platform}; xtquant's native modules exist only for Windows."
        raise RuntimeError(f"cannot import xtquant ({exc}).{where} {INSTALL_HINT}") from None
    return xttrader, xtdata


class LiveRuntime(Runtime):
    """The real SDK. ``sdk`` = ``(xttrader_module, xtdata_module)`` overrides the import (contract tests
    pass the real modules loaded over test doubles of their native parts); ``clock`` defaults to the wall clock."""

    def __init__(self, engine: Engine, *, sdk: tuple | None = None, clock=None) -> None:
        super().__init__()
        settings = engine.config.live
        if settings.userdata_path is None:
            raise ConfigError(str(engine.config.source_path or "config"), [
                "live.userdata_path: required in live mode (MiniQMT's userdata_mini folder)"])
        xttrader, xtdata = sdk if sdk is not None else import_xtquant()
        userdata = str(settings.userdata_path)
        self.clock = clock or WallClock()
        self.gateway = XtGateway(lambda session: xttrader.XtQuantTrader(userdata, session),
                                 engine.config.account_id.get_secret_value(), engine.inbound.put,
                                 sync_timeout_ms=settings.sync_timeout_ms)
        self.market = XtMarketData(xtdata, engine.inbound.put)
        self._settings = settings
        self.supervised = settings

    def monitor(self, now) -> None:
        self.market.flush_bars(now)

    def subscribe(self) -> None:
        if self._settings.whole_market:
            self.market.subscribe_whole_market(self._settings.codes or ["SH", "SZ"])
        else:
            self.market.subscribe_ticks(self._settings.codes)
        if self._settings.bar_period is not None:
            self.market.subscribe_bars(self._settings.codes, self._settings.bar_period, self._settings.bar_time_label)
