// The two-tier equity rule of the broker contract.
#include "broker/allocation.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::broker {
namespace {

class Allocation : public ::testing::Test {
 protected:
  std::unique_ptr<store::Store> store_ = store::Store::open("mem://");
  const std::map<std::string, double> no_overrides_;
};

TEST_F(Allocation, ExplicitEquityWinsOverTheWeight) {
  set_strategy_weight(*store_, "TQQQ", 0.5, true, 1);
  set_explicit_equity(*store_, "DU123", "TQQQ", 20'000, 2);
  set_explicit_equity(*store_, "DU123", "TQQQ", 25'000, 3);  // the latest row wins
  EquityAllocation allocation = resolve_equity_allocation(*store_, "DU123", "TQQQ", no_overrides_);
  EXPECT_EQ(allocation.source, EquityAllocation::Source::kExplicitEquity);
  EXPECT_DOUBLE_EQ(allocation.equity(1'000'000), 25'000);
  EXPECT_EQ(allocation.origin, "DU123/strategy_TQQQ_equity");
}

TEST_F(Allocation, FallsBackToWeightTimesTotalEquity) {
  set_strategy_weight(*store_, "TQQQ", 0.3, true, 1);
  set_explicit_equity(*store_, "DU999", "TQQQ", 5'000, 2);  // another account: not looked at
  EquityAllocation allocation = resolve_equity_allocation(*store_, "DU123", "TQQQ", no_overrides_);
  EXPECT_EQ(allocation.source, EquityAllocation::Source::kTargetWeight);
  EXPECT_DOUBLE_EQ(allocation.equity(200'000), 60'000);
  EXPECT_EQ(allocation.origin, "general/strategies");
}

TEST_F(Allocation, LatestWeightRowWins) {
  set_strategy_weight(*store_, "SPY", 0.3, true, 1);
  set_strategy_weight(*store_, "SPY", 0.6, true, 2);
  EXPECT_DOUBLE_EQ(resolve_equity_allocation(*store_, "DU1", "SPY", no_overrides_).equity(1000),
                   600);
  std::vector<StrategyWeight> weights = read_strategy_weights(*store_);
  ASSERT_EQ(weights.size(), 1u);
  EXPECT_DOUBLE_EQ(weights[0].target_weight, 0.6);
}

TEST_F(Allocation, RunOverrideReplacesTheStoredWeightButNotExplicitEquity) {
  set_strategy_weight(*store_, "SPY", 0.3, true, 1);
  std::map<std::string, double> overrides{{"SPY", 0.8}};
  EXPECT_DOUBLE_EQ(resolve_equity_allocation(*store_, "DU1", "SPY", overrides).equity(1000), 800);
  set_explicit_equity(*store_, "DU1", "SPY", 123, 2);
  EXPECT_DOUBLE_EQ(resolve_equity_allocation(*store_, "DU1", "SPY", overrides).equity(1000), 123);
}

TEST_F(Allocation, NeitherIsAnErrorNamingBothPlaces) {
  try {
    resolve_equity_allocation(*store_, "DU123", "TQQQ", no_overrides_);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("DU123/strategy_TQQQ_equity"), std::string::npos) << message;
    EXPECT_NE(message.find("general/strategies"), std::string::npos) << message;
  }
  // Looking did not create the general library.
  EXPECT_FALSE(store_->has_library("general"));
}

TEST_F(Allocation, DisabledWeightCountsAsAbsent) {
  set_strategy_weight(*store_, "TQQQ", 0.5, false, 1);
  try {
    resolve_equity_allocation(*store_, "DU123", "TQQQ", no_overrides_);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("present but disabled"), std::string::npos) << e.what();
  }
}

TEST_F(Allocation, BadValuesAreRefused) {
  EXPECT_THROW(set_strategy_weight(*store_, "X", 1.5, true, 1), Error);
  EXPECT_THROW(set_strategy_weight(*store_, "X", -0.1, true, 1), Error);
  EXPECT_THROW(set_strategy_weight(*store_, "../x", 0.1, true, 1), Error);
  EXPECT_THROW(set_explicit_equity(*store_, "DU1", "X", 0, 1), Error);
  EXPECT_THROW(set_explicit_equity(*store_, "DU1", "X", -5, 1), Error);
}

}  // namespace
}  // namespace tandem::broker
