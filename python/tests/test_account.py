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
