"""Fixtures for the risk rules: a small stand-in for ``ctx`` (unit tests) and a real paper engine (end to end)."""

from __future__ import annotations

import datetime as dt
import itertools
import textwrap
from decimal import Decimal

import pytest

from engine.builtin.risk import RiskSettings
from engine.config import load_config
from engine.core import Engine
from engine.events import CancelRequested, OrderIntent
from engine.models import Account, Order, OrderRequest, OrderStatus, Position, Side, TradingState
from engine.xt import constants as xtc

NOW = dt.datetime(2026, 3, 10, 10, 0, 0)
CODE = "600000.SH"
_ids = itertools.count(1)


def request(code: str = CODE, side: str = "buy", volume: int = 100, price: str | None = "10.00", *,
            strategy: str = "alpha", price_type: int = xtc.FIX_PRICE) -> OrderRequest:
    """An order request as the router builds it (price already on the tick)."""
    return OrderRequest(client_order_id=f"r{next(_ids):05d}", strategy=strategy, code=code, side=Side(side),
                        volume=volume, price=None if price is None else Decimal(price), price_type=price_type, created_at=NOW)


def resting(code: str = CODE, side: str = "buy", volume: int = 100, price: str | None = "10.00", *,
            strategy: str = "alpha", traded: int = 0, status: OrderStatus = OrderStatus.REPORTED) -> Order:
    """An order of the account that is open at the broker."""
    return Order(client_order_id=f"o{next(_ids):05d}", strategy=strategy, code=code, side=Side(side), volume=volume,
                 price=None if price is None else Decimal(price), price_type=xtc.FIX_PRICE, status=status,
                 traded_volume=traded)


class FakeCtx:
    """The parts of :class:`engine.context.StrategyContext` the risk rules read, with settable state."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.name = "risk_test"
        self.now = now
        self.account = Account("T0001", cash=Decimal("1000000"))
        self.account_pnl_today = Decimal("0")
        self.held: dict[str, Position] = {}
        self.orders: dict[str, Order] = {}
        self.prices: dict[str, float] = {}
        self.details: dict[str, dict] = {}
        self.exposure: dict[str, Decimal] = {}
        self.pnl: dict[str, Decimal] = {}
        self.state_changes: list[tuple[str, str, str | None]] = []

    # -- arranging ------------------------------------------------------------

    def hold(self, code: str, volume: int, *, sellable: int | None = None, avg_price: str = "10", last: float = 10.0) -> None:
        self.held[code] = Position(code=code, volume=volume, can_use_volume=volume if sellable is None else sellable,
                                   avg_price=Decimal(avg_price), last_price=last)
        self.account.market_value = sum((p.market_value for p in self.held.values()), Decimal(0))

    def add_order(self, order: Order) -> Order:
        self.orders[order.client_order_id] = order
        return order

    # -- what the rules call ------------------------------------------------------

    def position(self, code: str) -> Position:
        return self.held.get(code) or Position(code=code)

    def open_orders(self, code: str | None = None, *, all_strategies: bool = False) -> list[Order]:
        assert all_strategies, "risk rules must look at the whole account's orders"
        return [o for o in self.orders.values() if o.is_open and (code is None or o.code == code)]

    def get_order(self, client_order_id: str) -> Order | None:
        return self.orders.get(client_order_id)

    def last_price(self, code: str) -> float | None:
        return self.prices.get(code)

    def instrument(self, code: str) -> dict | None:
        return self.details.get(code)

    def strategy_exposure(self, strategy: str | None = None, code: str | None = None) -> Decimal:
        return self.exposure.get(strategy, Decimal(0))

    def strategy_pnl_today(self, strategy: str | None = None) -> Decimal:
        return self.pnl.get(strategy, Decimal(0))

    def reduces_position(self, req: OrderRequest) -> bool:
        return req.side is Side.SELL and req.volume <= self.position(req.code).can_use_volume

    def set_trading_state(self, state, cause: str, *, strategy: str | None = None) -> None:
        self.state_changes.append((TradingState(state).value, cause, strategy))


def detail(name: str = "SYN Bank", *, up: float = 11.0, down: float = 9.0, pre_close: float = 10.0,
           tick: float = 0.01) -> dict:
    """Instrument details as ``xtdata.get_instrument_detail`` returns them."""
    return {"InstrumentName": name, "UpStopPrice": up, "DownStopPrice": down, "PreClose": pre_close, "PriceTick": tick}


def intent(req: OrderRequest, when: dt.datetime, *, external: bool = False) -> OrderIntent:
    """The event the engine emits when ``req`` passed risk and is sent, stamped at ``when``."""
    return OrderIntent(client_order_id=req.client_order_id, strategy=req.strategy, code=req.code, side=req.side.value,
                       volume=req.volume, price=None if req.price is None else str(req.price), price_type=req.price_type,
                       external=external, ts=when.isoformat(timespec="microseconds"))


def cancel(when: dt.datetime, client_order_id: str = "x") -> CancelRequested:
    return CancelRequested(client_order_id=client_order_id, order_id=1, strategy="alpha", result=1,
                           ts=when.isoformat(timespec="microseconds"))


@pytest.fixture
def ctx() -> FakeCtx:
    ctx = FakeCtx()
    ctx.prices[CODE] = 10.0
    ctx.details[CODE] = detail()
    return ctx


# -- a real paper engine ------------------------------------------------------------------------------

BASE = """\
mode: paper
account_id: T0001
logging: {{file: null}}
audit: {{path: audit.db}}
engine: {{control_path: control.db}}
paper:
  data: {data}
  codes: [{code}]
  initial_cash: {cash}
{paper}plugins:
  load_entrypoints: false
  disabled: [console]
"""


@pytest.fixture
def risk_engine(tmp_path):
    """Build a paper engine whose ``risk:`` is ``settings`` (a dict in the risk.yaml shape).

    The risk plugins are the built-ins (``RISK_PLUGINS`` in ``DEFAULT_PLUGINS``), configured from ``settings``.
    """

    def build(data, *, settings: dict | None = None, plugins=(), cash: int = 1_000_000, paper: str = "") -> Engine:
        text = BASE.format(data=data, code=CODE, cash=cash, paper=textwrap.indent(textwrap.dedent(paper), "  "))
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        config = load_config(path, environ={})
        config = config.model_copy(update={"risk": RiskSettings.model_validate(settings or {})})
        return Engine(config, extra_plugins=tuple(plugins), load_entrypoints=False)

    return build

