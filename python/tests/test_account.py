"""tandem.Account on a backtest run by the tandem binary, and metrics() against the CLI's JSON."""

import json
import os
import subprocess

import pandas as pd
import pytest

import tandem

TANDEM = os.environ.get("TANDEM_BIN", "tandem")


def run(args, uri):
    out = subprocess.run([TANDEM, *args], env={**os.environ, "TANDEM_STORE": uri},
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    uri = f"lmdb://{tmp_path_factory.mktemp('account')}/store"
    run(["data", "sample", "--symbols", "TQQQ,SPY", "--years", "3"], uri)
    summary = run(["backtest", "--strategy", "sma_cross:TQQQ", "--strategy", "buy_and_hold:SPY",
                   "--weight", "TQQQ=0.5", "--weight", "SPY=0.5", "--commission", "ib"], uri)
    account = next(line.split()[1] for line in summary.splitlines()
                   if line.startswith("account "))
    return uri, account


def test_account_frames(backtest):
    uri, account_id = backtest
    account = tandem.Account(uri, account_id)
    assert account.account_id == account_id
    assert account.strategies == ["SPY", "TQQQ"]
    for name in ("orders", "fills", "trades", "portfolio", "account_summary", "run_info"):
        frame = getattr(account, name)
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0, name
        assert str(frame.index.tz) == "UTC", name
    fills = account.fills
    for column in ("exec_id", "strategy", "symbol", "side", "shares", "price", "commission"):
        assert column in fills.columns
    assert set(fills["strategy"]) == {"SPY", "TQQQ"}
    assert fills["exec_id"].is_unique
    assert {"net_liquidation", "total_cash"} <= set(account.account_summary.columns)
    perf = account.strategy_performance("TQQQ")
    assert "equity" in perf.columns and perf["equity"].notna().all()
    assert len(account.strategy_positions("TQQQ")) > 0
    assert account.strategy_equity("NOPE").empty


def test_metrics_equal_the_cli_report(backtest):
    uri, account_id = backtest
    account = tandem.Account(tandem.Store(uri), account_id)
    for extra, kwargs in (([], {}),
                          (["--benchmark", "SPY.1d", "--risk-free", "0.02"],
                           {"benchmark": "SPY.1d", "risk_free_rate": 0.02})):
        cli = json.loads(run(["report", account_id, "--format", "json", *extra], uri))
        mine = account.metrics(**kwargs)
        cli.pop("generated_at", None)
        mine.pop("generated_at", None)
        assert mine == cli
    assert mine["account"] == account_id
    fills = account.fills
    assert len(fills) > 0


def test_unknown_account_lists_the_accounts(backtest):
    uri, account_id = backtest
    with pytest.raises(KeyError, match=account_id):
        tandem.Account(uri, "DU0000000")
    with pytest.raises(KeyError, match="NOPE.1d"):
        tandem.Account(uri, account_id).metrics(benchmark="NOPE.1d")


def _rewrite_state(uri, account_id, **cells):
    """Rewrites run_info's row as a run in that state leaves it (a killed run never gets to write
    "complete": its row keeps "running" and the pid of a process that is gone)."""
    lib = tandem.Store(uri).get_library(account_id)
    item = lib.read("run_info")
    row = item.data.copy()
    for column, value in cells.items():
        row[column] = value
    lib.write("run_info", row, metadata=item.metadata)


def test_incomplete_runs_say_so(tmp_path):
    uri = f"lmdb://{tmp_path}/store"
    run(["data", "sample", "--symbols", "SPY", "--years", "1"], uri)
    summary = run(["backtest", "--strategy", "buy_and_hold:SPY", "--weight", "SPY=1"], uri)
    account_id = next(line.split()[1] for line in summary.splitlines()
                      if line.startswith("account "))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complete run warns of nothing
        account = tandem.Account(uri, account_id)
    assert account.status == "complete" and account.incomplete == ""
    assert "INCOMPLETE" not in repr(account)

    gone = subprocess.Popen(["true"])
    gone.wait()
    _rewrite_state(uri, account_id, status="running", pid=gone.pid)
    with pytest.warns(tandem.IncompleteRunWarning, match="cut short"):
        account = tandem.Account(uri, account_id)
    assert account.status == "running"
    assert account.incomplete.startswith("INCOMPLETE (cut short")
    assert "INCOMPLETE (cut short" in repr(account)
    assert account.metrics()["incomplete"] == account.incomplete
    # The CLI says the same of it.
    libraries = run(["store", "libraries"], uri)
    assert "INCOMPLETE (cut short)" in libraries

    _rewrite_state(uri, account_id, status="running", pid=os.getpid())
    with pytest.warns(tandem.IncompleteRunWarning, match="still running"):
        assert tandem.Account(uri, account_id).incomplete.startswith("INCOMPLETE (still running")

    _rewrite_state(uri, account_id, status="failed", error="disk full")
    with pytest.warns(tandem.IncompleteRunWarning, match="failed: disk full"):
        account = tandem.Account(uri, account_id)
    assert account.status == "failed"
    assert "INCOMPLETE (failed: disk full)" in repr(account)
