// AccountCore: the venue's order events (broker/venue.h), handled once for both modes — the
// simulated venue sends only statuses and open orders confirming a change (and fills); the IB
// adapter all of them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>

#include "account/account_core.h"
#include "core/tolerance.h"

namespace tandem::account {

AccountCore::OrderEntry& AccountCore::adopt_order(std::size_t strategy, const Contract& contract,
                                                  const Order& order) {
  auto trade = std::make_shared<Trade>();
  trade->contract = contract;
  trade->order = order;
  trade->state.remaining = order.total_quantity;
  orders_.note_perm(order.perm_id, order.order_id);
  // At the venue already: a change or a cancel of it is sent there.
  return orders_.add(
      order.order_id,
      OrderEntry{.trade = trade, .strategy = strategy, .submitted = true, .adopted = true});
}

void AccountCore::order_open(const broker::VenueOrder& message, Timestamp now) {
  // An order placed outside the API (in TWS) has no order id to follow it by.
  if (message.order_id <= 0) return;
  OrderEntry* record = orders_.find(message.order_id);
  if (record == nullptr) {
    auto strategy = orders_.strategy_of(message.order_ref);
    if (!strategy) return;  // another program's order
    if (!message.order) {
      log("ignoring an order tandem cannot trade: " + message.untradeable);
      return;
    }
    const Order& order = *message.order;
    record = &adopt_order(*strategy, message.contract, order);
    log(fmt::format("adopted open order {} of strategy {} from IB", order.order_id,
                    strategies_[*strategy].key));
  }
  if (!record->trade) return;  // finished and released
  order_reported(record->trade->order.order_id);
  Trade& trade = *record->trade;
  record->acknowledged = true;
  if (record->before_change && message.confirms_last_sent) {
    record->before_change.reset();  // the venue confirms the change
  }
  if (message.perm_id != 0) {
    trade.order.perm_id = message.perm_id;
    orders_.note_perm(message.perm_id, trade.order.order_id);
  }
  if (trade.contract.con_id == 0) trade.contract.con_id = message.contract.con_id;
  const double quantity = message.quantity.value_or(trade.order.total_quantity);
  if (!trade.order.oca_group.empty() && !trade.is_done() && !record->before_change &&
      quantity > 0 && quantity < trade.order.total_quantity) {
    // An OCA group of type 2 or 3 reduced it at the venue when another member filled. (With a
    // change in flight, a smaller quantity may be the terms before the change.)
    const double before = trade.order.total_quantity;
    trade.order.total_quantity = quantity;
    trade.state.remaining = std::max(0.0, quantity - trade.state.filled);
    change_status(
        *record, trade.state.status, now,
        fmt::format("OCA group {}: reduced {}->{}", trade.order.oca_group, before, quantity));
  }
  const std::optional<OrderStatus> status = message.status;
  if (status && !trade.is_done() && *status != trade.state.status && is_done(*status) &&
      *status != OrderStatus::kFilled) {
    change_status(*record, *status, now, "reported by openOrder");
  }
}

void AccountCore::order_status(const broker::VenueStatus& message, Timestamp now) {
  OrderEntry* record = message.order_id > 0 ? orders_.find(message.order_id) : nullptr;
  // Another program's order, one not yet adopted, or one finished and released.
  if (record == nullptr || !record->trade) return;
  order_reported(message.order_id);
  Trade& trade = *record->trade;
  if (message.perm_id != 0 && trade.order.perm_id == 0) {
    trade.order.perm_id = message.perm_id;
    orders_.note_perm(message.perm_id, trade.order.order_id);
  }
  if (!message.status) {
    log(fmt::format("order {}: unknown status '{}' ignored", message.order_id,
                    message.reported_as));
    return;
  }
  const OrderStatus status = *message.status;
  if (status != OrderStatus::kInactive) record->acknowledged = true;
  // A finished order never goes back (e.g. one the strategy cancelled).
  if (trade.is_done()) return;
  const Timestamp time = message.time != 0 ? message.time : now;
  // Filled comes from the executions (which may arrive after this status), so a Filled status
  // only finishes the order once they are all in.
  if (status == OrderStatus::kFilled &&
      trade.state.filled + kShareEpsilon < trade.order.total_quantity) {
    if (trade.state.status != OrderStatus::kSubmitted) {
      change_status(*record, OrderStatus::kSubmitted, time,
                    fmt::format("IB reports Filled; waiting for the executions ({} of {} in)",
                                trade.state.filled, trade.order.total_quantity));
    }
    return;
  }
  if (status == trade.state.status) {
    // A repeat (IB sends them often) — unless the venue holds some but less than the order's
    // quantity with nothing more filled than is booked: it reduced the order (an OCA group; the
    // simulated venue reports a reduction so). Holding nothing (a report without quantities) or
    // the quantity of the terms before a change in flight is a repeat.
    const double held = message.filled + message.remaining;
    const bool reduced = held > kShareEpsilon &&
                         held + kShareEpsilon < trade.order.total_quantity &&
                         message.filled <= trade.state.filled + kShareEpsilon &&
                         !(record->before_change &&
                           std::abs(held - record->before_change->total_quantity) <= kShareEpsilon);
    if (!reduced) return;
    trade.order.total_quantity = held;
    trade.state.remaining = std::max(0.0, held - trade.state.filled);
    change_status(*record, status, time, message.why);
    return;
  }
  if (status == OrderStatus::kPendingSubmit && trade.state.status != OrderStatus::kApiPending) {
    return;
  }
  change_status(*record, status, time, message.why);
}

void AccountCore::order_completed(const broker::VenueCompleted& message, Timestamp now) {
  OrderEntry* record = orders_.find_by_perm(message.perm_id);
  if (record == nullptr) {
    // completedOrder carries no order id: an order whose permId never reached us (the
    // connection dropped first) is recognised by its terms.
    orders_.for_each([&](std::int64_t id, OrderEntry& candidate) {
      if (record != nullptr || id <= 0 || !candidate.trade) return;
      const Trade& t = *candidate.trade;
      if (t.order.perm_id == 0 && !t.is_done() && t.order.order_ref == message.order_ref &&
          t.contract.symbol == message.symbol && message.action == t.order.action &&
          message.quantity == t.order.total_quantity) {
        record = &candidate;
      }
    });
  }
  if (record == nullptr || !record->trade) return;
  order_reported(record->trade->order.order_id);
  if (record->trade->is_done()) return;
  const std::optional<OrderStatus> status = message.status;
  if (!status || !is_done(*status)) return;
  if (*status == OrderStatus::kFilled &&
      record->trade->state.filled + kShareEpsilon < record->trade->order.total_quantity) {
    return;  // its executions finish it
  }
  change_status(*record, *status, now,
                message.why.empty() ? "reported by completedOrder" : message.why);
}

void AccountCore::order_error(const broker::VenueError& error, Timestamp now) {
  OrderEntry* record = error.order_id > 0 ? orders_.find(error.order_id) : nullptr;
  if (record == nullptr || !record->trade) {
    log(fmt::format("{} (order {} is not one of this run's)", error.message, error.order_id));
    return;
  }
  Trade& trade = *record->trade;
  const std::string& message = error.message;
  if (record->before_change && record->acknowledged && error.refuses_change) {
    // The order is at the venue: this refuses the change in flight (IB: a modify that reached
    // an order which filled meanwhile is 103/104), not the order.
    refuse_change(*record, now, message);
    return;
  }
  if (trade.is_done()) {
    log(fmt::format("order {}: {}", error.order_id, message));
    return;
  }
  switch (error.effect) {
    case broker::VenueError::Effect::kRefused:
      change_status(*record, OrderStatus::kInactive, now, message);
      return;
    case broker::VenueError::Effect::kCancelled:
      change_status(*record, OrderStatus::kCancelled, now, message);
      return;
    case broker::VenueError::Effect::kNotice:
      trade.log.push_back({now, trade.state.status, message});
      log(fmt::format("order {}: {}", error.order_id, message));
      return;
  }
}

}  // namespace tandem::account
