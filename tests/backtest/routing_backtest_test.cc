// Routing preferences in a backtest (docs/routing.md): the strategy reads its preference from
// general/routing, every order it places carries it unless the order says otherwise, the
// default order type and TIF change the fills as they would live, and `orders` records it all.
#include <gtest/gtest.h>

#include <algorithm>

#include "backtest/backtest_fixture.h"
#include "broker/routing.h"

namespace tandem::testing {
namespace {

// Buys half its equity on the first bar with a plain market order; on the second bar sends a
// market order for 1 share that opts out of the routing. Keeps what routing() said in `seen`
// (the test's: the engine destroys its strategies when the run ends).
class RoutedBuyer : public strategy::Strategy {
 public:
  RoutedBuyer(strategy::StrategyConfig config, broker::Routing* seen)
      : Strategy(std::move(config)), seen_(seen) {}
  void on_bar(const strategy::BarEvent& event) override {
    ++bars_;
    if (bars_ == 1) {
      *seen_ = broker().routing();
      broker().place_order(event.contract, market_order(Action::kBuy), 0.5);
    }
    if (bars_ == 2) {
      Order plain = market_order(Action::kBuy, 1);
      plain.use_routing = false;
      broker().place_order(event.contract, plain);
    }
  }

 private:
  broker::Routing* seen_;
  int bars_ = 0;
};

broker::Routing limit_route() {
  broker::Routing routing;
  routing.exchange = "SMART";
  routing.primary_exchange = "NASDAQ";
  routing.account = "U1234567";
  routing.order_type = OrderType::kLimit;
  routing.tif = TimeInForce::kGtc;
  routing.outside_rth = true;
  routing.algo_strategy = "Adaptive";
  routing.algo_params = {{"adaptivePriority", "Normal"}};
  return routing;
}

class RoutingBacktest : public BacktestTest {
 protected:
  void SetUp() override {
    write_bars(*store_, "AAA", daily_bars({{100, 100}, {101, 102}, {103, 104}}));
  }
  backtest::BacktestResult run(backtest::BacktestConfig config = {}) {
    config.initial_cash = 10'000;
    config.weights = {{"AAA", 1.0}};
    backtest::Engine engine(*store_, config);
    strategy::StrategyConfig strategy_config;
    strategy_config.key = "AAA";
    strategy_config.contracts = {stock("AAA")};
    engine.add_strategy(std::make_unique<RoutedBuyer>(std::move(strategy_config), &seen_));
    return engine.run();
  }
  broker::Routing seen_;
};

TEST_F(RoutingBacktest, TheStrategyReadsItsRouteAndEveryOrderCarriesIt) {
  broker::set_routing(*store_, "AAA", limit_route(), 1);
  broker::Routing other;
  other.exchange = "ARCA";
  broker::set_routing(*store_, "BBB", other, 2);  // another strategy's: not applied
  auto result = run();
  EXPECT_EQ(seen_, limit_route());

  store::Table orders = read(result.account_id, "orders");
  ASSERT_GT(orders.num_rows(), 0u);
  // Order 1: the strategy's market order went out as a GTC limit at the bar's close (100),
  // and filled there as a market order would in the close fill model.
  std::vector<std::string> first_statuses;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    if (orders.int64s("order_id")[i] != 1) continue;
    first_statuses.emplace_back(orders.strings("status")[i]);
    EXPECT_EQ(orders.strings("order_type")[i], "LMT");
    EXPECT_EQ(orders.float64s("limit_price")[i], 100);
    EXPECT_EQ(orders.strings("tif")[i], "GTC");
    EXPECT_EQ(orders.strings("exchange")[i], "SMART");
    EXPECT_EQ(orders.strings("primary_exchange")[i], "NASDAQ");
    EXPECT_EQ(orders.strings("currency")[i], "USD");
    EXPECT_EQ(orders.strings("account")[i], "U1234567");
    EXPECT_EQ(orders.bools("outside_rth")[i], 1);
    EXPECT_EQ(orders.strings("algo")[i], "Adaptive:adaptivePriority=Normal");
  }
  EXPECT_EQ(first_statuses.back(), "Filled");
  // Order 2 opted out: a plain DAY market order for the run's own account.
  bool saw_second = false;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    if (orders.int64s("order_id")[i] != 2) continue;
    saw_second = true;
    EXPECT_EQ(orders.strings("order_type")[i], "MKT");
    EXPECT_EQ(orders.strings("tif")[i], "DAY");
    EXPECT_EQ(orders.strings("account")[i], "");  // the run's own account
    EXPECT_EQ(orders.bools("outside_rth")[i], 0);
    EXPECT_EQ(orders.strings("algo")[i], "");
  }
  EXPECT_TRUE(saw_second);
  store::Table fills = read(result.account_id, "fills");
  ASSERT_GE(fills.num_rows(), 1u);
  EXPECT_EQ(fills.float64s("price")[0], 100);
  EXPECT_EQ(fills.float64s("shares")[0], 50);  // 0.5 × 10,000 / 100
}

TEST_F(RoutingBacktest, TheDefaultLimitChangesFillsAsItWouldLive) {
  // Next-open fills: the market order would buy at the next open (101); as a limit at the
  // close (100) it does not fill on a bar that never trades at 100 or below (low 100.5), and,
  // GTC, it is still working at the end.
  broker::Routing routing;
  routing.order_type = OrderType::kLimit;
  routing.tif = TimeInForce::kGtc;
  backtest::BacktestConfig config;
  config.fill_model = exchange::FillModel::kNextOpen;
  config.routing = {{"AAA", routing}};  // this run's own preference (none is stored)
  auto result = run(config);
  store::Table fills = read(result.account_id, "fills");
  for (std::size_t i = 0; i < fills.num_rows(); ++i) {
    EXPECT_NE(fills.int64s("order_id")[i], 1)
        << "the routed limit filled at " << fills.float64s("price")[i];
  }
  const std::vector<std::string> first = statuses(result.account_id, 1);
  EXPECT_EQ(std::count(first.begin(), first.end(), "Filled"), 0);
  EXPECT_EQ(std::count(first.begin(), first.end(), "Submitted"), 1);
}

TEST_F(RoutingBacktest, WithoutARouteOrdersAreAsBuilt) {
  auto result = run();
  EXPECT_TRUE(seen_.empty());
  store::Table orders = read(result.account_id, "orders");
  EXPECT_EQ(orders.strings("order_type")[0], "MKT");
  EXPECT_EQ(orders.strings("exchange")[0], "SMART");
  EXPECT_EQ(orders.strings("account")[0], "");
}

}  // namespace
}  // namespace tandem::testing
