#include "strategy/moving_average.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

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

// The average as it was computed before it kept the exact sum as values arrive: the ring summed
// by a loop at each wrap. The two must agree bit for bit (sma_cross's crosses, and so every
// backtest result, depend on the exact doubles).
class LoopResummedAverage {
 public:
  explicit LoopResummedAverage(std::size_t window) : window_(window), ring_(window, 0.0) {}
  void push(double value) {
    if (count_ >= window_) sum_ -= ring_[next_];
    ring_[next_] = value;
    sum_ += value;
    if (count_ < window_) ++count_;
    if (++next_ == window_) {
      next_ = 0;
      double exact = 0;
      for (double v : ring_) exact += v;
      sum_ = exact;
    }
  }
  double value() const { return sum_ / static_cast<double>(window_); }
  bool ready() const { return count_ >= window_; }

 private:
  std::size_t window_;
  std::vector<double> ring_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  double sum_ = 0;
};

TEST(SimpleMovingAverage, EqualsTheLoopResummedAverageBitForBit) {
  std::mt19937_64 rng(11);
  // Values of both signs and very different magnitudes, and signed zeros, so that the rounding of
  // every add matters — and now and then an infinity or a NaN, which the average carries until
  // it leaves the window and the ring wraps; windows of 1, small, and sma_cross's sweep range.
  std::uniform_real_distribution<double> magnitude(-3, 6);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<int> rare(0, 999);
  for (std::size_t window : {1u, 2u, 3u, 7u, 20u, 64u, 119u}) {
    SimpleMovingAverage sma(window);
    LoopResummedAverage reference(window);
    for (int i = 0; i < 50'000; ++i) {
      const int k = kind(rng);
      const int r = rare(rng);
      const double value = r == 0   ? std::numeric_limits<double>::infinity()
                           : r == 1 ? -std::numeric_limits<double>::infinity()
                           : r == 2 ? std::numeric_limits<double>::quiet_NaN()
                           : k == 0 ? 0.0
                           : k == 1 ? -0.0
                                    : (k % 2 ? -1 : 1) * std::pow(10.0, magnitude(rng));
      sma.push(value);
      reference.push(value);
      ASSERT_EQ(sma.ready(), reference.ready()) << "window " << window << " value " << i;
      if (!sma.ready()) continue;
      const double got = sma.value();
      const double want = reference.value();
      // Any NaN is as good as another (every comparison is false): which operand's NaN an add
      // returns depends on the order the compiler gives the operands, not on the arithmetic.
      if (std::isnan(got) && std::isnan(want)) continue;
      ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0)
          << "window " << window << " value " << i << ": " << got << " against " << want;
    }
  }
}

TEST(SimpleMovingAverage, ZeroWindowIsRefused) { EXPECT_THROW(SimpleMovingAverage(0), Error); }

}  // namespace
}  // namespace tandem::strategy
