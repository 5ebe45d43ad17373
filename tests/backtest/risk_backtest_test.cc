// Pre-trade risk in a backtest: each limit refusing an order exactly at its boundary (Inactive
// in `orders` with the limit's name, an order-status event, nothing sent to the exchange) and
// passing it when the limit is one cent (or one order) further; the halts table of the run's
// own library; the sizing helpers on hand-checked numbers.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "backtest/backtest_fixture.h"
#include "risk/risk.h"
#include "strategy/sizing.h"

namespace tandem::testing {
namespace {

// Calls `script` with its broker on every bar (bar numbers from 1) and keeps every status event.
class RiskScript : public strategy::Strategy {
 public:
  using Script = std::function<void(broker::Broker&, const strategy::BarEvent&, int bar)>;
  RiskScript(strategy::StrategyConfig config, Script script)
      : Strategy(std::move(config)), script_(std::move(script)) {}
  void on_bar(const strategy::BarEvent& event) override { script_(broker(), event, ++bars_); }
  void on_order_status(const Trade& trade) override {
    statuses.push_back(std::string(order_status_name(trade.state.status)));
  }
  std::vector<std::string> statuses;

 private:
  Script script_;
  int bars_ = 0;
};

struct Outcome {
  backtest::BacktestResult result;
  std::vector<std::string> statuses;  // the strategy's order-status events
  std::vector<std::string> inactive_messages;
};

class RiskBacktest : public BacktestTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    // Closes 100, 80, 90, 95, 100 (day 2 loses 20 a share).
    write_bars(*store_, "AAA", daily_bars({{100, 100}, {90, 80}, {85, 90}, {92, 95}, {98, 100}}));
  }
  bool on_account() const { return GetParam(); }
  // Stores `assignment` as the account's limit (the run tries DU1234567's limits) or AAA's.
  void set_limit(const std::string& assignment) {
    risk::Limits limits;
    risk::apply_assignment(limits, assignment);
    risk::write_limits(*store_, on_account() ? risk::Scope::kAccount : risk::Scope::kStrategy,
                       on_account() ? "DU1234567" : "AAA", limits, now_utc());
  }
  Outcome run(RiskScript::Script script, std::vector<risk::HaltRow> halts = {}) {
    backtest::BacktestConfig config;
    config.initial_cash = 100'000;
    config.weights = {{"AAA", 1.0}};
    config.risk_account = "DU1234567";
    config.halts = std::move(halts);
    backtest::Engine engine(*store_, config);
    strategy::StrategyConfig strategy_config;
    strategy_config.key = "AAA";
    strategy_config.contracts = {stock("AAA")};
    auto strategy = std::make_unique<RiskScript>(std::move(strategy_config), std::move(script));
    RiskScript* seen = strategy.get();
    engine.add_strategy(std::move(strategy));
    Outcome outcome;
    outcome.result = engine.run();
    outcome.statuses = seen->statuses;
    store::Table orders = read(outcome.result.account_id, "orders");
    for (std::size_t i = 0; i < orders.num_rows(); ++i) {
      if (orders.strings("status")[i] == "Inactive") {
        outcome.inactive_messages.emplace_back(orders.strings("message")[i]);
      }
    }
    return outcome;
  }
  // Asserts the run refused exactly one order, by `limit`, and filled `filled` others.
  void expect_refused_by(const Outcome& outcome, const std::string& limit, std::size_t filled) {
    ASSERT_EQ(outcome.inactive_messages.size(), 1u);
    const std::string& message = outcome.inactive_messages[0];
    EXPECT_NE(message.find("refused by risk limit " + limit + "="), std::string::npos) << message;
    EXPECT_NE(message.find(on_account() ? "of account DU1234567" : "of strategy AAA"),
              std::string::npos)
        << message;
    EXPECT_EQ(outcome.result.rejected_orders, 1u);
    EXPECT_EQ(outcome.result.filled_orders, filled);
    // The strategy heard of it: PendingSubmit then Inactive, with no Submitted in between.
    ASSERT_GE(outcome.statuses.size(), 1u);
    EXPECT_NE(std::find(outcome.statuses.begin(), outcome.statuses.end(), "Inactive"),
              outcome.statuses.end());
  }
  void expect_passed(const Outcome& outcome, std::size_t filled) {
    EXPECT_TRUE(outcome.inactive_messages.empty())
        << (outcome.inactive_messages.empty() ? "" : outcome.inactive_messages[0]);
    EXPECT_EQ(outcome.result.filled_orders, filled);
  }
  static RiskScript::Script buy_on_bar(int bar, double quantity) {
    return [=](broker::Broker& b, const strategy::BarEvent& e, int n) {
      if (n == bar) b.place_order(e.contract, market_order(Action::kBuy, quantity));
    };
  }
};

TEST_P(RiskBacktest, MaxOrderValue) {
  set_limit("max_order_value=50000");  // 500 at 100 = 50,000.00
  expect_refused_by(run(buy_on_bar(1, 500)), "max_order_value", 0);
  set_limit("max_order_value=50000.01");
  expect_passed(run(buy_on_bar(1, 500)), 1);
}

TEST_P(RiskBacktest, MaxPositionValue) {
  // 300 bought on bar 1; 200 more on bar 4 at 95 makes 500 × 95 = 47,500.00.
  auto script = [](broker::Broker& b, const strategy::BarEvent& e, int n) {
    if (n == 1) b.place_order(e.contract, market_order(Action::kBuy, 300));
    if (n == 4) b.place_order(e.contract, market_order(Action::kBuy, 200));
  };
  set_limit("max_position_value=47500");
  expect_refused_by(run(script), "max_position_value", 1);
  set_limit("max_position_value=47500.01");
  expect_passed(run(script), 2);
}

TEST_P(RiskBacktest, MaxGrossLeverage) {
  // 500 at 100 with 100,000 of net liquidation: 0.5.
  set_limit("max_gross_leverage=0.5");
  expect_refused_by(run(buy_on_bar(1, 500)), "max_gross_leverage", 0);
  set_limit("max_gross_leverage=0.5000001");  // 50,000.01 of gross
  expect_passed(run(buy_on_bar(1, 500)), 1);
}

TEST_P(RiskBacktest, MaxOrdersPerMinute) {
  auto three = [](broker::Broker& b, const strategy::BarEvent& e, int n) {
    if (n != 1) return;
    for (int i = 0; i < 3; ++i) b.place_order(e.contract, market_order(Action::kBuy, 1));
  };
  set_limit("max_orders_per_minute=2");
  expect_refused_by(run(three), "max_orders_per_minute", 2);
  set_limit("max_orders_per_minute=3");
  expect_passed(run(three), 3);
}

TEST_P(RiskBacktest, PriceBand) {
  auto limit_at = [](double price) {
    return [price](broker::Broker& b, const strategy::BarEvent& e, int n) {
      if (n == 1) b.place_order(e.contract, limit_order(Action::kBuy, price, 1));
    };
  };
  set_limit("price_band_pct=5");
  expect_refused_by(run(limit_at(105)), "price_band_pct", 0);
  Outcome passed = run(limit_at(104.99));
  EXPECT_TRUE(passed.inactive_messages.empty());
  EXPECT_EQ(passed.result.orders, 1u);
}

TEST_P(RiskBacktest, MaxDailyLoss) {
  // 100 bought at 100 on day 1; day 2 closes at 80: 2,000.00 lost that day, so the buy on bar 2
  // is refused. The sell that closes the position is not.
  auto script = [](broker::Broker& b, const strategy::BarEvent& e, int n) {
    if (n == 1) b.place_order(e.contract, market_order(Action::kBuy, 100));
    if (n == 2) {
      b.place_order(e.contract, market_order(Action::kBuy, 1));
      b.place_order(e.contract, market_order(Action::kSell, 50));
    }
  };
  set_limit("max_daily_loss=2000");
  expect_refused_by(run(script), "max_daily_loss", 2);
  set_limit("max_daily_loss=2000.01");
  expect_passed(run(script), 3);
}

INSTANTIATE_TEST_SUITE_P(AccountAndStrategy, RiskBacktest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Account" : "Strategy"; });

class HaltBacktest : public RiskBacktest {};

TEST_F(HaltBacktest, AHaltRowOfTheRunsLibraryRefusesOrdersFlattensAndResumes) {
  // Bar 1 buys 10 and rests a far limit buy (GTC: a DAY order would have expired before the
  // halt); the halt at day 3 cancels it and sells the 10 at market; bar 3's buy is refused; the
  // resume at day 4 lets bar 4's buy through.
  auto script = [](broker::Broker& b, const strategy::BarEvent& e, int n) {
    if (n == 1) {
      b.place_order(e.contract, market_order(Action::kBuy, 10));
      Order resting = limit_order(Action::kBuy, 50, 1);
      resting.tif = TimeInForce::kGtc;
      b.place_order(e.contract, std::move(resting));
    }
    if (n == 3 || n == 4) b.place_order(e.contract, market_order(Action::kBuy, 5));
  };
  Outcome outcome = run(script, {risk::HaltRow{day(3), true, true, true, "test halt"},
                                 risk::HaltRow{day(4), false, false, false, ""}});
  ASSERT_EQ(outcome.inactive_messages.size(), 1u);
  EXPECT_NE(outcome.inactive_messages[0].find("account " + outcome.result.account_id +
                                              " is halted (test halt)"),
            std::string::npos)
      << outcome.inactive_messages[0];
  // Filled: the first buy, the flatten sell, bar 4's buy. Cancelled: the resting limit.
  EXPECT_EQ(outcome.result.filled_orders, 3u);
  EXPECT_EQ(outcome.result.cancelled_orders, 1u);
  store::Table fills = read(outcome.result.account_id, "fills");
  ASSERT_EQ(fills.num_rows(), 3u);
  EXPECT_EQ(fills.strings("side")[1], "SELL");
  EXPECT_EQ(fills.float64s("shares")[1], 10);
  EXPECT_EQ(fills.index()[1], day(3));
  EXPECT_EQ(fills.index()[2], day(4));
  // The halt's cancel is the core's, as a strategy's cancel: PendingCancel, then Cancelled at
  // once (the simulated exchange confirms it); the flatten order says why it was placed.
  store::Table orders = read(outcome.result.account_id, "orders");
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    const std::int64_t id = orders.int64s("order_id")[i];
    if (id != 2 && id != 3) continue;
    rows.push_back(std::to_string(id) + " " + orders.strings("status")[i] + " " +
                   orders.strings("message")[i]);
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"2 PendingSubmit ", "2 Submitted ",
                                            "2 PendingCancel cancelled by the halt",
                                            "2 Cancelled cancelled by the halt",
                                            "3 PendingSubmit flatten: the halt closes the position",
                                            "3 Submitted ", "3 Filled "}));
  // The run honoured its own library's table, which now holds the two rows.
  EXPECT_EQ(risk::read_halts(store_->existing_library(outcome.result.account_id)).size(), 2u);
}

TEST_F(HaltBacktest, SizingHelpersOnHandCheckedNumbers) {
  std::vector<double> quantities;
  auto script = [&](broker::Broker& b, const strategy::BarEvent& e, int n) {
    broker::TradeHandle trade;
    // Bar 1, close 100, equity 100,000: half of it is 500 shares.
    if (n == 1) trade = strategy::order_target_percent(b, e.contract, 0.5);
    // Bar 2: 300 wanted, 500 held: sell 200.
    if (n == 2) trade = strategy::order_target_quantity(b, e.contract, 300);
    // Bar 3, close 90: risking 900 with a stop at 87 is 300 shares, in lots of 100.
    if (n == 3) {
      trade = strategy::order_risk_per_trade(b, e.contract, Action::kBuy, 900, 87,
                                             strategy::SizingOptions{100, false, false});
    }
    // Bar 4: the same target again orders nothing.
    if (n == 4 && strategy::order_target_quantity(b, e.contract, 600) == nullptr) {
      quantities.push_back(0);
    }
    if (trade) {
      quantities.push_back(trade->order.action == Action::kBuy ? trade->order.total_quantity
                                                               : -trade->order.total_quantity);
    }
  };
  run(script);
  EXPECT_EQ(quantities, (std::vector<double>{500, -200, 300, 0}));
}

}  // namespace
}  // namespace tandem::testing
