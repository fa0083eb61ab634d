"""Constants with the names and values of ``xtquant.xtconstant`` (wheel 250807).

Only the stock-trading subset the engine uses is defined; names match the SDK
so ``from engine.xt import constants as xtconstant`` is a drop-in.
"""

# Account types
SECURITY_ACCOUNT = 2
ACCOUNT_TYPE_DICT = {SECURITY_ACCOUNT: "STOCK"}

# Order types (order_type argument)
STOCK_BUY = 23
STOCK_SELL = 24

# Price types (price_type argument)
LATEST_PRICE = 5
FIX_PRICE = 11
MARKET_SH_CONVERT_5_CANCEL = 42
MARKET_SH_CONVERT_5_LIMIT = 43
MARKET_PEER_PRICE_FIRST = 44
MARKET_MINE_PRICE_FIRST = 45
MARKET_SZ_INSTBUSI_RESTCANCEL = 46
MARKET_SZ_CONVERT_5_CANCEL = 47
MARKET_SZ_FULL_OR_CANCEL = 48

#: Price types accepted per exchange suffix for market orders (xttrader docs).
MARKET_PRICE_TYPES = {
    "SH": frozenset({42, 43, 44, 45}),
    "BJ": frozenset({42, 43, 44, 45}),
    "SZ": frozenset({44, 45, 46, 47, 48}),
}
LIMIT_PRICE_TYPES = frozenset({LATEST_PRICE, FIX_PRICE})

# Broker price types as *returned* on XtOrder.price_type (EBrokerPriceType)
BROKER_PRICE_MARKET = 49
BROKER_PRICE_LIMIT = 50
BROKER_PRICE_BEST = 51

# Markets (XtCancelError.market)
MARKET_ENUM_SHANGHAI = 0
MARKET_ENUM_SHENZHEN = 1
MARKET_ENUM_BEIJING = 70
MARKET_SHANGHAI = "SH"
MARKET_SHENZHEN = "SZ"
MARKET_BEIJING = "BJ"
MARKET_STR_TO_ENUM_MAPPING = {
    MARKET_SHANGHAI: MARKET_ENUM_SHANGHAI,
    MARKET_SHENZHEN: MARKET_ENUM_SHENZHEN,
    MARKET_BEIJING: MARKET_ENUM_BEIJING,
}

# Order status (XtOrder.order_status)
ORDER_UNREPORTED = 48
ORDER_WAIT_REPORTING = 49
ORDER_REPORTED = 50
ORDER_REPORTED_CANCEL = 51
ORDER_PARTSUCC_CANCEL = 52
ORDER_PART_CANCEL = 53
ORDER_CANCELED = 54
ORDER_PART_SUCC = 55
ORDER_SUCCEEDED = 56
ORDER_JUNK = 57
ORDER_UNKNOWN = 255

#: Statuses after which an order never changes again.
FINAL_ORDER_STATUSES = frozenset({ORDER_PART_CANCEL, ORDER_CANCELED, ORDER_SUCCEEDED, ORDER_JUNK})
#: Statuses of an order that can still be cancelled.
CANCELABLE_ORDER_STATUSES = frozenset({ORDER_UNREPORTED, ORDER_WAIT_REPORTING, ORDER_REPORTED, ORDER_PART_SUCC})

ORDER_STATUS_NAMES = {
    ORDER_UNREPORTED: "unreported",
    ORDER_WAIT_REPORTING: "waiting to report",
    ORDER_REPORTED: "reported",
    ORDER_REPORTED_CANCEL: "reported, cancel pending",
    ORDER_PARTSUCC_CANCEL: "partly filled, cancel pending",
    ORDER_PART_CANCEL: "partly cancelled",
    ORDER_CANCELED: "cancelled",
    ORDER_PART_SUCC: "partly filled",
    ORDER_SUCCEEDED: "filled",
    ORDER_JUNK: "rejected",
    ORDER_UNKNOWN: "unknown",
}

# Account status (XtAccountStatus.status)
ACCOUNT_STATUS_INVALID = -1
ACCOUNT_STATUS_OK = 0
ACCOUNT_STATUS_WAITING_LOGIN = 1
ACCOUNT_STATUSING = 2
ACCOUNT_STATUS_FAIL = 3
ACCOUNT_STATUS_INITING = 4
ACCOUNT_STATUS_CORRECTING = 5
ACCOUNT_STATUS_CLOSED = 6
ACCOUNT_STATUS_ASSIS_FAIL = 7
ACCOUNT_STATUS_DISABLEBYSYS = 8
ACCOUNT_STATUS_DISABLEBYUSER = 9

# Direction / offset flags as they appear on records
DIRECTION_FLAG_LONG = 48
DIRECTION_FLAG_SHORT = 49
OFFSET_FLAG_OPEN = 48
OFFSET_FLAG_CLOSE = 49
