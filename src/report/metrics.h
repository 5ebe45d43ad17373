// Performance and risk metrics on plain series: the numbers a report shows, computed from a
// daily equity series, a list of trade results, or two aligned return series.
//
// Contract for every function here: no result is ever NaN or infinite. A figure that is not
// defined for the given input (too few points, zero volatility, no losing trade, ...) is
// std::nullopt, which the report prints as "n/a". The definitions (annualization by 252 trading
// days, sample standard deviation, the VaR convention, ...) are written out in docs/report.md;
// each declaration below repeats the one-line version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/time.h"

namespace tandem::report {

// Trading days per year used to annualize daily volatility, Sharpe and Sortino.
inline constexpr double kTradingDaysPerYear = 252.0;
// Calendar days per year used for CAGR and annual turnover (period length in years).
inline constexpr double kCalendarDaysPerYear = 365.25;
// A daily standard deviation below this counts as zero volatility (Sharpe and beta are n/a):
// constant returns leave ~1e-19 of rounding noise, which must not become a Sharpe of 1e16.
inline constexpr double kZeroVolatility = 1e-12;

// A time series of values (equity, prices): times strictly increasing.
struct Series {
  std::vector<Timestamp> time;
  std::vector<double> value;

  std::size_t size() const { return time.size(); }
  bool empty() const { return time.empty(); }
};

// One value per UTC day: of several points on the same day the last one wins. Input must be
// time-ordered (non-decreasing); non-finite values are dropped.
Series last_per_day(const Series& series);

// Simple returns v[i] / v[i-1] - 1 for i = 1..n-1. A step whose earlier value is zero or
// negative has no defined return and is left out.
std::vector<double> simple_returns(std::span<const double> values);

// Arithmetic mean; nullopt when empty.
std::optional<double> mean(std::span<const double> xs);
// Sample standard deviation (divisor n - 1); nullopt with fewer than 2 values.
std::optional<double> sample_stddev(std::span<const double> xs);

// A decline from a running high and its way back.
struct DrawdownPeriod {
  Timestamp peak = 0;                 // the last time at the running high before the decline
  Timestamp trough = 0;               // the time of the lowest value before recovery
  std::optional<Timestamp> recovery;  // first time back at or above the peak; nullopt: not yet
  double depth = 0;                   // trough / peak - 1, in (-inf, 0)
  std::int64_t calendar_days = 0;     // peak to recovery, or to the last point if not recovered
  std::int64_t trading_days = 0;      // points from peak to recovery (or to the last point)
};

struct DrawdownAnalysis {
  // value / running maximum - 1 at every point (0 at a new high). Empty if the series is empty
  // or starts at a non-positive value.
  std::vector<double> underwater;
  // Every episode from a peak to its recovery (or to the end), in time order.
  std::vector<DrawdownPeriod> episodes;
  // The deepest and the longest (calendar days; ties: the earlier) episode; nullopt if the
  // series never falls below a previous high.
  std::optional<DrawdownPeriod> deepest;
  std::optional<DrawdownPeriod> longest;
  // Depth of the deepest episode, 0 when there is none; nullopt when underwater is empty.
  std::optional<double> max_drawdown;
};

DrawdownAnalysis analyze_drawdowns(const Series& equity);

// The return-based figures of one equity series (an account or a strategy).
struct ReturnMetrics {
  std::size_t points = 0;   // equity values
  std::size_t returns = 0;  // daily returns (points - 1 minus undefined steps)
  std::optional<Timestamp> first, last;
  std::optional<double> start_value, end_value;
  std::optional<double> total_return;  // end / start - 1
  std::optional<double> years;         // (last - first) / 365.25 days
  std::optional<double> cagr;          // (end / start)^(1 / years) - 1; -1 when end is 0
  std::optional<double> volatility;    // sample stddev of daily returns * sqrt(252)
  std::optional<double> sharpe;        // mean(r - rf_d) / stddev(r) * sqrt(252)
  std::optional<double> sortino;  // mean(r - rf_d) / sqrt(mean(min(0, r - rf_d)^2)) * sqrt(252)
  std::optional<double> calmar;   // cagr / |max_drawdown|
  std::optional<double> best_day, worst_day;
  std::optional<double> positive_days;  // share of daily returns > 0
  DrawdownAnalysis drawdowns;
};

// Daily risk-free rate from an annual one: (1 + annual)^(1/252) - 1.
double daily_risk_free(double annual_rate);

// risk_free_rate: annual, as a fraction (0.03 = 3 %).
ReturnMetrics compute_return_metrics(const Series& equity, double risk_free_rate);

// Round-trip trade results, net of commissions.
struct TradeStats {
  std::size_t trades = 0, wins = 0, losses = 0;  // win: pnl > 0; loss: pnl < 0; 0 is neither
  double gross_profit = 0;                       // sum of winning pnls
  double gross_loss = 0;                         // sum of losing pnls (<= 0)
  double net_pnl = 0;
  std::optional<double> win_rate;       // wins / trades
  std::optional<double> profit_factor;  // gross_profit / |gross_loss|; n/a with no losing trade
  std::optional<double> average_win, average_loss, average_trade;
  std::optional<double> largest_win, largest_loss;
};

TradeStats compute_trade_stats(std::span<const double> net_pnls);

// Historical (non-parametric) 1-day value at risk and expected shortfall, as positive loss
// fractions: with the n returns sorted ascending and k = max(1, ceil((1 - confidence) * n)),
// VaR = -r[k] (the k-th worst) and ES = -mean(r[1..k]). Both n/a without returns.
struct TailRisk {
  double confidence = 0;
  std::size_t observations = 0;
  std::size_t tail_count = 0;
  std::optional<double> value_at_risk;
  std::optional<double> expected_shortfall;
};

TailRisk historical_tail_risk(std::span<const double> returns, double confidence);

// Pearson correlation of paired samples; n/a with fewer than 3 pairs or a zero-variance side.
std::optional<double> correlation(std::span<const double> a, std::span<const double> b);
// cov(r, m) / var(m) (both sample); n/a with fewer than 3 pairs or zero benchmark variance.
std::optional<double> beta(std::span<const double> returns, std::span<const double> market);

// Two equity series on common days, returned as paired simple returns over the same intervals.
struct PairedReturns {
  std::vector<double> a, b;
};

// `a` and `b` on the UTC days both have a value (intersection), then returns of each.
PairedReturns paired_returns_common_days(const Series& a, const Series& b);
// Each day of `equity`, with `reference` taken as of that day (its last value on or before the
// same UTC day; days before its first value are left out), then returns of each.
PairedReturns paired_returns_as_of(const Series& equity, const Series& reference);

// Calendar-period returns: each month's (year's) last value against the previous month's
// (year's) last value; the first period is measured from the first point of the series.
struct PeriodReturn {
  int year = 0;
  unsigned month = 0;  // 1..12; 0 for a whole year
  double value = 0;
};

std::vector<PeriodReturn> monthly_returns(const Series& equity);
std::vector<PeriodReturn> yearly_returns(const Series& equity);

// Calendar days between two timestamps' UTC days.
std::int64_t calendar_days_between(Timestamp from, Timestamp to);

}  // namespace tandem::report
