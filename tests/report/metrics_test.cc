// Every metric on small series whose expected values are worked out by hand in the comments.
#include "report/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace tandem::report {
namespace {

constexpr double kTol = 1e-12;
// 2024-01-01 (a Monday) is day 19723 since the epoch: 54 years * 365 + 13 leap days.
constexpr Timestamp kJan1 = 19723LL * kNanosPerDay;

Timestamp jan(int day) { return kJan1 + (day - 1) * kNanosPerDay; }

Series daily(std::vector<double> values, Timestamp start = kJan1) {
  Series s;
  for (std::size_t i = 0; i < values.size(); ++i) {
    s.time.push_back(start + static_cast<Timestamp>(i) * kNanosPerDay);
  }
  s.value = std::move(values);
  return s;
}

// 100 -> 110 -> 99 -> 108.9 -> 87.12 on Jan 1..5: returns +10 %, -10 %, +10 %, -20 %.
TEST(ReturnMetrics, HandCheckedFourReturns) {
  ReturnMetrics m = compute_return_metrics(daily({100, 110, 99, 108.9, 87.12}), 0.0);
  EXPECT_EQ(m.points, 5u);
  EXPECT_EQ(m.returns, 4u);
  // 87.12 / 100 - 1
  EXPECT_NEAR(*m.total_return, -0.1288, kTol);
  // mean = (0.1 - 0.1 + 0.1 - 0.2) / 4 = -0.025; deviations 0.125, -0.075, 0.125, -0.175;
  // squares sum 0.0675; / (n - 1 = 3) = 0.0225; sd = 0.15; x sqrt(252).
  EXPECT_NEAR(*m.volatility, 0.15 * std::sqrt(252.0), 1e-12);
  // Sharpe = -0.025 / 0.15 * sqrt(252) = -sqrt(252) / 6 = -sqrt(7).
  EXPECT_NEAR(*m.sharpe, -std::sqrt(7.0), 1e-12);
  // Downside: min(0, r) = 0, -0.1, 0, -0.2 -> squares 0.05 / 4 = 0.0125;
  // Sortino = -0.025 / sqrt(0.0125) * sqrt(252) = -sqrt(0.05 * 252) = -sqrt(12.6).
  EXPECT_NEAR(*m.sortino, -std::sqrt(12.6), 1e-12);
  EXPECT_NEAR(*m.best_day, 0.10, kTol);
  EXPECT_NEAR(*m.worst_day, -0.20, kTol);
  EXPECT_NEAR(*m.positive_days, 0.5, kTol);
  // Running high 110 on Jan 2; lowest after it 87.12 on Jan 5: 87.12 / 110 - 1 = -0.208.
  EXPECT_NEAR(*m.drawdowns.max_drawdown, -0.208, kTol);
  ASSERT_TRUE(m.drawdowns.deepest);
  EXPECT_EQ(m.drawdowns.deepest->peak, jan(2));
  EXPECT_EQ(m.drawdowns.deepest->trough, jan(5));
  EXPECT_FALSE(m.drawdowns.deepest->recovery);
  EXPECT_EQ(m.drawdowns.deepest->calendar_days, 3);  // Jan 2 -> Jan 5 (end of data)
  EXPECT_EQ(m.drawdowns.deepest->trading_days, 3);
  // 4 calendar days = 4 / 365.25 years; CAGR = 0.8712^(365.25 / 4) - 1.
  EXPECT_NEAR(*m.years, 4 / 365.25, kTol);
  EXPECT_NEAR(*m.cagr, std::pow(0.8712, 365.25 / 4) - 1, 1e-12);
  EXPECT_NEAR(*m.calmar, *m.cagr / 0.208, 1e-12);
}

TEST(ReturnMetrics, RiskFreeRateShiftsTheMeanNotTheDeviation) {
  // rf = 5 % a year -> daily 1.05^(1/252) - 1 = 0.000193630...; Sharpe =
  // (mean - rf_d) / sd * sqrt(252) with the same sd = 0.15 as above.
  double rf_d = std::pow(1.05, 1 / 252.0) - 1;
  EXPECT_NEAR(daily_risk_free(0.05), rf_d, 1e-15);
  ReturnMetrics m = compute_return_metrics(daily({100, 110, 99, 108.9, 87.12}), 0.05);
  EXPECT_NEAR(*m.sharpe, (-0.025 - rf_d) / 0.15 * std::sqrt(252.0), 1e-12);
  // Downside against rf_d: min(0, r - rf_d) = 0, -0.1 - rf_d, 0, -0.2 - rf_d.
  double down = std::sqrt((std::pow(0.1 + rf_d, 2) + std::pow(0.2 + rf_d, 2)) / 4);
  EXPECT_NEAR(*m.sortino, (-0.025 - rf_d) / down * std::sqrt(252.0), 1e-12);
  EXPECT_NEAR(*m.volatility, 0.15 * std::sqrt(252.0), 1e-12);
}

TEST(ReturnMetrics, CagrOverExactlyTwoYears) {
  // 730.5 days = 2 * 365.25: 100 -> 121 is 10 % a year.
  Series s;
  s.time = {kJan1, kJan1 + 730 * kNanosPerDay + 12 * 3600 * kNanosPerSecond};
  s.value = {100, 121};
  ReturnMetrics m = compute_return_metrics(s, 0.0);
  EXPECT_NEAR(*m.years, 2.0, kTol);
  EXPECT_NEAR(*m.cagr, 0.10, 1e-12);
  EXPECT_NEAR(*m.total_return, 0.21, 1e-12);
  EXPECT_EQ(m.drawdowns.max_drawdown, 0.0);  // never below a previous high
  EXPECT_FALSE(m.calmar);                    // CAGR / 0 is undefined
  EXPECT_FALSE(m.volatility);                // one return: no sample deviation
}

// 100, 120, 90, 60, 90, 120, 130, 117 on Jan 1..8.
TEST(Drawdowns, EpisodesRecoveryAndLongest) {
  DrawdownAnalysis d = analyze_drawdowns(daily({100, 120, 90, 60, 90, 120, 130, 117}));
  // value / running high - 1: high 100, 120, 120, 120, 120, 120, 130, 130.
  std::vector<double> expected = {0, 0, -0.25, -0.5, -0.25, 0, 0, -0.1};
  ASSERT_EQ(d.underwater.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(d.underwater[i], expected[i], kTol);
  ASSERT_EQ(d.episodes.size(), 2u);
  // Episode 1: high 120 on Jan 2, low 60 on Jan 4 (-50 %), back to 120 on Jan 6: 4 days.
  EXPECT_EQ(d.episodes[0].peak, jan(2));
  EXPECT_EQ(d.episodes[0].trough, jan(4));
  EXPECT_EQ(d.episodes[0].recovery, jan(6));
  EXPECT_NEAR(d.episodes[0].depth, -0.5, kTol);
  EXPECT_EQ(d.episodes[0].calendar_days, 4);
  EXPECT_EQ(d.episodes[0].trading_days, 4);
  // Episode 2: high 130 on Jan 7, 117 on Jan 8 (-10 %), not recovered: 1 day so far.
  EXPECT_EQ(d.episodes[1].peak, jan(7));
  EXPECT_FALSE(d.episodes[1].recovery);
  EXPECT_NEAR(d.episodes[1].depth, -0.1, kTol);
  EXPECT_EQ(d.episodes[1].calendar_days, 1);
  EXPECT_NEAR(*d.max_drawdown, -0.5, kTol);
  EXPECT_EQ(d.deepest->peak, jan(2));
  EXPECT_EQ(d.longest->peak, jan(2));
}

TEST(Drawdowns, LongestCanDifferFromDeepestAndCountsAnOpenOne) {
  // -5 % dip recovered in 2 days, then a -1 % dip still open after 10 days.
  Series s = daily({100, 95, 100, 99, 99.5, 99.5, 99.5, 99.5, 99.5, 99.5, 99.5, 99.5, 99.5});
  DrawdownAnalysis d = analyze_drawdowns(s);
  EXPECT_NEAR(d.deepest->depth, -0.05, kTol);
  EXPECT_EQ(d.deepest->calendar_days, 2);
  EXPECT_EQ(d.longest->peak, jan(3));  // the high of 100 on Jan 3
  EXPECT_FALSE(d.longest->recovery);
  EXPECT_EQ(d.longest->calendar_days, 10);  // Jan 3 -> Jan 13
  EXPECT_NEAR(d.longest->depth, -0.01, kTol);
}

TEST(TradeStats, HandChecked) {
  // Wins 100, 200; losses -50, -25; one flat trade (0) counts as a trade, neither win nor loss.
  std::vector<double> pnl = {100, -50, 0, 200, -25};
  TradeStats t = compute_trade_stats(pnl);
  EXPECT_EQ(t.trades, 5u);
  EXPECT_EQ(t.wins, 2u);
  EXPECT_EQ(t.losses, 2u);
  EXPECT_DOUBLE_EQ(t.gross_profit, 300);
  EXPECT_DOUBLE_EQ(t.gross_loss, -75);
  EXPECT_DOUBLE_EQ(t.net_pnl, 225);
  EXPECT_DOUBLE_EQ(*t.win_rate, 0.4);        // 2 / 5
  EXPECT_DOUBLE_EQ(*t.profit_factor, 4.0);   // 300 / 75
  EXPECT_DOUBLE_EQ(*t.average_win, 150);     // 300 / 2
  EXPECT_DOUBLE_EQ(*t.average_loss, -37.5);  // -75 / 2
  EXPECT_DOUBLE_EQ(*t.average_trade, 45);    // 225 / 5
  EXPECT_DOUBLE_EQ(*t.largest_win, 200);
  EXPECT_DOUBLE_EQ(*t.largest_loss, -50);
}

TEST(TradeStats, AllLossesNoTradesAndOnlyWins) {
  std::vector<double> losses = {-10, -30};
  TradeStats l = compute_trade_stats(losses);
  EXPECT_DOUBLE_EQ(*l.win_rate, 0.0);
  EXPECT_DOUBLE_EQ(*l.profit_factor, 0.0);  // 0 / 40
  EXPECT_FALSE(l.average_win);
  EXPECT_DOUBLE_EQ(*l.average_loss, -20);

  TradeStats none = compute_trade_stats({});
  EXPECT_EQ(none.trades, 0u);
  EXPECT_FALSE(none.win_rate);
  EXPECT_FALSE(none.profit_factor);
  EXPECT_FALSE(none.average_trade);

  std::vector<double> wins = {5, 7};
  TradeStats w = compute_trade_stats(wins);
  EXPECT_DOUBLE_EQ(*w.win_rate, 1.0);
  EXPECT_FALSE(w.profit_factor);  // no losing trade: 12 / 0 is not a number to show
  EXPECT_FALSE(w.average_loss);
}

TEST(TailRisk, HundredEvenlySpacedReturns) {
  // r = -0.050, -0.049, ..., 0.049 (100 values, given in a shuffled order).
  std::vector<double> r;
  for (int i = 0; i < 100; ++i) r.push_back(((i * 37) % 100 - 50) / 1000.0);
  // 95 %: k = ceil(0.05 * 100) = 5 -> 5th worst is -0.046; ES = mean of -0.050..-0.046 = -0.048.
  TailRisk t95 = historical_tail_risk(r, 0.95);
  EXPECT_EQ(t95.tail_count, 5u);
  EXPECT_NEAR(*t95.value_at_risk, 0.046, kTol);
  EXPECT_NEAR(*t95.expected_shortfall, 0.048, kTol);
  // 99 %: k = ceil(1) = 1 -> the worst day alone.
  TailRisk t99 = historical_tail_risk(r, 0.99);
  EXPECT_EQ(t99.tail_count, 1u);
  EXPECT_NEAR(*t99.value_at_risk, 0.050, kTol);
  EXPECT_NEAR(*t99.expected_shortfall, 0.050, kTol);
}

TEST(TailRisk, ExactTailCountIsNotRoundedUpByFloatingPoint) {
  // (1 - 0.95) * 40 evaluates to 2.0000000000000018; k must be 2, not 3.
  std::vector<double> r;
  for (int i = 0; i < 40; ++i) r.push_back((i - 20) / 100.0);
  TailRisk t = historical_tail_risk(r, 0.95);
  EXPECT_EQ(t.tail_count, 2u);
  EXPECT_NEAR(*t.value_at_risk, 0.19, kTol);        // 2nd worst: -0.19
  EXPECT_NEAR(*t.expected_shortfall, 0.195, kTol);  // mean of -0.20, -0.19
  EXPECT_FALSE(historical_tail_risk({}, 0.95).value_at_risk);
  EXPECT_THROW(historical_tail_risk(r, 1.0), Error);
}

TEST(BetaAndCorrelation, HandChecked) {
  // r = 0.02, 0.01, -0.01, 0.03 (mean 0.0125); m = 0.01, 0.02, -0.02, 0.01 (mean 0.005).
  // dr = 0.0075, -0.0025, -0.0225, 0.0175; dm = 0.005, 0.015, -0.025, 0.005.
  // sum dr*dm = 0.0000375 - 0.0000375 + 0.0005625 + 0.0000875 = 0.00065;
  // sum dm^2 = 0.0009; sum dr^2 = 0.000875 (the n - 1 divisors cancel).
  std::vector<double> r = {0.02, 0.01, -0.01, 0.03}, m = {0.01, 0.02, -0.02, 0.01};
  EXPECT_NEAR(*beta(r, m), 0.00065 / 0.0009, 1e-12);
  EXPECT_NEAR(*correlation(r, m), 0.00065 / std::sqrt(0.0009 * 0.000875), 1e-12);
  // r = 2m + 0.001 exactly: beta 2, correlation 1.
  std::vector<double> r2;
  for (double x : m) r2.push_back(2 * x + 0.001);
  EXPECT_NEAR(*beta(r2, m), 2.0, 1e-12);
  EXPECT_NEAR(*correlation(r2, m), 1.0, 1e-12);
  // A flat benchmark has no variance: beta and correlation are n/a, not a division by zero.
  std::vector<double> flat = {0.01, 0.01, 0.01, 0.01};
  EXPECT_FALSE(beta(r, flat));
  EXPECT_FALSE(correlation(r, flat));
  EXPECT_FALSE(beta({r.data(), 2}, {m.data(), 2}));  // fewer than 3 pairs
}

TEST(PairedReturns, AsOfFillsBenchmarkHolidaysAndCommonDaysIntersect) {
  // Account on Jan 1, 2, 3, 5; benchmark on Jan 1, 2, 4, 5 (no Jan 3 bar).
  Series account;
  account.time = {jan(1), jan(2), jan(3), jan(5)};
  account.value = {100, 110, 121, 133.1};
  Series bench;
  bench.time = {jan(1), jan(2), jan(4), jan(5)};
  bench.value = {50, 55, 60, 66};
  // As of: Jan 3 uses Jan 2's 55 -> benchmark returns 0.1, 0, 66/55 - 1 = 0.2.
  PairedReturns p = paired_returns_as_of(account, bench);
  ASSERT_EQ(p.b.size(), 3u);
  EXPECT_NEAR(p.b[0], 0.1, kTol);
  EXPECT_NEAR(p.b[1], 0.0, kTol);
  EXPECT_NEAR(p.b[2], 0.2, kTol);
  EXPECT_NEAR(p.a[2], 0.1, kTol);
  // Common days Jan 1, 2, 5: account 100, 110, 133.1 -> 0.1, 0.21; bench 50, 55, 66 -> 0.1, 0.2.
  PairedReturns c = paired_returns_common_days(account, bench);
  ASSERT_EQ(c.a.size(), 2u);
  EXPECT_NEAR(c.a[1], 0.21, kTol);
  EXPECT_NEAR(c.b[1], 0.2, kTol);
}

TEST(PeriodReturns, MonthsAndYearsFromTheirLastValues) {
  auto at = [](int y, unsigned m, unsigned d) {
    Timestamp days = 0;
    // Days since the epoch by counting: 2024-01-01 is 19723; 2024 is a leap year.
    static const int cum[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};
    if (y == 2024) days = 19723 + cum[m - 1] + d - 1;
    if (y == 2025) days = 19723 + 366 + d - 1;  // January only
    return days * kNanosPerDay;
  };
  Series s;
  s.time = {at(2024, 1, 15), at(2024, 1, 31), at(2024, 2, 10),
            at(2024, 2, 29), at(2024, 4, 1),  at(2025, 1, 2)};
  s.value = {100, 110, 99, 121, 133.1, 100};
  std::vector<PeriodReturn> m = monthly_returns(s);
  ASSERT_EQ(m.size(), 4u);  // no March point: no March entry
  EXPECT_EQ(m[0].month, 1u);
  EXPECT_NEAR(m[0].value, 0.10, kTol);  // 110 / 100 (first point)
  EXPECT_NEAR(m[1].value, 0.10, kTol);  // 121 / 110 (January's last)
  EXPECT_EQ(m[2].month, 4u);
  EXPECT_NEAR(m[2].value, 0.10, kTol);  // 133.1 / 121 (February's last)
  EXPECT_EQ(m[3].year, 2025);
  EXPECT_NEAR(m[3].value, 100 / 133.1 - 1, kTol);
  std::vector<PeriodReturn> y = yearly_returns(s);
  ASSERT_EQ(y.size(), 2u);
  EXPECT_NEAR(y[0].value, 0.331, kTol);  // 133.1 / 100
  EXPECT_NEAR(y[1].value, 100 / 133.1 - 1, kTol);
}

TEST(EdgeCases, EmptySingleDayFlatAndConstantGrowth) {
  ReturnMetrics empty = compute_return_metrics({}, 0.0);
  EXPECT_FALSE(empty.total_return);
  EXPECT_FALSE(empty.drawdowns.max_drawdown);
  EXPECT_FALSE(empty.volatility);

  ReturnMetrics one = compute_return_metrics(daily({100}), 0.0);
  EXPECT_EQ(one.total_return, 0.0);
  EXPECT_FALSE(one.cagr);  // no elapsed time
  EXPECT_FALSE(one.volatility);
  EXPECT_FALSE(one.sharpe);
  EXPECT_EQ(one.drawdowns.max_drawdown, 0.0);

  ReturnMetrics flat = compute_return_metrics(daily({100, 100, 100, 100}), 0.0);
  EXPECT_EQ(flat.volatility, 0.0);
  EXPECT_FALSE(flat.sharpe);   // zero volatility
  EXPECT_FALSE(flat.sortino);  // no downside
  EXPECT_FALSE(flat.calmar);

  // +1 % every day: volatility is rounding noise only, so Sharpe must be n/a, not 1e15.
  ReturnMetrics growth =
      compute_return_metrics(daily({100, 101, 102.01, 103.0301, 104.060401}), 0.0);
  EXPECT_LT(*growth.volatility, 1e-9);
  EXPECT_FALSE(growth.sharpe);
  EXPECT_FALSE(growth.sortino);

  // Equity wiped out: total return -100 %, CAGR -100 %, max drawdown -100 %.
  ReturnMetrics bust = compute_return_metrics(daily({100, 50, 0}), 0.0);
  EXPECT_NEAR(*bust.total_return, -1.0, kTol);
  EXPECT_EQ(bust.cagr, -1.0);
  EXPECT_NEAR(*bust.drawdowns.max_drawdown, -1.0, kTol);
  EXPECT_EQ(bust.returns, 2u);  // 100 -> 50 -> 0; nothing after a zero
}

TEST(Series, LastPerDayKeepsTheDaysLastFiniteValue) {
  Series s;
  s.time = {jan(1) + 1, jan(1) + 5, jan(2), jan(3), jan(3) + 10};
  s.value = {1, 2, std::nan(""), 4, 5};
  Series d = last_per_day(s);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.value[0], 2);
  EXPECT_EQ(d.value[1], 5);
  Series unordered;
  unordered.time = {jan(2), jan(1)};
  unordered.value = {1, 2};
  EXPECT_THROW(last_per_day(unordered), Error);
}

}  // namespace
}  // namespace tandem::report
