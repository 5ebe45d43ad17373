"""broker_test in Python: the seed's end-to-end check of a broker (src/strategy/broker_test.cc),
which python/tests/test_strategies.py runs in a backtest and live against the paper gateway.

    tandem live --strategy examples/strategies/broker_test.py:BrokerTest --symbols TQQQ ...
"""

import tandem


class BrokerTest(tandem.Strategy):
    """The seed's broker_test in Python: two market buys on the first bar (one sized as a
    fraction of equity, one for an explicit quantity); the run fails unless both filled."""

    name = "broker_test_py"  # the registry name (broker_test is the C++ one)
    params = (tandem.Param("size", float, 0.1, "fraction of equity for the first order"),
              tandem.Param("quantity", int, 1, "shares of the second order"))

    def __init__(self):
        self.trades = []
        self.statuses = []
        self.fills = []

    def on_start(self):
        if not 0 < self.broker.get_equity() <= self.broker.get_total_equity():
            raise RuntimeError(f"equity {self.broker.get_equity()} of "
                               f"{self.broker.get_total_equity()}")

    def on_bar(self, bar):
        if self.trades:
            return
        if self.broker.last_price(bar.contract) != bar.close:
            raise RuntimeError(f"last price {self.broker.last_price(bar.contract)} != {bar.close}")
        self.trades.append(self.broker.place_order(bar.contract, tandem.market_order("BUY"),
                                                   size=self.params.size))
        order = tandem.Order(action="BUY", total_quantity=self.params.quantity)
        self.trades.append(self.broker.place_order(bar.contract, order))
        if [t.order.order_ref for t in self.trades] != [self.key, self.key]:
            raise RuntimeError(f"order refs {[t.order.order_ref for t in self.trades]}")

    def on_order_status(self, trade):
        if not any(trade is t for t in self.trades):  # the object place_order returned
            raise RuntimeError(f"{trade!r} is not one of the trades placed")
        self.statuses.append((trade.order.order_id, trade.order_status.status))

    def on_fill(self, trade, fill):
        if fill.execution.side != "BOT" or fill.execution.order_ref != self.key:
            raise RuntimeError(f"fill {fill!r} side {fill.execution.side}")
        self.fills.append(fill)

    def on_stop(self):
        if not self.trades:
            raise RuntimeError("no bar arrived, so no order was placed")
        problems = [f"order {t.order.order_id} ended {t.order_status.status}"
                    for t in self.trades if t.order_status.status != "Filled"]
        if problems:
            raise RuntimeError("not both orders filled: " + "; ".join(problems))
        if len(self.fills) != 2:
            raise RuntimeError(f"{len(self.fills)} fills delivered, expected 2")
        held = sum(t.order_status.filled for t in self.trades)
        if self.broker.position(self.contract) != held:
            raise RuntimeError(f"position {self.broker.position(self.contract)} != {held}")
        positions = self.broker.get_positions()
        if [(p.contract.symbol, p.position) for p in positions] != [(self.contract.symbol, held)]:
            raise RuntimeError(f"positions {positions!r}")
        tags = {v.tag for v in self.broker.account_values()}
        if "NetLiquidation" not in tags:
            raise RuntimeError(f"account values {sorted(tags)}")
