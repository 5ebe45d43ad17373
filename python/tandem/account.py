"""An account library (DESIGN.md, "The account library") as DataFrames, and its report figures."""

import json
import os
import re
import socket
import warnings

import pandas as pd

from . import _native
from ._library import Store
from .errors import not_found

_NOT_ACCOUNTS = {"general", "market_data"}


class IncompleteRunWarning(UserWarning):
    """Warned when an Account is opened on a backtest that did not complete (docs/python.md)."""


def _alive_here(pid, host):
    """Whether process `pid` of `host` is alive on this machine (the rule of `tandem report`)."""
    if pid is None or pid <= 0 or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class Account:
    """tandem.Account(store, "BT_..." | "DU..."): `store` is a tandem.Store or a store URI.

    orders, fills, trades, portfolio, account_summary and run_info are the library's symbols as
    DataFrames (the latest version, read on each access; an empty DataFrame when the account has
    no such symbol yet); strategy_positions/equity/performance(key) read strategy_{key}_...;
    metrics() returns the figures of `tandem report --format json`."""

    def __init__(self, store, account_id):
        self.store = Store(store) if isinstance(store, str) else store
        self.account_id = account_id
        native = self.store._store
        if not native.has_library(account_id):
            accounts = [n for n in native.list_libraries() if n not in _NOT_ACCOUNTS]
            raise not_found(f"no account library named {account_id} (accounts: "
                            f"{', '.join(accounts) if accounts else 'none'})", self.store.get_uri())
        self.library = self.store.get_library(account_id)
        if self.incomplete:
            warnings.warn(self.incomplete, IncompleteRunWarning, stacklevel=2)

    def __repr__(self):
        state = f", {self.incomplete}" if self.incomplete else ""
        return f"Account({self.store.get_uri()!r}, {self.account_id!r}{state})"

    @property
    def status(self):
        """The backtest's state from run_info: "running", "complete" or "failed"; None for live and
        paper accounts and for runs written before runs recorded a state (taken as complete)."""
        info = self.run_info
        if len(info) == 0 or "status" not in info.columns:
            return None
        value = info["status"].iloc[-1]
        return None if pd.isna(value) else str(value)

    @property
    def incomplete(self):
        """"" for a complete run (or an account that is not a backtest); otherwise the reason,
        starting "INCOMPLETE" as `tandem report` and `tandem store libraries` say it: a run still
        "running" whose process is gone was cut short, one alive on this host is still running."""
        status = self.status
        if status in (None, "complete"):
            return ""
        last = self.run_info.iloc[-1]
        if status == "failed":
            error = last.get("error")
            return "INCOMPLETE (failed" + (f": {error})" if isinstance(error, str) and error
                                           else ")")
        pid = last.get("pid")
        pid = None if pid is None or pd.isna(pid) else int(pid)
        host = last.get("host")
        if _alive_here(pid, host if isinstance(host, str) else ""):
            return f"INCOMPLETE (still running, process {pid})"
        return (f"INCOMPLETE (cut short: process {pid if pid else '?'} on "
                f"{host if isinstance(host, str) and host else '?'} ended without finishing it)")

    def _symbol(self, symbol):
        if not self.library.has_symbol(symbol):
            return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="timestamp"))
        return self.library.read(symbol).data

    @property
    def orders(self):
        return self._symbol("orders")

    @property
    def fills(self):
        return self._symbol("fills")

    @property
    def trades(self):
        return self._symbol("trades")

    @property
    def portfolio(self):
        return self._symbol("portfolio")

    @property
    def account_summary(self):
        return self._symbol("account_summary")

    @property
    def run_info(self):
        """The backtest's settings row (empty for live and paper accounts)."""
        return self._symbol("run_info")

    @property
    def strategies(self):
        """The strategy keys that recorded anything, sorted."""
        keys = set()
        for symbol in self.library.list_symbols():
            match = re.fullmatch(r"strategy_(.+)_(equity|positions|performance)", symbol)
            if match:
                keys.add(match.group(1))
        return sorted(keys)

    def strategy_positions(self, key):
        return self._symbol(f"strategy_{key}_positions")

    def strategy_equity(self, key):
        return self._symbol(f"strategy_{key}_equity")

    def strategy_performance(self, key):
        return self._symbol(f"strategy_{key}_performance")

    def metrics(self, benchmark=None, risk_free_rate=0.0):
        """The report's figures as a dict: the JSON of `tandem report ACCOUNT --format json
        [--benchmark SYMBOL] [--risk-free RATE]`, computed by the same code (docs/report.md)."""
        if not -1 < risk_free_rate < 1:
            raise ValueError(f"risk_free_rate {risk_free_rate} is not an annual fraction in "
                             "(-1, 1); write 0.03 for 3 %")
        doc = json.loads(_native.report_json(self.store._store, self.account_id, benchmark,
                                             float(risk_free_rate)))
        if self.incomplete:
            doc["incomplete"] = self.incomplete  # as `tandem report --format json` marks it
        return doc
