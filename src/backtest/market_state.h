// MarketState: the bars of every instrument in a backtest and how far the replay has got in
// each. The engine advances it; the account and the strategies read prices from it, and can
// only ever see bars already delivered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/bar_series.h"
#include "core/contract.h"
#include "strategy/strategy_slot.h"

namespace tandem::backtest {

// Bars shared read-only by several runs (a sweep's worker threads load them once).
using SharedBarSeries = std::shared_ptr<const BarSeries>;
// Bars as rows in replay order (shared_bars.h), and a replay schedule (replay_schedule.h).
using SharedBarRows = std::shared_ptr<const std::vector<Bar>>;
using SharedSchedule = std::shared_ptr<const std::vector<std::uint32_t>>;

// The strategies' strategy::HistorySource: their history() reads it by market index.
class MarketState final : public strategy::HistorySource {
 public:
  // Adds an instrument with its bars (time-ordered); returns its index.
  std::size_t add(Contract contract, BarSeries bars) {
    return add(std::move(contract), std::make_shared<const BarSeries>(std::move(bars)));
  }
  // The same with bars other runs may read at the same time: only the delivery counters are
  // this state's own.
  std::size_t add(Contract contract, SharedBarSeries bars) {
    index_by_symbol_.emplace(contract.symbol, contracts_.size());
    contracts_.push_back(std::move(contract));
    const BarSeries& series = *bars;
    columns_.push_back(Columns{series.time.data(), series.open.data(), series.high.data(),
                               series.low.data(), series.close.data(), series.volume.data()});
    series_.push_back(std::move(bars));
    delivered_.push_back(0);
    current_.push_back(nullptr);
    return contracts_.size() - 1;
  }
  // The replay order of every instrument's bars, made once for many runs (SharedBars); unset,
  // the replay merges its own. `rows`, when given, are every bar in that order (SharedBars::
  // rows()): the replay then reads the bars from them and hands each instrument its row in
  // mark_delivered(), and current_bar() and last_close() read that row.
  void set_schedule(SharedSchedule schedule, SharedBarRows rows = nullptr) {
    schedule_ = std::move(schedule);
    replay_rows_ = std::move(rows);
  }
  const SharedSchedule& schedule() const { return schedule_; }
  // The rows of set_schedule() (position p: the bar at schedule position p); null without.
  const Bar* replay_rows() const { return replay_rows_ ? replay_rows_->data() : nullptr; }

  std::size_t size() const { return contracts_.size(); }
  const Contract& contract(std::size_t i) const { return contracts_[i]; }
  const BarSeries& series(std::size_t i) const { return *series_[i]; }
  // The instrument index of `contract`: without hashing its symbol when it is one of this
  // state's own contracts (what strategies are handed in BarEvent and pass back when they order).
  std::optional<std::size_t> find(const Contract& contract) const {
    const Contract* first = contracts_.data();
    // std::less: a total order even for pointers into other objects.
    if (!std::less<const Contract*>{}(&contract, first) &&
        std::less<const Contract*>{}(&contract, first + contracts_.size())) {
      return static_cast<std::size_t>(&contract - first);
    }
    return find(std::string_view(contract.symbol));
  }
  // The instrument index of `symbol`, if it is part of the backtest.
  std::optional<std::size_t> find(std::string_view symbol) const {
    auto it = index_by_symbol_.find(symbol);
    if (it == index_by_symbol_.end()) return std::nullopt;
    return it->second;
  }

  // Bars of instrument i delivered so far (the current one included).
  std::size_t delivered(std::size_t i) const { return delivered_[i]; }
  bool has_price(std::size_t i) const { return delivered_[i] > 0; }
  // The latest delivered bar / close of i; only when has_price(i).
  Bar current_bar(std::size_t i) const {
    if (replay_rows_) return *current_[i];
    // From the column pointers kept side by side rather than through the shared series: the
    // replay copies one for every bar it delivers without rows.
    const Columns& c = columns_[i];
    const std::size_t k = delivered_[i] - 1;
    return Bar{c.time[k], c.open[k], c.high[k], c.low[k], c.close[k], c.volume[k]};
  }
  double last_close(std::size_t i) const {
    return replay_rows_ ? current_[i]->close : columns_[i].close[delivered_[i] - 1];
  }
  // The time of i's next bar (not delivered yet); only when there is one.
  Timestamp next_time(std::size_t i) const { return columns_[i].time[delivered_[i]]; }
  // The latest delivered bar of i where it already is, in the replay rows; nullptr when the
  // state has none (then current_bar()). Only when has_price(i).
  const Bar* current_row(std::size_t i) const { return current_[i]; }
  // series(i).history(delivered(i)), from the column pointers kept side by side (the replay
  // makes one for every bar it delivers).
  BarHistory history(std::size_t i) const override {
    const Columns& c = columns_[i];
    return BarHistory(c.time, c.open, c.high, c.low, c.close, c.volume, delivered_[i]);
  }

  // The replay clock: the time of the bars being delivered.
  Timestamp now() const { return now_; }
  void set_now(Timestamp t) { now_ = t; }
  // i's next bar is delivered: without replay rows.
  void mark_delivered(std::size_t i) { ++delivered_[i]; }
  // The same with replay rows: `row` is that bar's row in them.
  void mark_delivered(std::size_t i, const Bar* row) {
    ++delivered_[i];
    current_[i] = row;
  }

 private:
  std::vector<Contract> contracts_;
  std::vector<SharedBarSeries> series_;
  // Each series' columns (the series are immutable and shared: the pointers stay valid).
  struct Columns {
    const Timestamp* time;
    const double* open;
    const double* high;
    const double* low;
    const double* close;
    const double* volume;
  };
  std::vector<Columns> columns_;
  SharedSchedule schedule_;
  SharedBarRows replay_rows_;
  std::vector<std::size_t> delivered_;
  // With replay rows: each instrument's latest delivered row (null before its first bar).
  std::vector<const Bar*> current_;
  // Transparent hashing: find(string_view) looks up without building a std::string (the
  // account asks for every held symbol's price at each day's end).
  struct SymbolHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view symbol) const {
      return std::hash<std::string_view>{}(symbol);
    }
  };
  std::unordered_map<std::string, std::size_t, SymbolHash, std::equal_to<>> index_by_symbol_;
  Timestamp now_ = 0;
};

}  // namespace tandem::backtest
