#include "strategy/moving_average.h"

#include <gtest/gtest.h>

#include <random>

namespace tandem::strategy {
namespace {

TEST(SimpleMovingAverage, NotReadyUntilTheWindowIsFull) {
  SimpleMovingAverage sma(3);
  sma.push(1);
  sma.push(2);
  EXPECT_FALSE(sma.ready());
  sma.push(6);
  ASSERT_TRUE(sma.ready());
  EXPECT_DOUBLE_EQ(sma.value(), 3.0);  // (1 + 2 + 6) / 3
  sma.push(10);
  EXPECT_DOUBLE_EQ(sma.value(), 6.0);  // (2 + 6 + 10) / 3
}

TEST(SimpleMovingAverage, MatchesADirectMeanOverALongNoisySeries) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> price(1e3, 1e5);
  std::vector<double> values;
  SimpleMovingAverage sma(17);
  for (int i = 0; i < 200'000; ++i) {
    values.push_back(price(rng));
    sma.push(values.back());
    if (values.size() >= 17) {
      double direct = 0;
      for (std::size_t k = values.size() - 17; k < values.size(); ++k) direct += values[k];
      direct /= 17;
      ASSERT_NEAR(sma.value(), direct, 1e-9 * direct) << "at " << i;
    }
  }
}

TEST(SimpleMovingAverage, ZeroWindowIsRefused) { EXPECT_THROW(SimpleMovingAverage(0), Error); }

}  // namespace
}  // namespace tandem::strategy
