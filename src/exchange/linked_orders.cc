// SimulatedExchange: linked orders — children released by their parent's fill and cancelled
// with it, and OCA groups (IB's ocaType 1-3). Kept apart from the price rules: nothing here
// runs unless an order with a parent or a group rests (linked_count_).
#include <fmt/format.h>

#include <cmath>

#include "core/tolerance.h"
#include "exchange/simulated_exchange.h"

namespace tandem::exchange {

std::string SimulatedExchange::fmt_parent_cancelled(std::int64_t parent_id) {
  return fmt::format("parent order {} ended without filling", parent_id);
}

void SimulatedExchange::remove(std::size_t symbol, std::int64_t order_id) {
  std::vector<Resting>& book = resting_[symbol];
  for (std::size_t i = 0; i < book.size(); ++i) {
    if (book[i].dead || book[i].order.order_id != order_id) continue;
    if (symbol == matching_) {
      book[i].dead = true;  // match_bar drops it (and counts it) when its loop ends
      return;
    }
    if (is_linked(book[i].order)) --linked_count_;
    book.erase(book.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
}

void SimulatedExchange::cancel_children(std::int64_t parent_id, Timestamp time,
                                        const std::string& why,
                                        std::vector<ExchangeEvent>& events) {
  if (linked_count_ == 0) return;
  std::vector<std::pair<std::size_t, std::int64_t>> children;
  for (std::size_t symbol = 0; symbol < resting_.size(); ++symbol) {
    for (const Resting& r : resting_[symbol]) {
      if (!r.dead && r.order.parent_id == parent_id)
        children.emplace_back(symbol, r.order.order_id);
    }
  }
  for (const auto& [symbol, id] : children) {
    events.push_back({ExchangeEvent::Kind::kCancelled, id, symbol, 0, time, 0, why});
    remove(symbol, id);
    cancel_children(id, time, fmt_parent_cancelled(id), events);  // grandchildren
  }
}

void SimulatedExchange::after_fill(const ExchangeOrder& filled, Timestamp time, bool at_open,
                                   std::vector<ExchangeEvent>& events) {
  if (linked_count_ == 0) return;
  for (std::vector<Resting>& book : resting_) {
    for (Resting& r : book) {
      if (r.dead || !r.held || r.order.parent_id != filled.order_id) continue;
      r.held = false;
      // Filled inside the bar: what came after the fill on this bar is unknown, so the child is
      // checked from the next bar. Filled at the open (or at submission) it sees the bar's rest.
      if (!at_open) r.released_after = time;
    }
  }
  if (filled.oca_group.empty()) {
    if (filled.parent_id != 0) cancel_siblings(filled, time, events);
    return;
  }
  if (filled.oca_type == OcaType::kReduceNoBlock && matching_ != kNoSymbol) {
    deferred_oca_.push_back({filled.oca_group, filled.order_id, filled.quantity});
    return;
  }
  apply_oca(filled.oca_group, filled.oca_type, filled.order_id, filled.quantity, time, events);
}

void SimulatedExchange::cancel_siblings(const ExchangeOrder& filled, Timestamp time,
                                        std::vector<ExchangeEvent>& events) {
  // IB's attached orders: children of one parent that name no OCA group are one-cancels-other
  // (a bracket's take-profit and stop-loss as IB's API sends them, without an ocaGroup).
  std::vector<std::pair<std::size_t, std::int64_t>> siblings;
  for (std::size_t symbol = 0; symbol < resting_.size(); ++symbol) {
    for (const Resting& r : resting_[symbol]) {
      if (!r.dead && r.order.parent_id == filled.parent_id && r.order.oca_group.empty() &&
          r.order.order_id != filled.order_id) {
        siblings.emplace_back(symbol, r.order.order_id);
      }
    }
  }
  for (const auto& [symbol, id] : siblings) {
    events.push_back({ExchangeEvent::Kind::kCancelled, id, symbol, 0, time, 0,
                      fmt::format("order {}, attached to the same parent {}, filled",
                                  filled.order_id, filled.parent_id)});
    remove(symbol, id);
    cancel_children(id, time, fmt_parent_cancelled(id), events);
  }
}

void SimulatedExchange::apply_oca(const std::string& group, OcaType type, std::int64_t filled_id,
                                  double quantity, Timestamp time,
                                  std::vector<ExchangeEvent>& events) {
  std::vector<std::pair<std::size_t, std::int64_t>> cancelled;
  for (std::size_t symbol = 0; symbol < resting_.size(); ++symbol) {
    for (Resting& r : resting_[symbol]) {
      if (r.dead || r.order.oca_group != group || r.order.order_id == filled_id) continue;
      if (type == OcaType::kCancelWithBlock) {
        cancelled.emplace_back(symbol, r.order.order_id);
        continue;
      }
      const double left = r.order.quantity - quantity;
      if (left <= kShareEpsilon) {
        cancelled.emplace_back(symbol, r.order.order_id);
        continue;
      }
      events.push_back({ExchangeEvent::Kind::kReduced, r.order.order_id, symbol, 0, time, left,
                        fmt::format("OCA group {}: reduced {}->{} after order {} filled {}", group,
                                    r.order.quantity, left, filled_id, quantity)});
      r.order.quantity = left;
    }
  }
  for (const auto& [symbol, id] : cancelled) {
    events.push_back({ExchangeEvent::Kind::kCancelled, id, symbol, 0, time, 0,
                      fmt::format("OCA group {}: order {} filled", group, filled_id)});
    remove(symbol, id);
    cancel_children(id, time, fmt_parent_cancelled(id), events);
  }
}

}  // namespace tandem::exchange
