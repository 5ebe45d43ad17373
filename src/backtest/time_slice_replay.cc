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
      // The market's rows follow its own schedule: only then are they the replay's.
      rows_(market.schedule() ? market.replay_rows() : nullptr),
      subscribers_(market.size()) {
  bar_count_ = market.size() == 1 ? market.series(0).size() : schedule_->size();
  first_bar_ = std::numeric_limits<Timestamp>::max();
  for (std::size_t i = 0; i < market.size(); ++i) {
    if (market.series(i).size() != 0) first_bar_ = std::min(first_bar_, market.series(i).time[0]);
  }
  for (std::uint32_t i = 0; i < market.size(); ++i) all_instruments_.push_back(i);
  // The one instrument's slice, for every bar.
  if (schedule_->empty()) slice_ = all_instruments_;
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
  slice_begin_ = next_bar_;
  // The schedule orders bars by (time, instrument), so the slice is the run of bars with the
  // first one's time, in ascending instrument order. An instrument not above the last one taken
  // starts the next slice — it is the same instrument's next bar, which must not be read
  // through delivered() before this slice is marked.
  if (rows_ != nullptr) {
    const Timestamp time = rows_[next_bar_].time;
    // Every instrument has a bar at `time` (the usual slice of daily bars): the next n rows
    // have that time, n distinct instruments (each has one bar per time) in ascending order.
    const std::size_t n = all_instruments_.size();
    if (bar_count_ - next_bar_ >= n && rows_[next_bar_ + n - 1].time == time) {
      next_bar_ += n;
      slice_ = all_instruments_;
      return time;
    }
    gathered_.clear();
    do {
      gathered_.push_back(order_[next_bar_]);
      ++next_bar_;
    } while (next_bar_ < bar_count_ && order_[next_bar_] > gathered_.back() &&
             rows_[next_bar_].time == time);
    slice_ = gathered_;
    return time;
  }
  gathered_.clear();
  auto time_of = [this](std::uint32_t symbol) { return market_.next_time(symbol); };
  const Timestamp time = time_of(order_[next_bar_]);
  do {
    gathered_.push_back(order_[next_bar_]);
    ++next_bar_;
  } while (next_bar_ < bar_count_ && order_[next_bar_] > gathered_.back() &&
           time_of(order_[next_bar_]) == time);
  slice_ = gathered_;
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
  if (rows_ != nullptr) {
    // The slice's bars are the rows from slice_begin_ on, in the slice's order.
    const Bar* row = rows_ + slice_begin_;
    for (std::uint32_t symbol : slice_) market_.mark_delivered(symbol, row++);
  } else {
    for (std::uint32_t symbol : slice_) market_.mark_delivered(symbol);
  }
}

inline void TimeSliceReplay::deliver_bar(const Delivery& delivery, const Bar& bar, Timestamp time) {
  strategy::StrategySlot& slot = *delivery.target;
  const strategy::BarEvent event{delivery.instrument, market_.contract(delivery.symbol), bar,
                                 market_.history(delivery.symbol)};
  slot.guarded("on_bar", time, [&] { slot.strategy().on_bar(event); });
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
  if (rows_ != nullptr) {
    // The bar where it lies in the shared rows.
    for (const Delivery& delivery : *deliveries) {
      deliver_bar(delivery, *market_.current_row(delivery.symbol), time);
    }
  } else {
    for (const Delivery& delivery : *deliveries) {
      const Bar copy = market_.current_bar(delivery.symbol);  // from the columns
      deliver_bar(delivery, copy, time);
    }
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

inline void TimeSliceReplay::start_day(std::int64_t day, std::int64_t& current_day,
                                       Timestamp last_time) {
  if (day != current_day) {
    if (current_day != std::numeric_limits<std::int64_t>::min()) account_.end_day(last_time);
    current_day = day;
  }
}

// The steps above are defined before these loops, so that they are inlined into them.
Timestamp TimeSliceReplay::replay_slices() {
  std::int64_t current_day = std::numeric_limits<std::int64_t>::min();
  Timestamp last_time = first_bar_;
  while (next_bar_ < bar_count_) {
    const Timestamp time = gather_slice();
    start_day(calendar_.day_of(time), current_day, last_time);
    market_.set_now(time);
    match_resting_orders();
    mark_to_close();
    if (account_.halt_due(time)) account_.apply_halts(time);
    if (account_.has_notices()) deliver_notices();
    call_on_bar(time);
    if (account_.has_new_orders() || account_.has_notices()) settle();
    last_time = time;
  }
  return last_time;
}

Timestamp TimeSliceReplay::replay_one_instrument() {
  // What a run never changes, read once: the series is immutable and shared (its columns stay
  // where they are), the subscribers are fixed at construction.
  const BarSeries& series = market_.series(0);
  const Contract& contract = market_.contract(0);
  const Delivery* const first = subscribers_[0].data();
  const Delivery* const last = first + subscribers_[0].size();
  const Bar* const rows = rows_;
  const std::size_t count = bar_count_;
  std::int64_t current_day = std::numeric_limits<std::int64_t>::min();
  Timestamp last_time = first_bar_;
  // Bar i of the series is the i-th slice; the market has delivered i bars before it.
  for (std::size_t i = next_bar_; i < count; ++i) {
    const Timestamp time = rows != nullptr ? rows[i].time : series.time[i];
    start_day(calendar_.day_of(time), current_day, last_time);
    market_.set_now(time);
    if (account_.has_resting_orders(0)) account_.open_bar(0, series.at(i));  // (a)
    // (b)
    if (rows != nullptr) {
      market_.mark_delivered(0, rows + i);
    } else {
      market_.mark_delivered(0);
    }
    if (account_.halt_due(time)) account_.apply_halts(time);
    if (account_.has_notices()) deliver_notices();
    // (c)
    auto call_on_bar = [&](const Bar& bar) {
      for (const Delivery* delivery = first; delivery != last; ++delivery) {
        strategy::StrategySlot& slot = *delivery->target;
        const strategy::BarEvent event{delivery->instrument, contract, bar, series.history(i + 1)};
        slot.guarded("on_bar", time, [&] { slot.strategy().on_bar(event); });
      }
    };
    if (rows != nullptr) {
      call_on_bar(rows[i]);  // the bar where it lies in the shared rows
    } else {
      const Bar copy = series.at(i);  // from the columns
      call_on_bar(copy);
    }
    if (account_.has_new_orders() || account_.has_notices()) settle();  // (d)
    last_time = time;
  }
  next_bar_ = count;
  return last_time;
}

Timestamp TimeSliceReplay::run() {
  start();
  const Timestamp last_time = schedule_->empty() ? replay_one_instrument() : replay_slices();
  account_.end_day(last_time);
  stop();
  return last_time;
}

}  // namespace tandem::backtest
