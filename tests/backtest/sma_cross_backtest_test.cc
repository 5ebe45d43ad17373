// sma_cross (fast=2, slow=3, size=0.95) on a hand-made 12-day series, checked fill by fill in
// both fill models, with the account's equity on every day.
//
// Day  open  close  fast(2)  slow(3)   signal (previous pair → this pair)
//  1   10    10      -        -
//  2   10    10     10        -
//  3   10    10     10       10        first day with both: nothing to cross from
//  4   11    13     11.5     11        10<=10 → 11.5>11: cross above → BUY
//  5   13.5  14     13.5     12.33
//  6   12     9     11.5     12        13.5>=12.33 → 11.5<12: cross below → SELL all
//  7    8.5   8      8.5     10.33
//  8    9    12     10        9.67     8.5<=10.33 → 10>9.67: cross above → BUY
//  9   12.5  13     12.5     11
// 10   12    11     12       12        equal: not a cross
// 11   10.5  10     10.5     11.33     12>=12 → 10.5<11.33: cross below → SELL all
// 12   10.25 10
// Cash 10,000, weight 1 (the strategy's equity is the whole account), no commission.
#include <gtest/gtest.h>

#include "backtest/backtest_fixture.h"

namespace tandem::testing {
namespace {

struct ExpectedFill {
  Timestamp time;
  const char* side;
  double shares;
  double price;
};

class SmaCrossBacktest : public BacktestTest {
 protected:
  backtest::BacktestResult run(exchange::FillModel model, exchange::CommissionModel commission =
                                                              exchange::CommissionModel::none()) {
    write_bars(*store_, "TEST",
               daily_bars({{10, 10},
                           {10, 10},
                           {10, 10},
                           {11, 13},
                           {13.5, 14},
                           {12, 9},
                           {8.5, 8},
                           {9, 12},
                           {12.5, 13},
                           {12, 11},
                           {10.5, 10},
                           {10.25, 10}}));
    backtest::BacktestConfig config;
    config.initial_cash = 10'000;
    config.weights = {{"TEST", 1.0}};
    config.fill_model = model;
    config.commission = commission;
    backtest::Engine engine(*store_, config);
    engine.add_strategy(make("sma_cross", "TEST", {"TEST"}, {{"fast", "2"}, {"slow", "3"}}),
                        "sma_cross");
    return engine.run();
  }

  void expect_fills(const std::string& account, const std::vector<ExpectedFill>& expected) {
    store::Table fills = read(account, "fills");
    ASSERT_EQ(fills.num_rows(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(format_date(fills.index()[i]), format_date(expected[i].time)) << "fill " << i;
      EXPECT_EQ(fills.strings("side")[i], expected[i].side) << "fill " << i;
      EXPECT_DOUBLE_EQ(fills.float64s("shares")[i], expected[i].shares) << "fill " << i;
      EXPECT_DOUBLE_EQ(fills.float64s("price")[i], expected[i].price) << "fill " << i;
    }
  }

  // net_liquidation per day, and the identity net_liquidation = cash + positions at the close.
  std::vector<double> daily_equity(const std::string& account) {
    store::Table summary = read(account, "account_summary");
    std::vector<double> equity;
    for (std::size_t i = 0; i < summary.num_rows(); ++i) {
      double net = summary.float64s("net_liquidation")[i];
      EXPECT_NEAR(net,
                  summary.float64s("total_cash")[i] + summary.float64s("gross_position_value")[i],
                  1e-9)
          << "day " << i + 1;
      equity.push_back(net);
    }
    return equity;
  }
};

TEST_F(SmaCrossBacktest, CloseFillModel) {
  backtest::BacktestResult result = run(exchange::FillModel::kClose);
  // Day 4: floor(0.95 × 10,000 / 13) = 730 at 13 (cost 9,490, cash 510).
  // Day 6: 730 at 9 (+6,570, cash 7,080).
  // Day 8: floor(0.95 × 7,080 / 12) = floor(560.5) = 560 at 12 (cost 6,720, cash 360).
  // Day 11: 560 at 10 (+5,600, cash 5,960).
  expect_fills(result.account_id, {{day(4), "BUY", 730, 13},
                                   {day(6), "SELL", 730, 9},
                                   {day(8), "BUY", 560, 12},
                                   {day(11), "SELL", 560, 10}});
  // Cash + 730 or 560 shares at each close.
  EXPECT_EQ(daily_equity(result.account_id),
            (std::vector<double>{10'000, 10'000, 10'000, 10'000, 10'730, 7'080, 7'080, 7'080, 7'640,
                                 6'520, 5'960, 5'960}));
  EXPECT_DOUBLE_EQ(result.summary.final_equity, 5'960);
  EXPECT_DOUBLE_EQ(result.final_cash, 5'960);

  store::Table trades = read(result.account_id, "trades");
  ASSERT_EQ(trades.num_rows(), 2u);
  EXPECT_DOUBLE_EQ(trades.float64s("pnl")[0], -2'920);  // (9 - 13) × 730
  EXPECT_DOUBLE_EQ(trades.float64s("pnl")[1], -1'120);  // (10 - 12) × 560
  EXPECT_EQ(trades.timestamps("entry_time")[0], day(4));
  EXPECT_EQ(trades.index()[0], day(6));

  store::Table performance = read(result.account_id, "strategy_TEST_performance");
  ASSERT_EQ(performance.num_rows(), 12u);
  EXPECT_DOUBLE_EQ(performance.float64s("equity")[4], 10'730);
  EXPECT_DOUBLE_EQ(performance.float64s("position_value")[4], 730 * 14);
  EXPECT_DOUBLE_EQ(performance.float64s("unrealized_pnl")[4], 730);  // (14 - 13) × 730
  EXPECT_DOUBLE_EQ(performance.float64s("turnover")[3], 9'490.0 / 10'000.0);
  EXPECT_DOUBLE_EQ(performance.float64s("realized_pnl")[11], -4'040);
  EXPECT_DOUBLE_EQ(performance.float64s("equity")[11], 5'960);
}

TEST_F(SmaCrossBacktest, NextOpenFillModel) {
  backtest::BacktestResult result = run(exchange::FillModel::kNextOpen);
  // Signals on days 4, 6, 8, 11 as above; each order fills at the next day's open.
  // Day 5: 730 (sized at day 4's close 13) at 13.5 = 9,855; cash 145.
  // Day 7: 730 at 8.5 = 6,205; cash 6,350.
  // Day 9: floor(0.95 × 6,350 / 12) = floor(502.7) = 502 at 12.5 = 6,275; cash 75.
  // Day 12: 502 at 10.25 = 5,145.5; cash 5,220.5.
  expect_fills(result.account_id, {{day(5), "BUY", 730, 13.5},
                                   {day(7), "SELL", 730, 8.5},
                                   {day(9), "BUY", 502, 12.5},
                                   {day(12), "SELL", 502, 10.25}});
  EXPECT_EQ(
      daily_equity(result.account_id),
      (std::vector<double>{10'000, 10'000, 10'000, 10'000, 145 + 730 * 14.0, 145 + 730 * 9.0, 6'350,
                           6'350, 75 + 502 * 13.0, 75 + 502 * 11.0, 75 + 502 * 10.0, 5'220.5}));
  EXPECT_DOUBLE_EQ(result.final_cash, 5'220.5);
  // The orders were placed (PendingSubmit) on the signal days.
  store::Table orders = read(result.account_id, "orders");
  std::vector<std::string> placed_dates;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    if (orders.strings("status")[i] == "PendingSubmit") {
      placed_dates.push_back(format_date(orders.index()[i]));
    }
  }
  EXPECT_EQ(placed_dates,
            (std::vector<std::string>{"2024-01-05", "2024-01-07", "2024-01-09", "2024-01-12"}));
}

TEST_F(SmaCrossBacktest, IbCommissionIsChargedAndSizedAround) {
  backtest::BacktestResult result =
      run(exchange::FillModel::kClose, exchange::CommissionModel::ib_fixed());
  // Day 4: 730 at 13, commission 730 × 0.005 = 3.65 (above the 1.00 minimum, under 1 % of
  // 9,490). Day 6: 730 at 9, 3.65; cash 10,000 - 9,493.65 + 6,566.35 = 7,072.70.
  // Day 8: floor(0.95 × 7,072.70 / 12) = floor(559.9) = 559 at 12, commission 2.795.
  // Day 11: 559 at 10, 2.795. Cash 7,072.70 - 6,710.795 + 5,587.205 = 5,949.11.
  expect_fills(result.account_id, {{day(4), "BUY", 730, 13},
                                   {day(6), "SELL", 730, 9},
                                   {day(8), "BUY", 559, 12},
                                   {day(11), "SELL", 559, 10}});
  store::Table fills = read(result.account_id, "fills");
  EXPECT_NEAR(fills.float64s("commission")[0], 3.65, 1e-12);
  EXPECT_NEAR(fills.float64s("commission")[3], 2.795, 1e-12);
  EXPECT_TRUE(fills.column("realized_pnl").is_null(0));  // opening fill
  EXPECT_NEAR(fills.float64s("realized_pnl")[1], -2'920 - 7.30, 1e-9);
  EXPECT_NEAR(result.final_cash, 5'949.11, 1e-9);
  EXPECT_NEAR(result.commission, 3.65 * 2 + 2.795 * 2, 1e-12);
  store::Table trades = read(result.account_id, "trades");
  EXPECT_NEAR(trades.float64s("pnl")[1], -1'118 - 5.59, 1e-9);  // (10 - 12) × 559 - 5.59
}

}  // namespace
}  // namespace tandem::testing
