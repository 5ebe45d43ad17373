// IbVenue: tandem's orders out as IB requests; IB's order messages in as the venue's events,
// each execution once, corrections marked, commissions joined (docs/live.md, "Fills").
#include "live/ib_venue.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "core/error.h"
#include "ib/ib_time.h"
#include "live/wire_mapping.h"

namespace tandem::live {
namespace {

// IB's errors that refuse a placeOrder: 201 rejected, 103 duplicate id (a finished order's),
// 104 a filled order cannot be modified, 105 not the original order, 321 not valid.
bool is_refusal(int code) {
  return code == 103 || code == 104 || code == 105 || code == 201 || code == 321;
}

// What an error code does to the order it names.
broker::VenueError::Effect error_effect(int code) {
  switch (code) {
    case 201:  // rejected
    case 203:  // security not allowed for this account
    case 103:  // duplicate order id
    case 200:  // no security definition
    case 321:  // request could not be validated
      return broker::VenueError::Effect::kRefused;
    case 202:  // cancelled (the normal confirmation too)
      return broker::VenueError::Effect::kCancelled;
    default:
      return broker::VenueError::Effect::kNotice;
  }
}

bool same(const std::optional<double>& a, const std::optional<double>& b) {
  return a.has_value() == b.has_value() && (!a || std::abs(*a - *b) < 1e-9);
}

CommissionReport from_wire(const ib::CommissionReportData& report) {
  CommissionReport result;
  result.exec_id = report.exec_id;
  result.commission = report.commission;
  result.currency = report.currency;  // may be empty: the joining keeps the fill's then
  result.realized_pnl = report.realized_pnl;
  return result;
}

}  // namespace

IbVenue::IbVenue(IbVenueSettings settings, OrderChannel& channel)
    : settings_(std::move(settings)), channel_(channel) {
  if (!settings_.clock) settings_.clock = now_utc;
}

void IbVenue::log(std::string_view line) const {
  if (settings_.log) settings_.log(line);
}

broker::VenueEvents& IbVenue::events() const {
  if (events_ == nullptr) {
    throw Error(ErrorKind::Internal, "an IB message arrived before an account was bound",
                "IB venue");
  }
  return *events_;
}

void IbVenue::load(const StoredState& stored, const std::set<std::string>& strategies) {
  std::unordered_set<std::string> late;
  for (const broker::LateCommissionRow& row : stored.late_commissions) late.insert(row.exec_id);
  for (const broker::FillRow& row : stored.fills) {
    if (strategies.count(row.strategy) == 0) continue;
    delivered_.insert(row.exec_id);
    auto [latest, added] = latest_revision_.try_emplace(broker::exec_key(row.exec_id), row.exec_id);
    if (!added && broker::exec_revision(row.exec_id) > broker::exec_revision(latest->second)) {
      latest->second = row.exec_id;
    }
    if (row.commission == 0 && late.count(row.exec_id) == 0) {
      without_commission_.insert(row.exec_id);
    }
  }
}

int IbVenue::wire_id(std::int64_t order_id, std::string_view what) const {
  if (order_id <= 0 || order_id > std::numeric_limits<int>::max()) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("order id {} cannot be sent to IB, whose order ids are 1 to {}",
                            order_id, std::numeric_limits<int>::max()),
                fmt::format("IB venue {}", what));
  }
  return static_cast<int>(order_id);
}

void IbVenue::send_order(const Contract& contract, const Order& order, std::string_view what) {
  const int id = wire_id(order.order_id, what);
  ib::PlaceOrder request{to_wire(contract), to_wire(order)};
  sent_[id] =
      SentTerms{request.order.total_quantity, request.order.lmt_price, request.order.aux_price};
  channel_.send(request);
}

void IbVenue::place(const Contract& contract, const Order& order) {
  send_order(contract, order, "place");
}

// IB changes an order's terms by a placeOrder under its id.
void IbVenue::modify(const Contract& contract, const Order& order) {
  send_order(contract, order, "modify");
}

void IbVenue::cancel(std::int64_t order_id) {
  channel_.send(
      ib::CancelOrder{.order_id = wire_id(order_id, "cancel"), .manual_order_cancel_time = ""});
}

void IbVenue::on_order_status(const ib::OrderStatus& message) {
  broker::VenueStatus status;
  status.order_id = message.order_id;
  status.perm_id = message.perm_id;
  status.status = parse_order_status(message.status);
  status.reported_as = message.status;
  status.filled = message.filled;
  status.remaining = message.remaining;
  status.avg_fill_price = message.avg_fill_price;
  status.why = message.why_held;
  events().order_status(status);
}

void IbVenue::on_open_order(const ib::OpenOrder& message) {
  broker::VenueOrder order;
  order.order_id = message.order.order_id;
  order.perm_id = message.order.perm_id;
  order.order_ref = message.order.order_ref;
  order.contract = from_wire(message.contract);
  try {
    order.order = from_wire(message.order);
  } catch (const Error& e) {
    order.untradeable = e.what();
  }
  order.quantity = message.order.total_quantity;
  auto sent = sent_.find(message.order.order_id);
  // Whether openOrder carries the quantity and prices last sent.
  order.confirms_last_sent = sent != sent_.end() &&
                             same(message.order.total_quantity, sent->second.quantity) &&
                             same(message.order.lmt_price, sent->second.limit) &&
                             same(message.order.aux_price, sent->second.aux);
  order.status = parse_order_status(message.state.status);
  events().order_open(order);
}

void IbVenue::on_completed_order(const ib::CompletedOrder& message) {
  broker::VenueCompleted completed;
  completed.perm_id = message.order.perm_id;
  completed.order_ref = message.order.order_ref;
  completed.symbol = message.contract.symbol;
  completed.action = parse_action(message.order.action);
  completed.quantity = message.order.total_quantity;
  completed.status = parse_order_status(message.state.status);
  completed.why = message.state.completed_status;
  events().order_completed(completed);
}

void IbVenue::on_order_error(const ib::ErrMsg& error) {
  broker::VenueError venue_error;
  venue_error.order_id = error.id;
  venue_error.effect = error_effect(error.code);
  venue_error.refuses_change = is_refusal(error.code);
  venue_error.message = fmt::format("IB error {}: {}", error.code, error.message);
  events().order_error(venue_error);
}

void IbVenue::on_account_value(const ib::AcctValue& message) {
  if (!message.account.empty() && message.account != settings_.account) return;
  if (message.currency == "BASE") return;  // per-currency ledger rows
  char* end = nullptr;
  const double value = std::strtod(message.value.c_str(), &end);
  if (end == message.value.c_str()) return;  // text values (AccountType, AccountReady...)
  events().account_value(AccountValue{settings_.account, message.key, value, message.currency});
}

void IbVenue::on_portfolio(const ib::PortfolioValue& message) {
  if (!message.account.empty() && message.account != settings_.account) return;
  events().holding(broker::VenueHolding{
      from_wire(message.contract), message.position, message.market_price, message.market_value,
      message.average_cost, message.unrealized_pnl, message.realized_pnl});
}

std::optional<Timestamp> IbVenue::execution_time(const ib::Execution& execution) const {
  try {
    return ib::parse_ib_time(execution.time, default_zone_);
  } catch (const Error&) {
    return std::nullopt;
  }
}

void IbVenue::on_execution(const ib::ExecutionData& message) {
  const ib::Execution& e = message.execution;
  events().order_reported(e.order_id);
  if (delivered_.count(e.exec_id) != 0 || pending_.count(e.exec_id) != 0) return;
  auto side = parse_execution_side(e.side);
  if (!side) {
    log(fmt::format("execution {}: unknown side '{}' ignored", e.exec_id, e.side));
    return;
  }
  Fill fill;
  fill.contract = from_wire(message.contract);
  try {
    // IB's forms: "yyyymmdd hh:mm:ss <zone>", "yyyymmdd  hh:mm:ss" (TWS's login zone, taken
    // from the server's connection time), "yyyymmdd-hh:mm:ss" UTC, epoch seconds.
    fill.time = ib::parse_ib_time(e.time, default_zone_);
  } catch (const Error& error) {
    log(fmt::format("execution {}: {}; using the time it arrived", e.exec_id, error.what()));
    fill.time = settings_.clock();
  }
  fill.execution.exec_id = e.exec_id;
  fill.execution.time = fill.time;
  fill.execution.account = e.acct_number;
  fill.execution.exchange = e.exchange;
  fill.execution.side = *side;
  fill.execution.shares = e.shares;
  fill.execution.price = e.price;
  fill.execution.order_id = e.order_id;
  fill.execution.perm_id = e.perm_id;
  fill.execution.cum_qty = e.cum_qty;
  fill.execution.avg_price = e.avg_price;
  fill.execution.order_ref = e.order_ref;
  fill.commission_report.exec_id = e.exec_id;
  // Another program's execution is not this account's to record.
  if (!events().execution_arrived(fill)) return;
  auto early = early_commissions_.find(e.exec_id);
  if (early != early_commissions_.end()) {
    const CommissionReport& report = early->second.report;
    fill.commission_report.commission = report.commission;
    fill.commission_report.currency = report.currency;
    fill.commission_report.realized_pnl = report.realized_pnl;
    early_commissions_.erase(early);
    deliver(std::move(fill));
    return;
  }
  pending_.emplace(e.exec_id, PendingFill{std::move(fill), std::chrono::steady_clock::now() +
                                                               settings_.commission_wait});
}

void IbVenue::on_commission(const ib::CommissionReportData& wire_report) {
  const CommissionReport report = from_wire(wire_report);
  auto it = pending_.find(report.exec_id);
  if (it == pending_.end()) {
    if (delivered_.count(report.exec_id) != 0) {
      if (without_commission_.erase(report.exec_id) != 0) events().late_commission(report);
      return;  // otherwise a repeat (reconciliation sends them again)
    }
    // The execution may still come (for commission_wait; see early_commissions_).
    early_commissions_[report.exec_id] = {
        report, std::chrono::steady_clock::now() + settings_.commission_wait};
    return;
  }
  Fill fill = std::move(it->second.fill);
  pending_.erase(it);
  fill.commission_report.commission = report.commission;
  if (!report.currency.empty()) fill.commission_report.currency = report.currency;
  fill.commission_report.realized_pnl = report.realized_pnl;
  deliver(std::move(fill));
}

void IbVenue::book_overdue_fills(bool all) {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(early_commissions_, [&](const auto& entry) {
    if (entry.second.expires > now) return false;
    log(
        fmt::format("execution {}: no execution within {} ms of its commission report; the "
                    "report is dropped (an execution this run does not record)",
                    entry.first, settings_.commission_wait.count()));
    return true;
  });
  std::vector<std::string> overdue;
  for (const auto& [exec_id, pending] : pending_) {
    if (all || pending.deadline <= now) overdue.push_back(exec_id);
  }
  // In execution order, as they happened.
  std::sort(overdue.begin(), overdue.end(), [&](const std::string& a, const std::string& b) {
    return pending_.at(a).fill.time < pending_.at(b).fill.time;
  });
  for (const std::string& exec_id : overdue) {
    Fill fill = std::move(pending_.at(exec_id).fill);
    pending_.erase(exec_id);
    without_commission_.insert(exec_id);
    log(fmt::format("execution {}: no commission report within {} ms; booked without one", exec_id,
                    settings_.commission_wait.count()));
    deliver(std::move(fill));
  }
}

void IbVenue::deliver(Fill fill) {
  const std::string& exec_id = fill.execution.exec_id;
  broker::VenueFill delivered;
  auto [latest, added] = latest_revision_.try_emplace(broker::exec_key(exec_id), exec_id);
  if (added) {
    delivered.kind = broker::FillKind::kNew;
  } else if (broker::exec_revision(exec_id) < broker::exec_revision(latest->second)) {
    delivered.kind = broker::FillKind::kSuperseded;  // an older revision after its correction
  } else {
    delivered.kind = broker::FillKind::kCorrection;
    latest->second = exec_id;
  }
  delivered_.insert(exec_id);
  delivered.fill = std::move(fill);
  events().fill(delivered);
}

}  // namespace tandem::live
