#include "strategy/registry.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::strategy {
namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(StrategyRegistry, BuiltinsAreRegistered) {
  StrategyRegistry registry = builtin_strategies();
  EXPECT_TRUE(registry.contains("sma_cross"));
  EXPECT_TRUE(registry.contains("buy_and_hold"));
  EXPECT_TRUE(registry.contains("broker_test"));
  auto strategy = registry.create("sma_cross", "TQQQ", {stock("TQQQ")}, "1d", {{"fast", "5"}});
  EXPECT_EQ(strategy->key(), "TQQQ");
  EXPECT_EQ(strategy->params().integer("fast"), 5);
  EXPECT_EQ(strategy->params().integer("slow"), 30);
  EXPECT_DOUBLE_EQ(strategy->params().real("size"), 0.95);
}

TEST(StrategyRegistry, UnknownStrategyListsRegisteredOnes) {
  StrategyRegistry registry = builtin_strategies();
  std::string message = error_of([&] { registry.create("sma", "X", {stock("X")}, "1d", {}); });
  EXPECT_NE(message.find("unknown strategy 'sma'"), std::string::npos) << message;
  EXPECT_NE(message.find("sma_cross, buy_and_hold, broker_test"), std::string::npos) << message;
}

TEST(StrategyRegistry, UnknownAndIllTypedParametersAreErrors) {
  StrategyRegistry registry = builtin_strategies();
  std::string unknown = error_of([&] {
    registry.create("sma_cross", "X", {stock("X")}, "1d", {{"fastt", "3"}});
  });
  EXPECT_NE(unknown.find("strategy sma_cross: unknown parameter 'fastt'"), std::string::npos)
      << unknown;
  std::string ill_typed = error_of([&] {
    registry.create("sma_cross", "X", {stock("X")}, "1d", {{"slow", "x"}});
  });
  EXPECT_NE(ill_typed.find("'slow' must be an integer, got 'x'"), std::string::npos) << ill_typed;
}

TEST(StrategyRegistry, OutOfRangeValuesAreRefusedByTheStrategy) {
  StrategyRegistry registry = builtin_strategies();
  EXPECT_NE(
      error_of([&] {
        registry.create("sma_cross", "X", {stock("X")}, "1d", {{"fast", "30"}, {"slow", "10"}});
      }).find("fast (30) must be shorter than slow (10)"),
      std::string::npos);
  EXPECT_NE(error_of([&] {
              registry.create("sma_cross", "X", {stock("X")}, "1d", {{"size", "1.5"}});
            }).find("size must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              registry.create("sma_cross", "X", {stock("X")}, "1d", {{"fast", "0"}});
            }).find("fast must be in [1, 1000000]"),
            std::string::npos);
}

TEST(StrategyRegistry, InstrumentCountIsChecked) {
  StrategyRegistry registry = builtin_strategies();
  std::string message = error_of([&] {
    registry.create("sma_cross", "X", {stock("X"), stock("Y")}, "1d", {});
  });
  EXPECT_NE(message.find("trades 1 instrument(s), got 2"), std::string::npos) << message;
  EXPECT_NO_THROW(registry.create("buy_and_hold", "BASKET", {stock("X"), stock("Y")}, "1d", {}));
}

TEST(StrategyRegistry, DuplicateAndInvalidNamesAreRefused) {
  StrategyRegistry registry = builtin_strategies();
  StrategyDefinition duplicate = registry.find("sma_cross");
  EXPECT_THROW(registry.add(duplicate), Error);
  StrategyDefinition invalid = duplicate;
  invalid.name = "Bad Name";
  EXPECT_THROW(registry.add(invalid), Error);
  StrategyDefinition wrong_default = duplicate;
  wrong_default.name = "other";
  wrong_default.params[0].default_value = 1.5;  // declared int
  EXPECT_THROW(registry.add(wrong_default), Error);
}

}  // namespace
}  // namespace tandem::strategy
