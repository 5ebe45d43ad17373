// LiveAccount: strategies' side (place, cancel, modify, equity, positions) and order events.
// Executions, commissions and the books are in live_account_fills.cc.
#include "live/live_account.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "broker/order_rules.h"
#include "broker/order_sizing.h"
#include "core/error.h"

namespace tandem::live {
namespace {

constexpr double kShareEpsilon = 1e-9;

using account::describe_order;

account::CoreSettings core_settings(const LiveAccountSettings& settings,
                                    broker::AccountRecorder& recorder) {
  return account::CoreSettings{.account = settings.account,
                               .fractional = settings.fractional,
                               .recorder = &recorder,
                               .rows_per_hand_over = 0,  // each row at once
                               .record_orders = !settings.dry_run,
                               .log = settings.log};
}

}  // namespace

LiveAccount::LiveAccount(LiveAccountSettings settings, broker::AccountRecorder& recorder,
                         broker::Venue& venue)
    : settings_(std::move(settings)),
      venue_(venue),
      core_(core_settings(settings_, recorder)),
      funds_(settings_.account) {
  if (!settings_.clock) settings_.clock = now_utc;
}

void LiveAccount::log(std::string_view line) const { core_.log(line); }

std::size_t LiveAccount::add_strategy(std::string key, broker::EquityAllocation allocation,
                                      std::vector<Contract> contracts) {
  const std::size_t index = core_.add_strategy(std::move(key), std::move(allocation));
  fills_.emplace_back().contracts = std::move(contracts);
  return index;
}

void LiveAccount::start() {
  core_.start(total_equity(), [this](const std::string& symbol) { return price_of(symbol); });
}

double LiveAccount::strategy_equity(std::size_t strategy) const {
  return core_.strategy_equity(strategy, total_equity());
}

const Contract& LiveAccount::contract_for(std::size_t strategy, const std::string& symbol) const {
  for (const Contract& contract : fills_[strategy].contracts) {
    if (contract.symbol == symbol) return contract;
  }
  static const Contract kUnknown;
  return kUnknown;
}

double LiveAccount::last_price(const Contract& contract, std::string_view where) const {
  auto it = last_price_.find(contract.symbol);
  if (it == last_price_.end()) {
    throw Error("no price of " + contract.symbol + " has arrived yet", std::string(where));
  }
  return it->second;
}

broker::TradeHandle LiveAccount::place(std::size_t index, const Contract& contract, Order order,
                                       std::optional<double> size) {
  PlaceSide side{*this};
  broker::TradeHandle trade = core_.place(index, contract, std::move(order), size, side);
  ++orders_placed_;  // filed (place() throws before it files an order it refuses outright)
  return trade;
}

account::Instrument LiveAccount::PlaceSide::instrument(std::size_t strategy,
                                                       const Contract& contract,
                                                       std::string_view where) const {
  for (const Contract& own : account.fills_[strategy].contracts) {
    if (own.same_instrument(contract)) return {0, &contract};
  }
  throw Error(contract.symbol + " is not one of the strategy's instruments", std::string(where));
}

void LiveAccount::send_new_order(std::int64_t held_key, std::string message) {
  // The id is taken when the order is sent (an order held while disconnected gets one above
  // whatever the reconnected server says), and the record is filed under it.
  PlaceSide side{*this};
  core_.send(held_key, side, std::move(message));
}

std::size_t LiveAccount::resend_lost_orders() {
  std::vector<std::int64_t> lost;
  core_.orders().for_each([&](std::int64_t id, const OrderRecord& record) {
    if (id > 0 && !record.held && !record.trade->is_done() && reported_.count(id) == 0) {
      lost.push_back(id);
    }
  });
  for (std::int64_t id : lost) {
    OrderRecord& record = *core_.orders().find(id);
    if (record.adopted) {
      change_status(record, OrderStatus::kInactive,
                    "IB does not know this order: it was lost before it reached IB");
      continue;
    }
    const std::int64_t key = core_.orders().hold_again(id);
    record.submitted = false;  // the entry keeps its address
    send_new_order(key, fmt::format("sent again: order {} never reached IB, it was lost with the "
                                    "connection",
                                    id));
  }
  reconciling_ = false;
  send_held_orders();
  return lost.size();
}

void LiveAccount::send_held_orders() {
  std::vector<std::int64_t> held;
  core_.orders().for_each([&](std::int64_t id, const OrderRecord& record) {
    if (record.held && !record.trade->is_done()) held.push_back(id);
  });
  for (std::int64_t id : held) {
    log(fmt::format("sending order held while disconnected: {}",
                    describe_order(*core_.orders().find(id)->trade)));
    send_new_order(id);
  }
}

void LiveAccount::cancel(std::size_t strategy, const broker::TradeHandle& handle) {
  PlaceSide side{*this};
  core_.cancel(strategy, handle, side);
}

void LiveAccount::modify(std::size_t strategy, const broker::TradeHandle& handle,
                         const broker::OrderChanges& changes) {
  core_.modify(strategy, handle, changes, settings_.clock(), venue_);
}

LiveAccount::OrderRecord& LiveAccount::adopt_order(std::size_t strategy, const Contract& contract,
                                                   const Order& order) {
  auto trade = std::make_shared<Trade>();
  trade->contract = contract;
  trade->order = order;
  trade->state.remaining = order.total_quantity;
  core_.orders().note_perm(order.perm_id, order.order_id);
  // At the venue already: a change or a cancel of it is sent there.
  return core_.orders().add(
      order.order_id,
      OrderRecord{.trade = trade, .strategy = strategy, .submitted = true, .adopted = true});
}

void LiveAccount::order_open(const broker::VenueOrder& message) {
  // An order placed outside the API (in TWS) has no order id to follow it by.
  if (message.order_id <= 0) return;
  OrderRecord* record = core_.orders().find(message.order_id);
  if (record == nullptr) {
    auto strategy = core_.orders().strategy_of(message.order_ref);
    if (!strategy) return;  // another program's order
    if (!message.order) {
      log("ignoring an order tandem cannot trade: " + message.untradeable);
      return;
    }
    const Order& order = *message.order;
    record = &adopt_order(*strategy, message.contract, order);
    log(fmt::format("adopted open order {} of strategy {} from IB", order.order_id,
                    core_.key(*strategy)));
  }
  order_reported(record->trade->order.order_id);
  Trade& trade = *record->trade;
  record->acknowledged = true;
  if (record->before_change && message.confirms_last_sent) {
    record->before_change.reset();  // IB confirms the change
  }
  if (message.perm_id != 0) {
    trade.order.perm_id = message.perm_id;
    core_.orders().note_perm(message.perm_id, trade.order.order_id);
  }
  if (trade.contract.con_id == 0) trade.contract.con_id = message.contract.con_id;
  const double quantity = message.quantity.value_or(trade.order.total_quantity);
  if (!trade.order.oca_group.empty() && !trade.is_done() && !record->before_change &&
      quantity > 0 && quantity < trade.order.total_quantity) {
    // An OCA group of type 2 or 3 reduced it at IB's side when another member filled. (With a
    // change in flight, a smaller quantity may be the terms before the change.)
    const double before = trade.order.total_quantity;
    trade.order.total_quantity = quantity;
    trade.state.remaining = std::max(0.0, quantity - trade.state.filled);
    change_status(
        *record, trade.state.status,
        fmt::format("OCA group {}: reduced {}->{}", trade.order.oca_group, before, quantity));
  }
  const std::optional<OrderStatus> status = message.status;
  if (status && !trade.is_done() && *status != trade.state.status && is_done(*status) &&
      *status != OrderStatus::kFilled) {
    change_status(*record, *status, "reported by openOrder");
  }
}

void LiveAccount::order_status(const broker::VenueStatus& message) {
  OrderRecord* record = message.order_id > 0 ? core_.orders().find(message.order_id) : nullptr;
  if (record == nullptr) return;  // an order of another program, or not yet adopted
  order_reported(message.order_id);
  Trade& trade = *record->trade;
  if (message.perm_id != 0 && trade.order.perm_id == 0) {
    trade.order.perm_id = message.perm_id;
    core_.orders().note_perm(message.perm_id, trade.order.order_id);
  }
  const std::optional<OrderStatus> status = message.status;
  if (!status) {
    log(fmt::format("order {}: unknown status '{}' ignored", message.order_id,
                    message.reported_as));
    return;
  }
  if (*status != OrderStatus::kInactive) record->acknowledged = true;
  // A finished order never goes back; Filled comes from the executions (which may arrive
  // after this status), so a Filled status only finishes the order once they are all in.
  if (trade.is_done()) return;
  if (*status == OrderStatus::kFilled) {
    if (trade.state.filled + kShareEpsilon < trade.order.total_quantity) {
      if (trade.state.status != OrderStatus::kSubmitted) {
        change_status(*record, OrderStatus::kSubmitted,
                      fmt::format("IB reports Filled; waiting for the executions ({} of {} in)",
                                  trade.state.filled, trade.order.total_quantity));
      }
      return;
    }
  }
  if (*status == trade.state.status) return;  // a repeat (IB sends them often)
  if (*status == OrderStatus::kPendingSubmit && trade.state.status != OrderStatus::kApiPending) {
    return;
  }
  change_status(*record, *status, "");
}

void LiveAccount::order_completed(const broker::VenueCompleted& message) {
  OrderRecord* record = core_.orders().find_by_perm(message.perm_id);
  if (record == nullptr) {
    // completedOrder carries no order id: an order whose permId never reached us (the
    // connection dropped first) is recognised by its terms.
    core_.orders().for_each([&](std::int64_t id, OrderRecord& candidate) {
      const Trade& t = *candidate.trade;
      if (record == nullptr && id > 0 && t.order.perm_id == 0 && !t.is_done() &&
          t.order.order_ref == message.order_ref && t.contract.symbol == message.symbol &&
          message.action == t.order.action && message.quantity == t.order.total_quantity) {
        record = &candidate;
      }
    });
  }
  if (record == nullptr) return;
  order_reported(record->trade->order.order_id);
  if (record->trade->is_done()) return;
  const std::optional<OrderStatus> status = message.status;
  if (!status || !is_done(*status)) return;
  if (*status == OrderStatus::kFilled &&
      record->trade->state.filled + kShareEpsilon < record->trade->order.total_quantity) {
    return;  // its executions finish it
  }
  change_status(*record, *status, message.why.empty() ? "reported by completedOrder" : message.why);
}

void LiveAccount::order_error(const broker::VenueError& error) {
  OrderRecord* record = error.order_id > 0 ? core_.orders().find(error.order_id) : nullptr;
  if (record == nullptr) {
    log(fmt::format("{} (order {} is not one of this run's)", error.message, error.order_id));
    return;
  }
  Trade& trade = *record->trade;
  const std::string& message = error.message;
  if (record->before_change && record->acknowledged && error.refuses_change) {
    // The order is at IB: this refuses the change in flight (a modify that reached an order
    // which filled meanwhile is 103/104 at IB), not the order.
    core_.refuse_change(*record, settings_.clock(), message);
    return;
  }
  if (trade.is_done()) {
    log(fmt::format("order {}: {}", error.order_id, message));
    return;
  }
  switch (error.effect) {
    case broker::VenueError::Effect::kRefused:
      change_status(*record, OrderStatus::kInactive, message);
      return;
    case broker::VenueError::Effect::kCancelled:
      change_status(*record, OrderStatus::kCancelled, message);
      return;
    case broker::VenueError::Effect::kNotice:
      trade.log.push_back({settings_.clock(), trade.state.status, message});
      log(fmt::format("order {}: {}", error.order_id, message));
      return;
  }
}

std::size_t LiveAccount::cancel_all_open(std::string_view why) {
  std::size_t count = 0;
  core_.orders().for_each([&](std::int64_t, OrderRecord& record) {
    Trade& trade = *record.trade;
    if (trade.is_done() || trade.state.status == OrderStatus::kPendingCancel) return;
    if (record.held) {
      record.held = false;
      change_status(record, OrderStatus::kCancelled, fmt::format("{} before it was sent", why));
    } else if (venue_.connected()) {
      venue_.cancel(trade.order.order_id);
      change_status(record, OrderStatus::kPendingCancel, std::string(why));
    }
    ++count;
  });
  return count;
}

std::vector<Position> LiveAccount::positions(std::size_t strategy) const {
  return core_.positions(strategy, [&](const std::string& symbol) {
    Contract contract = contract_for(strategy, symbol);
    if (contract.symbol.empty()) contract = stock(symbol);
    return contract;
  });
}

double LiveAccount::position(std::size_t strategy, const Contract& contract) const {
  return core_.strategy(strategy).book.quantity(contract.symbol);
}

std::vector<broker::TradeHandle> LiveAccount::open_trades(std::size_t strategy) const {
  return core_.open_trades(strategy);
}

std::vector<AccountValue> LiveAccount::account_values() const {
  return core_.account_values(funds_.snapshot(),
                              [this](const std::string& symbol) { return price_of(symbol); });
}

void LiveAccount::holding(const broker::VenueHolding& holding) {
  funds_.holding(holding);
  if (holding.market_price > 0) {
    last_price_.try_emplace(holding.contract.symbol, holding.market_price);
  }
}

void LiveAccount::take_notices(std::vector<AccountNotice>& out) { core_.take_notices(out); }

}  // namespace tandem::live
