"""tandem.backtest(): a backtest run from Python, the engine and options of `tandem backtest`
(docs/strategies.md, "Python strategies"; docs/backtest.md for the options)."""

import sys

from . import _native
from ._library import Store
from .account import Account
from .strategy import Strategy, _where, registry_name


class BacktestResult:
    """The outcome of tandem.backtest(): account_id, the summary figures (as attributes and in
    `figures`), `strategies` (one dict per instance) and `account`, a tandem.Account on the run's
    library."""

    def __init__(self, store, figures):
        self.figures = figures
        self.account_id = figures["account_id"]
        self.strategies = figures["strategies"]
        self.account = Account(store, self.account_id)

    def __getattr__(self, name):
        try:
            return self.figures[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self):
        return (f"BacktestResult({self.account_id}, {self.figures['bars']} bars, "
                f"return {self.figures['total_return']:.2%})")


def _store(store):
    if store is None:
        import os
        store = os.environ.get("TANDEM_STORE", "lmdb://./tandem-data")
    return Store(store) if isinstance(store, str) else store


def _instances(strategy, symbols, key, params):
    if isinstance(symbols, str):
        symbols = [s.strip() for s in symbols.split(",") if s.strip()]
    symbols = list(symbols or [])
    if not symbols:
        raise ValueError("symbols: give at least one symbol")
    if isinstance(strategy, str):
        name, where = strategy, f"strategy {strategy}"
    elif isinstance(strategy, type) and issubclass(strategy, Strategy):
        name, where = registry_name(strategy), _where(strategy)
    else:
        raise TypeError(f"strategy must be a tandem.Strategy subclass or the name of a C++ "
                        f"strategy, got {strategy!r}")
    params = list((params or {}).items())
    if key is not None:  # one instance over every symbol
        return [(strategy, name, key, symbols, params, where)]
    return [(strategy, name, symbol, [symbol], params, where) for symbol in symbols]


def backtest(strategy, symbols, *, store=None, weights=None, equity=None, cash=100_000.0,
             fill="close", commission="none", slippage_bps=0.0, fractional=False, start=None,
             end=None, bar_size="1d", params=None, key=None, allow_leverage=False,
             started_at=None):
    """Runs `strategy` (a tandem.Strategy subclass, or a C++ strategy's name such as
    "sma_cross") over stored bars in a new BT_ account library and returns a BacktestResult.

    One instance per symbol, keyed by its symbol, as `tandem backtest --strategy NAME --symbols`;
    with key=..., one instance trading every symbol. weights={KEY: w} and equity={KEY: amount}
    are --weight and --equity; fill is "close" or "next-open"; params={name: value} are checked
    against the declared parameters. started_at ("2024-01-31T14:30:00Z") names the account
    (BT_20240131_143000) instead of the wall clock, as tests do to compare runs. Errors raise tandem's exceptions (tandem.InternalError for
    an exception in a strategy callback, with its traceback) after what was recorded so far is
    flushed to the account library."""
    native_store = _store(store)
    instances = _instances(strategy, symbols, key, params)
    options = {
        "bar_size": bar_size, "start": start, "end": end, "cash": float(cash), "fill": fill,
        "commission": commission, "slippage_bps": float(slippage_bps),
        "fractional": bool(fractional), "allow_leverage": bool(allow_leverage),
        "weights": {k: float(v) for k, v in (weights or {}).items()},
        "equity": {k: float(v) for k, v in (equity or {}).items()},
        "command_line": "python: " + " ".join(sys.argv), "started_at": started_at,
    }
    figures = _native._backtest(native_store._store, instances, options)
    return BacktestResult(native_store, figures)
