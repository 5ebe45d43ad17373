// analyze() on the hand-checked four-day account (small_account.h) and on edge cases.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "report/report.h"
#include "small_account.h"

namespace tandem::report {
namespace {

using testing::day_at;
using testing::small_account;

constexpr double kTol = 1e-12;

TEST(Analyze, AccountFiguresOfTheSmallAccount) {
  AccountReport r = analyze(small_account(), {});
  // Four days (the Jan 2 intraday row is replaced by the day's last): 1000 -> 1089.
  ASSERT_EQ(r.equity.size(), 4u);
  EXPECT_EQ(r.equity.value[1], 1100);
  EXPECT_NEAR(*r.returns.total_return, 0.089, kTol);
  // Exposure: mean of gross / NLV = (0 + 0.5 + 1 + 0.5) / 4 = 0.5; invested 3 of 4 days.
  EXPECT_NEAR(*r.activity.exposure, 0.5, kTol);
  EXPECT_NEAR(*r.activity.time_in_market, 0.75, kTol);
  // Leverage: latest 544.5 / 1089 = 0.5; average 0.5; highest 990 / 990 = 1.
  EXPECT_NEAR(*r.risk.leverage, 0.5, kTol);
  EXPECT_NEAR(*r.risk.average_leverage, 0.5, kTol);
  EXPECT_NEAR(*r.risk.max_leverage, 1.0, kTol);
  // Fills: 10 x 50 + 4 x 100 + 10 x 55 = 1450 traded, commissions 1 + 1.5 + 1 = 3.5.
  EXPECT_EQ(r.activity.fills, 3u);
  EXPECT_EQ(r.activity.orders, 3u);
  EXPECT_NEAR(r.activity.traded_value, 1450, kTol);
  EXPECT_NEAR(r.activity.commissions, 3.5, kTol);
  // Mean equity (1000 + 1100 + 990 + 1089) / 4 = 1044.75; over 3 / 365.25 years.
  EXPECT_NEAR(*r.activity.turnover, 1450 / 1044.75, kTol);
  EXPECT_NEAR(*r.activity.annual_turnover, 1450 / 1044.75 / (3 / 365.25), 1e-9);
  // Trades of all strategies, including X which has no performance rows: 48, -10, 5.
  EXPECT_EQ(r.trades.trades, 3u);
  EXPECT_NEAR(*r.trades.profit_factor, 53.0 / 10.0, kTol);
}

TEST(Analyze, PositionsExposureAndLargestPosition) {
  AccountReport r = analyze(small_account(), {});
  // Latest snapshot per symbol: SYMA closed (0), SYMB 440, SYMC -104.5; NLV 1089.
  ASSERT_EQ(r.risk.positions.size(), 2u);
  EXPECT_EQ(r.risk.positions[0].symbol, "SYMB");
  EXPECT_EQ(r.risk.positions_as_of, day_at(4));
  EXPECT_NEAR(*r.risk.gross_exposure, 544.5, kTol);
  EXPECT_NEAR(*r.risk.net_exposure, 335.5, kTol);
  EXPECT_NEAR(*r.risk.gross_exposure_share, 0.5, kTol);
  EXPECT_NEAR(*r.risk.net_exposure_share, 335.5 / 1089, kTol);
  EXPECT_EQ(r.risk.largest_position, "SYMB");
  EXPECT_NEAR(*r.risk.largest_position_share, 440.0 / 1089, kTol);
}

TEST(Analyze, VarBenchmarkAndCorrelations) {
  AccountReport r = analyze(small_account(), {});
  // Returns +0.1, -0.1, +0.1: k = ceil(0.05 * 3) = 1 -> VaR = ES = 0.1; x 1089 = 108.9.
  EXPECT_NEAR(*r.risk.var95.value_at_risk, 0.1, kTol);
  EXPECT_NEAR(*r.risk.var99.expected_shortfall, 0.1, kTol);
  EXPECT_NEAR(*r.risk.var95_amount, 108.9, 1e-9);
  // Benchmark +5 %, -10 %, +5 % and account +10 %, -10 %, +10 %: r = 2m - ... check by hand:
  // mean m = 0, mean r = 1/30; dm = 0.05, -0.1, 0.05; dr = 1/15, -2/15, 1/15.
  // sum dr*dm = 0.05/15 + 0.2/15 + 0.05/15 = 0.02; sum dm^2 = 0.015 -> beta = 4/3.
  ASSERT_EQ(r.risk.benchmark.observations, 3u);
  EXPECT_NEAR(*r.risk.benchmark.beta, 0.02 / 0.015, 1e-9);
  // dr = (4/3) dm exactly, so the correlation is 1.
  EXPECT_NEAR(*r.risk.benchmark.correlation, 1.0, 1e-9);
  // Strategy A and C move opposite (-1); B is flat (n/a with anyone, itself included).
  const CorrelationMatrix& m = r.risk.strategy_correlation;
  ASSERT_EQ(m.keys, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(m.values[0][0], 1.0);
  EXPECT_NEAR(*m.values[0][2], -1.0, 1e-9);
  EXPECT_EQ(m.values[2][0], m.values[0][2]);
  EXPECT_FALSE(m.values[0][1]);
  EXPECT_FALSE(m.values[1][1]);
  EXPECT_EQ(m.observations[0][2], 3u);
}

TEST(Analyze, PerStrategyFigures) {
  AccountReport r = analyze(small_account(), {});
  ASSERT_EQ(r.strategies.size(), 3u);
  const StrategyReport& a = r.strategies[0];
  EXPECT_NEAR(*a.returns.total_return, 0.089, kTol);  // 544.5 / 500
  EXPECT_EQ(a.trades.trades, 1u);
  EXPECT_NEAR(*a.trades.win_rate, 1.0, kTol);
  // A's fills: 500 + 550 traded over mean equity (500 + 550 + 495 + 544.5) / 4 = 522.375.
  EXPECT_NEAR(*a.activity.turnover, 1050 / 522.375, kTol);
  EXPECT_NEAR(a.activity.commissions, 2.0, kTol);
  EXPECT_EQ(a.activity.orders, 2u);
  // Exposure |position| / equity: 0, 1, 1, 0 -> 0.5; in the market 2 of 4 days.
  EXPECT_NEAR(*a.activity.exposure, 0.5, kTol);
  EXPECT_NEAR(*a.activity.time_in_market, 0.5, kTol);
  // A's returns equal the account's, so beta 4/3 too.
  EXPECT_NEAR(*a.benchmark.beta, 0.02 / 0.015, 1e-9);
  const StrategyReport& b = r.strategies[1];
  EXPECT_EQ(b.returns.volatility, 0.0);
  EXPECT_FALSE(b.returns.sharpe);
  // B's returns are all 0: no covariance with the benchmark (beta 0) and no variance of its
  // own (correlation n/a).
  EXPECT_NEAR(*b.benchmark.beta, 0.0, kTol);
  EXPECT_FALSE(b.benchmark.correlation);
  EXPECT_EQ(b.trades.trades, 0u);
  EXPECT_FALSE(b.trades.win_rate);
  const StrategyReport& c = r.strategies[2];
  EXPECT_NEAR(*c.trades.profit_factor, 0.0, kTol);  // all-loss strategy
}

TEST(Analyze, NotesNameTradesWithoutAStrategyAndGaps) {
  AccountData d = small_account();
  AccountReport r = analyze(d, {});
  bool names_x = false;
  for (const std::string& n : r.notes) names_x |= n.find("'X'") != std::string::npos;
  EXPECT_TRUE(names_x);

  // A 10-day hole between Jan 4 and Jan 14.
  d.summary.push_back({day_at(14), 1100, 1100, 0, 0, 0});
  r = analyze(d, {});
  bool gap = false;
  for (const std::string& n : r.notes) {
    gap |= n.find("1 gap(s)") != std::string::npos &&
           n.find("2024-01-04 to 2024-01-14") != std::string::npos;
  }
  EXPECT_TRUE(gap) << ::testing::PrintToString(r.notes);
  // The return across the gap is one daily return: 4 returns in total.
  EXPECT_EQ(r.returns.returns, 4u);
}

TEST(Analyze, BenchmarkStartingLateIsNotedAndLeftOut) {
  AccountData d = small_account();
  d.benchmark->close.time.erase(d.benchmark->close.time.begin());
  d.benchmark->close.value.erase(d.benchmark->close.value.begin());
  AccountReport r = analyze(d, {});
  EXPECT_EQ(r.risk.benchmark.observations, 2u);
  ASSERT_TRUE(r.benchmark);
  EXPECT_EQ(r.benchmark->scaled.size(), 3u);
  // Scaled to the account's equity on its first common day (Jan 2: 1100).
  EXPECT_NEAR(r.benchmark->scaled.value[0], 1100, 1e-9);
  bool noted = false;
  for (const std::string& n : r.notes)
    noted |= n.find("1 account day(s) before it") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(Analyze, EmptyAccountGivesNaNotACrash) {
  AccountData d;
  d.account_id = "DU123";
  AccountReport r = analyze(d, {});
  EXPECT_FALSE(r.returns.total_return);
  EXPECT_FALSE(r.risk.var95.value_at_risk);
  EXPECT_FALSE(r.risk.leverage);
  EXPECT_FALSE(r.activity.exposure);
  EXPECT_EQ(r.trades.trades, 0u);
  EXPECT_FALSE(r.notes.empty());
}

TEST(Analyze, RejectsAnImpossibleRiskFreeRate) {
  EXPECT_THROW(analyze(small_account(), {.risk_free_rate = -1.5}), Error);
  EXPECT_THROW(analyze(small_account(), {.risk_free_rate = std::nan("")}), Error);
}

}  // namespace
}  // namespace tandem::report
