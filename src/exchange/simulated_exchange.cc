#include "exchange/simulated_exchange.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "exchange/commission.h"

namespace tandem::exchange {
namespace {

bool is_date_stamp(Timestamp t) { return t % kNanosPerDay == 0; }

bool is_trailing(OrderType type) {
  return type == OrderType::kTrail || type == OrderType::kTrailLimit;
}

bool is_on_close(OrderType type) {
  return type == OrderType::kMarketOnClose || type == OrderType::kLimitOnClose;
}

bool first_check_only(TimeInForce tif) {
  return tif == TimeInForce::kIoc || tif == TimeInForce::kFok;
}

}  // namespace

ExchangeOrder exchange_order_of(const Order& order) {
  ExchangeOrder e;
  assign_exchange_order(e, order);
  return e;
}

void assign_exchange_order(ExchangeOrder& out, const Order& order) {
  out.order_id = order.order_id;
  out.action = order.action;
  out.type = order.order_type;
  out.quantity = order.total_quantity;
  out.limit_price = order.limit_price;
  out.stop_price = order.stop_price;
  out.tif = order.tif;
  out.trailing_amount = order.trailing_amount;
  out.trailing_percent = order.trailing_percent;
  out.trail_stop_price = order.trail_stop_price;
  out.limit_offset = order.limit_offset;
  out.good_after = order.good_after;
  out.good_till = order.good_till;
  out.oca_group = order.oca_group;
  out.oca_type = order.oca_type;
  out.parent_id = order.parent_id;
}

std::string_view fill_model_name(FillModel model) {
  return model == FillModel::kClose ? "close" : "next-open";
}

FillModel parse_fill_model(std::string_view text) {
  if (text == "close") return FillModel::kClose;
  if (text == "next-open") return FillModel::kNextOpen;
  throw Error(ErrorKind::InvalidArgument,
              "unknown fill model '" + std::string(text) + "'; expected close or next-open",
              "fill");
}

SimulatedExchange::SimulatedExchange(FillModel model, double slippage_bps, std::size_t symbol_count,
                                     std::string_view time_zone)
    : model_(model), slippage_bps_(slippage_bps), calendar_(time_zone), resting_(symbol_count) {
  if (!(slippage_bps >= 0 && slippage_bps < 10'000)) {
    throw Error(ErrorKind::InvalidArgument,
                "slippage must be in [0, 10000) basis points, got " + std::to_string(slippage_bps),
                "slippage_bps");
  }
}

double SimulatedExchange::slipped(double price, Action side) const {
  return slippage_bps_ == 0 ? price : apply_slippage(price, side, slippage_bps_);
}

double SimulatedExchange::trail_distance(const ExchangeOrder& order, double price) const {
  if (order.trailing_percent) return price * *order.trailing_percent / 100.0;
  return order.trailing_amount.value_or(0);
}

void SimulatedExchange::prepare_incoming(const Bar& current) {
  // Every field but the order back to its default; the order (and its strings' buffers) kept.
  incoming_ = Resting{std::move(incoming_.order)};
  Resting& resting = incoming_;
  const ExchangeOrder& order = resting.order;
  const bool buy = order.action == Action::kBuy;
  if (is_trailing(order.type)) {
    const double distance = trail_distance(order, current.close);
    resting.trail_stop =
        order.trail_stop_price.value_or(buy ? current.close + distance : current.close - distance);
  }
  if (order.parent_id != 0) {
    // Held while the parent rests here; a parent no longer resting has filled (the account
    // submits no children of a cancelled or refused parent).
    for (const std::vector<Resting>& book : resting_) {
      for (const Resting& r : book) {
        if (!r.dead && r.order.order_id == order.parent_id) resting.held = true;
      }
    }
  }
}

void SimulatedExchange::rest(std::size_t symbol, const ExchangeOrder& order, const Bar& current) {
  incoming_.order = order;
  prepare_incoming(current);
  // As submit: in the close model the current bar is its first check, so its DAY session.
  if (model_ == FillModel::kClose) incoming_.session_day = calendar_.day_of(current.time);
  if (is_linked(order)) ++linked_count_;
  resting_[symbol].push_back(std::move(incoming_));
}

void SimulatedExchange::submit(std::size_t symbol, const ExchangeOrder& order, const Bar& current,
                               std::vector<ExchangeEvent>& events) {
  incoming_.order = order;
  submit_incoming(symbol, current, events);
}

void SimulatedExchange::submit(std::size_t symbol, const Order& order, const Bar& current,
                               std::vector<ExchangeEvent>& events) {
  assign_exchange_order(incoming_.order, order);
  submit_incoming(symbol, current, events);
}

void SimulatedExchange::submit_incoming(std::size_t symbol, const Bar& current,
                                        std::vector<ExchangeEvent>& events) {
  const ExchangeOrder& order = incoming_.order;
  if (is_on_close(order.type) && !is_date_stamp(current.time)) {
    events.push_back({ExchangeEvent::Kind::kRejected, order.order_id, symbol, 0, current.time, 0,
                      fmt::format("{} needs daily bars: with intraday bars the simulated exchange "
                                  "cannot tell the session's last bar",
                                  order_type_name(order.type))});
    return;
  }
  prepare_incoming(current);
  Resting& resting = incoming_;
  const bool checkable = !resting.held && (!order.good_after || current.time >= *order.good_after);
  if (model_ == FillModel::kClose && checkable) {
    resting.session_day = calendar_.day_of(current.time);
    if (order.good_till && current.time >= *order.good_till) {
      push_cancelled(resting, symbol, current.time, "GTD order reached its goodTillDate", events);
      return;
    }
    if (auto price = price_at_close(resting, current.close)) {
      events.push_back({ExchangeEvent::Kind::kFill, order.order_id, symbol, *price, current.time});
      after_fill(order, current.time, true, events);
      return;
    }
    if (first_check_only(order.tif) || order.type == OrderType::kLimitOnClose) {
      push_cancelled(resting, symbol, current.time,
                     order.type == OrderType::kLimitOnClose
                         ? "LOC order not filled: the close is beyond its limit"
                         : fmt::format("{} order not filled at its first check",
                                       time_in_force_name(order.tif)),
                     events);
      return;
    }
  }
  if (is_linked(order)) ++linked_count_;
  resting_[symbol].push_back(std::move(resting));
}

void SimulatedExchange::push_cancelled(const Resting& resting, std::size_t symbol, Timestamp time,
                                       std::string message, std::vector<ExchangeEvent>& events) {
  events.push_back({ExchangeEvent::Kind::kCancelled, resting.order.order_id, symbol, 0, time, 0,
                    std::move(message)});
}

std::optional<double> SimulatedExchange::price_at_close(Resting& resting, double close) const {
  const ExchangeOrder& order = resting.order;
  const bool buy = order.action == Action::kBuy;
  switch (order.type) {
    case OrderType::kMarket:
    case OrderType::kMarketOnClose:
      return slipped(close, order.action);
    case OrderType::kLimit:
    case OrderType::kLimitOnClose:
      if (buy ? close <= *order.limit_price : close >= *order.limit_price) return close;
      return std::nullopt;
    case OrderType::kStop:
      if (buy ? close >= *order.stop_price : close <= *order.stop_price) {
        return slipped(close, order.action);
      }
      return std::nullopt;
    case OrderType::kStopLimit:
      if (!resting.triggered && (buy ? close >= *order.stop_price : close <= *order.stop_price)) {
        resting.triggered = true;
      }
      if (resting.triggered && (buy ? close <= *order.limit_price : close >= *order.limit_price)) {
        return close;
      }
      return std::nullopt;
    case OrderType::kTrail:
    case OrderType::kTrailLimit: {
      // Only a trail_stop_price the close has already crossed triggers at submission.
      const double stop = resting.trail_stop;
      if (!(buy ? close >= stop : close <= stop)) return std::nullopt;
      if (order.type == OrderType::kTrail) return slipped(close, order.action);
      resting.triggered = true;
      resting.trigger_limit = buy ? stop + *order.limit_offset : stop - *order.limit_offset;
      if (buy ? close <= resting.trigger_limit : close >= resting.trigger_limit) return close;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<double> SimulatedExchange::trail_on_bar(Resting& resting, const Bar& bar) const {
  const ExchangeOrder& order = resting.order;
  const bool buy = order.action == Action::kBuy;
  const bool limit = order.type == OrderType::kTrailLimit;
  auto limit_fill = [&](double limit_price) -> std::optional<double> {
    if (buy ? bar.open <= limit_price : bar.open >= limit_price) return bar.open;
    if (buy ? bar.low <= limit_price : bar.high >= limit_price) return limit_price;
    return std::nullopt;
  };
  if (resting.triggered) return limit_fill(resting.trigger_limit);
  auto trigger = [&](double stop) {
    resting.triggered = true;
    resting.trigger_limit = buy ? stop + *order.limit_offset : stop - *order.limit_offset;
  };
  double stop = resting.trail_stop;
  if (buy ? bar.open >= stop : bar.open <= stop) {  // gap through the stop
    if (!limit) return slipped(bar.open, order.action);
    trigger(stop);
    return limit_fill(resting.trigger_limit);
  }
  if (buy ? bar.high >= stop : bar.low <= stop) {  // touched: the stop as it stood, the worst
    if (!limit) return slipped(stop, order.action);
    trigger(stop);
    return stop;  // within its own limit (the offset is >= 0)
  }
  // Not triggered at the old stop: it follows the bar's best price, and a close beyond the moved
  // stop crossed it after that price was made.
  const double best = buy ? bar.low : bar.high;
  const double moved =
      buy ? best + trail_distance(order, best) : best - trail_distance(order, best);
  stop = buy ? std::min(stop, moved) : std::max(stop, moved);
  resting.trail_stop = stop;
  if (buy ? bar.close >= stop : bar.close <= stop) {
    if (!limit) return slipped(stop, order.action);
    trigger(stop);
    return stop;
  }
  return std::nullopt;
}

std::optional<double> SimulatedExchange::price_on_bar(Resting& resting, const Bar& bar) const {
  const ExchangeOrder& order = resting.order;
  const bool buy = order.action == Action::kBuy;
  // Limit check of a working limit (LMT, or STP LMT once triggered) over the whole bar.
  auto limit_fill = [&](double limit) -> std::optional<double> {
    if (buy) {
      if (bar.open <= limit) return bar.open;
      if (bar.low <= limit) return limit;
    } else {
      if (bar.open >= limit) return bar.open;
      if (bar.high >= limit) return limit;
    }
    return std::nullopt;
  };
  switch (order.type) {
    case OrderType::kMarket:
      return slipped(bar.open, order.action);
    case OrderType::kMarketOnClose:
      return slipped(bar.close, order.action);
    case OrderType::kLimitOnClose:
      if (buy ? bar.close <= *order.limit_price : bar.close >= *order.limit_price) return bar.close;
      return std::nullopt;
    case OrderType::kLimit:
      return limit_fill(*order.limit_price);
    case OrderType::kStop: {
      double stop = *order.stop_price;
      if (buy ? bar.open >= stop : bar.open <= stop) return slipped(bar.open, order.action);
      if (buy ? bar.high >= stop : bar.low <= stop) return slipped(stop, order.action);
      return std::nullopt;
    }
    case OrderType::kStopLimit: {
      double stop = *order.stop_price;
      double limit = *order.limit_price;
      if (resting.triggered) return limit_fill(limit);
      if (buy ? bar.open >= stop : bar.open <= stop) {
        resting.triggered = true;
        // Triggered at the open: a limit order from the open on, which sees the rest of the bar.
        return limit_fill(limit);
      }
      if (buy ? bar.high >= stop : bar.low <= stop) {
        resting.triggered = true;
        // Triggered intrabar at the stop: fillable there only if the stop is within the limit.
        if (buy ? stop <= limit : stop >= limit) return stop;
      }
      return std::nullopt;
    }
    case OrderType::kTrail:
    case OrderType::kTrailLimit:
      return trail_on_bar(resting, bar);
  }
  return std::nullopt;
}

void SimulatedExchange::match_bar(std::size_t symbol, const Bar& bar,
                                  std::vector<ExchangeEvent>& events) {
  std::vector<Resting>& book = resting_[symbol];
  const std::int64_t day = calendar_.day_of(bar.time);
  matching_ = symbol;
  // Indexes, not references: OCA effects and released children change other entries' fields
  // (never the vector's size) while this loop runs.
  for (std::size_t i = 0; i < book.size(); ++i) {
    Resting& resting = book[i];
    if (resting.dead) continue;
    if (resting.held || bar.time <= resting.released_after) {
      // Not checked yet; a held child's DAY session starts when it is first checked.
      continue;
    }
    const ExchangeOrder& order = resting.order;
    if (order.good_after && bar.time < *order.good_after) continue;
    if (resting.session_day == Resting::kNoSession) resting.session_day = day;
    if (order.tif == TimeInForce::kDay && day > resting.session_day) {
      resting.dead = true;
      events.push_back({ExchangeEvent::Kind::kExpired, order.order_id, symbol, 0, bar.time});
      after_cancel_children(order.order_id, bar.time, events);
      continue;
    }
    if (order.good_till && bar.time >= *order.good_till) {
      resting.dead = true;
      push_cancelled(resting, symbol, bar.time, "GTD order reached its goodTillDate", events);
      after_cancel_children(order.order_id, bar.time, events);
      continue;
    }
    if (auto price = price_on_bar(resting, bar)) {
      resting.dead = true;
      events.push_back({ExchangeEvent::Kind::kFill, order.order_id, symbol, *price, bar.time});
      const bool at_open = *price == bar.open || *price == slipped(bar.open, order.action);
      after_fill(book[i].order, bar.time, at_open, events);
      continue;
    }
    if (first_check_only(order.tif) || order.type == OrderType::kLimitOnClose) {
      resting.dead = true;
      push_cancelled(resting, symbol, bar.time,
                     order.type == OrderType::kLimitOnClose
                         ? "LOC order not filled: the close is beyond its limit"
                         : fmt::format("{} order not filled at its first check",
                                       time_in_force_name(order.tif)),
                     events);
      after_cancel_children(order.order_id, bar.time, events);
    }
  }
  matching_ = kNoSymbol;
  std::vector<DeferredOca> deferred;
  deferred.swap(deferred_oca_);
  for (const DeferredOca& d : deferred) {
    apply_oca(d.group, OcaType::kReduceNoBlock, d.filled_id, d.quantity, bar.time, events);
  }
  std::erase_if(book, [this](const Resting& r) {
    if (r.dead && is_linked(r.order)) --linked_count_;
    return r.dead;
  });
}

std::optional<double> SimulatedExchange::trail_stop(std::size_t symbol,
                                                    std::int64_t order_id) const {
  for (const Resting& resting : resting_[symbol]) {
    if (!resting.dead && resting.order.order_id == order_id && is_trailing(resting.order.type)) {
      return resting.trail_stop;
    }
  }
  return std::nullopt;
}

bool SimulatedExchange::cancel(std::size_t symbol, std::int64_t order_id, Timestamp time,
                               std::vector<ExchangeEvent>& events) {
  std::vector<Resting>& book = resting_[symbol];
  auto it = std::find_if(book.begin(), book.end(),
                         [&](const Resting& r) { return !r.dead && r.order.order_id == order_id; });
  if (it == book.end()) return false;
  remove(symbol, order_id);
  after_cancel_children(order_id, time, events);
  return true;
}

ExchangeOrder* SimulatedExchange::find(std::size_t symbol, std::int64_t order_id) {
  for (Resting& resting : resting_[symbol]) {
    if (!resting.dead && resting.order.order_id == order_id) return &resting.order;
  }
  return nullptr;
}

}  // namespace tandem::exchange
