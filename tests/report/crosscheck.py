#!/usr/bin/python3
"""Independent computation of the report's metrics with numpy, for crosscheck_test.cc.

Usage: crosscheck.py DIR RISK_FREE_RATE > expected.json

DIR holds account.csv, benchmark.csv and strategy_<KEY>.csv (columns time_ns,value) and
trades.csv (columns strategy,pnl). The definitions are those of docs/report.md; the code is
written separately from src/report (vectorized numpy, no shared logic) so that a mistake in one
shows up as a mismatch.
"""
import csv
import datetime
import json
import math
import os
import sys

import numpy as np

NS_PER_DAY = 86_400 * 10**9
TRADING_DAYS = 252.0
ZERO_VOL = 1e-12


def read_series(path):
    """One value per UTC day (the day's last row); returns (times_ns, days, values)."""
    times, days, values = [], [], []
    with open(path) as f:
        for row in csv.DictReader(f):
            t, v = int(row["time_ns"]), float(row["value"])
            d = t // NS_PER_DAY
            if days and days[-1] == d:
                times[-1], values[-1] = t, v
            else:
                times.append(t)
                days.append(d)
                values.append(v)
    return np.array(times, dtype=np.int64), np.array(days, dtype=np.int64), np.array(values)


def iso(day):
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))).isoformat()


def step_returns(a, b=None):
    """Simple returns; steps whose earlier value is <= 0 (in either series) are left out."""
    if b is None:
        mask = a[:-1] > 0
        return a[1:][mask] / a[:-1][mask] - 1
    mask = (a[:-1] > 0) & (b[:-1] > 0)
    return a[1:][mask] / a[:-1][mask] - 1, b[1:][mask] / b[:-1][mask] - 1


def drawdown_episodes(days, v):
    running_high = np.maximum.accumulate(v)
    below = v < running_high
    episodes, n, i = [], len(v), 0
    while i < n:
        if not below[i]:
            i += 1
            continue
        j = i
        while j < n and below[j]:
            j += 1
        peak = i - 1
        trough = i + int(np.argmin(v[i:j]))
        end = j if j < n else n - 1
        episodes.append({
            "depth": v[trough] / v[peak] - 1,
            "peak": iso(days[peak]),
            "trough": iso(days[trough]),
            "recovery": iso(days[j]) if j < n else None,
            "calendar_days": int(days[end] - days[peak]),
        })
        i = j
    return episodes


def return_metrics(times, days, v, rf):
    out = {}
    out["total_return"] = v[-1] / v[0] - 1
    years = (times[-1] - times[0]) / NS_PER_DAY / 365.25
    out["cagr"] = (v[-1] / v[0]) ** (1 / years) - 1 if years > 0 else None
    r = step_returns(v)
    rf_d = (1 + rf) ** (1 / TRADING_DAYS) - 1
    sd = r.std(ddof=1) if len(r) >= 2 else None
    out["volatility"] = sd * math.sqrt(TRADING_DAYS) if sd is not None else None
    excess = r - rf_d
    out["sharpe"] = (excess.mean() / sd * math.sqrt(TRADING_DAYS)
                     if sd is not None and sd > ZERO_VOL else None)
    downside = math.sqrt(np.mean(np.minimum(excess, 0.0) ** 2)) if len(r) else 0.0
    out["sortino"] = (excess.mean() / downside * math.sqrt(TRADING_DAYS)
                      if sd is not None and downside > ZERO_VOL else None)
    out["best_day"], out["worst_day"] = float(r.max()), float(r.min())
    episodes = drawdown_episodes(days, v)
    out["max_drawdown"] = float(np.min(v / np.maximum.accumulate(v) - 1))
    deepest = min(episodes, key=lambda e: e["depth"]) if episodes else None
    longest = max(episodes, key=lambda e: e["calendar_days"]) if episodes else None
    out["max_drawdown_period"] = deepest
    out["longest_drawdown"] = longest
    out["calmar"] = (out["cagr"] / -out["max_drawdown"]
                     if out["cagr"] is not None and out["max_drawdown"] < 0 else None)
    for c, name in ((0.95, "95"), (0.99, "99")):
        s = np.sort(r)
        k = max(1, math.ceil(round((1 - c) * len(s), 9)))
        out["var_" + name] = -s[k - 1]
        out["es_" + name] = -s[:k].mean()
    return out


def benchmark_relation(acc_days, acc_v, b_days, b_v):
    idx = np.searchsorted(b_days, acc_days, side="right") - 1
    keep = idx >= 0
    r, m = step_returns(acc_v[keep], b_v[idx[keep]])
    beta = np.cov(r, m, ddof=1)[0, 1] / np.var(m, ddof=1)
    corr = np.corrcoef(r, m)[0, 1]
    return {"observations": len(r), "beta": beta, "correlation": corr}


def common_day_correlation(a_days, a_v, b_days, b_v):
    _, ia, ib = np.intersect1d(a_days, b_days, return_indices=True)
    ra, rb = step_returns(a_v[ia], b_v[ib])
    if len(ra) < 3 or ra.std(ddof=1) <= ZERO_VOL or rb.std(ddof=1) <= ZERO_VOL:
        return None, len(ra)
    return float(np.corrcoef(ra, rb)[0, 1]), len(ra)


def monthly(days, v):
    out, base = [], v[0]
    dates = [datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d)) for d in days]
    keys = [(d.year, d.month) for d in dates]
    for i, key in enumerate(keys):
        if i + 1 == len(keys) or keys[i + 1] != key:
            out.append([key[0], key[1], v[i] / base - 1])
            base = v[i]
    return out


def trade_stats(pnl):
    pnl = np.array(pnl, dtype=float)
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    return {
        "trades": len(pnl),
        "win_rate": len(wins) / len(pnl) if len(pnl) else None,
        "profit_factor": wins.sum() / -losses.sum() if len(losses) else None,
        "average_win": wins.mean() if len(wins) else None,
        "average_loss": losses.mean() if len(losses) else None,
        "net_pnl": pnl.sum(),
    }


def main():
    folder, rf = sys.argv[1], float(sys.argv[2])
    t, d, v = read_series(os.path.join(folder, "account.csv"))
    _, bd, bv = read_series(os.path.join(folder, "benchmark.csv"))
    result = {"account": return_metrics(t, d, v, rf)}
    result["account"].update(benchmark_relation(d, v, bd, bv))
    result["monthly"] = monthly(d, v)

    keys = sorted(f[len("strategy_"):-4] for f in os.listdir(folder) if f.startswith("strategy_"))
    series = {k: read_series(os.path.join(folder, f"strategy_{k}.csv")) for k in keys}
    result["strategies"] = {}
    for k in keys:
        st, sd, sv = series[k]
        result["strategies"][k] = return_metrics(st, sd, sv, rf)
        result["strategies"][k].update(benchmark_relation(sd, sv, bd, bv))
    result["correlation"] = {
        "keys": keys,
        "matrix": [[common_day_correlation(series[a][1], series[a][2], series[b][1], series[b][2])[0]
                    for b in keys] for a in keys],
    }

    pnl_by = {}
    with open(os.path.join(folder, "trades.csv")) as f:
        for row in csv.DictReader(f):
            pnl_by.setdefault(row["strategy"], []).append(float(row["pnl"]))
    result["trades"] = {"all": trade_stats([p for ps in pnl_by.values() for p in ps])}
    for k, ps in pnl_by.items():
        result["trades"][k] = trade_stats(ps)

    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        if isinstance(x, (np.floating, float)):
            if not math.isfinite(float(x)):
                raise SystemExit(f"non-finite value in the independent computation: {x}")
            return float(x)
        if isinstance(x, np.integer):
            return int(x)
        return x

    json.dump(plain(result), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
