"""Python strategies (tandem.Strategy) in backtests: the same account tables as C++, the broker
view, parameters checked as in C++, and errors a strategy author can act on."""

import importlib.util
import os
import re
import signal
import subprocess
import time

import pytest

import tandem
from strategy_data import write_bars

SOURCE_DIR = os.environ.get("TANDEM_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
SYMBOLS = [f"S{i}" for i in range(10)]


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLES = os.path.join(SOURCE_DIR, "examples", "strategies")
sma_cross = load(os.path.join(EXAMPLES, "sma_cross.py"), "sma_cross_example")
broker_test = load(os.path.join(EXAMPLES, "broker_test.py"), "broker_test_example")


def write_universe(uri):
    for i, symbol in enumerate(SYMBOLS):
        write_bars(uri, symbol, 600, seed=100 + i)


@pytest.fixture(scope="module")
def uri(tmp_path_factory):
    uri = f"lmdb://{tmp_path_factory.mktemp('strategies')}/store"
    write_universe(uri)
    return uri


def weights():
    return {symbol: 0.1 for symbol in SYMBOLS}


@pytest.mark.parametrize("fill", ["close", "next-open"])
def test_python_sma_cross_gives_the_cpp_account_tables(tmp_path, fill):
    # Two stores and one start time, so both runs get the same account id (exec ids carry it).
    runs = {}
    for name, strategy in (("cpp", "sma_cross"), ("py", sma_cross.SmaCross)):
        uri = f"lmdb://{tmp_path}/{name}"
        write_universe(uri)
        result = tandem.backtest(strategy, SYMBOLS, store=uri, weights=weights(), fill=fill,
                                 commission="ib", params={"fast": 5, "slow": 20},
                                 started_at="2024-06-01T12:00:00Z")
        assert result.account_id == "BT_20240601_120000"
        runs[name] = (uri, result)
    (cpp_uri, cpp), (py_uri, py) = runs["cpp"], runs["py"]
    assert cpp.fills > 100 and cpp.fills == py.fills and cpp.orders == py.orders
    assert py.final_equity == cpp.final_equity
    digests = [tandem._native._account_digest(tandem.Arctic(uri)._store, "BT_20240601_120000")
               for uri in (cpp_uri, py_uri)]
    assert digests[0] == digests[1]
    assert len(py.account.fills) == py.fills
    # run_info (left out of the digest) names the Python class's registry name.
    assert "sma_cross_py:S0@S0" in py.account.run_info.strategies.iloc[0]


def test_broker_test_in_a_backtest_places_two_orders_both_persisted_and_filled(uri):
    result = tandem.backtest(broker_test.BrokerTest, ["S0"], store=uri, weights={"S0": 1.0},
                             params={"quantity": 3}, end="2000-03-31")
    assert result.orders == 2 and result.fills == 2 and result.filled_orders == 2
    orders = result.account.orders
    assert sorted(orders[orders.status == "Filled"].order_id) == sorted(set(orders.order_id))
    fills = result.account.fills
    assert len(fills) == 2 and set(fills.strategy) == {"S0"}
    assert 3.0 in set(fills.shares)


class RaisesOnBar50(tandem.Strategy):
    def __init__(self):
        self.bars = 0

    def on_bar(self, bar):
        self.bars += 1
        if self.bars == 50:
            raise ValueError(f"bar {self.bars} is one too many")  # line checked below
        if self.bars == 1:
            self.broker.place_order(bar.contract, tandem.market_order("BUY"), size=0.5)


def test_a_raise_on_bar_50_keeps_49_bars_and_names_file_line_and_bar_time(uri):
    before = set(tandem.Arctic(uri).list_libraries())
    with pytest.raises(tandem.InternalError) as raised:
        tandem.backtest(RaisesOnBar50, ["S1"], store=uri, weights={"S1": 1.0})
    message = str(raised.value)
    line = next(i for i, text in enumerate(open(__file__), 1) if "one too many" in text)
    assert f'File "{__file__}", line {line}, in on_bar' in message
    assert "ValueError: bar 50 is one too many" in message
    assert "strategy S1 (on_bar)" in message
    # Bar 50 of the business-day index starting 2000-01-03.
    assert "2000-03-10" in message
    [account_id] = set(tandem.Arctic(uri).list_libraries()) - before
    account = tandem.Account(uri, account_id)
    # Everything recorded up to the failure is there and readable: one daily row per bar
    # before bar 50, the buy filled, nothing from bar 50 on.
    performance = account.strategy_performance("S1")
    assert len(performance) == 49
    assert performance.index.max() < tandem_time("2000-03-10")
    assert len(account.fills) == 1 and len(account.account_summary) == 49
    for name in ("orders", "fills", "portfolio", "account_summary", "run_info"):
        getattr(account, name)


def tandem_time(text):
    import pandas as pd
    return pd.Timestamp(text, tz="UTC")


def test_parameters_are_checked_before_anything_runs(uri):
    before = set(tandem.Arctic(uri).list_libraries())
    with pytest.raises(tandem.InvalidArgumentError, match="unknown parameter|fastest"):
        tandem.backtest(sma_cross.SmaCross, ["S0"], store=uri, params={"fastest": 3})
    with pytest.raises(tandem.InvalidArgumentError, match="fast"):
        tandem.backtest(sma_cross.SmaCross, ["S0"], store=uri, params={"fast": "ten"})
    with pytest.raises(tandem.InvalidArgumentError,
                       match=r"ValueError: fast \(30\) must be shorter"):
        tandem.backtest(sma_cross.SmaCross, ["S0"], store=uri, params={"fast": 30})
    assert set(tandem.Arctic(uri).list_libraries()) == before
    with pytest.raises(TypeError, match="default 'x' is not of type int"):
        tandem.Param("n", int, "x")


def test_history_and_bar_fields(uri):
    seen = {}

    class Looks(tandem.Strategy):
        def on_bar(self, bar):
            history = self.history(bar.instrument)
            assert history[-1].close == bar.close and history.ago(0).time == bar.time
            assert len(history) == len(history.closes)
            seen["count"] = len(history)
            seen["kept"] = history

    result = tandem.backtest(Looks, ["S2"], store=uri, weights={"S2": 1.0}, end="2000-02-29")
    assert seen["count"] == result.bars
    with pytest.raises(tandem.InvalidArgumentError, match="only valid during the callback"):
        len(seen["kept"])


def test_an_exception_in_init_or_a_bad_class_is_an_error_before_the_run(uri):
    class NoBar(tandem.Strategy):
        pass

    with pytest.raises(TypeError, match="does not define on_bar"):
        tandem.backtest(NoBar, ["S0"], store=uri)
    with pytest.raises(TypeError, match="tandem.Strategy subclass"):
        tandem.backtest(object, ["S0"], store=uri)


def run_cli(args, uri):
    out = subprocess.run([os.environ["TANDEM_BIN"], *args], env={**os.environ, "TANDEM_STORE": uri},
                         capture_output=True, text=True, timeout=300)
    return out


def account_of(stdout):
    return next(line.split()[1] for line in stdout.splitlines() if line.startswith("account "))


def tables_but_exec_ids(uri, account_id):
    """Every table of the account but run_info, exec_id columns left out (they carry the
    account id, which the command takes from the wall clock)."""
    library = tandem.Arctic(uri).get_library(account_id)
    return {symbol: library.read(symbol).data.drop(columns=["exec_id"], errors="ignore")
            for symbol in library.list_symbols() if symbol != "run_info"}


def test_tandem_backtest_runs_a_python_file_class_as_the_cpp_strategy(tmp_path):
    example = os.path.join(EXAMPLES, "sma_cross.py")
    tables = []
    for name, spec in (("cpp", "sma_cross"), ("py", f"{example}:SmaCross")):
        uri = f"lmdb://{tmp_path}/{name}"
        write_universe(uri)
        out = run_cli(["backtest", "--strategy", spec, "--symbols", "S3,S4", "--param", "fast=5",
                       "--weight", "S3=0.5", "--weight", "S4=0.5", "--fill", "next-open"], uri)
        assert out.returncode == 0, out.stderr
        tables.append(tables_but_exec_ids(uri, account_of(out.stdout)))
    assert sorted(tables[0]) == sorted(tables[1]) and len(tables[0]["fills"]) > 10
    for symbol, frame in tables[0].items():
        assert frame.equals(tables[1][symbol]), symbol


def test_tandem_sweep_runs_a_python_class_on_one_worker_with_the_cpp_figures(uri):
    # The GIL would make a second worker thread wait on the first: the sweep runs one and says
    # so. Every run's figures are the C++ sma_cross's, and the class is checked before any run.
    example = os.path.join(EXAMPLES, "sma_cross.py")
    grid = ["--symbols", "S1,S2", "--grid", "fast=5,10", "--grid", "slow=20,30", "--param",
            "size=0.9", "--commission", "ib", "--jobs", "2"]
    py = run_cli(["sweep", "--strategy", f"{example}:SmaCross", *grid, "--sweep-id", "py",
                  "--keep-accounts", "best:1"], uri)
    assert py.returncode == 0, py.stderr
    assert "one worker thread, not 2: a Python strategy holds the interpreter's lock" in py.stdout
    assert "4 to run on 1 thread(s)" in py.stdout
    assert "1 account library kept here" in py.stdout
    cpp = run_cli(["sweep", "--strategy", "sma_cross", *grid, "--sweep-id", "cpp",
                   "--keep-accounts", "best:1"], uri)
    assert cpp.returncode == 0, cpp.stderr
    assert "4 to run on 2 thread(s)" in cpp.stdout
    arctic = tandem.Arctic(uri)
    runs = [arctic.get_library(f"SWEEP_{name}").read("runs").data.sort_values("run")
            .reset_index(drop=True).drop(columns=["host"]) for name in ("py", "cpp")]
    assert len(runs[0]) == 4 and runs[0]["trades"].sum() > 10
    assert runs[0].equals(runs[1])
    kept = [arctic.get_library(f"SWEEP_{name}").read("kept_accounts").data for name in ("py", "cpp")]
    assert list(kept[0].run) == list(kept[1].run)
    # A symbol or key after the class is refused: the sweep makes one instance per symbol.
    keyed = run_cli(["sweep", "--strategy", f"{example}:SmaCross:S1", *grid], uri)
    assert keyed.returncode != 0 and "give the class only (FILE.py:CLASS)" in keyed.stderr


def test_tandem_backtest_names_a_missing_file_or_class_before_running(uri, tmp_path):
    before = set(tandem.Arctic(uri).list_libraries())
    missing = run_cli(["backtest", "--strategy", f"{tmp_path}/none.py:X", "--symbols", "S0"], uri)
    assert missing.returncode != 0 and f"no such file {tmp_path}/none.py" in missing.stderr
    example = os.path.join(SOURCE_DIR, "examples", "strategies", "sma_cross.py")
    wrong = run_cli(["backtest", "--strategy", f"{example}:SmaCros", "--symbols", "S0"], uri)
    assert wrong.returncode != 0
    assert "defines no class SmaCros (tandem.Strategy subclasses there: SmaCross)" in wrong.stderr
    assert set(tandem.Arctic(uri).list_libraries()) == before


def test_the_tandem_binary_does_not_link_libpython():
    # It loads libpython only for a .py strategy (src/cli/python_specs.h), so it starts where
    # Python is not installed.
    needed = subprocess.run(["readelf", "-d", os.environ["TANDEM_BIN"]], capture_output=True,
                            text=True, check=True).stdout
    assert "(NEEDED)" in needed and "libpython" not in needed


class Running:
    """A tandem process with stdout and stderr in a file, polled for lines."""

    def __init__(self, args, output, uri):
        self.output = output
        self.file = open(output, "w")
        self.process = subprocess.Popen([os.environ["TANDEM_BIN"], "--store", uri, *args],
                                        stdout=self.file, stderr=subprocess.STDOUT)

    def text(self):
        return open(self.output).read()

    def wait_for(self, text, count=1, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.text().count(text) >= count:
                return True
            if self.process.poll() is not None:
                return self.text().count(text) >= count
            time.sleep(0.05)
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.file.close()


def test_broker_test_live_against_the_paper_gateway(tmp_path):
    uri = f"lmdb://{tmp_path}/store"
    sample = run_cli(["data", "sample", "--symbols", "TQQQ", "--years", "1"], uri)
    assert sample.returncode == 0, sample.stderr
    gateway = Running(["gateway", "--port", "0", "--speed", "paused", "--start", "2015-02-02"],
                      tmp_path / "gateway.out", uri)
    live, port = None, None
    try:
        assert gateway.wait_for("listening on 127.0.0.1:"), gateway.text()
        port = re.search(r"listening on 127\.0\.0\.1:(\d+)", gateway.text()).group(1)
        live = Running(["live", "--strategy",
                        os.path.join(EXAMPLES, "broker_test.py") + ":BrokerTest",
                        "--symbols", "TQQQ", "--weight", "TQQQ=0.1", "--param", "quantity=2",
                        "--port", port, "--client-id", "6", "--realtime-bar", "1d"],
                       tmp_path / "live.out", uri)
        assert live.wait_for("streaming"), live.text()
        step = run_cli(["gateway-ctl", "--port", port, "step", "1"], uri)
        assert step.stdout.startswith("ok"), step.stdout + step.stderr
        assert live.wait_for("FILL", 2), live.text()
        live.process.send_signal(signal.SIGINT)
        # on_stop raises unless both orders filled, which fails the command.
        assert live.process.wait(timeout=60) == 0, live.text()
    finally:
        if live:
            live.stop()
        if port:
            run_cli(["gateway-ctl", "--port", port, "shutdown"], uri)
        gateway.stop()
    account = tandem.Account(uri, "DU1234567")
    orders = account.orders
    assert len(set(orders.order_id)) == 2
    assert sorted(orders[orders.status == "Filled"].order_id) == sorted(set(orders.order_id))
    assert set(orders.strategy) == {"TQQQ"}
    fills = account.fills
    assert len(fills) == 2 and 2.0 in set(fills.shares)


class SizingHelpers(tandem.Strategy):
    """the sizing helpers of the broker view on its first three bars (docs/strategies.md)"""

    def __init__(self):
        self.seen = []

    def on_bar(self, bar):
        broker = self.broker
        n = len(self.history(bar.instrument))
        if n == 1:
            equity = broker.get_equity()
            trade = broker.order_target_percent(bar.contract, 0.5, lot=10)
            self.seen.append(("target_percent", trade.order.total_quantity,
                              (0.5 * equity / bar.close) // 10 * 10))
        elif n == 2:
            trade = broker.order_target_quantity(bar.contract, 7)
            self.seen.append(("target_quantity", trade.order.action,
                              trade.order.total_quantity, broker.position(bar.contract) - 7))
        elif n == 3:
            self.seen.append(("nothing", broker.order_target_quantity(bar.contract, 7)))
            trade = broker.order_risk_per_trade(bar.contract, "BUY", 100.0, bar.close - 2.5)
            self.seen.append(("risk", trade.order.total_quantity, 40.0))


def test_sizing_helpers_from_python(uri):
    instances = []

    class Recorded(SizingHelpers):
        def __init__(self):
            super().__init__()
            instances.append(self)

    tandem.backtest(Recorded, ["S0"], store=uri, weights={"S0": 1.0})
    seen = instances[0].seen
    assert seen[0][1] == seen[0][2] and seen[0][1] > 0
    assert seen[1][1] == "SELL" and seen[1][2] == seen[1][3]
    assert seen[2] == ("nothing", None)
    assert seen[3] == ("risk", 40.0, 40.0)


def test_a_python_strategy_reads_its_routing_and_its_orders_carry_it(tmp_path):
    uri = f"lmdb://{tmp_path}/store"
    write_bars(uri, "S0", 60, seed=100)
    subprocess.run([os.environ["TANDEM_BIN"], "alloc", "route", "S0", "--primary-exchange",
                    "NASDAQ", "--order-type", "LMT", "--tif", "GTC", "--outside-rth", "--algo",
                    "Adaptive:priority=Urgent"],
                   env={**os.environ, "TANDEM_STORE": uri}, check=True, capture_output=True)
    seen = {}

    class Routed(tandem.Strategy):
        def on_bar(self, bar):
            if "routing" in seen:
                return
            seen["routing"] = self.broker.routing
            seen["close"] = bar.close
            self.broker.place_order(bar.contract, tandem.market_order("BUY"), size=0.5)
            plain = tandem.market_order("BUY", 1)
            plain.use_routing = False
            self.broker.place_order(bar.contract, plain)

    result = tandem.backtest(Routed, ["S0"], store=uri, weights={"S0": 1.0})
    routing = seen["routing"]
    assert routing.primary_exchange == "NASDAQ" and routing.order_type == "LMT"
    assert routing.tif == "GTC" and routing.outside_rth and routing.exchange == ""
    assert routing.algo_strategy == "Adaptive"
    assert routing.algo_params == [("adaptivePriority", "Urgent")]
    orders = result.account.orders
    routed = orders[orders.order_id == 1]
    assert set(routed.order_type) == {"LMT"} and set(routed.limit_price) == {seen["close"]}
    assert set(routed.tif) == {"GTC"} and set(routed.primary_exchange) == {"NASDAQ"}
    assert set(routed.algo) == {"Adaptive:adaptivePriority=Urgent"} and all(routed.outside_rth)
    plain = orders[orders.order_id == 2]
    assert set(plain.order_type) == {"MKT"} and set(plain.algo) == {""}
    assert not any(plain.outside_rth)
