// The account library's decoders (account_schema.h): the inverse of to_table, by column name.
#include <fmt/format.h>

#include "broker/account_schema.h"
#include "broker/table_reader.h"
#include "core/error.h"

namespace tandem::broker {
namespace {

using Need = TableReader::Need;

// Looks columns up for one decoder, noting the schema columns the table lacks.
template <typename Row>
class Columns {
 public:
  Columns(const store::Table& table, std::string where, Decoded<Row>& out)
      : reader_(table, std::move(where)), out_(out) {}

  const TableReader& reader() const { return reader_; }
  const store::Column* numeric(std::string_view name, Need need = Need::kOptional) {
    return note(name, reader_.numeric(name, need));
  }
  const store::Column* text(std::string_view name, Need need = Need::kOptional) {
    return note(name, reader_.text(name, need));
  }
  const store::Column* flag(std::string_view name, Need need = Need::kOptional) {
    return note(name, reader_.flag(name, need));
  }

  // The enum a text cell names; the default for an absent column or a null cell.
  template <typename Enum, typename Parse>
  Enum parse(const store::Column* column, std::size_t row, Enum fallback, Parse parse_text,
             std::string_view what) const {
    if (column == nullptr || column->is_null(row)) return fallback;
    const std::string& text = column->strings()[row];
    std::optional<Enum> value = parse_text(text);
    if (!value) {
      reader_.fail(
          fmt::format("column '{}' holds '{}', which is not {}", column->name(), text, what), row);
    }
    return *value;
  }

 private:
  const store::Column* note(std::string_view name, const store::Column* column) {
    if (column == nullptr) out_.absent.emplace_back(name);
    return column;
  }

  TableReader reader_;
  Decoded<Row>& out_;
};

using R = TableReader;

std::optional<Action> parse_side(std::string_view text) {
  if (text == "BOT") return Action::kBuy;  // IB's words in execDetails
  if (text == "SLD") return Action::kSell;
  return parse_action(text);
}

}  // namespace

Decoded<OrderEventRow> decode_orders(const store::Table& table, std::string where) {
  Decoded<OrderEventRow> out;
  Columns<OrderEventRow> c(table, std::move(where), out);
  const store::Column* order_id = c.numeric("order_id");
  const store::Column* perm_id = c.numeric("perm_id");
  const store::Column* strategy = c.text("strategy");
  const store::Column* symbol = c.text("symbol");
  const store::Column* action = c.text("action");
  const store::Column* quantity = c.numeric("quantity");
  const store::Column* order_type = c.text("order_type");
  const store::Column* limit_price = c.numeric("limit_price");
  const store::Column* stop_price = c.numeric("stop_price");
  const store::Column* tif = c.text("tif");
  const store::Column* status = c.text("status");
  const store::Column* filled = c.numeric("filled");
  const store::Column* remaining = c.numeric("remaining");
  const store::Column* avg_fill_price = c.numeric("avg_fill_price");
  const store::Column* message = c.text("message");
  // The routing columns (docs/routing.md); tables written before them lack them.
  const store::Column* exchange = c.text("exchange");
  const store::Column* primary_exchange = c.text("primary_exchange");
  const store::Column* currency = c.text("currency");
  const store::Column* account = c.text("account");
  const store::Column* outside_rth = c.flag("outside_rth");
  const store::Column* algo = c.text("algo");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    OrderEventRow row;
    row.time = c.reader().time(i);
    row.order_id = R::integer_or(order_id, i, 0);
    row.perm_id = R::integer_or(perm_id, i, 0);
    row.strategy = R::string_or(strategy, i);
    row.symbol = R::string_or(symbol, i);
    row.action = c.parse(action, i, Action::kBuy, parse_action, "BUY or SELL");
    row.quantity = R::number_or(quantity, i, 0);
    row.order_type = c.parse(order_type, i, OrderType::kMarket, parse_order_type, "an order type");
    row.limit_price = R::number(limit_price, i);
    row.stop_price = R::number(stop_price, i);
    row.tif = c.parse(tif, i, TimeInForce::kDay, parse_time_in_force, "a time in force");
    row.status =
        c.parse(status, i, OrderStatus::kPendingSubmit, parse_order_status, "an order status");
    row.filled = R::number_or(filled, i, 0);
    row.remaining = R::number_or(remaining, i, 0);
    row.avg_fill_price = R::number_or(avg_fill_price, i, 0);
    row.message = R::string_or(message, i);
    row.exchange = R::string_or(exchange, i);
    row.primary_exchange = R::string_or(primary_exchange, i);
    row.currency = R::string_or(currency, i);
    row.account = R::string_or(account, i);
    row.outside_rth = R::flag_or_false(outside_rth, i);
    row.algo = R::string_or(algo, i);
    out.rows.push_back(std::move(row));
  }
  return out;
}

Decoded<FillRow> decode_fills(const store::Table& table, std::string where) {
  Decoded<FillRow> out;
  Columns<FillRow> c(table, std::move(where), out);
  const store::Column* exec_id = c.text("exec_id");
  const store::Column* order_id = c.numeric("order_id");
  const store::Column* perm_id = c.numeric("perm_id");
  const store::Column* strategy = c.text("strategy");
  const store::Column* symbol = c.text("symbol");
  const store::Column* side = c.text("side");
  const store::Column* shares = c.numeric("shares", Need::kRequired);
  const store::Column* price = c.numeric("price", Need::kRequired);
  const store::Column* cum_qty = c.numeric("cum_qty");
  const store::Column* avg_price = c.numeric("avg_price");
  const store::Column* exchange = c.text("exchange");
  const store::Column* commission = c.numeric("commission");
  const store::Column* realized_pnl = c.numeric("realized_pnl");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    FillRow row;
    row.time = c.reader().time(i);
    row.exec_id = R::string_or(exec_id, i);
    row.order_id = R::integer_or(order_id, i, 0);
    row.perm_id = R::integer_or(perm_id, i, 0);
    row.strategy = R::string_or(strategy, i);
    row.symbol = R::string_or(symbol, i);
    row.side = c.parse(side, i, Action::kBuy, parse_side, "BUY, SELL, BOT or SLD");
    row.shares = R::number_or(shares, i, 0);
    row.price = R::number_or(price, i, 0);
    row.cum_qty = R::number_or(cum_qty, i, 0);
    row.avg_price = R::number_or(avg_price, i, 0);
    row.exchange = R::string_or(exchange, i);
    row.commission = R::number_or(commission, i, 0);
    row.realized_pnl = R::number(realized_pnl, i);
    out.rows.push_back(std::move(row));
  }
  return out;
}

Decoded<LateCommissionRow> decode_late_commissions(const store::Table& table, std::string where) {
  Decoded<LateCommissionRow> out;
  Columns<LateCommissionRow> c(table, std::move(where), out);
  const store::Column* exec_id = c.text("exec_id", Need::kRequired);
  const store::Column* strategy = c.text("strategy");
  const store::Column* symbol = c.text("symbol");
  const store::Column* commission = c.numeric("commission", Need::kRequired);
  const store::Column* currency = c.text("currency");
  const store::Column* realized_pnl = c.numeric("realized_pnl");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    LateCommissionRow row;
    row.time = c.reader().time(i);
    row.exec_id = R::string_or(exec_id, i);
    row.strategy = R::string_or(strategy, i);
    row.symbol = R::string_or(symbol, i);
    row.commission = R::number_or(commission, i, 0);
    row.currency = R::string_or(currency, i);
    row.realized_pnl = R::number(realized_pnl, i);
    out.rows.push_back(std::move(row));
  }
  return out;
}

Decoded<TradeRow> decode_trades(const store::Table& table, std::string where) {
  Decoded<TradeRow> out;
  Columns<TradeRow> c(table, std::move(where), out);
  const store::Column* strategy = c.text("strategy");
  const store::Column* symbol = c.text("symbol");
  const store::Column* direction = c.text("direction");
  const store::Column* quantity = c.numeric("quantity");
  const store::Column* entry_time = c.numeric("entry_time");
  const store::Column* entry_price = c.numeric("entry_price");
  const store::Column* exit_time = c.numeric("exit_time");
  const store::Column* exit_price = c.numeric("exit_price");
  const store::Column* pnl = c.numeric("pnl", Need::kRequired);
  const store::Column* commission = c.numeric("commission");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    std::optional<double> net = R::number(pnl, i);
    if (!net) {
      ++out.skipped;
      continue;
    }
    TradeRow row;
    row.strategy = R::string_or(strategy, i);
    RoundTrip& trip = row.trip;
    trip.symbol = R::string_or(symbol, i);
    trip.is_long = R::string_or(direction, i) != "SHORT";
    trip.quantity = R::number_or(quantity, i, 0);
    trip.entry_time = R::integer_or(entry_time, i, c.reader().time(i));
    trip.entry_price = R::number_or(entry_price, i, 0);
    trip.exit_time = R::integer_or(exit_time, i, c.reader().time(i));
    trip.exit_price = R::number_or(exit_price, i, 0);
    trip.pnl = *net;
    trip.commission = R::number_or(commission, i, 0);
    out.rows.push_back(std::move(row));
  }
  return out;
}

Decoded<PortfolioRow> decode_portfolio(const store::Table& table, std::string where) {
  Decoded<PortfolioRow> out;
  Columns<PortfolioRow> c(table, std::move(where), out);
  const store::Column* symbol = c.text("symbol", Need::kRequired);
  const store::Column* con_id = c.numeric("con_id");
  const store::Column* position = c.numeric("position", Need::kRequired);
  const store::Column* avg_cost = c.numeric("avg_cost");
  const store::Column* market_price = c.numeric("market_price");
  const store::Column* market_value = c.numeric("market_value", Need::kRequired);
  const store::Column* unrealized_pnl = c.numeric("unrealized_pnl");
  const store::Column* realized_pnl = c.numeric("realized_pnl");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    PortfolioRow row;
    row.time = c.reader().time(i);
    row.symbol = R::string_or(symbol, i);
    row.con_id = R::integer_or(con_id, i, 0);
    row.position = R::number_or(position, i, 0);
    row.avg_cost = R::number_or(avg_cost, i, 0);
    row.market_price = R::number_or(market_price, i, 0);
    row.market_value = R::number_or(market_value, i, 0);
    row.unrealized_pnl = R::number_or(unrealized_pnl, i, 0);
    row.realized_pnl = R::number_or(realized_pnl, i, 0);
    out.rows.push_back(std::move(row));
  }
  return out;
}

Decoded<AccountSummaryRow> decode_account_summary(const store::Table& table, std::string where) {
  Decoded<AccountSummaryRow> out;
  Columns<AccountSummaryRow> c(table, std::move(where), out);
  const store::Column* net_liquidation = c.numeric("net_liquidation", Need::kRequired);
  const store::Column* total_cash = c.numeric("total_cash");
  const store::Column* buying_power = c.numeric("buying_power");
  const store::Column* gross = c.numeric("gross_position_value");
  const store::Column* unrealized_pnl = c.numeric("unrealized_pnl");
  const store::Column* realized_pnl = c.numeric("realized_pnl");
  const store::Column* commission = c.numeric("commission");
  const store::Column* currency = c.text("currency");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    std::optional<double> nlv = R::number(net_liquidation, i);
    if (!nlv) {
      ++out.skipped;
      continue;
    }
    AccountSummaryRow row;
    row.time = c.reader().time(i);
    row.net_liquidation = *nlv;
    row.total_cash = R::number_or(total_cash, i, 0);
    row.buying_power = R::number_or(buying_power, i, 0);
    row.gross_position_value = R::number_or(gross, i, 0);
    row.unrealized_pnl = R::number_or(unrealized_pnl, i, 0);
    row.realized_pnl = R::number_or(realized_pnl, i, 0);
    row.commission = R::number_or(commission, i, 0);
    // An absent or empty currency keeps the row type's default.
    if (std::string text = R::string_or(currency, i); !text.empty()) row.currency = text;
    out.rows.push_back(std::move(row));
  }
  return out;
}

Decoded<StrategyPositionRow> decode_strategy_positions(const store::Table& table,
                                                       std::string where) {
  Decoded<StrategyPositionRow> out;
  Columns<StrategyPositionRow> c(table, std::move(where), out);
  const store::Column* symbol = c.text("symbol");
  const store::Column* con_id = c.numeric("con_id");
  const store::Column* position = c.numeric("position", Need::kRequired);
  const store::Column* avg_cost = c.numeric("avg_cost");
  const store::Column* realized_pnl = c.numeric("realized_pnl");
  const store::Column* exec_id = c.text("exec_id");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    StrategyPositionRow row;
    row.time = c.reader().time(i);
    row.symbol = R::string_or(symbol, i);
    row.con_id = R::integer_or(con_id, i, 0);
    row.position = R::number_or(position, i, 0);
    row.avg_cost = R::number_or(avg_cost, i, 0);
    row.realized_pnl = R::number_or(realized_pnl, i, 0);
    row.exec_id = R::string_or(exec_id, i);
    out.rows.push_back(std::move(row));
  }
  return out;
}

Decoded<PerformanceRow> decode_performance(const store::Table& table, std::string where) {
  Decoded<PerformanceRow> out;
  Columns<PerformanceRow> c(table, std::move(where), out);
  const store::Column* equity = c.numeric("equity", Need::kRequired);
  const store::Column* allocation = c.numeric("allocation");
  const store::Column* allocated_cash = c.numeric("allocated_cash");
  const store::Column* position_value = c.numeric("position_value");
  const store::Column* realized_pnl = c.numeric("realized_pnl");
  const store::Column* unrealized_pnl = c.numeric("unrealized_pnl");
  const store::Column* commission = c.reader().has("commission") || !c.reader().has("commissions")
                                        ? c.numeric("commission")
                                        : c.reader().numeric("commissions", Need::kRequired);
  const store::Column* exposure = c.numeric("exposure");
  const store::Column* turnover = c.numeric("turnover");
  const store::Column* trades = c.numeric("trades");
  out.rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    std::optional<double> value = R::number(equity, i);
    if (!value) {
      ++out.skipped;
      continue;
    }
    PerformanceRow row;
    row.time = c.reader().time(i);
    row.equity = *value;
    row.allocation = R::number_or(allocation, i, 0);
    row.allocated_cash = R::number_or(allocated_cash, i, 0);
    row.position_value = R::number_or(position_value, i, 0);
    row.realized_pnl = R::number_or(realized_pnl, i, 0);
    row.unrealized_pnl = R::number_or(unrealized_pnl, i, 0);
    row.commission = R::number_or(commission, i, 0);
    row.exposure = R::number_or(exposure, i, 0);
    row.turnover = R::number_or(turnover, i, 0);
    row.trades = R::integer_or(trades, i, 0);
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace tandem::broker
