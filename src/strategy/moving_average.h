// SimpleMovingAverage: the mean of the last `window` values, updated in O(1) per value with a
// ring buffer and a running sum. The sum is recomputed from the buffer each time the ring wraps,
// so rounding error from adding and subtracting never accumulates beyond one window.
#pragma once

#include <cstddef>
#include <vector>

#include "core/error.h"

namespace tandem::strategy {

class SimpleMovingAverage {
 public:
  explicit SimpleMovingAverage(std::size_t window) : window_(window), ring_(window, 0.0) {
    if (window == 0) throw Error("moving average window must be at least 1");
  }

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

  // True once `window` values have been pushed.
  bool ready() const { return count_ >= window_; }
  // The mean of the last `window` values; meaningful only when ready().
  double value() const { return sum_ / static_cast<double>(window_); }
  std::size_t window() const { return window_; }

 private:
  std::size_t window_;
  std::vector<double> ring_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  double sum_ = 0;
};

}  // namespace tandem::strategy
