#include "backtest/time_slice_replay.h"

#include <algorithm>
#include <limits>

#include "backtest/replay_schedule.h"
#include "exchange/simulated_exchange.h"

namespace tandem::backtest {

TimeSliceReplay::TimeSliceReplay(MarketState& market, BacktestAccount& account,
                                 std::vector<std::unique_ptr<strategy::StrategySlot>>& slots,
                                 broker::TradingCalendar calendar)
    : market_(market),
      account_(account),
      slots_(slots),
      calendar_(std::move(calendar)),
      schedule_(market.schedule()
                    ? market.schedule()
                    : std::make_shared<const std::vector<std::uint32_t>>(merge_schedule(market))),
      order_(schedule_->data()),
      subscribers_(market.size()) {
  bar_count_ = market.size() == 1 ? market.series(0).size() : schedule_->size();
  first_bar_ = std::numeric_limits<Timestamp>::max();
  for (std::size_t i = 0; i < market.size(); ++i) {
    if (market.series(i).size() != 0) first_bar_ = std::min(first_bar_, market.series(i).time[0]);
  }
  if (schedule_->empty()) slice_.push_back(0);  // the one instrument's slice, for every bar
  // In slot order, then the strategy's own instrument order: deliveries_ of a slice come out
  // of the subscribers of its instruments in that order once sorted.
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    const std::vector<std::size_t>& symbols = slots_[slot]->instruments();
    for (std::uint32_t instrument = 0; instrument < symbols.size(); ++instrument) {
      const Delivery delivery{slot, instrument, slots_[slot].get(), symbols[instrument]};
      subscribers_[symbols[instrument]].push_back(delivery);
      all_deliveries_.push_back(delivery);
    }
  }
}

void TimeSliceReplay::start() {
  market_.set_now(first_bar_);
  for (auto& slot : slots_) {
    slot->guarded("on_start", market_.now(), [&] { slot->strategy().on_start(); });
  }
  settle();
}

void TimeSliceReplay::stop() {
  for (auto& slot : slots_) {
    slot->guarded("on_stop", market_.now(), [&] { slot->strategy().on_stop(); });
  }
}

inline Timestamp TimeSliceReplay::gather_slice() {
  if (schedule_->empty()) {  // one instrument: every bar is a slice of its own, slice_ is {0}
    ++next_bar_;
    return market_.next_time(0);
  }
  slice_.clear();
  // The schedule orders bars by (time, instrument), so the slice is the run of bars with the
  // first one's time, in ascending instrument order. An instrument not above the last one taken
  // starts the next slice — it is the same instrument's next bar, which must not be read
  // through delivered() before this slice is marked.
  auto time_of = [this](std::uint32_t symbol) { return market_.next_time(symbol); };
  const Timestamp time = time_of(order_[next_bar_]);
  do {
    slice_.push_back(order_[next_bar_]);
    ++next_bar_;
  } while (next_bar_ < bar_count_ && order_[next_bar_] > slice_.back() &&
           time_of(order_[next_bar_]) == time);
  return time;
}

inline void TimeSliceReplay::match_resting_orders() {
  for (std::uint32_t symbol : slice_) {
    if (account_.has_resting_orders(symbol)) {
      account_.open_bar(symbol, market_.series(symbol).at(market_.delivered(symbol)));
    }
  }
}

inline void TimeSliceReplay::mark_to_close() {
  for (std::uint32_t symbol : slice_) market_.mark_delivered(symbol);
}

inline void TimeSliceReplay::call_on_bar(Timestamp time) {
  const std::vector<Delivery>* deliveries = &subscribers_[slice_[0]];  // already in order
  if (slice_.size() == subscribers_.size()) {
    // Every instrument has a bar (the usual slice of daily bars): the deliveries of every
    // subscriber, which the gathering below would rebuild and sort into the same order.
    deliveries = &all_deliveries_;
  } else if (slice_.size() > 1) {
    deliveries_.clear();
    for (std::uint32_t symbol : slice_) {
      const std::vector<Delivery>& subscribers = subscribers_[symbol];
      deliveries_.insert(deliveries_.end(), subscribers.begin(), subscribers.end());
    }
    // Usually sorted already (one strategy per instrument, keys in symbol order).
    if (!std::is_sorted(deliveries_.begin(), deliveries_.end())) {
      std::sort(deliveries_.begin(), deliveries_.end());
    }
    deliveries = &deliveries_;
  }
  for (const Delivery& delivery : *deliveries) {
    strategy::StrategySlot& slot = *delivery.target;
    const std::size_t symbol = delivery.symbol;
    // The bar where it is (a sweep's shared rows), else a copy of it from the columns.
    Bar copy;
    const Bar* bar = market_.current_row(symbol);
    if (bar == nullptr) {
      copy = market_.current_bar(symbol);
      bar = &copy;
    }
    const strategy::BarEvent event{delivery.instrument, market_.contract(symbol), *bar,
                                   market_.history(symbol)};
    slot.guarded("on_bar", time, [&] { slot.strategy().on_bar(event); });
  }
}

void TimeSliceReplay::settle() {
  while (account_.has_new_orders() || account_.has_notices()) {
    account_.process_new_orders();
    deliver_notices();
  }
}

void TimeSliceReplay::deliver_notices() {
  while (account_.has_notices()) {
    account_.take_notices(notices_);
    for (const StrategyNotice& notice : notices_) {
      strategy::StrategySlot& slot = *slots_[notice.strategy];
      if (notice.fill_index) {
        slot.guarded("on_fill", market_.now(), [&] {
          slot.strategy().on_fill(*notice.trade, notice.trade->fills[*notice.fill_index]);
        });
      } else {
        slot.guarded("on_order_status", market_.now(),
                     [&] { slot.strategy().on_order_status(*notice.trade); });
      }
    }
    // Delivered: their handles must not keep the trades alive, so that the account frees (or
    // reuses) them at the day's end.
    notices_.clear();
  }
}

// The steps above are defined inline (and before this loop) so that they are inlined into it:
// the per-bar cost of the loop matters for single-instrument runs of millions of bars
// (BENCHMARKS.md, "Backtest").
Timestamp TimeSliceReplay::run() {
  start();
  std::int64_t current_day = std::numeric_limits<std::int64_t>::min();
  Timestamp last_time = first_bar_;
  while (next_bar_ < bar_count_) {
    const Timestamp time = gather_slice();
    const std::int64_t day = calendar_.day_of(time);
    if (day != current_day) {
      if (current_day != std::numeric_limits<std::int64_t>::min()) account_.end_day(last_time);
      current_day = day;
    }
    market_.set_now(time);
    match_resting_orders();
    mark_to_close();
    if (account_.halt_due(time)) account_.apply_halts(time);
    if (account_.has_notices()) deliver_notices();
    call_on_bar(time);
    if (account_.has_new_orders() || account_.has_notices()) settle();
    last_time = time;
  }
  account_.end_day(last_time);
  stop();
  return last_time;
}

}  // namespace tandem::backtest
