// SimpleMovingAverage: the mean of the last `window` values, updated in O(1) per value with a
// ring buffer and a running sum. Each time the ring wraps, the sum is replaced by the exact sum of
// the ring (0 + ring[0] + ring[1] + … + ring[window - 1], added in that order), so rounding error
// from adding and subtracting never accumulates beyond one window.
//
// That exact sum is kept as the values arrive rather than by a loop over the ring at the wrap:
// the values written since the last wrap are ring[0], ring[1], … in that order (the first
// round included — it writes every slot before its wrap), so adding each one to a second
// accumulator started at 0 performs the very same additions in the same order and gives the
// same double, bit for bit (tests/strategy/moving_average_test.cc checks it against the loop).
// One add per value instead of a dependent chain of `window` adds and a mispredicted loop exit
// at every wrap: sma_cross's averages are most of a sweep's per-bar work (BENCHMARKS.md).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace tandem::strategy {

class SimpleMovingAverage {
 public:
  explicit SimpleMovingAverage(std::size_t window)
      : window_(window), divisor_(static_cast<double>(window)), ring_(window, 0.0) {
    if (window == 0) throw Error("moving average window must be at least 1");
  }

  void push(double value) {
    // The sums are worked on in locals: the store into the ring might alias a member double as
    // far as the compiler knows, which made it store sum_ and load it back around that store.
    double sum = sum_;
    double round_sum = round_sum_;
    double& slot = ring_[next_];
    // Until the ring is full its slots hold their initial +0, and x - (+0) is x for every double
    // (-0, infinities and NaN included): no test of whether a value leaves the window.
    sum -= slot;
    slot = value;
    sum += value;
    round_sum += value;
    // The wrap is chosen without a branch: a sweep pushes into one average per symbol in turn,
    // all at the same point of their rings, and a branch taken once per window was mispredicted
    // at every wrap (valgrind --branch-sim, BENCHMARKS.md "Sweeps").
    const std::size_t next = next_ + 1;
    const bool wrap = next == window_;
    next_ = wrap ? 0 : next;
    sum_ = pick(wrap, round_sum, sum);
    round_sum_ = pick(wrap, 0.0, round_sum);
    full_ |= wrap;
  }

  // True once `window` values have been pushed.
  bool ready() const { return full_; }
  // The mean of the last `window` values; meaningful only when ready().
  double value() const { return sum_ / divisor_; }
  std::size_t window() const { return window_; }

 private:
  // `yes ? a : b` by masks, which the compiler cannot turn back into a branch.
  static double pick(bool yes, double a, double b) {
    const std::uint64_t mask = std::uint64_t{0} - static_cast<std::uint64_t>(yes);
    return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & mask) |
                                 (std::bit_cast<std::uint64_t>(b) & ~mask));
  }

  std::size_t window_;
  double divisor_;  // window_ as a double, the same value the conversion gives on each call
  // 0 + the values written since the last wrap, in order. Not next to sum_: side by side the
  // compiler updates the two as one 16-byte vector, whose load the CPU cannot forward from the
  // two 8-byte stores of the previous push — a stall on every value.
  double round_sum_ = 0;
  std::vector<double> ring_;
  std::size_t next_ = 0;
  double sum_ = 0;
  bool full_ = false;  // the ring has wrapped: `window` values were pushed
};

}  // namespace tandem::strategy
