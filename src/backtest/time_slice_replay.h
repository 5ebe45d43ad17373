// TimeSliceReplay: the replay loop of a backtest, one time slice per bar time. At each time t
// (docs/backtest.md, "The replay"):
//   (a) every instrument with a bar at t, in market index order (= symbol order), has its resting
//       orders matched against that bar — DAY expiries, fills at the open, limits, stops;
//   (b) those instruments are marked at their close at t (the market's latest bar becomes t's);
//   the notices of (a) are delivered (on_fill / on_order_status), seeing all of t;
//   (c) each strategy, in slot order (the engine sorts them by key), gets on_bar for each of its
//       instruments with a bar at t, in the strategy's own instrument order;
//   (d) the orders placed during the slice are submitted — in the close fill model matched at
//       their instrument's latest close — and their notices delivered, until none are left.
// So every callback of slice t sees every bar of t and no later one, and the order of the
// callbacks, and hence of order ids and rows, depends only on symbols and keys, never on the
// order in which strategies or symbols were given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "backtest/backtest_account.h"
#include "backtest/market_state.h"
#include "broker/trading_day.h"
#include "strategy/strategy_slot.h"

namespace tandem::backtest {

class TimeSliceReplay {
 public:
  // `slots` are bound to `account` and called in their order; `market` has every bar loaded
  // and none delivered.
  // `calendar` cuts the days: after the last slice of each trading day its daily rows are written.
  TimeSliceReplay(MarketState& market, BacktestAccount& account,
                  std::vector<std::unique_ptr<strategy::StrategySlot>>& slots,
                  broker::TradingCalendar calendar);

  std::size_t bar_count() const { return bar_count_; }
  Timestamp first_bar() const { return first_bar_; }

  // on_start, every time slice, the last day's rows, on_stop. Returns the last bar's time.
  Timestamp run();

 private:
  // One on_bar call: ordered by (slot, strategy's instrument); the slot and the market index
  // resolved once, so a delivery does not chase them through the slot on every bar.
  struct Delivery {
    std::uint32_t slot = 0;
    std::uint32_t instrument = 0;
    strategy::StrategySlot* target = nullptr;
    std::size_t symbol = 0;
    bool operator<(const Delivery& other) const {
      return slot != other.slot ? slot < other.slot : instrument < other.instrument;
    }
  };

  void start();
  // Every slice of several instruments (a schedule), from the first bar to the last; returns
  // the last bar's time.
  Timestamp replay_slices();
  // The same for one instrument (no schedule): every bar is a slice of its own, and its index in
  // the replay is its index in the instrument's series, so the loop reads it by that index, with
  // none of the gathering of several, from columns it holds in locals (BENCHMARKS.md,
  // "Backtest": the loop's own cost per bar matters for runs of millions of bars).
  Timestamp replay_one_instrument();
  // The steps of replay_slices(), always inlined into it.
  // The instruments of the next time into slice_; its time.
  [[gnu::always_inline]] Timestamp gather_slice();
  [[gnu::always_inline]] void match_resting_orders();       // (a)
  [[gnu::always_inline]] void mark_to_close();              // (b)
  [[gnu::always_inline]] void call_on_bar(Timestamp time);  // (c)
  [[gnu::always_inline]] void deliver_bar(const Delivery& delivery, const Bar& bar, Timestamp time);
  // A slice of trading day `day`: when it is a new one, the day before ends (its daily rows).
  [[gnu::always_inline]] void start_day(std::int64_t day, std::int64_t& current_day,
                                        Timestamp last_time);
  void settle();  // (d)
  void deliver_notices();
  void stop();

  MarketState& market_;
  BacktestAccount& account_;
  std::vector<std::unique_ptr<strategy::StrategySlot>>& slots_;
  broker::TradingCalendar calendar_;
  // Instrument of every bar in replay order; empty for a single instrument (replay_schedule.h).
  // The market's shared one when it has one, else merged for this run.
  SharedSchedule schedule_;
  const std::uint32_t* order_;  // schedule_'s data
  // The market's replay rows (MarketState::replay_rows(): every bar in schedule_'s order) when
  // it has them; null: the bars are read from the columns.
  const Bar* rows_;
  std::size_t bar_count_ = 0;
  Timestamp first_bar_ = 0;
  std::size_t next_bar_ = 0;     // index into the replay order
  std::size_t slice_begin_ = 0;  // the current slice's first index in it
  // Instruments with a bar at the current time, ascending: all_instruments_ or gathered_.
  std::span<const std::uint32_t> slice_;
  std::vector<std::uint32_t> all_instruments_;  // 0 .. n-1
  std::vector<std::uint32_t> gathered_;
  std::vector<std::vector<Delivery>> subscribers_;  // per instrument: who gets its bars
  std::vector<Delivery> deliveries_;                // the on_bar calls of the current slice
  std::vector<Delivery> all_deliveries_;  // of a slice with every instrument: in slot order
  std::vector<StrategyNotice> notices_;
};

}  // namespace tandem::backtest
