// Bars of one instrument stored column by column (contiguous arrays the engine's hot loop and
// indicators scan), and BarHistory, the read-only window a strategy gets: bars up to and
// including the current one, never later ones.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/bar.h"
#include "core/error.h"

namespace tandem {

// A view of the first size() bars of a BarSeries. Valid while the series is not modified
// (during one strategy callback).
class BarHistory {
 public:
  BarHistory() = default;
  BarHistory(const Timestamp* time, const double* open, const double* high, const double* low,
             const double* close, const double* volume, std::size_t size)
      : time_(time),
        open_(open),
        high_(high),
        low_(low),
        close_(close),
        volume_(volume),
        size_(size) {}

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Bar i (0 = oldest). Throws tandem::Error when i >= size(): there is no bar after the
  // current one to look at.
  Bar operator[](std::size_t i) const {
    if (i >= size_) {
      throw Error("bar " + std::to_string(i) + " requested but only " + std::to_string(size_) +
                      " bars are known so far",
                  "BarHistory");
    }
    return Bar{time_[i], open_[i], high_[i], low_[i], close_[i], volume_[i]};
  }
  // The current (latest) bar; throws when empty.
  Bar back() const { return (*this)[size_ - (size_ == 0 ? 0 : 1)]; }
  // The bar `k` bars ago (0 = current); throws when k >= size().
  Bar ago(std::size_t k) const { return (*this)[k < size_ ? size_ - 1 - k : size_]; }

  std::span<const Timestamp> times() const { return {time_, size_}; }
  std::span<const double> opens() const { return {open_, size_}; }
  std::span<const double> highs() const { return {high_, size_}; }
  std::span<const double> lows() const { return {low_, size_}; }
  std::span<const double> closes() const { return {close_, size_}; }
  std::span<const double> volumes() const { return {volume_, size_}; }

 private:
  const Timestamp* time_ = nullptr;
  const double* open_ = nullptr;
  const double* high_ = nullptr;
  const double* low_ = nullptr;
  const double* close_ = nullptr;
  const double* volume_ = nullptr;
  std::size_t size_ = 0;
};

// Owning columnar storage of one instrument's bars, in time order.
struct BarSeries {
  std::vector<Timestamp> time;
  std::vector<double> open;
  std::vector<double> high;
  std::vector<double> low;
  std::vector<double> close;
  std::vector<double> volume;

  std::size_t size() const { return time.size(); }
  bool empty() const { return time.empty(); }
  void reserve(std::size_t n) {
    time.reserve(n);
    open.reserve(n);
    high.reserve(n);
    low.reserve(n);
    close.reserve(n);
    volume.reserve(n);
  }
  void push_back(const Bar& bar) {
    time.push_back(bar.time);
    open.push_back(bar.open);
    high.push_back(bar.high);
    low.push_back(bar.low);
    close.push_back(bar.close);
    volume.push_back(bar.volume);
  }
  Bar at(std::size_t i) const {
    return Bar{time[i], open[i], high[i], low[i], close[i], volume[i]};
  }
  // The first `count` bars (count <= size()).
  BarHistory history(std::size_t count) const {
    return BarHistory(time.data(), open.data(), high.data(), low.data(), close.data(),
                      volume.data(), count);
  }
};

}  // namespace tandem
