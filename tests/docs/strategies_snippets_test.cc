// docs/strategies.md's C++ (the Breakout class and its registration), extracted at build time by
// tests/docs/extract_cpp.py into strategies_snippets.cc and compiled here; this test then runs the
// strategy the page builds, so a page that stops compiling or stops working fails the suite.
#include <gtest/gtest.h>

#include <memory>

#include "strategy/strategy.h"

std::unique_ptr<tandem::strategy::Strategy> breakout_on_spy();  // from the page

namespace {

TEST(StrategiesPage, TheBreakoutExampleCompilesRegistersAndBuilds) {
  std::unique_ptr<tandem::strategy::Strategy> strategy = breakout_on_spy();
  ASSERT_NE(strategy, nullptr);
  EXPECT_EQ(strategy->key(), "SPY");
  EXPECT_EQ(strategy->params().integer("lookback"), 50);
}

}  // namespace
