// AccountCore's template steps of placing (with the checks of a new order), sending and
// cancelling, and a halt's orders: they take the mode's side (account/order_placement.h), so that
// a backtest's calls to it are direct. Included by account/account_core.h, whose declarations
// state their contracts.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "account/account_core.h"
#include "core/error.h"
#include "core/tolerance.h"

namespace tandem::account {

template <class Side>
broker::TradeHandle AccountCore::place(std::size_t strategy, const Contract& contract,
                                       Order&& order, std::optional<double> size, Side& side) {
  const PlacePolicy policy = side.policy();
  StrategyAccount& owner = strategies_[strategy];
  const std::string& where = owner.place_where;
  const Instrument instrument = side.instrument(strategy, contract, where);
  // Asked once, and only when needed (live may have none yet: asking throws, saying so).
  std::optional<double> known_price;
  auto price = [&]() -> double {
    if (!known_price) known_price = side.price(instrument, where);
    return *known_price;
  };
  if (policy.price_required) (void)price();
  check_new_order(
      strategy, contract, order, size, [&] { return side.strategy_equity(strategy); }, price);
  std::shared_ptr<Trade> trade = side.new_trade();
  trade->contract = *instrument.contract;
  trade->order = std::move(order);
  broker::apply_routing(owner.routing, trade->contract, trade->order,
                        broker::routing_prices_order(owner.routing, trade->order) ? price() : 0.0);
  // The limits judge the order as it will be sent: after its routing (a default limit price).
  std::optional<risk::Refusal> refusal;
  if (risk_.active()) refusal = side.check_risk(strategy, instrument, trade->order, price());
  trade->order.order_ref = owner.key;
  if (trade->order.account.empty()) trade->order.account = settings_.account;
  trade->state = OrderState{OrderStatus::kPendingSubmit, 0, trade->order.total_quantity, 0};
  const Timestamp now = side.now();
  OrderEntry* entry;
  std::int64_t key;
  if (policy.id_at_placement) {
    key = side.next_order_id();
    trade->order.order_id = key;
    trade->order.perm_id = key;
    // PendingSubmit at once, without a notice (the strategy placed it: nothing to tell).
    trade->log.push_back({now, OrderStatus::kPendingSubmit, ""});
    if (recording() && settings_.record_orders) {
      record_order_event(now, *trade, {});
    }
    entry = &orders_.add(
        key, OrderEntry{.trade = trade, .strategy = strategy, .instrument = instrument.index});
  } else {
    key = orders_.hold(
        OrderEntry{.trade = trade, .strategy = strategy, .instrument = instrument.index});
    entry = orders_.find(key);
  }
  if (refusal) {
    // Never sent; the strategy hears of it as a status change, and `orders` records it.
    entry->held = false;
    change_status(*entry, OrderStatus::kInactive, now, std::move(refusal->message));
    return trade;
  }
  if (policy.dry_run) {
    entry->held = false;
    change_status(*entry, OrderStatus::kApiCancelled, now, "dry run: not sent");
    return trade;
  }
  if (policy.queue_until_sent) {
    owner.untransmitted.push_back(key);
    if (trade->order.transmit) {
      queued_.insert(queued_.end(), owner.untransmitted.begin(), owner.untransmitted.end());
      owner.untransmitted.clear();
    }
    return trade;
  }
  if (!side.connected()) {
    // Held, never dropped: sent once the connection is back (send()).
    change_status(*entry, OrderStatus::kPendingSubmit, now, policy.held_message);
    return trade;
  }
  send(key, entry, side, "sent");
  return trade;
}

template <class Side>
void AccountCore::send(std::int64_t key, Side& side, std::string_view message) {
  send(key, side.policy().id_at_placement ? orders_.find(key) : nullptr, side, message);
}

template <class Side>
void AccountCore::send(std::int64_t key, OrderEntry* filed, Side& side, std::string_view message) {
  const PlacePolicy policy = side.policy();
  OrderEntry* record = filed;
  if (!policy.id_at_placement) {
    // The id is taken now, and the entry filed under it (it keeps its address).
    const std::int64_t id = side.next_order_id();
    record = &orders_.assign_id(key, id);
    record->trade->order.order_id = id;
  }
  record->submitted = true;
  side.send(*record);
  if (!policy.id_at_placement) {
    change_status(*record, OrderStatus::kPendingSubmit, side.now(), std::string(message));
  }
  // The venue's decisions on it (a backtest: Submitted, then a close fill) come now, never from
  // inside the send.
  side.deliver();
}

template <class Side>
void AccountCore::send_queued(Side& side) {
  sending_.clear();
  sending_.swap(queued_);
  for (std::int64_t id : sending_) {
    OrderEntry& record = *orders_.find(id);
    if (!record.trade || record.trade->is_done()) continue;  // cancelled before it was sent
    if (const std::int64_t parent = record.trade->order.parent_id; parent != 0) {
      const OrderEntry* parent_record = orders_.find(parent);
      // A parent's handle outlives the slice its child is placed in (released at a day's end).
      const OrderStatus status = parent_record != nullptr && parent_record->trade
                                     ? parent_record->trade->state.status
                                     : OrderStatus::kFilled;
      if (is_done(status) && status != OrderStatus::kFilled) {
        change_status(record, OrderStatus::kCancelled, side.now(),
                      fmt::format("parent order {} ended without filling", parent));
        continue;
      }
    }
    send(id, &record, side, "sent");
  }
}

template <class Side>
void AccountCore::cancel(std::size_t strategy, const broker::TradeHandle& handle, Side& side) {
  OrderEntry* found = to_cancel(strategy, handle);
  if (found == nullptr) return;
  OrderEntry& record = *found;
  const Timestamp now = side.now();
  if (!record.submitted) {
    // Queued or held: the venue never heard of it (a queued child of it is Cancelled when the
    // queue is sent).
    record.held = false;
    change_status(record, OrderStatus::kCancelled, now, "cancelled before it was sent");
    return;
  }
  if (!side.connected()) {
    throw Error(ErrorKind::Unavailable,
                fmt::format("order {}: not connected to its venue, the cancel cannot be sent now",
                            record.trade->order.order_id),
                "cancel_order (strategy " + strategies_[strategy].key + ")");
  }
  side.cancel(record);
  change_status(record, OrderStatus::kPendingCancel, now, "cancel requested");
  if (side.policy().cancel_confirmed_at_once) {
    change_status(record, OrderStatus::kCancelled, now, "cancelled by the strategy");
  }
  // The venue's decisions (a backtest: the children it held end with their parent) come after
  // the order's own end.
  side.deliver();
}

template <class Side>
void AccountCore::send_held_orders(Side& side) {
  std::vector<std::int64_t> held;
  orders_.for_each([&](std::int64_t id, const OrderEntry& record) {
    if (record.held && record.trade && !record.trade->is_done()) held.push_back(id);
  });
  for (std::int64_t id : held) {
    log(fmt::format("sending order held while disconnected: {}",
                    describe_order(*orders_.find(id)->trade)));
    send(id, side);
  }
}

template <class Side>
std::size_t AccountCore::resend_lost_orders(Side& side) {
  std::vector<std::int64_t> lost;
  orders_.for_each([&](std::int64_t id, const OrderEntry& record) {
    if (id > 0 && !record.held && record.trade && !record.trade->is_done() &&
        reported_.count(id) == 0) {
      lost.push_back(id);
    }
  });
  const char* venue = side.policy().venue;
  for (std::int64_t id : lost) {
    OrderEntry& record = *orders_.find(id);
    if (record.adopted) {
      change_status(
          record, OrderStatus::kInactive, side.now(),
          fmt::format("{0} does not know this order: it was lost before it reached {0}", venue));
      continue;
    }
    const std::int64_t key = orders_.hold_again(id);
    record.submitted = false;  // the entry keeps its address
    send(key, side,
         fmt::format("sent again: order {} never reached {}, it was lost with the connection", id,
                     venue));
  }
  reconciling_ = false;
  send_held_orders(side);
  return lost.size();
}

template <class Side>
AccountCore::HaltDone AccountCore::apply_halt(std::optional<risk::HaltRow> row, bool act,
                                              Side& side) {
  risk_.set_halt(std::move(row));
  HaltDone done;
  const std::optional<risk::HaltRow>& halt = risk_.halt();
  if (!act || !halt || !halt->halted) return done;
  // Copied: the steps below may not keep a reference into the gate.
  const bool cancel_open = halt->cancel_open;
  const bool flatten = halt->flatten;
  if (cancel_open) done.cancelled = cancel_all_open("cancelled by the halt", side);
  if (flatten) done.flattened = flatten_all("flatten: the halt closes the position", side);
  return done;
}

template <class Side>
std::size_t AccountCore::cancel_all_open(std::string_view why, Side& side) {
  const bool confirmed_at_once = side.policy().cancel_confirmed_at_once;
  std::size_t count = 0;
  const Timestamp now = side.now();
  orders_.for_each([&](std::int64_t, OrderEntry& record) {
    if (!record.trade) return;
    Trade& trade = *record.trade;
    if (trade.is_done() || trade.state.status == OrderStatus::kPendingCancel) return;
    if (!record.submitted) {
      // Queued or held: the venue never heard of it (cancel()'s rule).
      record.held = false;
      change_status(record, OrderStatus::kCancelled, now,
                    fmt::format("{} before it was sent", why));
    } else if (side.connected()) {
      side.cancel(record);
      change_status(record, OrderStatus::kPendingCancel, now, std::string(why));
      if (confirmed_at_once) change_status(record, OrderStatus::kCancelled, now, std::string(why));
      // The children the venue held end with their parent, before the next order is looked at
      // (else they would be cancelled for `why` rather than for their parent).
      side.deliver();
    }
    ++count;
  });
  return count;
}

template <class Side>
std::size_t AccountCore::flatten_all(std::string_view why, Side& side) {
  const PlacePolicy policy = side.policy();
  const Timestamp now = side.now();
  // What to close, gathered first: no step below may change a book under the loop.
  struct Close {
    std::size_t strategy;
    std::string symbol;
    double quantity;
  };
  std::vector<Close> closes;
  for (std::size_t s = 0; s < strategies_.size(); ++s) {
    for (const auto& [symbol, holding] : strategies_[s].book.holdings()) {
      if (std::abs(holding.quantity) >= kShareEpsilon) {
        closes.push_back({s, symbol, holding.quantity});
      }
    }
  }
  for (const Close& close : closes) {
    HeldInstrument instrument = side.held_instrument(close.strategy, close.symbol);
    const double quantity = std::abs(close.quantity);
    auto trade = std::make_shared<Trade>();
    trade->contract = std::move(instrument.contract);
    trade->order = market_order(close.quantity > 0 ? Action::kSell : Action::kBuy, quantity);
    trade->order.order_ref = strategies_[close.strategy].key;
    trade->order.account = settings_.account;
    trade->state = OrderState{OrderStatus::kPendingSubmit, 0, quantity, 0};
    OrderEntry entry{.trade = trade, .strategy = close.strategy, .instrument = instrument.index};
    std::int64_t key;
    if (policy.id_at_placement) {
      key = side.next_order_id();
      trade->order.order_id = key;
      trade->order.perm_id = key;
      trade->log.push_back({now, OrderStatus::kPendingSubmit, std::string(why)});
      if (recording() && settings_.record_orders) {
        record_order_event(now, *trade, std::string(why));
      }
      orders_.add(key, std::move(entry));
    } else {
      key = orders_.hold(std::move(entry));
    }
    OrderEntry& record = *orders_.find(key);
    if (policy.dry_run) {
      record.held = false;
      change_status(record, OrderStatus::kApiCancelled, now,
                    fmt::format("dry run: not sent ({})", why));
    } else if (policy.queue_until_sent) {
      queued_.push_back(key);
    } else if (!side.connected()) {
      // Held, never dropped: sent once the connection is back (send_held_orders()).
      change_status(record, OrderStatus::kPendingSubmit, now,
                    fmt::format("{} (held until the connection is back)", why));
    } else {
      send(key, side, why);
    }
  }
  return closes.size();
}

template <class Equity, class Price>
void AccountCore::check_new_order(std::size_t strategy, const Contract& contract, Order& order,
                                  std::optional<double> size, Equity&& equity,
                                  Price&& price) const {
  const std::string& where = strategies_[strategy].place_where;
  broker::check_order_prices(order, where);
  if (size) {
    refuse_quantity_with_size(order, where);
    const double at = price();
    order.total_quantity =
        broker::quantity_for_size(*size, equity(), at, settings_.fractional, where);
  } else {
    broker::check_explicit_quantity(order.total_quantity, settings_.fractional, where);
  }
  if (order.parent_id != 0) check_parent(strategy, contract, order);
}

}  // namespace tandem::account
