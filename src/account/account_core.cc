#include "account/account_core.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "broker/account_schema.h"
#include "broker/order_rules.h"
#include "core/error.h"
#include "core/tolerance.h"

namespace tandem::account {

std::string describe_order(const Trade& trade) {
  const Order& o = trade.order;
  std::string text = fmt::format("{} {} {} {}", action_name(o.action), o.total_quantity,
                                 trade.contract.symbol, order_type_name(o.order_type));
  if (o.limit_price) text += fmt::format(" lmt {}", *o.limit_price);
  if (o.stop_price) text += fmt::format(" stp {}", *o.stop_price);
  return text + " " + std::string(time_in_force_name(o.tif));
}

AccountCore::AccountCore(CoreSettings settings)
    : settings_(std::move(settings)),
      status_rows_or_log_((settings_.recorder != nullptr && settings_.record_orders) ||
                          static_cast<bool>(settings_.log)) {}

std::size_t AccountCore::add_strategy(std::string key, broker::EquityAllocation allocation) {
  broker::validate_strategy_key(key);
  orders_.add_strategy(key);  // refuses a key used twice
  risk_.add_strategy(key, {});
  StrategyAccount strategy;
  strategy.key = std::move(key);
  strategy.allocation = std::move(allocation);
  strategy.place_where = "place_order (strategy " + strategy.key + ")";
  strategy.position_where = "position (strategy " + strategy.key + ")";
  strategy.recorder_slot = settings_.recorder != nullptr
                               ? settings_.recorder->strategy_slot(strategy.key)
                               : strategies_.size();
  strategies_.push_back(std::move(strategy));
  round_trips_.push_back(0);
  return strategies_.size() - 1;
}

void AccountCore::start(double total_equity) {
  for (StrategyAccount& strategy : strategies_) {
    strategy.capital = strategy.allocation.equity(total_equity);
  }
}

void AccountCore::change_status_recorded(OrderEntry& entry, OrderStatus status, Timestamp time,
                                         std::string message) {
  Trade& trade = *entry.trade;
  if (settings_.log) {
    log(fmt::format("ORDER {} {} {} {}{}{}", trade.order.order_id, strategies_[entry.strategy].key,
                    describe_order(trade), order_status_name(status),
                    trade.state.filled > 0 ? fmt::format(" filled {}", trade.state.filled) : "",
                    message.empty() ? "" : " (" + message + ")"));
  }
  if (settings_.recorder != nullptr && settings_.record_orders) {
    write_row(
        rows_.orders,
        [&](broker::OrderEventRow& row) {
          broker::change_order_status(trade, status, time, std::move(message), row,
                                      settings_.account);
        },
        [&](broker::OrderEventRow&& row) { settings_.recorder->record(std::move(row)); });
  } else {
    // No row is kept (in memory, a dry run), so none is made.
    broker::set_order_status(trade, status, time, std::move(message));
  }
  notices_.order_status(entry.strategy, entry.trade);
}

void AccountCore::refuse_quantity_with_size(const Order& order, std::string_view where) {
  if (order.total_quantity != 0) {
    throw Error(ErrorKind::InvalidArgument,
                "an order placed by size must not also carry a quantity", std::string(where));
  }
}

void AccountCore::check_parent(std::size_t strategy, const Contract& contract,
                               const Order& order) const {
  const std::string& where = strategies_[strategy].place_where;
  // The parent's id is the venue's: a held order (no id yet, a negative key) cannot be one.
  const OrderEntry* parent = order.parent_id > 0 ? orders_.find(order.parent_id) : nullptr;
  if (parent == nullptr || parent->strategy != strategy || !parent->trade) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("parent order {} is not a working order of this strategy", order.parent_id),
        where);
  }
  broker::check_parent(*parent->trade, contract, where);
}

AccountCore::OrderEntry* AccountCore::to_cancel(std::size_t strategy,
                                                const broker::TradeHandle& handle) {
  const std::string where = "cancel_order (strategy " + strategies_[strategy].key + ")";
  OrderEntry& record = orders_.owned(strategy, handle, where);
  return broker::cancel_needed(*record.trade, where) ? &record : nullptr;
}

void AccountCore::modify(std::size_t strategy, const broker::TradeHandle& handle,
                         const broker::OrderChanges& changes, Timestamp time,
                         broker::Venue& venue) {
  const std::string where = "modify_order (strategy " + strategies_[strategy].key + ")";
  OrderEntry& record = orders_.owned(strategy, handle, where);
  Trade& trade = *record.trade;
  broker::check_modifiable(trade, where);
  std::string what;
  const Order changed =
      broker::changed_order(trade.order, changes, settings_.fractional, where, what);
  if (record.submitted) {
    if (!venue.connected()) {
      throw Error(ErrorKind::Unavailable,
                  fmt::format("order {}: not connected to its venue, the change cannot be sent now",
                              trade.order.order_id),
                  where);
    }
    // Kept until the venue confirms the change (or put back when it refuses it).
    if (!record.before_change) record.before_change = std::make_unique<Order>(trade.order);
  }
  trade.order = changed;
  trade.state.remaining = std::max(0.0, changed.total_quantity - trade.state.filled);
  if (record.submitted) venue.modify(trade.contract, trade.order);
  change_status(record, trade.state.status, time, "modified:" + what);
}

void AccountCore::refuse_change(OrderEntry& record, Timestamp time, const std::string& message) {
  Trade& trade = *record.trade;
  trade.order = std::move(*record.before_change);
  record.before_change.reset();
  trade.state.remaining = std::max(0.0, trade.order.total_quantity - trade.state.filled);
  const std::string why = "change refused, the order keeps its terms: " + message;
  if (trade.is_done()) {
    log(fmt::format("order {}: {}", trade.order.order_id, why));
    return;
  }
  // Back at its own quantity, executions already in may complete it.
  const bool complete = trade.state.filled + kShareEpsilon >= trade.order.total_quantity;
  change_status(record, complete ? OrderStatus::kFilled : trade.state.status, time, why);
}

void AccountCore::record_fill_rows(std::size_t strategy, const Fill& fill,
                                   const broker::PositionBook::Holding* holding) {
  const StrategyAccount& owner = strategies_[strategy];
  record_fill(fill, owner.key);
  // The positions row, in place as write_row writes the others (its table, the strategy's
  // slot of rows_, is only looked up when batching).
  const std::size_t slot = owner.recorder_slot;
  auto write = [&](broker::StrategyPositionRow& row) {
    row.time = fill.time;
    row.symbol = fill.contract.symbol;
    row.con_id = fill.contract.con_id;
    row.position = holding != nullptr ? holding->quantity : 0.0;
    row.avg_cost = holding != nullptr ? holding->avg_cost() : 0.0;
    row.realized_pnl = holding != nullptr ? holding->realized_pnl : 0.0;
    row.exec_id = fill.execution.exec_id;
  };
  if (batching()) {
    write(rows_.strategy(slot).positions.emplace_back());
    rows_buffered();
  } else {
    broker::StrategyPositionRow row;
    write(row);
    settings_.recorder->record_position(slot, std::move(row));
  }
}

void AccountCore::record_trips(std::size_t strategy, std::span<const broker::RoundTrip> trips) {
  for (const broker::RoundTrip& trip : trips) {
    record(broker::TradeRow{strategies_[strategy].key, trip});
  }
}

void AccountCore::record_order_event(Timestamp time, const Trade& trade, std::string message) {
  write_row(
      rows_.orders,
      [&](broker::OrderEventRow& row) {
        broker::write_order_event_row(row, time, trade, std::move(message), settings_.account);
      },
      [&](broker::OrderEventRow&& row) { settings_.recorder->record(std::move(row)); });
}

void AccountCore::record_fill(const Fill& fill, const std::string& key) {
  write_row(
      rows_.fills, [&](broker::FillRow& row) { broker::write_fill_row(row, fill, key); },
      [&](broker::FillRow&& row) { settings_.recorder->record(std::move(row)); });
}

void AccountCore::hand_over_rows() {
  if (settings_.recorder != nullptr) settings_.recorder->record(rows_);
  buffered_rows_ = 0;
}

template <class Batch, class Write, class Send>
void AccountCore::write_row(Batch& batch, Write&& write, Send&& send) {
  if (batching()) {
    write(batch.emplace_back());
    rows_buffered();
    return;
  }
  typename Batch::value_type row;
  write(row);
  send(std::move(row));
}

template <class Batch, class Row>
void AccountCore::send_or_buffer(Batch& batch, Row&& row) {
  if (!batching()) return settings_.recorder->record(std::move(row));
  batch.push_back(std::move(row));
  rows_buffered();
}

void AccountCore::record(broker::OrderEventRow&& row) {
  send_or_buffer(rows_.orders, std::move(row));
}

void AccountCore::record(broker::FillRow&& row) { send_or_buffer(rows_.fills, std::move(row)); }

void AccountCore::record(broker::LateCommissionRow&& row) {
  send_or_buffer(rows_.late_commissions, std::move(row));
}

void AccountCore::record(broker::TradeRow&& row) { send_or_buffer(rows_.trades, std::move(row)); }

void AccountCore::record(broker::PortfolioRow&& row) {
  send_or_buffer(rows_.portfolio, std::move(row));
}

void AccountCore::record(broker::AccountSummaryRow&& row) {
  send_or_buffer(rows_.account_summary, std::move(row));
}

void AccountCore::record_position(std::size_t strategy, broker::StrategyPositionRow&& row) {
  const std::size_t slot = strategies_[strategy].recorder_slot;
  if (!batching()) return settings_.recorder->record_position(slot, std::move(row));
  rows_.strategy(slot).positions.push_back(std::move(row));
  rows_buffered();
}

void AccountCore::record_performance(std::size_t strategy, const broker::PerformanceRow& row) {
  const std::size_t slot = strategies_[strategy].recorder_slot;
  if (!batching()) return settings_.recorder->record_performance(slot, row);
  rows_.strategy(slot).performance.push_back(row);
  rows_buffered();
}

void AccountCore::set_risk_limits(const risk::Limits& account,
                                  const std::vector<risk::Limits>& strategies,
                                  const std::string& limits_owner) {
  risk::RiskGate gate;
  gate.set_account(settings_.account, account, limits_owner);
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    gate.add_strategy(strategies_[i].key, i < strategies.size() ? strategies[i] : risk::Limits{});
  }
  gate.set_halt(risk_.halt());
  risk_ = std::move(gate);
}

}  // namespace tandem::account
