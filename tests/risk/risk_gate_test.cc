// RiskGate: every limit refuses exactly at its boundary and passes one cent (or one order)
// below, for the account's limits and the strategy's alike.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "risk/risk.h"

namespace tandem::risk {
namespace {

constexpr Timestamp kSecond = 1'000'000'000;

OrderFacts buy(double quantity, double price) {
  OrderFacts facts;
  facts.time = 1'700'000'000 * kSecond;
  facts.signed_quantity = quantity;
  facts.price = price;
  return facts;
}

AccountFigures no_figures() { return {}; }

struct Verdict {
  bool refused = false;
  std::string limit;
  std::string message;
};

// One order through a fresh gate holding `limits` for the account or the strategy.
Verdict check_once(const Limits& limits, bool on_account, const OrderFacts& facts,
                   AccountFigures figures = {}) {
  RiskGate gate;
  gate.set_account("DU1234567", on_account ? limits : Limits{});
  const std::size_t s = gate.add_strategy("TQQQ", on_account ? Limits{} : limits);
  std::optional<Refusal> refusal = gate.check(s, facts, [&] { return figures; });
  return refusal ? Verdict{true, refusal->limit, refusal->message} : Verdict{};
}

class EachScope : public ::testing::TestWithParam<bool> {};

TEST_P(EachScope, MaxOrderValueRefusesAtTheBoundary) {
  Limits limits;
  limits.max_order_value = 50'000;
  Verdict at = check_once(limits, GetParam(), buy(500, 100));  // 50,000.00
  EXPECT_TRUE(at.refused);
  EXPECT_EQ(at.limit, "max_order_value");
  EXPECT_NE(at.message.find("max_order_value=50000"), std::string::npos) << at.message;
  EXPECT_NE(at.message.find(GetParam() ? "account DU1234567" : "strategy TQQQ"), std::string::npos)
      << at.message;
  EXPECT_NE(at.message.find("order value 50000.00"), std::string::npos) << at.message;
  EXPECT_FALSE(check_once(limits, GetParam(), buy(1, 49'999.99)).refused);   // one cent below
  EXPECT_FALSE(check_once(limits, GetParam(), buy(500, 99.99998)).refused);  // 49,999.99
  // A sell is an order too: its value counts.
  EXPECT_TRUE(check_once(limits, GetParam(), buy(-500, 100)).refused);
}

TEST_P(EachScope, MaxPositionValueRefusesAtTheBoundaryAndNeverAReduction) {
  Limits limits;
  limits.max_position_value = 10'000;
  OrderFacts adds = buy(50, 100);  // 50 held + 50 → 100 × 100 = 10,000.00
  adds.strategy_position = 50;
  adds.account_position = 50;
  Verdict at = check_once(limits, GetParam(), adds);
  EXPECT_TRUE(at.refused);
  EXPECT_EQ(at.limit, "max_position_value");
  OrderFacts below = buy(1, 9'999.99);  // 9,999.99 after, from flat
  EXPECT_FALSE(check_once(limits, GetParam(), below).refused);
  // Selling part of a position larger than the limit lowers the risk: never refused by it.
  OrderFacts reduces = buy(-10, 100);
  reduces.strategy_position = 200;
  reduces.account_position = 200;
  EXPECT_FALSE(check_once(limits, GetParam(), reduces).refused);
}

TEST_P(EachScope, MaxGrossLeverageRefusesAtTheBoundary) {
  Limits limits;
  limits.max_gross_leverage = 1.5;
  AccountFigures figures;
  figures.net_liquidation = 100'000;
  figures.gross_position_value = 100'000;  // 1.0 now
  // 500 × 100 more: 150,000 / 100,000 = 1.5.
  Verdict at = check_once(limits, GetParam(), buy(500, 100), figures);
  EXPECT_TRUE(at.refused);
  EXPECT_EQ(at.limit, "max_gross_leverage");
  // One cent below: 149,999.99 / 100,000.
  EXPECT_FALSE(check_once(limits, GetParam(), buy(1, 49'999.99), figures).refused);
}

TEST_P(EachScope, MaxOrdersPerMinuteLetsNOrdersLeaveAndRefusesTheNext) {
  Limits limits;
  limits.max_orders_per_minute = 3;
  RiskGate gate;
  gate.set_account("DU1234567", GetParam() ? limits : Limits{});
  const std::size_t s = gate.add_strategy("TQQQ", GetParam() ? Limits{} : limits);
  OrderFacts facts = buy(1, 10);
  const Timestamp start = facts.time;
  for (int i = 0; i < 3; ++i) {
    facts.time = start + i * kSecond;
    EXPECT_FALSE(gate.check(s, facts, no_figures)) << i;
  }
  facts.time = start + 59 * kSecond;  // the first order left 59 s ago: still in the window
  std::optional<Refusal> fourth = gate.check(s, facts, no_figures);
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->limit, "max_orders_per_minute");
  EXPECT_NE(fourth->message.find("3 orders already left in the last 60 s"), std::string::npos)
      << fourth->message;
  facts.time = start + 60 * kSecond;  // 60 s after the first: it has left the window
  EXPECT_FALSE(gate.check(s, facts, no_figures));
}

TEST_P(EachScope, PriceBandRefusesAtTheBoundary) {
  Limits limits;
  limits.price_band_pct = 5;
  OrderFacts at = buy(1, 100);
  at.limit_price = 105;  // 5 % above
  EXPECT_EQ(check_once(limits, GetParam(), at).limit, "price_band_pct");
  at.limit_price = 95;  // 5 % below
  EXPECT_TRUE(check_once(limits, GetParam(), at).refused);
  at.limit_price = 104.99;
  EXPECT_FALSE(check_once(limits, GetParam(), at).refused);
  at.limit_price = 95.01;
  EXPECT_FALSE(check_once(limits, GetParam(), at).refused);
  OrderFacts stop = buy(1, 100);
  stop.stop_price = 105;
  EXPECT_TRUE(check_once(limits, GetParam(), stop).refused);
  // A market order has no price of its own to be out of the band.
  EXPECT_FALSE(check_once(limits, GetParam(), buy(1, 100)).refused);
}

TEST_P(EachScope, MaxDailyLossRefusesAtTheBoundaryButLetsPositionsClose) {
  Limits limits;
  limits.max_daily_loss = 2'000;
  AccountFigures lost;
  lost.account_day_pnl = lost.strategy_day_pnl = -2'000;
  Verdict at = check_once(limits, GetParam(), buy(1, 10), lost);
  EXPECT_TRUE(at.refused);
  EXPECT_EQ(at.limit, "max_daily_loss");
  EXPECT_NE(at.message.find("today's loss 2000.00"), std::string::npos) << at.message;
  AccountFigures below;
  below.account_day_pnl = below.strategy_day_pnl = -1'999.99;
  EXPECT_FALSE(check_once(limits, GetParam(), buy(1, 10), below).refused);
  OrderFacts closes = buy(-10, 10);
  closes.strategy_position = closes.account_position = 10;
  EXPECT_FALSE(check_once(limits, GetParam(), closes, lost).refused);
}

INSTANTIATE_TEST_SUITE_P(AccountAndStrategy, EachScope, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Account" : "Strategy"; });

TEST(RiskGate, RefusedOrdersDoNotCountAgainstTheRate) {
  Limits limits;
  limits.max_orders_per_minute = 1;
  limits.max_order_value = 100;
  RiskGate gate;
  gate.set_account("DU1", limits);
  const std::size_t s = gate.add_strategy("K", {});
  EXPECT_EQ(gate.check(s, buy(1, 100), no_figures)->limit, "max_order_value");
  EXPECT_FALSE(gate.check(s, buy(1, 99), no_figures));
  EXPECT_EQ(gate.check(s, buy(1, 99), no_figures)->limit, "max_orders_per_minute");
}

TEST(RiskGate, AHaltRefusesEveryOrderUntilResumed) {
  RiskGate gate;
  gate.set_account("DU1", {});
  const std::size_t s = gate.add_strategy("K", {});
  EXPECT_FALSE(gate.active());
  gate.set_halt(HaltRow{1, true, false, false, "desk call"});
  EXPECT_TRUE(gate.active());
  std::optional<Refusal> refusal = gate.check(s, buy(1, 1), no_figures);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->limit, "halt");
  EXPECT_NE(refusal->message.find("account DU1 is halted (desk call)"), std::string::npos)
      << refusal->message;
  gate.set_halt(HaltRow{2, false, false, false, ""});
  EXPECT_FALSE(gate.check(s, buy(1, 1), no_figures));
  EXPECT_FALSE(gate.active());
}

TEST(RiskGate, FiguresAreComputedOnlyForLimitsThatNeedThem) {
  Limits value_only;
  value_only.max_order_value = 1'000;
  RiskGate gate;
  gate.set_account("DU1", value_only);
  const std::size_t s = gate.add_strategy("K", {});
  int calls = 0;
  EXPECT_FALSE(gate.check(s, buy(1, 10), [&] {
    ++calls;
    return AccountFigures{};
  }));
  EXPECT_EQ(calls, 0);
  Limits loss;
  loss.max_daily_loss = 10;
  const std::size_t t = gate.add_strategy("L", loss);
  EXPECT_TRUE(gate.needs_figures(t));
  EXPECT_FALSE(gate.needs_figures(s));
}

}  // namespace
}  // namespace tandem::risk
