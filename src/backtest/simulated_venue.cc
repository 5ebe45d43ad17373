#include "backtest/simulated_venue.h"

#include <charconv>

#include "core/error.h"

namespace tandem::backtest {

SimulatedVenue::SimulatedVenue(const SimulatedVenueSettings& settings, const MarketState& market,
                               broker::VenueEvents& events)
    : settings_(settings),
      market_(market),
      events_(events),
      exchange_(settings.fill_model, settings.slippage_bps, market.size(), settings.time_zone),
      placed_(1) {  // order ids start at 1
  fill_.fill.execution.exchange = "SIMULATED";
  fill_.fill.execution.account = settings_.account_id;
  fill_.fill.commission_report.currency = settings_.currency;
}

void SimulatedVenue::place(const Contract& contract, const Order& order) {
  const std::optional<std::size_t> instrument = market_.find(contract);
  if (!instrument) {
    throw Error(ErrorKind::InvalidArgument,
                "the simulated venue has no instrument '" + contract.symbol + "' (order " +
                    std::to_string(order.order_id) + ")",
                "simulated venue");
  }
  place(*instrument, contract, order);
}

void SimulatedVenue::place(std::size_t instrument, const Contract& contract, const Order& order) {
  if (order.order_id <= 0 || order.order_id > last_order_id_) {
    throw Error(ErrorKind::InvalidArgument,
                "order id " + std::to_string(order.order_id) +
                    " was not given by this venue's next_order_id()",
                "simulated venue");
  }
  const auto id = static_cast<std::size_t>(order.order_id);
  const Placed placed{instrument, order.action, order.total_quantity, contract.multiplier};
  if (id == placed_.size()) {
    placed_.push_back(placed);  // the usual: every id given is placed, in order
  } else {
    if (placed_.size() < id) placed_.resize(id + 1);
    placed_[id] = placed;
  }
  accepted_ = order.order_id;
  // The exchange takes the order's matching terms straight into its own slot.
  exchange_.submit(instrument, order, market_.current_bar(instrument), decided_);
}

void SimulatedVenue::modify(const Contract& contract, const Order& order) {
  const auto id = static_cast<std::size_t>(order.order_id);
  if (order.order_id <= 0 || id >= placed_.size()) return;  // never placed here: nothing rests
  Placed& placed = placed_[id];
  // An order that rests no more has ended, and its end was delivered: the account refuses to
  // change a finished order before it gets here.
  if (exchange::ExchangeOrder* resting = exchange_.find(placed.instrument, order.order_id)) {
    exchange::assign_exchange_order(*resting, order);
    placed.action = order.action;
    placed.quantity = order.total_quantity;
    // Confirmed as IB (and the paper gateway) confirm a change: an open-order report with the
    // new terms, delivered by deliver().
    broker::VenueOrder& confirmation = confirmations_.emplace_back();
    confirmation.order_id = order.order_id;
    confirmation.perm_id = order.perm_id;
    confirmation.order_ref = order.order_ref;
    confirmation.contract = contract;
    confirmation.order = order;
    confirmation.quantity = order.total_quantity;
    confirmation.confirms_last_sent = true;
  }
}

void SimulatedVenue::cancel(std::int64_t order_id) {
  const auto id = static_cast<std::size_t>(order_id);
  if (order_id <= 0 || id >= placed_.size()) return;  // never placed here: nothing rests
  exchange_.cancel(placed_[id].instrument, order_id, market_.now(), decided_);
}

void SimulatedVenue::deliver() {
  // Swapped with a member, so neither vector gives up its capacity.
  delivering_.clear();
  delivering_.swap(decided_);
  if (accepted_ != 0) {
    const std::int64_t accepted = accepted_;
    accepted_ = 0;
    status(accepted, OrderStatus::kSubmitted, market_.now(),
           placed_[static_cast<std::size_t>(accepted)].quantity, "");
  }
  if (!confirmations_.empty()) {
    // Moved out first: the account may modify again from what it hears.
    std::vector<broker::VenueOrder> confirmations;
    confirmations.swap(confirmations_);
    for (const broker::VenueOrder& confirmation : confirmations) events_.order_open(confirmation);
  }
  for (const exchange::ExchangeEvent& event : delivering_) deliver(event);
  delivering_.clear();
}

void SimulatedVenue::refuse_fill(std::int64_t order_id, Timestamp time) {
  refused_.clear();
  exchange_.cancel_children(order_id, time,
                            exchange::SimulatedExchange::fmt_parent_cancelled(order_id), refused_);
  for (const exchange::ExchangeEvent& event : refused_) deliver(event);
  refused_.clear();
}

void SimulatedVenue::deliver(const exchange::ExchangeEvent& event) {
  using Kind = exchange::ExchangeEvent::Kind;
  Placed& placed = placed_[static_cast<std::size_t>(event.order_id)];
  switch (event.kind) {
    case Kind::kFill: {
      Fill& fill = fill_.fill;
      fill.time = event.time;
      set_exec_id(fill.execution.exec_id, event.order_id);
      fill.execution.time = event.time;
      fill.execution.side = placed.action;
      fill.execution.shares = placed.quantity;
      fill.execution.price = event.price;
      fill.execution.order_id = event.order_id;
      fill.execution.cum_qty = placed.quantity;
      fill.execution.avg_price = event.price;
      fill.commission_report.exec_id = fill.execution.exec_id;
      fill.commission_report.commission =
          settings_.commission.commission(placed.quantity, event.price, placed.multiplier);
      events_.fill(fill_);
      break;
    }
    case Kind::kExpired:
      status(event.order_id, OrderStatus::kCancelled, event.time, placed.quantity,
             "DAY order expired at the end of its session");
      break;
    case Kind::kCancelled:
      status(event.order_id, OrderStatus::kCancelled, event.time, placed.quantity, event.message);
      break;
    case Kind::kRejected:
      status(event.order_id, OrderStatus::kInactive, event.time, placed.quantity, event.message);
      break;
    case Kind::kReduced:
      // Still working, with less to do: reported as its status with the new remaining, as IB
      // reports an OCA group's reduction.
      placed.quantity = event.quantity;
      status(event.order_id, OrderStatus::kSubmitted, event.time, event.quantity, event.message);
      break;
  }
}

void SimulatedVenue::status(std::int64_t order_id, OrderStatus status, Timestamp time,
                            double remaining, std::string_view why) {
  status_.order_id = order_id;
  status_.perm_id = order_id;
  status_.status = status;
  status_.filled = 0;  // no partial fills here
  status_.remaining = remaining;
  status_.why = why;
  status_.time = time;
  events_.order_status(status_);
}

void SimulatedVenue::set_exec_id(std::string& out, std::int64_t order_id) const {
  // "{account}.{order id}.1" (each order fills once, whole), written into `out`'s own buffer
  // rather than formatted into a new string per fill.
  out.assign(settings_.account_id);
  out += '.';
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, order_id);
  out.append(digits, end);
  out += ".1";
}

}  // namespace tandem::backtest
