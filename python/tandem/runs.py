"""tandem.backtest() and tandem.live(): runs from Python, the engine, session and options of
`tandem backtest` and `tandem live` (docs/strategies.md, "Python strategies"; docs/backtest.md
and docs/live.md for the options)."""

import sys
import time

from . import _native
from ._library import Store
from .account import Account
from .strategy import Strategy, _where, registry_name


class _Figures:
    """A run's figures (a dict from the C++ side) readable as attributes too."""

    def __getattr__(self, name):
        try:
            return self.__dict__["figures"][name]
        except KeyError:
            raise AttributeError(name) from None


class BacktestResult(_Figures):
    """The outcome of tandem.backtest(): account_id, the summary figures (as attributes and in
    `figures`), `strategies` (one dict per instance) and `account`, a tandem.Account on the run's
    library."""

    def __init__(self, store, figures):
        self.figures = figures
        self.account_id = figures["account_id"]
        self.strategies = figures["strategies"]
        self.account = Account(store, self.account_id)

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


class LiveResult(_Figures):
    """The outcome of tandem.live(): account (the id traded), orders placed and fills booked
    this session, bars delivered, sessions (connections that became ready), mismatches (found by
    reconciliation), cancelled_on_exit (as attributes and in `figures`), and `account_library`, a
    tandem.Account on the account's library."""

    def __init__(self, store, figures):
        self.figures = figures
        self.account = figures["account"]
        self.account_library = Account(store, self.account)

    def __repr__(self):
        return (f"LiveResult({self.account}, {self.figures['orders']} orders, "
                f"{self.figures['fills']} fills, {self.figures['bars']} bars)")


def _print_line(line):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(f"{stamp} {line}", flush=True)


def live(strategy, symbols, *, store=None, host="127.0.0.1", port=7497, client_id=0, account="",
         weights=None, params=None, key=None, bar_size="1d", realtime_bar_size="5s", warmup=100,
         reconnect_attempts=0, connect_timeout_ms=5000, cancel_on_exit=False, dry_run=False,
         real_money=False, real_money_accounts=(), fractional=False, duration=None, log=None):
    """Trades `strategy` (a tandem.Strategy subclass, or a C++ strategy's name) through TWS, IB
    Gateway or tandem's paper gateway at host:port as `tandem live` does, recording into the
    account's library in `store`, and returns a LiveResult when the session stops.

    Instances as in tandem.backtest (one per symbol keyed by it; key=... for one over every
    symbol). host, port, client_id, account, weights, bar_size, realtime_bar_size, warmup,
    reconnect_attempts, connect_timeout_ms, cancel_on_exit, dry_run, real_money (with
    real_money_accounts, the accounts allowed without it), fractional: the flags of `tandem live`
    (docs/live.md). The session runs until SIGINT or SIGTERM (Ctrl-C), or for `duration` seconds
    when given; Python's own handlers are back when it returns. Each log line (ORDER, FILL, BAR,
    connection events, ...) goes to `log`, a callable taking the line; by default it is printed
    with the UTC time in front, as `tandem live` prints its event lines. Errors raise tandem's
    exceptions after what was recorded is flushed (tandem.InternalError for an exception in a
    strategy callback, with its traceback)."""
    native_store = _store(store)
    instances = _instances(strategy, symbols, key, params)
    options = {
        "host": host, "port": int(port), "client_id": int(client_id), "account": account or "",
        "weights": {k: float(v) for k, v in (weights or {}).items()},
        "bar_size": bar_size, "realtime_bar_size": realtime_bar_size, "warmup": int(warmup),
        "reconnect_attempts": int(reconnect_attempts),
        "connect_timeout_ms": int(connect_timeout_ms), "cancel_on_exit": bool(cancel_on_exit),
        "dry_run": bool(dry_run), "real_money": bool(real_money),
        "real_money_accounts": list(real_money_accounts), "fractional": bool(fractional),
        "duration": float(duration) if duration is not None else 0.0,
        "log": log if log is not None else _print_line,
    }
    if duration is not None and options["duration"] <= 0:
        raise ValueError(f"duration: give a positive number of seconds, got {duration!r}")
    figures = _native._live(native_store._store, instances, options)
    return LiveResult(native_store, figures)
