"""Synthetic bars for the strategy tests and bench/python/strategy_bench.py: a seeded random
walk rounded to cents, written to market_data/SYMBOL.BAR with the ArcticDB-style API."""

import numpy as np
import pandas as pd

import tandem


def write_bars(uri, symbol, count, seed, freq="1D", start="2000-01-03", bar_size="1d"):
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0003, 0.02 if freq == "1D" else 0.001, count)
    close = np.round(50.0 * np.exp(np.cumsum(returns)), 2)
    open_ = np.round(np.concatenate(([50.0], close[:-1])) * (1 + rng.normal(0, 0.002, count)), 2)
    high = np.maximum(open_, close) + 0.05
    low = np.maximum(np.minimum(open_, close) - 0.05, 0.01)
    index = pd.date_range(start, periods=count, freq="B" if freq == "1D" else freq, tz="UTC",
                          name="timestamp")
    frame = pd.DataFrame({"open": open_, "high": high, "low": low, "close": close,
                          "volume": rng.integers(1e5, 1e6, count).astype("float64")},
                         index=index)
    library = tandem.Arctic(uri).get_library("market_data", create_if_missing=True)
    library.write(f"{symbol}.{bar_size}", frame)
