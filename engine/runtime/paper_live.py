"""Paper trading on live quotes: orders go to the simulator, quotes come from the real ``xtdata``.

``paper.feed: xtdata`` (on the MiniQMT machine): a bridge subscribes the codes
in ``paper.codes`` through the real ``xtdata`` and publishes every quote to the
simulator's market side, which matches resting orders against it and hands it
to the engine exactly as in a replay. Instrument details (name, listing date,
ST status) come from ``xtdata.get_instrument_detail``. The clock is the wall
clock, so the simulator applies the real session rules.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..broker import XtGateway, XtMarketData
from ..clock import WallClock
from ..config import ConfigError
from ..instruments import kind_from_prefix
from ..sim import SimCounter, SimXtData, SimXtQuantTrader
from .base import Runtime
from .paper import SIM_USERDATA_PATH, sim_config_from

if TYPE_CHECKING:
    from ..core.engine import Engine


def instrument_row(code: str, detail: dict | None, where: str) -> dict:
    """A simulator instrument row from ``get_instrument_detail`` (raises ConfigError for an unknown code)."""
    if not detail:
        raise ConfigError(where, [f"paper.codes: xtdata knows no instrument {code!r}"])
    name = str(detail.get("InstrumentName") or "")
    opened = str(detail.get("OpenDate") or "")
    listing = dt.date(int(opened[:4]), int(opened[4:6]), int(opened[6:8])) if len(opened) >= 8 and opened.isdigit() else None
    return {"code": code, "name": name, "kind": kind_from_prefix(code) or "stock", "listing_date": listing,
            "is_st": "ST" in name.upper(), "t0": False}


class QuoteBridge(XtMarketData):
    """Real ``xtdata`` tick subscriptions whose pushes go into the simulator's market, not to the engine.

    Subscribing, unsubscribing and serialising the calls into ``xtdata`` are :class:`XtMarketData`'s;
    only what happens to a push differs: the raw record is published to the simulator, which
    matches resting orders against it and hands it on to the engine.
    """

    def __init__(self, source: Any, market: SimXtData) -> None:
        super().__init__(source, put=lambda message: None)  # nothing goes to the engine queue from here
        self._market = market

    def _on_quote(self, datas: dict[str, list[dict]]) -> None:
        latest = {code: records[-1] for code, records in datas.items() if records}
        if latest:
            self._market.publish(latest)


class PaperLiveDataRuntime(Runtime):
    """``mode: paper`` with ``paper.feed: xtdata``. ``xtdata`` and ``clock`` can be injected (tests)."""

    def __init__(self, engine: Engine, *, xtdata: Any = None, clock: Any = None) -> None:
        super().__init__()
        config = engine.config
        where = str(config.source_path or "config")
        self._codes = list(config.paper.codes or [])
        if not self._codes:
            raise ConfigError(where, ["paper.codes: list the codes to trade when paper.feed is xtdata"])
        if xtdata is None:
            from .live import import_xtquant

            xtdata = import_xtquant()[1]
        self.clock = clock or WallClock()
        actions = []
        if config.paper.corporate_actions_store is not None:  # pyarrow only when a store is used
            from .store_bars import paper_corporate_actions

            actions = paper_corporate_actions(config.paper.corporate_actions_store, self._codes, where)
        self.counter = SimCounter(sim_config_from(config), calendar=engine.calendar, clock=self.clock,
                                  corporate_actions=actions)
        self.xtdata = SimXtData(self.counter)
        self.xtdata.load_instruments([instrument_row(c, xtdata.get_instrument_detail(c), where) for c in self._codes])
        self.gateway = XtGateway(lambda session: SimXtQuantTrader(SIM_USERDATA_PATH, session, counter=self.counter),
                                 config.account_id.get_secret_value(), engine.inbound.put, first_session_id=1)
        self.market = XtMarketData(self.xtdata, engine.inbound.put)
        self.bridge = QuoteBridge(xtdata, self.xtdata)

    def subscribe(self) -> None:
        self.market.subscribe_ticks(self._codes)
        self.bridge.subscribe_ticks(self._codes)

    def stop(self) -> None:
        try:
            self.bridge.unsubscribe_all()
        finally:
            self.counter.close()
