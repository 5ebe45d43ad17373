// Synthetic bars for samples, tests and benchmarks: a seeded geometric random walk with
// realistic OHLC structure (overnight gap, intraday range around open and close, log-normal
// volume). The same spec and seed give the same bars on every platform (own RNG transforms,
// no std::normal_distribution). These are not market prices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bar_series.h"

namespace tandem::market_data {

struct SyntheticSpec {
  std::string symbol;
  double start_price = 100;
  double annual_drift = 0.08;       // expected log return per year, before the volatility drag
  double annual_volatility = 0.20;  // of daily log returns, annualized with sqrt(252)
  double average_volume = 1'000'000;
  std::uint64_t seed = 1;
};

// `count` bars: the first at `first_time`, each `step` later; with `weekdays_only`, bars that
// would fall on a Saturday or Sunday (UTC) are skipped. Volatility per bar is scaled from the
// annual figure by the number of bars per year implied by `step` (a day per 252 when step is a
// day or longer, else 252 × bars-per-6.5-hour-session). Prices are rounded to cents.
BarSeries synthetic_bars(const SyntheticSpec& spec, Timestamp first_time, Timestamp step,
                         std::size_t count, bool weekdays_only);

// The symbols `tandem data sample` writes by default: TQQQ, SPY, QQQ, TLT, GLD with
// characteristic drifts and volatilities, and fixed seeds.
std::vector<SyntheticSpec> sample_universe();

}  // namespace tandem::market_data
