// sma_cross's rules, bar by bar, against a scripted broker (the engine-level hand-checked run
// with exact fills is tests/backtest/sma_cross_backtest_test.cc).
#include <gtest/gtest.h>

#include "strategy/fake_broker.h"
#include "strategy/registry.h"

namespace tandem::strategy {
namespace {

using testing::FakeBroker;

Bar bar_at(int day, double close) { return Bar{day * kNanosPerDay, close, close, close, close, 1}; }

class SmaCrossRules : public ::testing::Test {
 protected:
  void SetUp() override {
    strategy_ = builtin_strategies().create("sma_cross", "KEY", {contract_}, "1d",
                                            {{"fast", "2"}, {"slow", "3"}});
    strategy_->attach(broker_);
  }
  // Delivers closes one per day; fills each order immediately when `fill` is set.
  void run(const std::vector<double>& closes, bool fill = true) {
    for (double close : closes) {
      std::size_t before = broker_.placed.size();
      broker_.deliver(*strategy_, contract_, bar_at(day_++, close));
      if (fill && broker_.placed.size() > before) broker_.fill_last(*strategy_);
      orders_after_bar_.push_back(broker_.placed.size());
    }
  }

  Contract contract_ = stock("KEY");
  FakeBroker broker_;
  std::unique_ptr<Strategy> strategy_;
  int day_ = 1;
  std::vector<std::size_t> orders_after_bar_;
};

TEST_F(SmaCrossRules, BuysOnCrossAboveSellsAllOnCrossBelow) {
  // Bar:   1   2   3   4   5   6  7   8   9  10  11
  // fast:  -  10  10 11.5 13.5 11.5 8.5 10 12.5 12 10.5   (2 closes)
  // slow:  -   -  10  11 12.3  12 10.3 9.7  11  12 11.3   (3 closes)
  // Bar 4: 10<=10 then 11.5>11 → buy. Bar 6: 13.5>=12.3 then 11.5<12 → sell.
  // Bar 8: 8.5<=10.3 then 10>9.7 → buy. Bar 10: fast == slow (12): not a cross.
  // Bar 11: 12>=12 then 10.5<11.3 → sell.
  run({10, 10, 10, 13, 14, 9, 8, 12, 13, 11, 10});
  ASSERT_EQ(broker_.placed.size(), 4u);
  EXPECT_EQ(orders_after_bar_, (std::vector<std::size_t>{0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4}));
  EXPECT_EQ(broker_.placed[0].order.action, Action::kBuy);
  EXPECT_EQ(broker_.placed[0].size, 0.95);
  EXPECT_DOUBLE_EQ(broker_.placed[0].order.total_quantity, 730);  // floor(0.95 × 10000 / 13)
  EXPECT_EQ(broker_.placed[1].order.action, Action::kSell);
  EXPECT_FALSE(broker_.placed[1].size.has_value());
  EXPECT_DOUBLE_EQ(broker_.placed[1].order.total_quantity, 730);  // the whole position
  EXPECT_EQ(broker_.placed[2].order.action, Action::kBuy);
  EXPECT_EQ(broker_.placed[3].order.action, Action::kSell);
  for (const auto& placed : broker_.placed) {
    EXPECT_EQ(placed.order.order_type, OrderType::kMarket);
  }
}

TEST_F(SmaCrossRules, NoTradeBeforeBothAveragesExistAndHaveAPreviousValue) {
  // Bar 3 is the first with both averages and fast (2.5) > slow (2), but there is no previous
  // pair to cross from; bar 4 is still above: no cross ever happens.
  run({1, 2, 3, 4, 5});
  EXPECT_TRUE(broker_.placed.empty());
}

TEST_F(SmaCrossRules, CrossBelowWhileFlatDoesNothing) {
  run({10, 10, 10, 7, 6});
  EXPECT_TRUE(broker_.placed.empty());
}

TEST_F(SmaCrossRules, DoesNotBuyAgainWhileAnOrderIsWorking) {
  // The buy at bar 4 is never filled: the later cross below sells nothing (flat) and the next
  // cross above does not stack a second buy on the working one.
  run({10, 10, 10, 13, 14, 9, 8, 12}, /*fill=*/false);
  ASSERT_EQ(broker_.placed.size(), 1u);
}

TEST_F(SmaCrossRules, DoesNotBuyWhenAlreadyLong) {
  broker_.held["KEY"] = 5;
  run({10, 10, 10, 13});
  EXPECT_TRUE(broker_.placed.empty());
}

}  // namespace
}  // namespace tandem::strategy
