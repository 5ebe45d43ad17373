"""tandem.live(): Python (and C++) strategies live against the paper gateway from Python, with
the options of `tandem live` (docs/strategies.md, "Python strategies")."""

import re
import signal
import subprocess
import sys
import textwrap

import pytest

import tandem
from test_strategies import EXAMPLES, Running, broker_test, run_cli


@pytest.fixture()
def gateway(tmp_path):
    """A paused paper gateway over one year of sample TQQQ bars: (store uri, port)."""
    uri = f"lmdb://{tmp_path}/store"
    sample = run_cli(["data", "sample", "--symbols", "TQQQ", "--years", "1"], uri)
    assert sample.returncode == 0, sample.stderr
    server = Running(["gateway", "--port", "0", "--speed", "paused", "--start", "2015-02-02"],
                     tmp_path / "gateway.out", uri)
    port = None
    try:
        assert server.wait_for("listening on 127.0.0.1:"), server.text()
        port = re.search(r"listening on 127\.0\.0\.1:(\d+)", server.text()).group(1)
        yield uri, port
    finally:
        if port:
            run_cli(["gateway-ctl", "--port", port, "shutdown"], uri)
        server.stop()


class Script(Running):
    """A Python script run by the module's interpreter, output polled as Running does."""

    def __init__(self, text, output):
        self.output = output
        self.file = open(output, "w")
        self.process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(text)],
                                        stdout=self.file, stderr=subprocess.STDOUT)


def test_broker_test_live_from_python_against_the_paper_gateway(gateway, tmp_path):
    uri, port = gateway
    live = Script(f"""
        import os, signal, sys, time
        sys.path.insert(0, {EXAMPLES!r})
        import tandem
        from broker_test import BrokerTest

        result = tandem.live(BrokerTest, ["TQQQ"], store={uri!r}, port={port}, client_id=7,
                             weights={{"TQQQ": 0.1}}, params={{"quantity": 2}},
                             realtime_bar_size="1d")
        print("RESULT", result.account, result.orders, result.fills, flush=True)
        # Python's own SIGINT handler is back: Ctrl-C is a KeyboardInterrupt again.
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            print("KEYBOARD INTERRUPT", flush=True)
        """, tmp_path / "live.out")
    try:
        assert live.wait_for("streaming"), live.text()
        step = run_cli(["gateway-ctl", "--port", port, "step", "1"], uri)
        assert step.stdout.startswith("ok"), step.stdout + step.stderr
        assert live.wait_for("FILL", 2), live.text()
        live.process.send_signal(signal.SIGINT)
        # on_stop raises unless both orders filled, which would fail tandem.live.
        assert live.process.wait(timeout=60) == 0, live.text()
    finally:
        live.stop()
    assert "RESULT DU1234567 2 2" in live.text(), live.text()
    assert "KEYBOARD INTERRUPT" in live.text(), live.text()
    account = tandem.Account(uri, "DU1234567")
    orders = account.orders
    assert len(set(orders.order_id)) == 2
    assert sorted(orders[orders.status == "Filled"].order_id) == sorted(set(orders.order_id))
    assert set(orders.strategy) == {"TQQQ"}
    fills = account.fills
    assert len(fills) == 2 and 2.0 in set(fills.shares)


def test_live_for_a_duration_with_a_log_callable(gateway):
    uri, port = gateway
    lines = []
    result = tandem.live("sma_cross", "TQQQ", store=uri, port=port, client_id=8,
                         weights={"TQQQ": 0.5}, realtime_bar_size="1d", duration=2,
                         log=lines.append)
    assert (result.account, result.sessions, result.orders, result.bars) == ("DU1234567", 1, 0, 0)
    assert any("streaming" in line for line in lines), lines
    assert result.account_library.account_id == "DU1234567"


def test_live_checks_parameters_and_options_before_connecting(tmp_path):
    uri = f"lmdb://{tmp_path}/store"
    with pytest.raises(tandem.InvalidArgumentError, match="unknown parameter 'nope'"):
        tandem.live(broker_test.BrokerTest, ["TQQQ"], store=uri, port=1, params={"nope": 1})
    with pytest.raises(tandem.InvalidArgumentError, match="70000 is not a TCP port"):
        tandem.live("sma_cross", ["TQQQ"], store=uri, port=70000)
    with pytest.raises(ValueError, match="duration"):
        tandem.live("sma_cross", ["TQQQ"], store=uri, port=1, duration=0)
