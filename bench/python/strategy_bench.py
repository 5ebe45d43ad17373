"""Python strategies' speed (issue 17; BENCHMARKS.md, "Python strategies"), on LMDB:

- examples/strategies/sma_cross.py on 1 symbol x 1,000,000 1-min bars, bars/s with the engine and
  the recording included (the run's replay + final flush; the whole tandem.backtest() call
  beside it), and its ratio to the C++ sma_cross run the same way in the same process,
  interleaved so both see the same load;
- the per-callback overhead: a Python strategy whose on_bar does nothing against C++
  buy_and_hold (which also does nothing per bar after its first), (Python - C++) / bars.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python/strategy_bench.py [--reps 5]

TANDEM_BENCH_BARS overrides the bar count; the store lives in a temporary directory.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE, "python", "tests"))

import tandem  # noqa: E402
from strategy_data import write_bars  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "sma_cross_example", os.path.join(SOURCE, "examples", "strategies", "sma_cross.py"))
sma_cross = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sma_cross)


class Nothing(tandem.Strategy):
    def on_bar(self, bar):
        pass


def timed(strategy, uri, bars):
    start = time.perf_counter()
    result = tandem.backtest(strategy, ["BENCH"], store=uri, bar_size="1min",
                             weights={"BENCH": 1.0})
    wall = time.perf_counter() - start
    assert result.bars == bars, result.bars
    return result.replay_seconds + result.flush_seconds, wall, result.fills


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    bars = int(os.environ.get("TANDEM_BENCH_BARS", 1_000_000))
    with tempfile.TemporaryDirectory() as folder:
        uri = f"lmdb://{folder}/store"
        write_bars(uri, "BENCH", bars, seed=7, freq="1min", bar_size="1min")
        runs = {"py": [], "cpp": [], "noop": [], "hold": []}
        fills = {}
        for _ in range(args.reps):
            for name, strategy in (("py", sma_cross.SmaCross), ("cpp", "sma_cross"),
                                   ("noop", Nothing), ("hold", "buy_and_hold")):
                engine, wall, fills[name] = timed(strategy, uri, bars)
                runs[name].append((engine, wall))
        med = {name: (statistics.median(e for e, _ in r), statistics.median(w for _, w in r))
               for name, r in runs.items()}
        print(f"{bars:,} bars, {args.reps} runs each, medians; fills py {fills['py']:,} "
              f"cpp {fills['cpp']:,}")
        for name, label in (("py", "Python sma_cross"), ("cpp", "C++ sma_cross"),
                            ("noop", "Python on_bar: pass"), ("hold", "C++ buy_and_hold")):
            engine, wall = med[name]
            print(f"  {label:<22} engine+recording {engine:7.3f} s = {bars / engine:>12,.0f} "
                  f"bars/s   whole call {wall:7.3f} s = {bars / wall:>12,.0f} bars/s")
        print(f"  ratio Python / C++ sma_cross (bars/s): {med['cpp'][0] / med['py'][0]:.3f}")
        overhead = (med["noop"][0] - med["hold"][0]) / bars * 1e9
        print(f"  per-callback overhead (Python pass - C++ buy_and_hold): {overhead:.0f} ns")


if __name__ == "__main__":
    main()
