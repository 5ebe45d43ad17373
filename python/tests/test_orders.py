"""Issue 18's order terms on tandem.Order (MOC, LOC, TRAIL, TRAIL LIMIT; IOC, FOK, GTD,
good_after_time; OCA groups, parent_id, transmit) and broker.place_bracket from Python, in a
backtest on hand-built bars."""

import pandas as pd
import pytest

import tandem


def test_order_fields_take_ibs_names():
    trail = tandem.Order("SELL", 10, "TRAIL", aux_price=2.5, tif="GTC", trail_stop_price=95)
    assert trail.aux_price == 2.5 and trail.trail_stop_price == 95 and trail.tif == "GTC"
    pct = tandem.trailing_stop_limit_order("SELL", lmt_price_offset=0.5, trailing_percent=3,
                                           total_quantity=10)
    assert pct.order_type == "TRAIL LIMIT" and pct.trailing_percent == 3
    assert pct.lmt_price_offset == 0.5 and pct.aux_price is None
    oca = tandem.limit_order("BUY", 90, 10)
    oca.oca_group, oca.oca_type, oca.parent_id, oca.transmit = "g", 2, 7, False
    assert (oca.oca_group, oca.oca_type, oca.parent_id, oca.transmit) == ("g", 2, 7, False)
    gtd = tandem.Order("BUY", 1, "LMT", lmt_price=9, tif="GTD", good_till_date=1_700_000_000 * 10**9)
    assert gtd.good_till_date == 1_700_000_000 * 10**9 and gtd.good_after_time is None
    assert tandem.market_on_close_order("BUY").order_type == "MOC"
    assert tandem.limit_on_close_order("SELL", 101).lmt_price == 101
    for tif in ("IOC", "FOK", "GTD"):
        assert tandem.Order(tif=tif).tif == tif
    with pytest.raises(tandem.InvalidArgumentError, match="oca_type must be"):
        oca.oca_type = 4


def write_bracket_bars(uri):
    # Bar 1 buys by bracket (LMT 94); bar 2 fills the parent inside the bar; bar 4 reaches the
    # take-profit at 98, which cancels the stop-loss.
    rows = [(100, 101, 99, 100), (95, 96, 93.5, 95), (96, 97, 95, 96.5), (97, 99, 96, 98.5),
            (99, 99.5, 98.5, 99)]
    index = pd.date_range("2024-01-02", periods=len(rows), freq="D", tz="UTC", name="timestamp")
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index)
    frame["volume"] = 1000.0
    tandem.Arctic(uri).get_library("market_data", create_if_missing=True).write("ZZZ.1d", frame)


class Bracket(tandem.Strategy):
    def on_bar(self, bar):
        if not hasattr(self, "bracket"):
            parent = tandem.limit_order("BUY", 94, 10)
            parent.tif = "GTC"
            self.bracket = self.broker.place_bracket(bar.contract, parent, take_profit=98,
                                                     stop_loss=90)


def test_place_bracket_take_profit_cancels_the_stop_loss(tmp_path):
    uri = f"lmdb://{tmp_path}/store"
    write_bracket_bars(uri)
    result = tandem.backtest(Bracket, ["ZZZ"], store=uri, weights={"ZZZ": 1.0})
    orders = result.account.orders
    last = orders.groupby("order_id").tail(1).set_index("order_id").sort_index()
    assert list(last.order_type) == ["LMT", "STP", "LMT"]
    assert list(last.status) == ["Filled", "Cancelled", "Filled"]
    assert last.loc[2, "message"] == "OCA group ZZZ.bracket.1: order 3 filled"
    fills = result.account.fills
    assert list(fills.price) == [94.0, 98.0] and list(fills.side) == ["BUY", "SELL"]
