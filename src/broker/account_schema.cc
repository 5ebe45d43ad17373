#include "broker/account_schema.h"

#include "broker/routing.h"
#include "core/error.h"

namespace tandem::broker {
namespace {

using store::Column;
using store::Table;

// One value per row, written by index into a sized vector: a loop of push_back calls that the
// compiler keeps out of line costs several times more per value (the recorder's writer converts
// every row of a backtest).
template <typename Value, typename Row, typename Get>
std::vector<Value> values_of(const std::vector<Row>& rows, Get get) {
  std::vector<Value> values(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) values[i] = get(rows[i]);
  return values;
}

template <typename Row, typename Get>
Column float_column(const std::vector<Row>& rows, std::string name, Get get) {
  return Column::of_float64(std::move(name), values_of<double>(rows, get));
}

// Nullable float: rows where get() is nullopt are null.
template <typename Row, typename Get>
Column optional_float_column(const std::vector<Row>& rows, std::string name, Get get) {
  std::vector<double> values;
  std::vector<std::uint8_t> valid;
  values.reserve(rows.size());
  valid.reserve(rows.size());
  bool any_null = false;
  for (const Row& row : rows) {
    std::optional<double> value = get(row);
    values.push_back(value.value_or(0.0));
    valid.push_back(value.has_value() ? 1 : 0);
    any_null |= !value.has_value();
  }
  Column column = Column::of_float64(std::move(name), std::move(values));
  if (any_null) column.set_validity(std::move(valid));
  return column;
}

template <typename Row, typename Get>
Column int_column(const std::vector<Row>& rows, std::string name, Get get) {
  return Column::of_int64(std::move(name), values_of<std::int64_t>(rows, get));
}

template <typename Row, typename Get>
Column timestamp_column(const std::vector<Row>& rows, std::string name, Get get) {
  return Column::of_timestamp(std::move(name), values_of<Timestamp>(rows, get));
}

// `get` returns a name (a std::string_view) or a reference to the row's own string: each value
// is copied once into the column (a getter returning a std::string by value would copy, then
// move, every row's string).
template <typename Row, typename Get>
Column string_column(const std::vector<Row>& rows, std::string name, Get get) {
  std::vector<std::string> values;
  values.reserve(rows.size());
  for (const Row& row : rows) values.emplace_back(get(row));
  return Column::of_string(std::move(name), std::move(values));
}
// A column of the rows' string member `field`.
template <typename Row>
Column string_column(const std::vector<Row>& rows, std::string name, std::string Row::*field) {
  return string_column(rows, std::move(name),
                       [field](const Row& row) -> const std::string& { return row.*field; });
}

template <typename Row, typename Get>
Column bool_column(const std::vector<Row>& rows, std::string name, Get get) {
  std::vector<std::uint8_t> values(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) values[i] = get(rows[i]) ? 1 : 0;
  return Column::of_bool(std::move(name), std::move(values));
}

template <typename Row, typename Get>
Table indexed_by(const std::vector<Row>& rows, Get get_time) {
  return Table(values_of<Timestamp>(rows, get_time));
}

}  // namespace

void validate_strategy_key(std::string_view key) {
  auto is_alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  bool ok = !key.empty() && key.size() <= 64 && is_alnum(key.front());
  for (char c : key) ok = ok && (is_alnum(c) || c == '_' || c == '.' || c == '-');
  if (!ok) {
    throw Error("strategy key '" + std::string(key) +
                    "' must be 1-64 characters of [A-Za-z0-9_.-], starting with a letter or digit",
                "strategy key");
  }
}

std::string strategy_equity_symbol(std::string_view key) {
  return "strategy_" + std::string(key) + "_equity";
}
std::string strategy_positions_symbol(std::string_view key) {
  return "strategy_" + std::string(key) + "_positions";
}
std::string strategy_performance_symbol(std::string_view key) {
  return "strategy_" + std::string(key) + "_performance";
}
std::optional<std::string> performance_symbol_key(std::string_view symbol) {
  constexpr std::string_view kPrefix = "strategy_";
  constexpr std::string_view kSuffix = "_performance";
  if (symbol.size() <= kPrefix.size() + kSuffix.size() || !symbol.starts_with(kPrefix) ||
      !symbol.ends_with(kSuffix)) {
    return std::nullopt;
  }
  return std::string(
      symbol.substr(kPrefix.size(), symbol.size() - kPrefix.size() - kSuffix.size()));
}

void write_order_event_row(OrderEventRow& out, Timestamp time, const Trade& trade,
                           std::string message, std::string_view own_account) {
  out.time = time;
  out.order_id = trade.order.order_id;
  out.perm_id = trade.order.perm_id;
  out.strategy = trade.order.order_ref;
  out.symbol = trade.contract.symbol;
  out.action = trade.order.action;
  out.quantity = trade.order.total_quantity;
  out.order_type = trade.order.order_type;
  out.limit_price = trade.order.limit_price;
  out.stop_price = trade.order.stop_price;
  out.tif = trade.order.tif;
  out.status = trade.state.status;
  out.filled = trade.state.filled;
  out.remaining = trade.state.remaining;
  out.avg_fill_price = trade.state.avg_fill_price;
  out.message = std::move(message);
  out.exchange = trade.contract.exchange;
  out.primary_exchange = trade.contract.primary_exchange;
  out.currency = trade.contract.currency;
  if (trade.order.account != own_account) {
    out.account = trade.order.account;
  } else {
    out.account.clear();
  }
  out.outside_rth = trade.order.outside_rth;
  if (!trade.order.algo_strategy.empty()) {
    out.algo = algo_text(trade.order.algo_strategy, trade.order.algo_params);
  } else {
    out.algo.clear();
  }
}

OrderEventRow make_order_event_row(Timestamp time, const Trade& trade, std::string message,
                                   std::string_view own_account) {
  OrderEventRow row;
  write_order_event_row(row, time, trade, std::move(message), own_account);
  return row;
}

void write_fill_row(FillRow& out, const Fill& fill, std::string_view strategy) {
  out.time = fill.time;
  out.exec_id = fill.execution.exec_id;
  out.order_id = fill.execution.order_id;
  out.perm_id = fill.execution.perm_id;
  out.strategy = strategy;
  out.symbol = fill.contract.symbol;
  out.side = fill.execution.side;
  out.shares = fill.execution.shares;
  out.price = fill.execution.price;
  out.cum_qty = fill.execution.cum_qty;
  out.avg_price = fill.execution.avg_price;
  out.exchange = fill.execution.exchange;
  out.commission = fill.commission_report.commission;
  out.realized_pnl = fill.commission_report.realized_pnl;
}

FillRow make_fill_row(const Fill& fill, std::string_view strategy) {
  FillRow row;
  write_fill_row(row, fill, strategy);
  return row;
}

Table to_table(const std::vector<OrderEventRow>& rows) {
  using R = OrderEventRow;
  Table table = indexed_by(rows, [](const R& r) { return r.time; });
  table.with(int_column(rows, "order_id", [](const R& r) { return r.order_id; }))
      .with(int_column(rows, "perm_id", [](const R& r) { return r.perm_id; }))
      .with(string_column(rows, "strategy", &R::strategy))
      .with(string_column(rows, "symbol", &R::symbol))
      .with(string_column(rows, "action", [](const R& r) { return action_name(r.action); }))
      .with(float_column(rows, "quantity", [](const R& r) { return r.quantity; }))
      .with(string_column(rows, "order_type",
                          [](const R& r) { return order_type_name(r.order_type); }))
      .with(optional_float_column(rows, "limit_price", [](const R& r) { return r.limit_price; }))
      .with(optional_float_column(rows, "stop_price", [](const R& r) { return r.stop_price; }))
      .with(string_column(rows, "tif", [](const R& r) { return time_in_force_name(r.tif); }))
      .with(string_column(rows, "status", [](const R& r) { return order_status_name(r.status); }))
      .with(float_column(rows, "filled", [](const R& r) { return r.filled; }))
      .with(float_column(rows, "remaining", [](const R& r) { return r.remaining; }))
      .with(float_column(rows, "avg_fill_price", [](const R& r) { return r.avg_fill_price; }))
      .with(string_column(rows, "message", &R::message))
      .with(string_column(rows, "exchange", &R::exchange))
      .with(string_column(rows, "primary_exchange", &R::primary_exchange))
      .with(string_column(rows, "currency", &R::currency))
      .with(string_column(rows, "account", &R::account))
      .with(bool_column(rows, "outside_rth", [](const R& r) { return r.outside_rth; }))
      .with(string_column(rows, "algo", &R::algo));
  return table;
}

Table to_table(const std::vector<FillRow>& rows) {
  using R = FillRow;
  Table table = indexed_by(rows, [](const R& r) { return r.time; });
  table.with(string_column(rows, "exec_id", &R::exec_id))
      .with(int_column(rows, "order_id", [](const R& r) { return r.order_id; }))
      .with(int_column(rows, "perm_id", [](const R& r) { return r.perm_id; }))
      .with(string_column(rows, "strategy", &R::strategy))
      .with(string_column(rows, "symbol", &R::symbol))
      .with(string_column(rows, "side", [](const R& r) { return action_name(r.side); }))
      .with(float_column(rows, "shares", [](const R& r) { return r.shares; }))
      .with(float_column(rows, "price", [](const R& r) { return r.price; }))
      .with(float_column(rows, "cum_qty", [](const R& r) { return r.cum_qty; }))
      .with(float_column(rows, "avg_price", [](const R& r) { return r.avg_price; }))
      .with(string_column(rows, "exchange", &R::exchange))
      .with(float_column(rows, "commission", [](const R& r) { return r.commission; }))
      .with(optional_float_column(rows, "realized_pnl", [](const R& r) { return r.realized_pnl; }));
  return table;
}

Table to_table(const std::vector<LateCommissionRow>& rows) {
  using R = LateCommissionRow;
  Table table = indexed_by(rows, [](const R& r) { return r.time; });
  table.with(string_column(rows, "exec_id", &R::exec_id))
      .with(string_column(rows, "strategy", &R::strategy))
      .with(string_column(rows, "symbol", &R::symbol))
      .with(float_column(rows, "commission", [](const R& r) { return r.commission; }))
      .with(string_column(rows, "currency", &R::currency))
      .with(optional_float_column(rows, "realized_pnl", [](const R& r) { return r.realized_pnl; }));
  return table;
}

Table to_table(const std::vector<TradeRow>& rows) {
  using R = TradeRow;
  Table table = indexed_by(rows, [](const R& r) { return r.trip.exit_time; });
  table.with(string_column(rows, "strategy", &R::strategy))
      .with(string_column(rows, "symbol",
                          [](const R& r) -> const std::string& { return r.trip.symbol; }))
      .with(string_column(rows, "direction",
                          [](const R& r) { return r.trip.is_long ? "LONG" : "SHORT"; }))
      .with(float_column(rows, "quantity", [](const R& r) { return r.trip.quantity; }))
      .with(timestamp_column(rows, "entry_time", [](const R& r) { return r.trip.entry_time; }))
      .with(float_column(rows, "entry_price", [](const R& r) { return r.trip.entry_price; }))
      .with(timestamp_column(rows, "exit_time", [](const R& r) { return r.trip.exit_time; }))
      .with(float_column(rows, "exit_price", [](const R& r) { return r.trip.exit_price; }))
      .with(float_column(rows, "pnl", [](const R& r) { return r.trip.pnl; }))
      .with(float_column(rows, "commission", [](const R& r) { return r.trip.commission; }));
  return table;
}

Table to_table(const std::vector<PortfolioRow>& rows) {
  using R = PortfolioRow;
  Table table = indexed_by(rows, [](const R& r) { return r.time; });
  table.with(string_column(rows, "symbol", &R::symbol))
      .with(int_column(rows, "con_id", [](const R& r) { return r.con_id; }))
      .with(float_column(rows, "position", [](const R& r) { return r.position; }))
      .with(float_column(rows, "avg_cost", [](const R& r) { return r.avg_cost; }))
      .with(float_column(rows, "market_price", [](const R& r) { return r.market_price; }))
      .with(float_column(rows, "market_value", [](const R& r) { return r.market_value; }))
      .with(float_column(rows, "unrealized_pnl", [](const R& r) { return r.unrealized_pnl; }))
      .with(float_column(rows, "realized_pnl", [](const R& r) { return r.realized_pnl; }))
      .with(float_column(rows, "unattributed", [](const R& r) { return r.unattributed; }));
  return table;
}

Table to_table(const std::vector<AccountSummaryRow>& rows) {
  using R = AccountSummaryRow;
  Table table = indexed_by(rows, [](const R& r) { return r.time; });
  table.with(float_column(rows, "net_liquidation", [](const R& r) { return r.net_liquidation; }))
      .with(float_column(rows, "total_cash", [](const R& r) { return r.total_cash; }))
      .with(float_column(rows, "buying_power", [](const R& r) { return r.buying_power; }))
      .with(float_column(rows, "gross_position_value",
                         [](const R& r) { return r.gross_position_value; }))
      .with(float_column(rows, "unrealized_pnl", [](const R& r) { return r.unrealized_pnl; }))
      .with(float_column(rows, "realized_pnl", [](const R& r) { return r.realized_pnl; }))
      .with(float_column(rows, "commission", [](const R& r) { return r.commission; }))
      .with(string_column(rows, "currency", &R::currency));
  return table;
}

Table to_table(const std::vector<StrategyPositionRow>& rows) {
  using R = StrategyPositionRow;
  Table table = indexed_by(rows, [](const R& r) { return r.time; });
  table.with(string_column(rows, "symbol", &R::symbol))
      .with(int_column(rows, "con_id", [](const R& r) { return r.con_id; }))
      .with(float_column(rows, "position", [](const R& r) { return r.position; }))
      .with(float_column(rows, "avg_cost", [](const R& r) { return r.avg_cost; }))
      .with(float_column(rows, "realized_pnl", [](const R& r) { return r.realized_pnl; }))
      .with(string_column(rows, "exec_id", &R::exec_id));
  return table;
}

Table to_table(const std::vector<PerformanceRow>& rows) {
  using R = PerformanceRow;
  Table table = indexed_by(rows, [](const R& r) { return r.time; });
  table.with(float_column(rows, "equity", [](const R& r) { return r.equity; }))
      .with(float_column(rows, "allocation", [](const R& r) { return r.allocation; }))
      .with(float_column(rows, "allocated_cash", [](const R& r) { return r.allocated_cash; }))
      .with(float_column(rows, "position_value", [](const R& r) { return r.position_value; }))
      .with(float_column(rows, "realized_pnl", [](const R& r) { return r.realized_pnl; }))
      .with(float_column(rows, "unrealized_pnl", [](const R& r) { return r.unrealized_pnl; }))
      .with(float_column(rows, "commission", [](const R& r) { return r.commission; }))
      .with(float_column(rows, "exposure", [](const R& r) { return r.exposure; }))
      .with(float_column(rows, "turnover", [](const R& r) { return r.turnover; }))
      .with(int_column(rows, "trades", [](const R& r) { return r.trades; }));
  return table;
}

}  // namespace tandem::broker
