"""tandem's versioned time-series store from Python, with ArcticDB's API (docs/python.md).

    import tandem as adb
    ac = adb.Arctic("lmdb://./tandem-data")
    lib = ac.get_library("prices", create_if_missing=True)
    lib.write("SPY", df)
    lib.read("SPY", date_range=(start, None), columns=["close"]).data
"""

from . import _native
from .errors import (BY_KIND, ConflictError, CorruptionError, InternalError,
                     InvalidArgumentError, NotFoundError, StoreError, UnavailableError)

_native._set_error_classes(BY_KIND)

from ._library import Library, Store, SymbolVersion, VersionedItem, VersionInfo  # noqa: E402
from .account import Account, IncompleteRunWarning  # noqa: E402
from .strategy import Param, Params, Strategy  # noqa: E402
from .runs import BacktestResult, LiveResult, backtest, live  # noqa: E402
from ._native import (AccountValue, Bar, Broker, CommissionReport, Contract, Execution,  # noqa: E402
                      Fill, History, Order, OrderStatus, Position, Trade, limit_on_close_order,
                      limit_order, market_on_close_order, market_order, stock, stop_limit_order,
                      stop_order, trailing_stop_limit_order, trailing_stop_order)

Arctic = Store

__all__ = [
    "Account", "AccountValue", "Arctic", "BacktestResult", "Bar", "Broker", "CommissionReport",
    "Contract", "Execution", "Fill", "History", "LiveResult", "Order", "OrderStatus", "Param",
    "Params", "Position", "Strategy", "Trade", "backtest", "limit_on_close_order", "limit_order",
    "live", "market_on_close_order", "market_order", "stock", "stop_limit_order", "stop_order",
    "trailing_stop_limit_order", "trailing_stop_order", "ConflictError", "CorruptionError",
    "IncompleteRunWarning",
    "InternalError",
    "InvalidArgumentError", "Library", "NotFoundError", "Store", "StoreError", "SymbolVersion",
    "UnavailableError", "VersionInfo", "VersionedItem",
]
