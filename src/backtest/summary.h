// The headline figures of a run, from the account's daily net liquidation values.
#pragma once

#include <vector>

#include "backtest/backtest_account.h"

namespace tandem::backtest {

struct RunSummary {
  double initial_equity = 0;
  double final_equity = 0;
  double total_return = 0;  // final / initial - 1
  double cagr = 0;          // NaN when the run spans no time
  double max_drawdown = 0;  // largest fall from a running peak, as a fraction (0.25 = 25 %)
  Timestamp max_drawdown_peak = 0;
  Timestamp max_drawdown_trough = 0;
  double sharpe = 0;  // mean / stdev of daily returns × sqrt(252); NaN if undefined
  std::size_t days = 0;
};

// `daily` in time order; `first_time` is the run's first bar (the start of the CAGR period).
// Daily returns start from `initial_equity` (the equity before the first day).
RunSummary summarize(const std::vector<DailyEquity>& daily, double initial_equity,
                     Timestamp first_time);

}  // namespace tandem::backtest
