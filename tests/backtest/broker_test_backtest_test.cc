// The seed's integration test, in C++: broker_test places two market orders; both end up in the
// run's own BT_ library with their status sequences, two fills, and the strategy's positions.
#include <gtest/gtest.h>

#include "backtest/backtest_fixture.h"

namespace tandem::testing {
namespace {

class BrokerTestRun : public BacktestTest {
 protected:
  backtest::BacktestResult run(exchange::FillModel model) {
    write_bars(*store_, "TQQQ", daily_bars({{50, 50}, {51, 52}, {52, 53}}));
    backtest::BacktestConfig config;
    config.initial_cash = 10'000;
    config.weights = {{"TQQQ", 1.0}};
    config.fill_model = model;
    config.started_at = *parse_timestamp("2024-06-01T12:00:00Z");
    backtest::Engine engine(*store_, config);
    engine.add_strategy(make("broker_test", "TQQQ", {"TQQQ"}), "broker_test");
    return engine.run();
  }
};

TEST_F(BrokerTestRun, TwoOrdersTwoFillsPositionsAllInTheBacktestLibrary) {
  backtest::BacktestResult result = run(exchange::FillModel::kClose);
  const std::string account = "BT_20240601_120000";
  EXPECT_EQ(result.account_id, account);
  EXPECT_EQ(result.orders, 2u);
  EXPECT_EQ(result.fills, 2u);

  std::vector<std::string> expected{"PendingSubmit", "Submitted", "Filled"};
  EXPECT_EQ(statuses(account, 1), expected);
  EXPECT_EQ(statuses(account, 2), expected);

  store::Table orders = read(account, "orders");
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    EXPECT_EQ(orders.strings("strategy")[i], "TQQQ");  // order_ref = the key
    EXPECT_EQ(orders.strings("symbol")[i], "TQQQ");
    EXPECT_EQ(orders.index()[i], day(1));
  }

  store::Table fills = read(account, "fills");
  ASSERT_EQ(fills.num_rows(), 2u);
  // Order 1: size 0.1 of equity 10,000 at the bar's close 50 → floor(1000 / 50) = 20 shares.
  // Order 2: explicit quantity 1. Close fill model: both at bar 1's close, 50.
  EXPECT_EQ(fills.int64s("order_id")[0], 1);
  EXPECT_DOUBLE_EQ(fills.float64s("shares")[0], 20);
  EXPECT_EQ(fills.int64s("order_id")[1], 2);
  EXPECT_DOUBLE_EQ(fills.float64s("shares")[1], 1);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_DOUBLE_EQ(fills.float64s("price")[i], 50);
    EXPECT_EQ(fills.strings("side")[i], "BUY");
    EXPECT_EQ(fills.strings("strategy")[i], "TQQQ");
  }
  EXPECT_NE(fills.strings("exec_id")[0], fills.strings("exec_id")[1]);

  store::Table positions = read(account, "strategy_TQQQ_positions");
  ASSERT_EQ(positions.num_rows(), 2u);
  EXPECT_DOUBLE_EQ(positions.float64s("position")[0], 20);
  EXPECT_DOUBLE_EQ(positions.float64s("position")[1], 21);

  // A backtest writes only its own library (market_data was there before).
  EXPECT_EQ(store_->list_libraries(), (std::vector<std::string>{account, "market_data"}));
  EXPECT_EQ(read(account, "account_summary").num_rows(), 3u);  // one row per trading day
}

TEST_F(BrokerTestRun, NextOpenFillsAtTheFollowingBarsOpen) {
  backtest::BacktestResult result = run(exchange::FillModel::kNextOpen);
  store::Table fills = read(result.account_id, "fills");
  ASSERT_EQ(fills.num_rows(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(fills.index()[i], day(2));
    EXPECT_DOUBLE_EQ(fills.float64s("price")[i], 51);
  }
  store::Table orders = read(result.account_id, "orders");
  // PendingSubmit and Submitted on day 1, Filled on day 2.
  EXPECT_EQ(statuses(result.account_id, 1),
            (std::vector<std::string>{"PendingSubmit", "Submitted", "Filled"}));
  EXPECT_EQ(orders.index().back(), day(2));
}

TEST_F(BrokerTestRun, FailsTheRunWhenAnOrderDoesNotFill) {
  // 2 % of 1,000 at 50 buys 0.4 → the sized order is refused at placement: the strategy's
  // error stops the run, naming strategy, callback and time.
  write_bars(*store_, "TQQQ", daily_bars({{50, 50}, {51, 52}}));
  backtest::BacktestConfig config;
  config.initial_cash = 1'000;
  config.weights = {{"TQQQ", 1.0}};
  backtest::Engine engine(*store_, config);
  engine.add_strategy(make("broker_test", "TQQQ", {"TQQQ"}, {{"size", "0.02"}}), "broker_test");
  try {
    engine.run();
    FAIL() << "expected the run to fail";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("strategy TQQQ (on_bar) at 2024-01-02T00:00:00Z"), std::string::npos)
        << message;
    EXPECT_NE(message.find("buys 0 shares"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace tandem::testing
