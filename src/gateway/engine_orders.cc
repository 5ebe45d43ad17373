// Engine: orders — place, modify, cancel, fills from the exchange::SimulatedExchange, executions,
// commission reports and the order queries.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.h"
#include "core/tolerance.h"
#include "gateway/engine.h"
#include "ib/ib_time.h"

namespace tandem::gateway {
namespace {

// IB holds these at its side until they trigger: PreSubmitted until then.
bool is_stop_type(OrderType type) {
  return type == OrderType::kStop || type == OrderType::kStopLimit || type == OrderType::kTrail ||
         type == OrderType::kTrailLimit;
}

}  // namespace

GatewayOrder* Engine::find_order(int client_id, int order_id) {
  auto it = order_by_client_id_.find({client_id, order_id});
  return it == order_by_client_id_.end() ? nullptr : &orders_[it->second];
}

GatewayOrder* Engine::find_order_by_perm(std::int64_t perm_id) {
  auto it = order_by_perm_.find(perm_id);
  return it == order_by_perm_.end() ? nullptr : &orders_[it->second];
}

std::string Engine::new_exec_id(const GatewayOrder& order) {
  return fmt::format("{:08x}.{:08x}.{:02x}.01", instance_id_,
                     static_cast<std::uint32_t>(order.perm_id), order.fill_count + 1);
}

ib::OrderStatus Engine::order_status_message(const GatewayOrder& order) const {
  ib::OrderStatus m;
  m.order_id = order.order_id;
  m.status = order.status;
  m.filled = order.filled;
  m.remaining = order.done() ? 0 : order.remaining();
  m.avg_fill_price = order.avg_fill_price;
  m.perm_id = order.perm_id;
  m.parent_id = order.parent_id;
  m.last_fill_price = order.last_fill_price;
  m.client_id = order.client_id;
  return m;
}

ib::OpenOrder Engine::open_order_message(const GatewayOrder& order) const {
  ib::OpenOrder m;
  m.contract = wire_contract(order.symbol);
  m.contract.exchange = order.exchange;  // where the client routed it, as TWS echoes it
  m.order = wire_order(order);
  // IB reports a trailing order's current stop in trailStopPrice.
  if (auto stop = exchange_->trail_stop(order.instrument, order.perm_id)) {
    m.order.trail_stop_price = stop;
  }
  m.state.status = order.status;
  return m;
}

ib::ExecutionData Engine::execution_message(const ExecutionRecord& e, int req_id) const {
  ib::ExecutionData m;
  m.req_id = req_id;
  m.contract = wire_contract(e.symbol);
  m.execution.order_id = e.order_id;
  m.execution.exec_id = e.exec_id;
  m.execution.time = format_time(e.time);
  m.execution.acct_number = options_.account;
  m.execution.exchange =
      m.contract.primary_exchange.empty() ? "SMART" : m.contract.primary_exchange;
  m.execution.side = e.side == Action::kBuy ? "BOT" : "SLD";
  m.execution.shares = e.shares;
  m.execution.price = e.price;
  m.execution.perm_id = e.perm_id;
  m.execution.client_id = e.client_id;
  m.execution.cum_qty = e.cum_qty;
  m.execution.avg_price = e.avg_price;
  m.execution.order_ref = e.order_ref;
  m.execution.last_liquidity = 2;  // removed liquidity: the paper exchange only takes
  return m;
}

ib::CommissionReport Engine::commission_message(const ExecutionRecord& e) const {
  ib::CommissionReport m;
  m.report.exec_id = e.exec_id;
  m.report.commission = e.commission;
  m.report.currency = market_.find_symbol(e.symbol)
                          ? market_.instrument(*market_.find_symbol(e.symbol)).contract.currency
                          : "USD";
  m.report.realized_pnl = e.realized_pnl;
  return m;
}

void Engine::send_open_order(Session& s, const GatewayOrder& order) {
  send(s, open_order_message(order));
}

void Engine::send_order_status(GatewayOrder& order) {
  if (order.done()) {
    // The last status of the order: faults taken for it end here (a later status, such as an
    // execution correction's, is sent plainly).
    const bool silent = std::exchange(order.status_silenced, false);
    const int copies = std::exchange(order.status_repeats, 0);
    if (silent) return;
    for (int i = 0; i <= copies; ++i) {
      if (Session* s = session_of_client(order.client_id)) send(*s, order_status_message(order));
    }
    return;
  }
  if (order.status_silenced) return;
  Session* s = session_of_client(order.client_id);
  if (s == nullptr) return;
  const ib::OrderStatus message = order_status_message(order);
  send(*s, message);
  for (int i = 0; i < order.status_repeats; ++i) {
    if (Session* again = session_of_client(order.client_id)) send(*again, message);
  }
}

void Engine::change_status(GatewayOrder& order, const std::string& status,
                           const std::string& message) {
  order.status = status;
  if (!message.empty()) order.message = message;
  if (order.done()) order.completed_time = clock_->now();
  record_order(order);
}

void Engine::place_order(Session& s, const ib::PlaceOrder& request) {
  const int client_id = *s.client_id;
  const int order_id = request.order.order_id;
  if (GatewayOrder* existing = find_order(client_id, order_id)) {
    if (existing->done()) {
      send_error(s, order_id, 103, "Duplicate order id");
      return;
    }
    modify_order(s, *existing, request);
    return;
  }
  if (order_id <= 0) {
    send_error(s, order_id, 321, "Error validating request: the order id must be positive");
    return;
  }
  auto instrument = market_.find(request.contract);
  if (!instrument) {
    send_error(s, order_id, 200, "No security definition has been found for the request");
    return;
  }
  GatewayOrder order;
  order.perm_id = next_perm_id_++;
  order.client_id = client_id;
  order.order_id = order_id;
  order.instrument = *instrument;
  order.symbol = market_.instrument(*instrument).symbol;
  order.account = request.order.account.empty() ? options_.account : request.order.account;
  order.order_ref = request.order.order_ref;
  order.outside_rth = request.order.outside_rth;
  if (!request.contract.exchange.empty()) order.exchange = request.contract.exchange;
  order.primary_exchange = request.contract.primary_exchange;
  order.algo_strategy = request.order.algo_strategy;
  order.algo_params = request.order.algo_params;
  order.placed_time = clock_->now();
  order.quantity = request.order.total_quantity.value_or(0);
  order.limit_price = request.order.lmt_price;
  order.stop_price = request.order.aux_price;
  next_valid_id_ = std::max(next_valid_id_, order_id + 1);

  order.parent_id = request.order.parent_id;
  order.transmitted = request.order.transmit;

  std::string refusal;
  auto terms = read_order_terms(request.order, options_.time_zone);
  if (auto* why = std::get_if<std::string>(&terms)) {
    refusal = *why;
  } else {
    apply_terms(order, std::get<OrderTerms>(terms));
    if (auto why = routing_refusal(request.contract, request.order)) {
      refusal = *why;
    } else if (order.parent_id != 0 && !(refusal = link_parent(order)).empty()) {
      // refused: the parent is unknown, finished or of another contract
    } else if (order.account != options_.account) {
      refusal = fmt::format("account '{}' is not managed by this gateway ({})", order.account,
                            options_.account);
    } else if (!market_.instrument(order.instrument).has_price()) {
      refusal = fmt::format("no price for {} yet: the replay has not reached its first bar",
                            order.symbol);
    } else if (auto fault = faults_.take(FaultKind::kReject, client_id)) {
      refusal = fault->reason.empty() ? "rejected by fault injection" : fault->reason;
    }
  }
  const std::size_t index = orders_.size();
  orders_.push_back(std::move(order));
  order_by_perm_[orders_[index].perm_id] = index;
  order_by_client_id_[{client_id, order_id}] = index;
  GatewayOrder& placed = orders_[index];
  if (!refusal.empty()) {
    reject(&s, placed, refusal);
    return;
  }
  if (faults_.take(FaultKind::kFillWithoutStatus, client_id)) placed.status_silenced = true;
  if (auto fault = faults_.take(FaultKind::kRepeatStatus, client_id)) {
    placed.status_repeats = static_cast<int>(fault->value);
  }
  if (!placed.transmitted) {
    // IB's transmit=0: kept, and sent on with the client's next transmitted order.
    placed.status = "ApiPending";
    record_order(placed);
    return;
  }
  // Everything this client held back goes first, in the order placed (a bracket's parent and
  // its first child wait for the last child), then this order — the last one placed. Until its
  // turn it counts as not sent, so a parent filled on the way does not report it before its
  // openOrder.
  placed.transmitted = false;
  std::vector<std::size_t> release;
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    GatewayOrder& held = orders_[i];
    if (held.client_id == client_id && !held.transmitted && !held.done()) release.push_back(i);
  }
  for (std::size_t i : release) {
    GatewayOrder& next = orders_[i];
    next.transmitted = true;
    // A child waits for its parent (PreSubmitted at IB) unless the parent has filled.
    const GatewayOrder* parent = next.parent_perm ? find_order_by_perm(next.parent_perm) : nullptr;
    const bool waiting = parent != nullptr && parent->status != "Filled";
    next.status = is_stop_type(next.type) || waiting ? "PreSubmitted" : "Submitted";
    record_order(next);
    send_open_order(s, next);
    send_order_status(next);
    if (!next.done()) submit_to_exchange(next);
  }
}

std::string Engine::link_parent(GatewayOrder& order) {
  GatewayOrder* parent = find_order(order.client_id, order.parent_id);
  if (parent == nullptr) return fmt::format("parent order {} is not known", order.parent_id);
  if (parent->instrument != order.instrument) {
    return fmt::format("parent order {} trades {}, not {}", order.parent_id, parent->symbol,
                       order.symbol);
  }
  if (parent->done()) {
    return fmt::format("parent order {} is already {}", order.parent_id, parent->status);
  }
  order.parent_perm = parent->perm_id;
  return "";
}

void Engine::release_children(const GatewayOrder& parent) {
  // The exchange works a filled parent's children now; IB reports them Submitted (stop types
  // stay PreSubmitted until they trigger).
  for (GatewayOrder& child : orders_) {
    if (child.parent_perm != parent.perm_id || child.done() || !child.transmitted) continue;
    if (child.status == "PreSubmitted" && !is_stop_type(child.type)) {
      change_status(child, "Submitted", "");
      send_order_status(child);
    }
  }
}

void Engine::reject(Session* s, GatewayOrder& order, const std::string& reason) {
  host_.log(
      fmt::format("order {} of client {} rejected: {}", order.order_id, order.client_id, reason));
  change_status(order, "Inactive", reason);
  // Children never work without their parent.
  exchange_events_.clear();
  exchange_->cancel_children(order.perm_id, clock_->now(),
                             exchange::SimulatedExchange::fmt_parent_cancelled(order.order_id),
                             exchange_events_);
  apply_exchange_events();
  if (s == nullptr) s = session_of_client(order.client_id);
  if (s == nullptr) return;
  send_error(*s, order.order_id, 201, "Order rejected - reason:" + reason);
  send_order_status(order);
}

void Engine::submit_to_exchange(GatewayOrder& order) {
  const Instrument& instrument = market_.instrument(order.instrument);
  if (order.parent_perm != 0) {
    const GatewayOrder* parent = find_order_by_perm(order.parent_perm);
    if (parent != nullptr && parent->done() && parent->status != "Filled") {
      cancel(order, exchange::SimulatedExchange::fmt_parent_cancelled(parent->order_id), false);
      return;
    }
  }
  exchange_events_.clear();
  exchange_->submit(order.instrument, order.exchange_order(), instrument.current_bar(),
                    exchange_events_);
  apply_exchange_events();
}

void Engine::rest_in_exchange(GatewayOrder& order) {
  // An order that already went through the exchange's first check (a partly filled remainder,
  // or an order restored after a restart) only rests: it is matched from the next bar on.
  exchange_->rest(order.instrument, order.exchange_order(),
                  market_.instrument(order.instrument).current_bar());
}

void Engine::apply_exchange_events() {
  std::vector<exchange::ExchangeEvent> events;
  events.swap(exchange_events_);
  for (const exchange::ExchangeEvent& event : events) {
    GatewayOrder* order = find_order_by_perm(event.order_id);
    if (order == nullptr || order->done()) continue;
    switch (event.kind) {
      case exchange::ExchangeEvent::Kind::kFill:
        fill(*order, event.price, event.time);
        break;
      case exchange::ExchangeEvent::Kind::kExpired:
        cancel(*order, "DAY order expired at the end of its session", false);
        break;
      case exchange::ExchangeEvent::Kind::kCancelled:
        cancel(*order, event.message, false);
        break;
      case exchange::ExchangeEvent::Kind::kRejected:
        reject(nullptr, *order, event.message);
        break;
      case exchange::ExchangeEvent::Kind::kReduced:
        // An OCA reduction: the rest of the order is what the exchange left.
        order->quantity = order->filled + event.quantity;
        change_status(*order, order->status, event.message);
        if (Session* s = session_of_client(order->client_id)) send_open_order(*s, *order);
        send_order_status(*order);
        break;
    }
  }
}

void Engine::fill(GatewayOrder& order, double price, Timestamp time) {
  double shares = order.remaining();
  bool partial = false;
  // FOK is all or nothing: a partial-fill fault does not split it.
  if (auto fault = order.tif == TimeInForce::kFok
                       ? std::nullopt
                       : faults_.take(FaultKind::kPartialFill, order.client_id)) {
    double part = shares * fault->value;
    if (shares == std::floor(shares) && shares >= 2) part = std::max(1.0, std::floor(part));
    if (part > kShareEpsilon && part < shares) {
      shares = part;
      partial = true;
    }
  }
  if (auto refusal = ledger_->refuse(order.symbol, order.action, shares, price)) {
    reject(nullptr, order, *refusal);
    return;
  }
  ExecutionRecord e;
  e.exec_id = new_exec_id(order);
  e.perm_id = order.perm_id;
  e.client_id = order.client_id;
  e.order_id = order.order_id;
  e.symbol = order.symbol;
  e.side = order.action;
  e.shares = shares;
  e.price = price;
  e.cum_qty = order.filled + shares;
  e.avg_price = (order.avg_fill_price * order.filled + price * shares) / e.cum_qty;
  e.order_ref = order.order_ref;
  e.time = time;
  e.commission = ledger_->commission_for(shares, price);
  e.realized_pnl = ledger_->apply(e);
  executions_.push_back(e);
  journal_->record_execution(e);

  order.filled = e.cum_qty;
  order.avg_fill_price = e.avg_price;
  order.last_fill_price = price;
  ++order.fill_count;
  const bool complete = order.remaining() <= kShareEpsilon;
  if (complete) order.filled = order.quantity;
  if (partial && !complete && order.tif != TimeInForce::kIoc) {
    // The remainder works on from the next bar (it was just matched against this one).
    rest_in_exchange(order);
  }
  const std::size_t execution_index = executions_.size() - 1;
  Session* owner = session_of_client(order.client_id);
  if (owner != nullptr) send(*owner, execution_message(e, -1));
  change_status(order, complete ? "Filled" : "Submitted", "");
  send_order_status(order);
  send_commission(order.client_id, executions_[execution_index]);
  if (complete) release_children(order);
  if (partial && !complete && order.tif == TimeInForce::kIoc) {
    cancel(order, "IOC order: the rest was not filled at once", false);
  }
  if (auto fault = faults_.take(FaultKind::kExecCorrection, order.client_id)) {
    correct_execution(execution_index, fault->value);
  }
  publish_account_change(order.symbol);
}

void Engine::send_commission(int client_id, const ExecutionRecord& execution) {
  if (auto fault = faults_.take(FaultKind::kDelayCommission, client_id)) {
    const ib::CommissionReport report = commission_message(execution);
    host_.schedule(std::chrono::milliseconds(static_cast<std::int64_t>(fault->value)),
                   [this, client_id, report] {
                     if (Session* s = session_of_client(client_id)) send(*s, report);
                   });
    return;
  }
  if (Session* s = session_of_client(client_id)) send(*s, commission_message(execution));
}

void Engine::correct_execution(std::size_t execution_index, double price_delta) {
  ExecutionRecord corrected = executions_[execution_index];
  const std::string key = corrected.exec_key();
  int revision = 1;
  for (const ExecutionRecord& e : executions_) {
    if (e.exec_key() == key)
      revision = std::max(revision, std::stoi(e.exec_id.substr(key.size() + 1)));
  }
  corrected.exec_id = fmt::format("{}.{:02d}", key, revision + 1);
  corrected.price = std::max(0.0001, corrected.price + price_delta);
  corrected.commission = ledger_->commission_for(corrected.shares, corrected.price);
  executions_.push_back(corrected);
  // The ledger books the effective executions: each key's latest revision, in original order.
  std::map<std::string, std::size_t> latest;
  for (std::size_t i = 0; i < executions_.size(); ++i) latest[executions_[i].exec_key()] = i;
  std::vector<const ExecutionRecord*> effective;
  std::set<std::string> seen;
  for (const ExecutionRecord& e : executions_) {
    if (seen.insert(e.exec_key()).second) effective.push_back(&executions_[latest[e.exec_key()]]);
  }
  // Realized PnL of the corrected execution: replay up to it to learn what it closed.
  ledger_->rebuild({});
  for (const ExecutionRecord* e : effective) {
    auto pnl = ledger_->apply(*e);
    if (e == &executions_.back()) executions_.back().realized_pnl = pnl;
  }
  GatewayOrder* order = find_order_by_perm(corrected.perm_id);
  if (order != nullptr) recompute_order_fills(*order);
  ExecutionRecord& stored = executions_.back();
  if (order != nullptr) {
    stored.cum_qty = order->filled;
    stored.avg_price = order->avg_fill_price;
  }
  journal_->record_execution(stored);
  host_.log(fmt::format("fault exec-correction: {} replaces {} at price {}", stored.exec_id,
                        executions_[execution_index].exec_id, stored.price));
  if (Session* s = session_of_client(stored.client_id)) {
    send(*s, execution_message(stored, -1));
    send(*s, commission_message(stored));
  }
  if (order != nullptr) {
    record_order(*order);
    send_order_status(*order);
  }
}

void Engine::recompute_order_fills(GatewayOrder& order) {
  std::vector<const ExecutionRecord*> mine;
  for (const ExecutionRecord& e : executions_) {
    if (e.perm_id == order.perm_id) mine.push_back(&e);
  }
  apply_order_executions(order, mine);
}

void Engine::apply_order_executions(GatewayOrder& order,
                                    const std::vector<const ExecutionRecord*>& executions) {
  std::map<std::string, const ExecutionRecord*> latest;
  for (const ExecutionRecord* e : executions) latest[e->exec_key()] = e;
  double shares = 0;
  double value = 0;
  for (const auto& [key, e] : latest) {
    shares += e->shares;
    value += e->shares * e->price;
  }
  order.filled = shares;
  order.avg_fill_price = shares > 0 ? value / shares : 0;
}

void Engine::modify_order(Session& s, GatewayOrder& order, const ib::PlaceOrder& request) {
  auto terms = read_order_terms(request.order, options_.time_zone);
  if (auto* why = std::get_if<std::string>(&terms)) {
    send_error(s, order.order_id, 201, "Order rejected - reason:" + *why);
    return;
  }
  const OrderTerms& t = std::get<OrderTerms>(terms);
  auto instrument = market_.find(request.contract);
  if (!instrument || *instrument != order.instrument || t.action != order.action) {
    send_error(s, order.order_id, 321,
               fmt::format("Error validating request: order {} cannot change its contract or "
                           "action; cancel it and place a new one",
                           order.order_id));
    return;
  }
  if (t.quantity + kShareEpsilon < order.filled) {
    send_error(s, order.order_id, 321,
               fmt::format("Error validating request: quantity {} is below the {} already filled",
                           t.quantity, order.filled));
    return;
  }
  apply_terms(order, t);
  order.order_ref = request.order.order_ref;
  order.outside_rth = request.order.outside_rth;
  // As in the backtest, a resting order is changed where it rests; it is matched again from
  // the next bar on.
  if (exchange::ExchangeOrder* resting = exchange_->find(order.instrument, order.perm_id)) {
    *resting = order.exchange_order();
  }
  if (order.remaining() <= kShareEpsilon) {
    std::vector<exchange::ExchangeEvent> none;
    exchange_->cancel(order.instrument, order.perm_id, clock_->now(), none);
    change_status(order, "Filled", "quantity reduced to what was filled");
  } else {
    change_status(order, order.status, "modified");
  }
  send_open_order(s, order);
  send_order_status(order);
}

void Engine::cancel(GatewayOrder& order, const std::string& reason, bool confirm_with_202) {
  std::vector<exchange::ExchangeEvent> children;
  exchange_->cancel(order.instrument, order.perm_id, clock_->now(), children);
  change_status(order, "Cancelled", reason);
  Session* s = session_of_client(order.client_id);
  if (s != nullptr && confirm_with_202) {
    send_error(*s, order.order_id, 202, "Order Canceled - reason:" + reason);
  }
  send_order_status(order);
  // Children still held for it end with it (cancel() of each child finds it gone from the
  // exchange already).
  for (const exchange::ExchangeEvent& event : children) {
    GatewayOrder* child = find_order_by_perm(event.order_id);
    if (child != nullptr && !child->done()) cancel(*child, event.message, false);
  }
}

void Engine::cancel_order(Session& s, int order_id) {
  GatewayOrder* order = find_order(*s.client_id, order_id);
  if (order == nullptr) {
    send_error(s, order_id, 10147,
               fmt::format("OrderId {} that needs to be cancelled is not found.", order_id));
    return;
  }
  if (order->done()) {
    send_error(s, order_id, 10148,
               fmt::format("OrderId {} that needs to be cancelled cannot be cancelled, state: {}.",
                           order_id, order->status));
    return;
  }
  cancel(*order, "", true);
}

void Engine::cancel_all_orders() {
  for (GatewayOrder& order : orders_) {
    if (!order.done()) cancel(order, "global cancel", true);
  }
}

void Engine::req_open_orders(Session& s, bool all_clients) {
  for (const GatewayOrder& order : orders_) {
    if (order.done() || (!all_clients && order.client_id != *s.client_id)) continue;
    send_open_order(s, order);
    send(s, order_status_message(order));
  }
  send(s, ib::OpenOrderEnd{});
}

void Engine::req_completed_orders(Session& s) {
  for (const GatewayOrder& order : orders_) {
    if (!order.done()) continue;
    ib::CompletedOrder m;
    m.contract = wire_contract(order.symbol);
    m.contract.exchange = order.exchange;
    m.order = wire_order(order);
    m.state.status = order.status;
    m.state.completed_time = format_time(order.completed_time);
    m.state.completed_status = order.message.empty() ? order.status : order.message;
    send(s, m);
  }
  send(s, ib::CompletedOrdersEnd{});
}

void Engine::req_executions(Session& s, const ib::ReqExecutions& request) {
  const ib::ExecutionFilter& f = request.filter;
  std::optional<Timestamp> since;
  if (!f.time.empty()) {
    try {
      since = ib::parse_ib_time(f.time, options_.time_zone);
    } catch (const Error& e) {
      send_error(s, request.req_id, 321,
                 fmt::format("Error validating request: execution filter time: {}", e.message()));
      return;
    }
  }
  const bool buy_only = f.side == "BUY" || f.side == "BOT";
  const bool sell_only = f.side == "SELL" || f.side == "SLD";
  for (const ExecutionRecord& e : executions_) {
    if (f.client_id != 0 && e.client_id != f.client_id) continue;
    if (!f.acct_code.empty() && f.acct_code != options_.account) continue;
    if (since && e.time < *since) continue;
    if (!f.symbol.empty() && f.symbol != e.symbol) continue;
    if (!f.sec_type.empty() && f.sec_type != wire_contract(e.symbol).sec_type) continue;
    if ((buy_only && e.side != Action::kBuy) || (sell_only && e.side != Action::kSell)) continue;
    if (!f.exchange.empty() && f.exchange != "SMART" &&
        f.exchange != execution_message(e, request.req_id).execution.exchange) {
      continue;
    }
    send(s, execution_message(e, request.req_id));
    send(s, commission_message(e));
  }
  if (faults_.take(FaultKind::kWithholdExecEnd, *s.client_id)) {
    host_.log(
        fmt::format("fault withhold-exec-end: no execDetailsEnd for request {}", request.req_id));
    return;
  }
  send(s, ib::ExecutionDataEnd{.req_id = request.req_id});
}

}  // namespace tandem::gateway
