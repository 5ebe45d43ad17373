// Issue 18's proof of parity: the order types, times in force, bracket and OCA group of
// tests/backtest/order_types_scenario.h, live against the paper gateway (which carries every
// new field over IB's protocol) and as a backtest of the same hand-built bars, end alike: the
// same fills (time, side, shares, price) and every order the same type, status and quantity.
#include <gtest/gtest.h>

#include "backtest/order_types_scenario.h"
#include "live/live_harness.h"

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

}  // namespace
}  // namespace tandem::live::testing
