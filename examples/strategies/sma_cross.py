"""sma_cross in Python: the C++ sma_cross (src/strategy/sma_cross.cc) rule for rule, so a run of
either gives bit-identical account tables (python/tests/test_strategies.py checks it).

    tandem backtest --strategy examples/strategies/sma_cross.py:SmaCross --symbols TQQQ
    tandem.backtest(SmaCross, ["TQQQ"], params={"fast": 10, "slow": 30})
"""

import math

import tandem

# The part of available funds a capped buy may spend (src/strategy/sizing.h).
SPENDABLE_FUNDS_FRACTION = 0.99


class MovingAverage:
    """The mean of the last `window` values with a running sum, re-added from the ring each
    time it wraps — the arithmetic of src/strategy/moving_average.h, so results match bit for
    bit."""

    def __init__(self, window):
        self.window = window
        self.ring = [0.0] * window
        self.next = 0
        self.count = 0
        self.sum = 0.0

    def push(self, value):
        """Adds `value`; returns the mean once `window` values are in, else None."""
        ring, i, window = self.ring, self.next, self.window
        if self.count >= window:
            self.sum -= ring[i]
        ring[i] = value
        self.sum += value
        if self.count < window:
            self.count += 1
        i += 1
        if i == window:
            i = 0
            exact = 0.0
            for v in ring:  # in ring order, as C++ does (not sum(), which may compensate)
                exact += v
            self.sum = exact
        self.next = i
        return self.sum / window if self.count >= window else None


class SmaCross(tandem.Strategy):
    """long when the fast SMA of closes crosses above the slow one, flat when it crosses below"""

    name = "sma_cross_py"
    params = (
        tandem.Param("fast", int, 10, "bars in the fast average"),
        tandem.Param("slow", int, 30, "bars in the slow average"),
        tandem.Param("size", float, 0.95, "fraction of the strategy's equity to buy"),
    )

    def __init__(self):
        for name in ("fast", "slow"):
            if not 1 <= self.params[name] <= 1_000_000:
                raise ValueError(f"{name} must be in [1, 1000000], got {self.params[name]}")
        if self.params.fast >= self.params.slow:
            raise ValueError(f"fast ({self.params.fast}) must be shorter than slow "
                             f"({self.params.slow})")
        if not 0 < self.params.size <= 1:
            raise ValueError(f"size must be in (0, 1], got {self.params.size}")
        self.fast = MovingAverage(self.params.fast)
        self.slow = MovingAverage(self.params.slow)
        self.size = self.params.size
        self.previous = None  # (fast, slow) on the previous bar
        self.order_working = False

    def on_bar(self, bar):
        # Once per bar: two calls into the averages, nothing into C++ unless a cross happens.
        close = bar.close
        fast = self.fast.push(close)
        slow = self.slow.push(close)
        if slow is None:  # the slow window is the longer one: fast is ready too
            return
        previous = self.previous
        self.previous = (fast, slow)
        if previous is None or self.order_working:
            return
        if previous[0] <= previous[1] and fast > slow:
            if self.broker.position(bar.contract) == 0:
                self.order_working = self.buy_capped(bar.contract, close) is not None
        elif previous[0] >= previous[1] and fast < slow:
            held = self.broker.position(bar.contract)
            if held > 0:
                self.broker.place_order(bar.contract, tandem.market_order("SELL", held))
                self.order_working = True

    def on_order_status(self, trade):
        if trade.is_done():
            self.order_working = False

    def buy_capped(self, contract, price):
        """`size` of the equity, capped at what 99 % of the available funds buy; None when not
        even one share is affordable (src/strategy/sizing.h)."""
        wanted = self.size * self.broker.get_equity()
        budget = wanted
        funds = self.broker.available_funds()
        if funds is not None and SPENDABLE_FUNDS_FRACTION * funds < budget:
            budget = SPENDABLE_FUNDS_FRACTION * funds
        if not budget >= price:
            return None
        if budget == wanted:
            return self.broker.place_order(contract, tandem.market_order("BUY"), size=self.size)
        return self.broker.place_order(contract,
                                       tandem.market_order("BUY", math.floor(budget / price)))
