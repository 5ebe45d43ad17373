// Issue 18's proof of parity: the order types, times in force, bracket and OCA group of
// tests/backtest/order_types_scenario.h, live against the paper gateway (which carries every
// new field over IB's protocol) and as a backtest of the same hand-built bars, end alike: the
// same fills (time, side, shares, price) and every order the same type, status and quantity.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "backtest/order_types_scenario.h"
#include "live/live_harness.h"
#include "strategy/daily_config.h"

namespace tandem::live::testing {
namespace {

using tandem::testing::final_orders;
using tandem::testing::kScenarioEnds;
using tandem::testing::order_types_bars;
using tandem::testing::OrderTypesScenario;

std::vector<std::unique_ptr<strategy::Strategy>> scenario() {
  std::vector<std::unique_ptr<strategy::Strategy>> strategies;
  strategies.push_back(std::make_unique<OrderTypesScenario>("TQQQ"));
  return strategies;
}

TEST(LiveOrderTypes, EveryTypeTifBracketAndOcaEndLikeTheBacktest) {
  LiveHarness h(order_types_bars(), 20);
  LiveOptions options = h.options();
  options.warmup_bars = 1;
  h.start_session(scenario(), "order_types", options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  const std::size_t steps = h.bars().size() - 21;
  ASSERT_EQ(h.gateway().control(fmt::format("step {}", steps)).substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("BAR ", steps, std::chrono::seconds(60))) << h.log_text();
  h.settle();
  ASSERT_EQ(h.stop_session(), "") << h.log_text();

  const std::string bt = backtest_like_the_gateway(h, 21, scenario(), {{"TQQQ", 100'000}});
  EXPECT_EQ(final_orders(h.store().library(bt).read("orders").table), kScenarioEnds);
  EXPECT_EQ(final_orders(h.read("orders")), kScenarioEnds) << h.log_text();
  expect_fills_like_backtest(h, bt);
}

// A cancel racing a fill: the strategy cancels a marketable limit order in the callback that
// placed it. Live, the order went out at once and fills at the gateway's close before the
// cancel arrives: the cancel is answered with IB's error 10148 and the order stays Filled —
// one fill, the position held, nothing counted twice. (In a backtest nothing is in flight: the
// same cancel reaches the order before the end of the slice submits it, and it is Cancelled;
// OrderTypesBacktest.CancelBeforeSubmissionWinsAndAfterAFillIsRefused.)
class CancelRace : public strategy::Strategy {
 public:
  CancelRace() : Strategy(config()) {}
  void on_bar(const strategy::BarEvent& event) override {
    if (++bars_ != 1) return;
    Order buy = limit_order(Action::kBuy, event.bar.close + 1, 10);
    broker::TradeHandle trade = broker().place_order(contracts()[0], buy);
    broker().cancel_order(trade);
  }

 private:
  static strategy::StrategyConfig config() { return tandem::testing::daily_config("TQQQ"); }
  int bars_ = 0;
};

TEST(LiveOrderTypes, ACancelRacingAFillLeavesTheOrderFilledOnce) {
  LiveHarness h(30, 20);
  LiveOptions options = h.options();
  options.warmup_bars = 1;
  h.start_session(std::make_unique<CancelRace>(), "cancel_race", options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  ASSERT_EQ(h.gateway().control("step 2").substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("IB error 10148")) << h.log_text();
  ASSERT_TRUE(h.wait_for_lines(" Filled")) << h.log_text();
  ASSERT_EQ(h.stop_session(), "") << h.log_text();
  const store::Table orders = h.read("orders");
  std::vector<std::string> statuses;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    statuses.emplace_back(orders.strings("status")[i]);
  }
  EXPECT_EQ(statuses.back(), "Filled") << h.log_text();
  EXPECT_NE(std::find(statuses.begin(), statuses.end(), "PendingCancel"), statuses.end());
  EXPECT_EQ(h.read("fills").num_rows(), 1u);
  const std::string status = h.gateway_status();
  ASSERT_EQ(status.substr(0, 3), "ok ");
  EXPECT_EQ(nlohmann::json::parse(status.substr(3))["positions"]["TQQQ"].get<double>(), 10.0)
      << status;
}

}  // namespace
}  // namespace tandem::live::testing
