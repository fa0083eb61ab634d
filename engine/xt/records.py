"""Record types with the names, attributes and constructor order of ``xtquant.xttype``.

The real SDK pushes native objects with these attribute names; the simulator
pushes instances of these classes. The gateway only reads attributes, so both
go through the same code.
"""

from __future__ import annotations

from . import constants as xtconstant


class StockAccount:
    """A stock account, as ``xtquant.xttype.StockAccount(account_id, 'STOCK')``."""

    def __init__(self, account_id: str, account_type: str = "STOCK") -> None:
        if not isinstance(account_id, str):
            raise TypeError("account_id must be a str")
        kind = account_type.upper()
        for int_type, name in xtconstant.ACCOUNT_TYPE_DICT.items():
            if kind == name:
                self.account_type = int_type
                self.account_id = account_id
                return
        raise ValueError(f"unsupported account type: {account_type!r}")

    def __repr__(self) -> str:
        return f"StockAccount({self.account_id!r})"


class _Record:
    """Attribute bag with a readable repr and value equality (tests compare records)."""

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({body})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # mutable, like the SDK's records


class XtAsset(_Record):
    def __init__(self, account_id, cash, frozen_cash, market_value, total_asset, fetch_balance):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.cash = cash
        self.frozen_cash = frozen_cash
        self.market_value = market_value
        self.total_asset = total_asset
        self.fetch_balance = fetch_balance


class XtOrder(_Record):
    def __init__(self, account_id, stock_code, order_id, order_sysid, order_time, order_type,
                 order_volume, price_type, price, traded_volume, traded_price, order_status,
                 status_msg, strategy_name, order_remark, direction, offset_flag, secu_account,
                 instrument_name):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.stock_code = stock_code
        self.order_id = order_id
        self.order_sysid = order_sysid
        self.order_time = order_time
        self.order_type = order_type
        self.order_volume = order_volume
        self.price_type = price_type
        self.price = price
        self.traded_volume = traded_volume
        self.traded_price = traded_price
        self.order_status = order_status
        self.status_msg = status_msg
        self.strategy_name = strategy_name
        self.order_remark = order_remark
        self.direction = direction
        self.offset_flag = offset_flag
        self.secu_account = secu_account
        self.instrument_name = instrument_name


class XtTrade(_Record):
    def __init__(self, account_id, stock_code, order_type, traded_id, traded_time, traded_price,
                 traded_volume, traded_amount, order_id, order_sysid, strategy_name, order_remark,
                 direction, offset_flag, commission, secu_account, instrument_name):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_type = order_type
        self.stock_code = stock_code
        self.traded_id = traded_id
        self.traded_time = traded_time
        self.traded_price = traded_price
        self.traded_volume = traded_volume
        self.traded_amount = traded_amount
        self.order_id = order_id
        self.order_sysid = order_sysid
        self.strategy_name = strategy_name
        self.order_remark = order_remark
        self.direction = direction
        self.offset_flag = offset_flag
        self.commission = commission
        self.secu_account = secu_account
        self.instrument_name = instrument_name


class XtPosition(_Record):
    def __init__(self, account_id, stock_code, volume, can_use_volume, open_price, market_value,
                 frozen_volume, on_road_volume, yesterday_volume, avg_price, direction, last_price,
                 profit_rate, secu_account, instrument_name):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.stock_code = stock_code
        self.volume = volume
        self.can_use_volume = can_use_volume
        self.open_price = open_price
        self.market_value = market_value
        self.frozen_volume = frozen_volume
        self.on_road_volume = on_road_volume
        self.yesterday_volume = yesterday_volume
        self.avg_price = avg_price
        self.direction = direction
        self.last_price = last_price
        self.profit_rate = profit_rate
        self.secu_account = secu_account
        self.instrument_name = instrument_name


class XtOrderError(_Record):
    def __init__(self, account_id, order_id, error_id=None, error_msg=None, strategy_name=None,
                 order_remark=None, seq=None):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_id = order_id
        self.error_id = error_id
        self.error_msg = error_msg
        self.strategy_name = strategy_name
        self.order_remark = order_remark
        # The native push carries the request seq; xttrader reads ``data.seq``.
        self.seq = seq


class XtCancelError(_Record):
    def __init__(self, account_id, order_id, market, order_sysid, error_id=None, error_msg=None):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_id = order_id
        self.market = market
        self.order_sysid = order_sysid
        self.error_id = error_id
        self.error_msg = error_msg


class XtOrderResponse(_Record):
    def __init__(self, account_id, order_id, strategy_name, order_remark, error_msg, seq):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_id = order_id
        self.strategy_name = strategy_name
        self.order_remark = order_remark
        self.error_msg = error_msg
        self.seq = seq


class XtCancelOrderResponse(_Record):
    def __init__(self, account_id, cancel_result, order_id, order_sysid, seq, error_msg):
        self.account_type = xtconstant.SECURITY_ACCOUNT
        self.account_id = account_id
        self.cancel_result = cancel_result
        self.order_id = order_id
        self.order_sysid = order_sysid
        self.seq = seq
        self.error_msg = error_msg


class XtAccountStatus(_Record):
    def __init__(self, account_id, account_type, status):
        self.account_type = account_type
        self.account_id = account_id
        self.status = status


class XtQuantTraderCallback:
    """Callback base class with the SDK's method names; every method is a no-op."""

    def on_connected(self): ...
    def on_disconnected(self): ...
    def on_account_status(self, status): ...
    def on_stock_asset(self, asset): ...
    def on_stock_order(self, order): ...
    def on_stock_trade(self, trade): ...
    def on_stock_position(self, position): ...
    def on_order_error(self, order_error): ...
    def on_cancel_error(self, cancel_error): ...
    def on_order_stock_async_response(self, response): ...
    def on_cancel_order_stock_async_response(self, response): ...
