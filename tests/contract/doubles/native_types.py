"""The objects that cross the native boundary of ``xtquant.xtpythonclient``.

Three families, as ``xtquant/xttrader.py`` uses them:

* **Requests** (``OrderStockReq``, ``QueryStockAssetReq``, ...): attribute bags
  that ``XtQuantTrader`` fills with ``m_*`` fields before a ``*WithSeq`` call.
* **Push records** (``XtAsset``, ``XtOrder``, ``XtTrade``, ``XtPosition``,
  ``XtOrderError``, ``XtCancelError``): handed to the callbacks unchanged by
  xttrader, so they carry the attribute names of ``xtquant.xttype`` (plus
  ``seq`` on an order error, which xttrader's hold-back logic reads).
* **Native answers** with ``m_*`` names that xttrader converts itself: the
  async order response, the async cancel response and the account status push.

The push records are built from the simulator's records by copying exactly the
fields listed here (``tests/contract/test_doubles.py`` checks the lists against
the real ``xttype`` constructors), so the engine never sees a simulator object
through this path.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ACCOUNT_STATUS_FIELDS", "NativeRecord", "OrderStockResp", "CancelOrderStockResp", "AccountStatusPush",
    "RECORD_FIELDS", "REQUEST_DEFAULTS", "native_record", "request_class",
]

#: xttype class name -> attribute names of its instances (constructor order, then extras).
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "XtAsset": ("account_type", "account_id", "cash", "frozen_cash", "market_value", "total_asset",
                "fetch_balance"),
    "XtOrder": ("account_type", "account_id", "stock_code", "order_id", "order_sysid", "order_time",
                "order_type", "order_volume", "price_type", "price", "traded_volume", "traded_price",
                "order_status", "status_msg", "strategy_name", "order_remark", "direction", "offset_flag",
                "secu_account", "instrument_name"),
    "XtTrade": ("account_type", "account_id", "stock_code", "order_type", "traded_id", "traded_time",
                "traded_price", "traded_volume", "traded_amount", "order_id", "order_sysid", "strategy_name",
                "order_remark", "direction", "offset_flag", "commission", "secu_account", "instrument_name"),
    "XtPosition": ("account_type", "account_id", "stock_code", "volume", "can_use_volume", "open_price",
                   "market_value", "frozen_volume", "on_road_volume", "yesterday_volume", "avg_price",
                   "direction", "last_price", "profit_rate", "secu_account", "instrument_name"),
    "XtOrderError": ("account_type", "account_id", "order_id", "error_id", "error_msg", "strategy_name",
                     "order_remark", "seq"),
    "XtCancelError": ("account_type", "account_id", "order_id", "market", "order_sysid", "error_id",
                      "error_msg"),
}

#: An account-status query answer carries the xttype names and the push's m_* names.
ACCOUNT_STATUS_FIELDS = ("account_type", "account_id", "status", "m_strAccountID", "m_nAccountType", "m_nStatus")

#: Request class name -> defaults of the fields xttrader may leave unset.
REQUEST_DEFAULTS: dict[str, dict[str, Any]] = {
    "SubscribeReq": {},
    "UnsubscribeReq": {},
    "OrderStockReq": {},
    "CancelOrderStockReq": {"m_nOrderID": -1, "m_strOrderSysID": "", "m_nMarket": -1, "m_strMarket": ""},
    "QueryStockAssetReq": {},
    "QueryStockOrdersReq": {"m_nOrderID": -1, "m_bCanCancel": False},
    "QueryStockTradesReq": {},
    "QueryStockPositionsReq": {"m_strStockCode": "", "m_strStockCode1": ""},
    "QueryAccountStatusReq": {},
    "QueryAccountInfosReq": {},
}


class NativeRecord:
    """A native struct: fixed attribute names, set once from keyword arguments."""

    kind = "NativeRecord"
    fields: tuple[str, ...] = ()

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.fields)
        missing = set(self.fields) - set(values)
        if unknown or missing:
            raise TypeError(f"{self.kind}: unknown fields {sorted(unknown)}, missing fields {sorted(missing)}")
        for name in self.fields:
            setattr(self, name, values[name])

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.fields)
        return f"<native {self.kind} {shown}>"


def _struct(kind: str, fields: tuple[str, ...]) -> type[NativeRecord]:
    return type(kind, (NativeRecord,), {"kind": kind, "fields": fields, "__doc__": f"Native {kind}."})


_RECORD_TYPES = {kind: _struct(kind, fields) for kind, fields in RECORD_FIELDS.items()}
AccountStatusRecord = _struct("XtAccountStatus", ACCOUNT_STATUS_FIELDS)
OrderStockResp = _struct("OrderStockResp", ("m_strAccountID", "m_nOrderID", "m_strStrategyName",
                                            "m_strOrderRemark", "m_strErrorMsg"))
CancelOrderStockResp = _struct("CancelOrderStockResp", ("m_strAccountID", "m_nCancelResult", "m_nOrderID",
                                                        "m_strOrderSysID", "m_strErrorMsg"))
AccountStatusPush = _struct("AccountStatusPush", ("m_strAccountID", "m_nAccountType", "m_nStatus"))


def native_record(kind: str, source: Any, **overrides: Any) -> NativeRecord:
    """Copy the ``kind`` fields of ``source`` (a simulator record) into a native struct."""
    cls = _RECORD_TYPES[kind]
    values = {name: getattr(source, name) for name in cls.fields if name not in overrides}
    values.update(overrides)
    return cls(**values)


def account_status_record(status: Any) -> NativeRecord:
    """An account-status query answer (both naming conventions)."""
    return AccountStatusRecord(account_type=status.account_type, account_id=status.account_id,
                               status=status.status, m_strAccountID=status.account_id,
                               m_nAccountType=status.account_type, m_nStatus=status.status)


class _Request:
    """A request attribute bag; reading a field xttrader did not set (and that has no default) fails loudly."""

    defaults: dict[str, Any] = {}

    def __init__(self) -> None:
        for name, value in self.defaults.items():
            setattr(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("m_"):
            raise AttributeError(f"{type(self).__name__}.{name} was read by the double but never set by xttrader")
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {vars(self)!r}>"


_REQUEST_TYPES: dict[str, type] = {}


def request_class(name: str) -> type:
    """The request class ``name`` (created on first use, so any ``*Req`` xttrader builds exists)."""
    cls = _REQUEST_TYPES.get(name)
    if cls is None:
        cls = type(name, (_Request,), {"defaults": dict(REQUEST_DEFAULTS.get(name, {})),
                                        "__doc__": f"Native request {name} (attribute bag)."})
        _REQUEST_TYPES[name] = cls
    return cls
