"""What a strategy (or any plugin) can see and do: the ``ctx`` argument of every hook.

A context is bound to one plugin: orders placed through it carry that
plugin's name as their strategy. Every order goes through the engine's risk
path (``check_order``), the audit journal and then the broker; a context has no
other way to the broker. Methods that place or cancel orders work only inside
a hook (on the engine thread) while the run is live.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from loguru import logger

from .models import Account, Order, Position, Side, Tick, TradingState
from .xt import constants as xtc

if TYPE_CHECKING:
    import datetime as dt

    from .core.engine import Engine


class StrategyContext:
    """The engine as one plugin sees it.

    :ivar name: the plugin's name (the strategy name on its orders).
    :ivar params: the plugin's ``params`` (strategies) or ``settings`` (plugins) from config.
    :ivar state: a dict the plugin may use freely to keep state between hooks.
    :ivar log: a loguru logger bound to the plugin's name.
    """

    __slots__ = ("__engine", "name", "params", "state", "log")

    def __init__(self, engine: Engine, name: str, params: dict[str, Any]) -> None:
        self.__engine = engine
        self.name = name
        self.params = dict(params)
        self.state: dict[str, Any] = {}
        self.log = logger.bind(plugin=name)

    # -- time and market data -------------------------------------------------

    @property
    def now(self) -> dt.datetime:
        """The engine clock (exchange-local time; the replayed time in paper and backtest)."""
        return self.__engine.clock.now()

    @property
    def mode(self) -> str:
        return self.__engine.config.mode

    def last_tick(self, code: str) -> Tick | None:
        """The latest tick seen for ``code``, or None."""
        return self.__engine.last_ticks.get(code)

    def last_price(self, code: str) -> float | None:
        return self.__engine.last_price(code)

    def history(self, code: str, n: int, field: str | None = None, period: str | None = None) -> list:
        """The last ``n`` finished bars of ``code``, oldest first, this moment's bar included.

        :param code: e.g. ``600000.SH``.
        :param n: how many bars (fewer while fewer have arrived; 60 are kept per code
            unless a call asks for more, which raises the depth from then on).
        :param field: None for :class:`~engine.models.Bar` objects, or one of ``open``,
            ``high``, ``low``, ``close``, ``volume``, ``amount``, ``pre_close`` for its values.
        :param period: the bars' period (``1d``, ``1m``...); None: the period the code's bars come in.
        """
        return self.__engine.bar_history.recent(code, n, period, field)

    # -- account --------------------------------------------------------------

    @property
    def account(self) -> Account:
        """Cash (usable), frozen cash, market value, total asset and floating P&L."""
        return self.__engine.ledger.account

    @property
    def positions(self) -> dict[str, Position]:
        """Open positions by code (volume, sellable volume, cost, last price, P&L...)."""
        return {code: p for code, p in self.__engine.ledger.positions.items() if p.volume}

    def position(self, code: str) -> Position:
        """The position in ``code``; an empty one (volume 0) when none is held."""
        return self.__engine.ledger.position(code) or Position(code=code)

    def instrument(self, code: str) -> dict | None:
        """The instrument details from market data (``xtdata.get_instrument_detail``): ``InstrumentName``,
        ``UpStopPrice`` / ``DownStopPrice`` (today's limit prices), ``PreClose``, ``PriceTick``...; None if unknown."""
        return self.__engine.instrument(code)

    @property
    def account_pnl_today(self) -> Decimal:
        """Total asset now minus total asset at the start of the trading day (realised + unrealised, fees included)."""
        return self.__engine.ledger.pnl_today

    def strategy_position(self, code: str, strategy: str | None = None):
        """A strategy's own holding in ``code`` (default: this plugin's): ``volume``, ``avg_price``, ``reference``."""
        return self.__engine.ledger.holding(strategy or self.name, code)

    def strategy_exposure(self, strategy: str | None = None, code: str | None = None) -> Decimal:
        """Market value a strategy holds (one code, or all codes), at the last prices."""
        return self.__engine.ledger.position_value(strategy or self.name, code)

    def strategy_pnl_today(self, strategy: str | None = None) -> Decimal:
        """A strategy's P&L today: realised from its fills plus the move of what it holds, fees included."""
        return self.__engine.ledger.strategy_pnl(strategy or self.name)

    def reduces_position(self, request) -> bool:
        """True for a sell within the sellable (T+1) volume: exposure and loss rules must let it through."""
        return self.__engine.reduces_position(request)

    def set_trading_state(self, state: TradingState | str, cause: str, *, strategy: str | None = None) -> None:
        """Move the account (or one strategy) to ACTIVE, REDUCING or HALTED; recorded with ``cause``.

        Risk plugins use it (a daily loss limit moves trading to REDUCING or HALTED).
        """
        self.__engine.trading.impose(self.name, TradingState(state), f"{self.name}: {cause}", strategy)

    @property
    def connected(self) -> bool:
        """True while the broker connection is up (False while disconnected or reconnecting)."""
        return self.__engine.broker_connected

    def reconcile_with_broker(self) -> int:
        """Query the broker and align orders, fills, positions and cash; returns the differences recorded."""
        from .core.reconcile import reconcile_with_broker

        engine = self.__engine
        return reconcile_with_broker(engine.orders, engine.ledger, engine.emit, engine.gateway.load_snapshot())

    def daily_statement(self, day=None) -> dict:
        """Orders, fills, fees and P&L per strategy for ``day`` (default: today), from engine state."""
        from .account.statement import build_daily_statement

        day = day or self.now.date()
        engine = self.__engine
        return build_daily_statement(engine.ledger, engine.orders.orders_of_day(day), day)

    def record_statement(self, statement: dict) -> None:
        """Write a daily statement (from :meth:`daily_statement`) to the audit database."""
        from .events import DailyStatementWritten

        self.__engine.emit(DailyStatementWritten(day=statement["day"], statement=statement))

    def record_equity(self, mark) -> None:
        """Write an equity mark (:class:`engine.events.EquityMarked`) to the audit database (``equity_marks``)."""
        from .events import EquityMarked

        if not isinstance(mark, EquityMarked):
            raise TypeError(f"record_equity takes an engine.events.EquityMarked, got {type(mark).__name__}")
        self.__engine.emit(mark)

    def emit_alert(self, kind: str, detail: str) -> None:
        """Record something an operator should look at (``alerts`` in the audit database, and the log)."""
        from .events import AlertRaised

        self.__engine.emit(AlertRaised(kind=kind, detail=f"{self.name}: {detail}"))

    def equity_mark(self, kind: str):
        """The account now as an :class:`engine.events.EquityMarked` (cash, total asset, P&L today, each
        held position with holding days and P&L, each strategy's P&L today), not yet recorded: pass it to
        :meth:`record_equity`. ``kind`` is ``start``, ``intraday``, ``close`` or ``stop``."""
        from .account.equity_mark import equity_mark

        return equity_mark(self.__engine.ledger, kind)

    def queue_depths(self) -> dict[str, int]:
        """What waits right now: ``inbound`` messages for the engine thread, ``audit`` rows for the audit
        writer. Safe to call from any thread (the metrics plugin reads it when scraped)."""
        engine = self.__engine
        audit = sum(int(getattr(p.obj, "backlog", 0)) for p in engine.plugins if getattr(p.obj, "AUDIT_JOURNAL", False))
        return {"inbound": engine.inbound.qsize(), "audit": audit}

    @property
    def trading_state(self) -> TradingState:
        """ACTIVE, REDUCING or HALTED for this plugin (the stricter of account and strategy)."""
        return self.__engine.trading_state_for(self.name)

    # -- orders -----------------------------------------------------------------

    def buy(self, code: str, volume: int, price: float | Decimal | None = None, *,
            price_type: int | str = xtc.FIX_PRICE, note: str = "") -> Order | None:
        """Buy ``volume`` shares of ``code``.

        :param price: the limit price (rounded half-up to the tick); ``None``
            uses the last price. Ignored for market price types.
        :param price_type: an ``xtconstant`` price type (``FIX_PRICE`` by
            default), or ``"limit"`` / ``"market"``. ``"market"`` is best-five,
            rest cancelled: 42 on SH/BJ, 47 on SZ. A market type the exchange
            does not accept (e.g. 46 on SH) raises ValueError.
        :return: the :class:`Order` sent, or ``None`` when risk denied it (the
            reason is in the audit database and the log).
        """
        return self.order(code, Side.BUY, volume, price, price_type=price_type, note=note)

    def sell(self, code: str, volume: int, price: float | Decimal | None = None, *,
             price_type: int | str = xtc.FIX_PRICE, note: str = "") -> Order | None:
        """Sell ``volume`` shares of ``code``; see :meth:`buy`."""
        return self.order(code, Side.SELL, volume, price, price_type=price_type, note=note)

    def order(self, code: str, side: Side | str, volume: int, price: float | Decimal | None = None, *,
              price_type: int | str = xtc.FIX_PRICE, note: str = "") -> Order | None:
        """Place an order through risk, the journal and the broker."""
        return self.__engine.orders.submit(self.name, code, Side(side), volume, price, price_type, note)

    def cancel(self, order: Order | str) -> bool:
        """Ask the broker to cancel an open order (by object or client order id), or cancel one of this
        plugin's execution algorithms by its parent id (its live child is cancelled, no child follows).

        :return: True when the cancel request was sent. The order is cancelled
            only when the broker says so (``on_order`` with status 53 or 54).
        """
        target = self.get_order(order) if isinstance(order, str) else order
        if target is None:
            if isinstance(order, str):
                return self._cancel_parent(order)
            return False
        return self.__engine.orders.cancel(self.name, target)

    def _cancel_parent(self, parent_id: str) -> bool:
        if not any(getattr(p.obj, "EXECUTION_SERVICE", False) for p in self.__engine.plugins):
            return False
        algo = next((a for a in self._execution_service().active_algorithms(self.name) if a.parent_id == parent_id),
                    None)
        if algo is None:
            return False
        algo.cancel()
        return True

    def get_order(self, client_order_id: str) -> Order | None:
        return self.__engine.orders.get(client_order_id)

    def open_orders(self, code: str | None = None, *, all_strategies: bool = False) -> list[Order]:
        """This plugin's open orders (optionally for one code; ``all_strategies`` for the whole account)."""
        return self.__engine.orders.open_orders(code=code, strategy=None if all_strategies else self.name)

    # -- execution: targets, rebalancing, protective orders, algorithms (engine/execution, docs/execution.md)

    def order_target(self, code: str, *, volume: int | None = None, value: float | Decimal | None = None,
                     percent: float | Decimal | None = None, slack: float | Decimal = 0,
                     price: float | Decimal | None = None):
        """Buy or sell ``code`` until the position is ``volume`` shares, worth ``value`` CNY, or ``percent``
        (a fraction) of total asset, under the board's lot rules, T+1, the limit prices and the cash left
        after fees. Returns a :class:`engine.execution.TargetRun` (``orders`` sent, ``skipped`` with reasons).

        :param slack: the limit price this fraction through the price (buys above, sells below), within the limits.
        :param price: the price to plan at (default: the last price).
        """
        from .execution import TargetRun, target_volume

        def targets(book):
            return {code: target_volume(book, code, volume=volume, value=value, percent=percent)}

        run = TargetRun(self, f"order_target {code}", [code], targets, fees=self._fee_profile(),
                        slack=Decimal(str(slack)), prices=None if price is None else {code: price})
        return run.start()

    def rebalance(self, weights: dict[str, float | Decimal], *, cash_buffer: float | Decimal = 0,
                  slack: float | Decimal = 0, tolerance: float | Decimal = 0,
                  prices: dict[str, float | Decimal] | None = None):
        """Bring the account to ``weights`` (code -> fraction of total asset); held codes not listed are sold.

        Sells go first; the buys are planned again and sent once every sell is final (its cash is then
        usable), in the order of ``weights``, each within the cash left after fees and ``cash_buffer``
        (a fraction of total asset kept in cash). A newer rebalance supersedes one still waiting for its
        sells. Returns a :class:`engine.execution.TargetRun`.

        :param slack: limit prices this fraction through the price (buys above, sells below), within the limits.
        :param tolerance: leave a holding alone when the change is worth less than this fraction of total asset.
        :param prices: plan the sells at these prices (e.g. this moment's closes); a code missing has no
            price today and is skipped (suspended). Default: the last prices.
        :raises engine.execution.PlanError: a negative weight, or weights plus ``cash_buffer`` above 1.
        """
        from .execution import TargetRun, check_weights, targets_from_weights

        service = self._execution_service()
        buffer = Decimal(str(cash_buffer))
        weights = dict(weights)

        def targets(book):
            return targets_from_weights(book, weights, cash_buffer=buffer)

        check_weights(weights, buffer)
        run = TargetRun(self, "rebalance", list(weights), targets, fees=self._fee_profile(), cash_buffer=buffer,
                        slack=Decimal(str(slack)), tolerance=Decimal(str(tolerance)), prices=prices)
        run.resume_params = {"weights": {code: str(w) for code, w in weights.items()}, "cash_buffer": str(buffer),
                             "slack": str(slack), "tolerance": str(tolerance)}
        return service.start_rebalance(run)

    def attach_stop(self, code: str, *, stop_loss: float | Decimal | None = None,
                    take_profit: float | Decimal | None = None, stop_loss_pct: float | Decimal | None = None,
                    take_profit_pct: float | Decimal | None = None, trail: float | Decimal | None = None,
                    trail_pct: float | Decimal | None = None, volume: int | None = None,
                    slack: float | Decimal = 0.02):
        """Protect the position in ``code``: sell when the price falls to ``stop_loss``, rises to
        ``take_profit``, or falls ``trail`` CNY / ``trail_pct`` below its peak since now. The ``_pct`` forms
        are fractions of the position's cost price. Checked on every tick and bar of the code (engine
        thread); the sell is a limit order ``slack`` below the price, never below the limit-down, and
        shares bought today wait until they are sellable (T+1; logged and recorded as an alert).

        :param volume: shares protected (default: the whole position when it triggers).
        :return: the :class:`engine.execution.ProtectiveOrder` (``status``, ``reason``, ``orders``, ``cancel()``).
        :raises engine.execution.StopError: no level, a level <= 0, or a price and a percent for one level.
        """
        from .execution import ProtectiveOrder, StopLevels
        from .models.money import to_decimal

        if volume is not None and (not isinstance(volume, int) or volume <= 0):
            raise ValueError(f"attach_stop({code}): volume={volume!r} must be an int > 0 (or None)")
        position = self.position(code)
        levels = StopLevels.build(code, position.avg_price, stop_loss=stop_loss, take_profit=take_profit,
                                  stop_loss_pct=stop_loss_pct, take_profit_pct=take_profit_pct, trail=trail,
                                  trail_pct=trail_pct)
        price = self.last_price(code)
        stop = ProtectiveOrder(self, code, levels, volume=volume, slack=to_decimal(slack),
                               price=None if not price else to_decimal(price))
        return self._execution_service().add_stop(stop)

    def protective_orders(self, code: str | None = None) -> list:
        """This plugin's armed or triggered protective orders (optionally of one code)."""
        return self._execution_service().active_stops(self.name, code)

    def execute(self, algorithm):
        """Start an execution algorithm (:class:`engine.execution.Chase`, :class:`engine.execution.TWAP`, or
        your own :class:`engine.execution.ExecAlgorithm`): it works a parent order as child orders placed
        through this context, one live child at a time, each noting ``parent=<parent_id>``.

        :return: the algorithm (``parent_id``, ``status``, ``children``, ``filled``, ``cancel()``).
        """
        return self._execution_service().start_algorithm(self, algorithm)

    def algorithms(self) -> list:
        """This plugin's execution algorithms still working."""
        return self._execution_service().active_algorithms(self.name)

    def resume_execution(self, *, stops: bool = True, algorithms: bool = True, rebalance: bool = True):
        """After a restart (call it in ``on_start``): take over the protective orders and algorithms an
        earlier run left active, as saved in ``ctx.state["_execution"]``, and issue again a rebalance that
        was still waiting for its sells (planned from the account as it is now: its sells at the broker
        count as pending); ``stops=False`` / ``algorithms=False`` / ``rebalance=False`` end them instead
        (logged). Returns an :class:`engine.execution.journal.Resumed`."""
        return self._execution_service().resume(self, stops=stops, algorithms=algorithms, rebalance=rebalance)

    def _fee_profile(self):
        """The fee profile plans reserve fees with: the backtest's or the paper account's ``fees:``."""
        from .sim.config import FeeProfile

        config = self.__engine.config
        settings = config.backtest.fees if config.mode == "backtest" else config.paper.fees
        return FeeProfile(**settings.model_dump())

    def _execution_service(self):
        for plugin in self.__engine.plugins:
            if getattr(plugin.obj, "EXECUTION_SERVICE", False):
                return plugin.obj.service
        raise RuntimeError("ctx.rebalance, ctx.attach_stop and ctx.execute need the built-in plugin 'execution' (is it in plugins.disabled?)")

    def __repr__(self) -> str:
        return f"StrategyContext({self.name!r})"
