#include "backtest/summary.h"

#include <cmath>
#include <limits>

namespace tandem::backtest {

RunSummary summarize(const std::vector<DailyEquity>& daily, double initial_equity,
                     Timestamp first_time) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  RunSummary summary;
  summary.initial_equity = initial_equity;
  summary.final_equity = daily.empty() ? initial_equity : daily.back().equity;
  summary.days = daily.size();
  summary.total_return = summary.final_equity / initial_equity - 1.0;

  double years = daily.empty() ? 0.0
                               : static_cast<double>(daily.back().time - first_time) /
                                     (365.25 * static_cast<double>(kNanosPerDay));
  summary.cagr = years > 0 && summary.final_equity > 0
                     ? std::pow(summary.final_equity / initial_equity, 1.0 / years) - 1.0
                     : kNaN;

  double peak = initial_equity;
  Timestamp peak_time = first_time;
  double previous = initial_equity;
  std::vector<double> returns;
  returns.reserve(daily.size());
  for (const DailyEquity& day : daily) {
    if (day.equity > peak) {
      peak = day.equity;
      peak_time = day.time;
    }
    double drawdown = peak > 0 ? 1.0 - day.equity / peak : 0.0;
    if (drawdown > summary.max_drawdown) {
      summary.max_drawdown = drawdown;
      summary.max_drawdown_peak = peak_time;
      summary.max_drawdown_trough = day.time;
    }
    double daily_return = previous > 0 ? day.equity / previous - 1.0 : 0.0;
    returns.push_back(daily_return);
    previous = day.equity;
  }
  if (returns.size() >= 2) {
    auto n = static_cast<double>(returns.size());
    double mean = 0;
    for (double r : returns) mean += r;
    mean /= n;
    double variance = 0;
    for (double r : returns) variance += (r - mean) * (r - mean);
    variance /= n - 1.0;
    summary.sharpe = variance > 1e-30 ? mean / std::sqrt(variance) * std::sqrt(252.0) : kNaN;
  } else {
    summary.sharpe = kNaN;
  }
  return summary;
}

}  // namespace tandem::backtest
