"""The Python module's figures of issue 16 (BENCHMARKS.md, "Python module"), on LMDB:

- write of a 10,000,000-row, 7-column DataFrame (timestamp + open, high, low, close, vwap float64
  + volume int64; the shape of bench/store/synthetic_ohlcv.h, generated with numpy), MB/s;
- full read of that symbol into a DataFrame, MB/s, beside the C++ full read of the same symbol
  in the same process (tandem._native._bench_cpp_full_read: no conversion), and their ratio;
- read of a 100,000-row fills log (the account library's columns) into a DataFrame, ms.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python/python_bench.py [--reps 5]

TANDEM_BENCH_ROWS overrides the row count; the store lives in a temporary directory.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import tandem
from tandem import _native
from tandem._frames import frame_to_arrays

MB = 1e6


def ohlcv(rows, seed=42):
    rng = np.random.default_rng(seed)
    cents = np.maximum(100, 10_000 + np.cumsum(rng.integers(-20, 21, rows)))
    opens = np.concatenate([[10_000], cents[:-1]])
    high = np.maximum(opens, cents) + rng.integers(0, 16, rows)
    low = np.minimum(opens, cents) - rng.integers(0, 16, rows)
    index = pd.DatetimeIndex(946_684_800 * 10**9 + np.arange(rows, dtype="int64") * 60 * 10**9,
                             tz="UTC", name="timestamp")
    return pd.DataFrame({
        "open": opens / 100, "high": high / 100, "low": low / 100, "close": cents / 100,
        "vwap": np.round((opens + high + low + cents) / 4) / 100,
        "volume": rng.integers(100, 50_001, rows)}, index=index)


def fills(rows, seed=7):
    rng = np.random.default_rng(seed)
    index = pd.DatetimeIndex(1_700_000_000 * 10**9 + np.arange(rows, dtype="int64") * 10**9,
                             tz="UTC", name="timestamp")
    symbols = np.array(["TQQQ", "SPY", "QQQ", "TLT", "GLD"], dtype=object)
    sym = symbols[rng.integers(0, 5, rows)]
    return pd.DataFrame({
        "exec_id": [f"0001f4e8.{i:08d}.01.01" for i in range(rows)],
        "order_id": np.arange(rows, dtype="int64"), "perm_id": np.arange(rows, dtype="int64") + 10**9,
        "strategy": sym, "symbol": sym,
        "side": np.array(["BOT", "SLD"], dtype=object)[rng.integers(0, 2, rows)],
        "shares": rng.integers(1, 500, rows).astype("float64"),
        "price": np.round(rng.uniform(10, 500, rows), 2), "cum_qty": np.ones(rows),
        "avg_price": np.round(rng.uniform(10, 500, rows), 2),
        "exchange": np.array(["SMART"], dtype=object)[np.zeros(rows, dtype=int)],
        "commission": np.round(rng.uniform(0.35, 2, rows), 2),
        "realized_pnl": np.where(rng.random(rows) < 0.5, np.nan, rng.normal(0, 50, rows)),
    }, index=index)


def median_of(reps, body):
    """Median wall seconds, every run's wall seconds, median CPU seconds of this thread (the
    store's work runs on the calling thread, so a shared machine's waits for a core show only in
    the wall time)."""
    times, cpu = [], []
    for _ in range(reps):
        start, cpu_start = time.perf_counter(), time.thread_time()
        body()
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - cpu_start)
    return statistics.median(times), times, statistics.median(cpu)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    rows = int(os.environ.get("TANDEM_BENCH_ROWS", 10_000_000))
    print(f"python {sys.executable}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{rows:,} rows, {args.reps} repetitions, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as directory:
        store = tandem.Store(f"lmdb://{directory}/store")
        lib = store.create_library("bench")
        df = ohlcv(rows)
        nbytes = rows * 8 * 7
        index, columns = frame_to_arrays(df)
        cpp_write, cpp_write_cpu = [], []
        py_write, py_write_cpu = [], []
        for _ in range(args.reps):  # interleaved, as the reads below
            cpu_start = time.thread_time()
            cpp_write.append(_native._bench_cpp_write(store._store, "bench", "cpp", index, columns))
            cpp_write_cpu.append(time.thread_time() - cpu_start)
            lib.prune_previous_versions("cpp")
            start, cpu_start = time.perf_counter(), time.thread_time()
            lib.write("ohlcv", df)
            py_write.append(time.perf_counter() - start)
            py_write_cpu.append(time.thread_time() - cpu_start)
            lib.prune_previous_versions("ohlcv")
        del df, index, columns
        cpp, py, cpp_cpu, py_cpu = [], [], [], []
        for _ in range(args.reps):  # interleaved, so both see the same machine load
            cpu_start = time.thread_time()
            seconds, cpp_bytes = _native._bench_cpp_full_read(store._store, "bench", "ohlcv")
            cpp_cpu.append(time.thread_time() - cpu_start)
            assert cpp_bytes == nbytes
            cpp.append(seconds)
            start, cpu_start = time.perf_counter(), time.thread_time()
            frame = lib.read("ohlcv").data
            py.append(time.perf_counter() - start)
            py_cpu.append(time.thread_time() - cpu_start)
            assert len(frame) == rows
            del frame
        lib.write("fills", fills(100_000))
        fills_s, fills_all, fills_cpu = median_of(max(args.reps, 11), lambda: lib.read("fills").data)

    def mbs(seconds):
        return nbytes / seconds / MB

    cpp_s, py_s = statistics.median(cpp), statistics.median(py)
    cpp_c, py_c = statistics.median(cpp_cpu), statistics.median(py_cpu)
    print("medians; wall time (CPU time of the thread) and every run's wall figure")
    cw, pw = statistics.median(cpp_write), statistics.median(py_write)
    cwc, pwc = statistics.median(cpp_write_cpu), statistics.median(py_write_cpu)
    print(f"C++ write:              {mbs(cw):,.0f} MB/s (CPU {mbs(cwc):,.0f}; runs "
          f"{', '.join(f'{mbs(t):,.0f}' for t in cpp_write)}; the table built untimed)")
    print(f"write from a DataFrame: {mbs(pw):,.0f} MB/s (CPU {mbs(pwc):,.0f}; runs "
          f"{', '.join(f'{mbs(t):,.0f}' for t in py_write)}; target >= 300 MB/s); "
          f"{cw / pw:.0%} of the C++ write")
    print(f"C++ full read:          {mbs(cpp_s):,.0f} MB/s (CPU {mbs(cpp_c):,.0f}; runs "
          f"{', '.join(f'{mbs(t):,.0f}' for t in cpp)})")
    print(f"read into a DataFrame:  {mbs(py_s):,.0f} MB/s (CPU {mbs(py_c):,.0f}; runs "
          f"{', '.join(f'{mbs(t):,.0f}' for t in py)})")
    print(f"DataFrame read / C++ read: {cpp_s / py_s:.0%} (CPU {cpp_c / py_c:.0%}; target >= 50 %)")
    print(f"100,000 fills into a DataFrame: {fills_s * 1e3:.1f} ms (CPU {fills_cpu * 1e3:.1f} ms; "
          f"runs {', '.join(f'{t * 1e3:.1f}' for t in fills_all)}; target <= 50 ms)")


if __name__ == "__main__":
    main()
