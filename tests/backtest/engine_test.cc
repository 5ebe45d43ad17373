#include "backtest/engine.h"

#include <gtest/gtest.h>

#include "backtest/backtest_fixture.h"
#include "broker/allocation.h"
#include "market_data/synthetic_bars.h"

namespace tandem::testing {
namespace {

class EngineTest : public BacktestTest {
 protected:
  void SetUp() override {
    write_bars(*store_, "AAA", daily_bars({{50, 50}, {51, 52}, {52, 53}, {53, 54}}));
  }
  backtest::BacktestResult run_broker_test(Timestamp started_at) {
    backtest::BacktestConfig config;
    config.weights = {{"AAA", 1.0}};
    config.started_at = started_at;
    backtest::Engine engine(*store_, config);
    engine.add_strategy(make("broker_test", "AAA", {"AAA"}), "broker_test");
    return engine.run();
  }
};

TEST_F(EngineTest, BarsOfManySymbolsLoadInOrderOnSeveralThreads) {
  std::vector<std::string> symbols;
  for (int i = 0; i < 9; ++i) {
    symbols.push_back("S" + std::to_string(i));
    write_bars(*store_, symbols.back(), daily_bars({{10.0 + i, 11.0 + i}, {12.0 + i, 13.0 + i}}));
  }
  for (std::size_t threads : {1, 2, 4}) {
    std::vector<BarSeries> bars =
        market_data::load_bars_of(*store_, symbols, "1d", std::nullopt, std::nullopt, threads);
    ASSERT_EQ(bars.size(), symbols.size());
    for (std::size_t i = 0; i < bars.size(); ++i) {
      ASSERT_EQ(bars[i].size(), 2u);
      EXPECT_EQ(bars[i].close[1], 13.0 + static_cast<double>(i)) << threads << " threads";
    }
  }
  // The error is the first failing symbol's, in order, however the reads were shared out.
  std::vector<std::string> with_missing = symbols;
  with_missing.insert(with_missing.begin() + 3, "MISSING_A");
  with_missing.push_back("MISSING_B");
  try {
    market_data::load_bars_of(*store_, with_missing, "1d", std::nullopt, std::nullopt, 2);
    FAIL() << "missing symbols were loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("market_data/MISSING_A.1d"), std::string::npos)
        << e.what();
  }
}

TEST_F(EngineTest, TwoBacktestsMakeTwoSeparateLibraries) {
  Timestamp second = *parse_timestamp("2024-03-05T09:08:07Z");
  auto first = run_broker_test(second);
  auto again = run_broker_test(second + 500'000'000);  // same second
  auto later = run_broker_test(second + 2 * kNanosPerSecond);
  EXPECT_EQ(first.account_id, "BT_20240305_090807");
  EXPECT_EQ(again.account_id, "BT_20240305_090807_2");
  EXPECT_EQ(later.account_id, "BT_20240305_090809");
  for (const auto& id : {first.account_id, again.account_id, later.account_id}) {
    EXPECT_EQ(read(id, "fills").num_rows(), 2u) << id;  // each holds only its own run
  }
}

TEST_F(EngineTest, SeveralStrategiesAndSymbolsShareOneAccount) {
  // BBB trades only on days 2 and 4; the replay merges both calendars by time.
  BarSeries bbb;
  bbb.push_back(Bar{day(2), 20, 21, 19, 20, 100});
  bbb.push_back(Bar{day(4), 22, 23, 21, 22, 100});
  write_bars(*store_, "BBB", bbb);
  backtest::BacktestConfig config;
  config.initial_cash = 10'000;
  config.weights = {{"AAA", 0.5}, {"BBB", 0.25}};
  backtest::Engine engine(*store_, config);
  engine.add_strategy(make("buy_and_hold", "AAA", {"AAA"}, {{"size", "1"}}), "buy_and_hold");
  engine.add_strategy(make("buy_and_hold", "BBB", {"BBB"}, {{"size", "1"}}), "buy_and_hold");
  auto result = engine.run();
  // AAA: 0.5 × 10,000 at 50 → 100 shares on day 1. BBB: on day 2 the account is worth
  // 5,000 cash + 100 × 52 = 10,200; 0.25 of it at 20 → floor(127.5) = 127 shares.
  store::Table fills = read(result.account_id, "fills");
  ASSERT_EQ(fills.num_rows(), 2u);
  EXPECT_EQ(fills.strings("symbol")[0], "AAA");
  EXPECT_DOUBLE_EQ(fills.float64s("shares")[0], 100);
  EXPECT_EQ(fills.strings("symbol")[1], "BBB");
  EXPECT_EQ(fills.index()[1], day(2));
  EXPECT_DOUBLE_EQ(fills.float64s("shares")[1], 127);
  // Each strategy has its own positions and performance; the account sums them.
  EXPECT_DOUBLE_EQ(read(result.account_id, "strategy_AAA_positions").float64s("position")[0], 100);
  EXPECT_DOUBLE_EQ(read(result.account_id, "strategy_BBB_positions").float64s("position")[0], 127);
  store::Table summary = read(result.account_id, "account_summary");
  ASSERT_EQ(summary.num_rows(), 4u);
  // Day 4: cash 10,000 - 5,000 - 2,540 = 2,460; 100 × 54 + 127 × 22 = 8,194.
  EXPECT_DOUBLE_EQ(summary.float64s("net_liquidation")[3], 2'460 + 5'400 + 2'794);
  store::Table aaa = read(result.account_id, "strategy_AAA_performance");
  store::Table bbb_perf = read(result.account_id, "strategy_BBB_performance");
  EXPECT_DOUBLE_EQ(aaa.float64s("equity")[3], 5'000 + 400);           // capital + (54-50) × 100
  EXPECT_DOUBLE_EQ(bbb_perf.float64s("equity")[3], 2'500 + 2 * 127);  // capital + (22-20) × 127
  EXPECT_DOUBLE_EQ(result.strategies[1].capital, 2'500);              // 0.25 of the starting 10,000
  store::Table portfolio = read(result.account_id, "portfolio");
  // Day 1: AAA; day 2..4: AAA and BBB.
  EXPECT_EQ(portfolio.num_rows(), 7u);
  // The run's settings, --weight included, are in run_info.
  store::ReadResult info = store_->existing_library(result.account_id).read("run_info");
  EXPECT_NE(info.metadata.find("\"weights\":{\"AAA\":0.5,\"BBB\":0.25}"), std::string::npos)
      << info.metadata;
  EXPECT_NE(std::string(info.table.strings("strategies")[0]).find("buy_and_hold:AAA@AAA"),
            std::string::npos);
  // --weight is for this run only: general was never written.
  EXPECT_FALSE(store_->has_library("general"));
}

TEST_F(EngineTest, ExplicitEquityInTheRunsLibraryWinsOverWeights) {
  broker::set_strategy_weight(*store_, "AAA", 1.0, true, 1);
  backtest::BacktestConfig config;
  config.initial_cash = 10'000;
  config.explicit_equity = {{"AAA", 2'000}};
  backtest::Engine engine(*store_, config);
  engine.add_strategy(make("broker_test", "AAA", {"AAA"}, {{"size", "0.5"}}), "broker_test");
  auto result = engine.run();
  // 0.5 of the explicit 2,000 at 50 = 20 shares (the weight would have given 100).
  EXPECT_DOUBLE_EQ(read(result.account_id, "fills").float64s("shares")[0], 20);
  EXPECT_DOUBLE_EQ(read(result.account_id, "strategy_AAA_equity").float64s("equity")[0], 2'000);
  EXPECT_EQ(result.strategies[0].allocation_origin, result.account_id + "/strategy_AAA_equity");
}

TEST_F(EngineTest, WeightFromGeneralStrategiesIsUsedWhenNoOverride) {
  broker::set_strategy_weight(*store_, "AAA", 0.2, true, 1);
  backtest::BacktestConfig config;
  config.initial_cash = 10'000;
  backtest::Engine engine(*store_, config);
  engine.add_strategy(make("broker_test", "AAA", {"AAA"}, {{"size", "1"}}), "broker_test");
  auto result = engine.run();
  EXPECT_DOUBLE_EQ(read(result.account_id, "fills").float64s("shares")[0], 40);  // 2,000 / 50
  EXPECT_EQ(result.strategies[0].allocation_origin, "general/strategies");
}

TEST_F(EngineTest, DateRangeLimitsTheReplay) {
  backtest::BacktestConfig config;
  config.weights = {{"AAA", 1.0}};
  config.start = day(2);
  config.end = day(3);
  backtest::Engine engine(*store_, config);
  engine.add_strategy(make("buy_and_hold", "AAA", {"AAA"}), "buy_and_hold");
  auto result = engine.run();
  EXPECT_EQ(result.bars, 2u);
  EXPECT_EQ(result.first_bar, day(2));
  EXPECT_EQ(result.last_bar, day(3));
  EXPECT_DOUBLE_EQ(read(result.account_id, "fills").float64s("price")[0], 52);
}

TEST_F(EngineTest, SummaryFiguresFollowTheDailyEquity) {
  backtest::BacktestConfig config;
  config.initial_cash = 10'000;
  config.weights = {{"AAA", 1.0}};
  backtest::Engine engine(*store_, config);
  engine.add_strategy(make("buy_and_hold", "AAA", {"AAA"}, {{"size", "1"}}), "buy_and_hold");
  auto result = engine.run();
  // size 1 of 10,000 would be 200 shares, but buy_and_hold keeps 1 % of the funds for costs:
  // floor(9,900 / 50) = 198 shares, cash 100. Closes 50, 52, 53, 54 → equity 10,000, 10,396,
  // 10,594, 10,792.
  ASSERT_EQ(result.daily.size(), 4u);
  EXPECT_DOUBLE_EQ(result.daily[1].equity, 10'396);
  EXPECT_DOUBLE_EQ(result.daily[3].equity, 10'792);
  EXPECT_NEAR(result.summary.total_return, 0.0792, 1e-12);
  EXPECT_DOUBLE_EQ(result.summary.max_drawdown, 0);
  EXPECT_EQ(result.round_trips, 0u);
}

}  // namespace
}  // namespace tandem::testing
