#include "synthetic_store.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace tandem::report::testing {
namespace {

using store::Column;
using store::Table;

template <typename Row, typename Get>
Column floats(const std::vector<Row>& rows, std::string name, Get get) {
  std::vector<double> v;
  v.reserve(rows.size());
  for (const Row& r : rows) v.push_back(get(r));
  return Column::of_float64(std::move(name), std::move(v));
}

template <typename Row, typename Get>
Column ints(const std::vector<Row>& rows, std::string name, Get get) {
  std::vector<std::int64_t> v;
  v.reserve(rows.size());
  for (const Row& r : rows) v.push_back(get(r));
  return Column::of_int64(std::move(name), std::move(v));
}

template <typename Row, typename Get>
Column strings(const std::vector<Row>& rows, std::string name, Get get) {
  std::vector<std::string> v;
  v.reserve(rows.size());
  for (const Row& r : rows) v.emplace_back(get(r));
  return Column::of_string(std::move(name), std::move(v));
}

template <typename Row, typename Get>
Column optional_floats(const std::vector<Row>& rows, std::string name, Get get) {
  std::vector<double> v;
  std::vector<std::uint8_t> valid;
  bool any_null = false;
  for (const Row& r : rows) {
    std::optional<double> x = get(r);
    v.push_back(x.value_or(0));
    valid.push_back(x ? 1 : 0);
    any_null |= !x;
  }
  Column c = Column::of_float64(std::move(name), std::move(v));
  if (any_null) c.set_validity(std::move(valid));
  return c;
}

template <typename Row>
Table indexed(const std::vector<Row>& rows) {
  std::vector<Timestamp> index;
  index.reserve(rows.size());
  for (const Row& r : rows) index.push_back(r.time);
  return Table(std::move(index));
}

// The synthetic generator emits fills and order events in fill order, which can step back in
// time within a day; the recorder's event logs are appended in any order and read back sorted,
// so sort here the same way.
template <typename Row>
std::vector<Row> by_time(std::vector<Row> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.time < b.time; });
  return rows;
}

}  // namespace

void store_account(store::Store& s, const AccountData& d) {
  store::Library lib = s.library(d.account_id);
  lib.write(
      "account_summary",
      indexed(d.summary)
          .with(floats(d.summary, "net_liquidation", [](auto& r) { return r.net_liquidation; }))
          .with(floats(d.summary, "total_cash", [](auto& r) { return r.total_cash; }))
          .with(floats(d.summary, "buying_power", [](auto& r) { return r.total_cash; }))
          .with(floats(d.summary, "gross_position_value",
                       [](auto& r) { return r.gross_position_value; }))
          .with(floats(d.summary, "unrealized_pnl", [](auto& r) { return r.unrealized_pnl; }))
          .with(floats(d.summary, "realized_pnl", [](auto& r) { return r.realized_pnl; }))
          .with(floats(d.summary, "commission", [](auto&) { return 0.0; }))
          .with(strings(d.summary, "currency", [&](auto&) { return d.currency; })));
  for (const StrategyHistory& h : d.strategies) {
    const auto& days = h.days;
    lib.write("strategy_" + h.key + "_performance",
              indexed(days)
                  .with(floats(days, "equity", [](auto& r) { return r.equity; }))
                  .with(floats(days, "allocation", [](auto& r) { return r.allocated_cash; }))
                  .with(floats(days, "allocated_cash", [](auto& r) { return r.allocated_cash; }))
                  .with(floats(days, "position_value", [](auto& r) { return r.position_value; }))
                  .with(floats(days, "realized_pnl", [](auto& r) { return r.realized_pnl; }))
                  .with(floats(days, "unrealized_pnl", [](auto& r) { return r.unrealized_pnl; }))
                  .with(floats(days, "commission", [](auto& r) { return r.commissions; }))
                  .with(floats(days, "exposure", [](auto& r) { return r.exposure.value_or(0); }))
                  .with(floats(days, "turnover", [](auto& r) { return r.turnover.value_or(0); }))
                  .with(ints(days, "trades", [](auto&) { return std::int64_t{0}; })));
  }
  std::vector<FillRow> fills = by_time(d.fills);
  lib.write("fills", indexed(fills)
                         .with(strings(fills, "exec_id", [](auto& r) { return r.exec_id; }))
                         .with(ints(fills, "order_id", [](auto& r) { return r.order_id; }))
                         .with(ints(fills, "perm_id", [](auto& r) { return r.perm_id; }))
                         .with(strings(fills, "strategy", [](auto& r) { return r.strategy; }))
                         .with(strings(fills, "symbol", [](auto& r) { return r.symbol; }))
                         .with(strings(fills, "side", [](auto& r) { return r.side; }))
                         .with(floats(fills, "shares", [](auto& r) { return r.shares; }))
                         .with(floats(fills, "price", [](auto& r) { return r.price; }))
                         .with(floats(fills, "cum_qty", [](auto& r) { return r.cum_qty; }))
                         .with(floats(fills, "avg_price", [](auto& r) { return r.avg_price; }))
                         .with(strings(fills, "exchange", [](auto& r) { return r.exchange; }))
                         .with(floats(fills, "commission", [](auto& r) { return r.commission; }))
                         .with(optional_floats(fills, "realized_pnl",
                                               [](auto& r) { return r.realized_pnl; })));
  std::vector<OrderRow> orders = by_time(d.orders);
  lib.write("orders",
            indexed(orders)
                .with(ints(orders, "order_id", [](auto& r) { return r.order_id; }))
                .with(ints(orders, "perm_id", [](auto& r) { return r.perm_id; }))
                .with(strings(orders, "strategy", [](auto& r) { return r.strategy; }))
                .with(strings(orders, "symbol", [](auto& r) { return r.symbol; }))
                .with(strings(orders, "action", [](auto& r) { return r.action; }))
                .with(floats(orders, "quantity", [](auto& r) { return r.quantity; }))
                .with(strings(orders, "order_type", [](auto& r) { return r.order_type; }))
                .with(optional_floats(orders, "limit_price", [](auto& r) { return r.limit_price; }))
                .with(optional_floats(orders, "stop_price", [](auto& r) { return r.stop_price; }))
                .with(strings(orders, "tif", [](auto& r) { return r.tif; }))
                .with(strings(orders, "status", [](auto& r) { return r.status; }))
                .with(floats(orders, "filled", [](auto& r) { return r.filled; }))
                .with(floats(orders, "remaining", [](auto& r) { return r.remaining; }))
                .with(floats(orders, "avg_fill_price",
                             [](auto& r) { return r.avg_fill_price.value_or(0); }))
                .with(strings(orders, "message", [](auto& r) { return r.message; })));
  std::vector<TradeRow> trades = by_time(d.trades);
  lib.write("trades",
            indexed(trades)
                .with(strings(trades, "strategy", [](auto& r) { return r.strategy; }))
                .with(strings(trades, "symbol", [](auto& r) { return r.symbol; }))
                .with(strings(trades, "direction",
                              [](auto& r) { return r.quantity < 0 ? "SHORT" : "LONG"; }))
                .with(floats(trades, "quantity", [](auto& r) { return std::abs(r.quantity); }))
                .with(ints(trades, "entry_time", [](auto& r) { return r.entry_time; }))
                .with(floats(trades, "entry_price", [](auto& r) { return r.entry_price; }))
                .with(ints(trades, "exit_time", [](auto& r) { return r.exit_time; }))
                .with(floats(trades, "exit_price", [](auto& r) { return r.exit_price; }))
                .with(floats(trades, "pnl", [](auto& r) { return r.pnl; }))
                .with(floats(trades, "commission", [](auto& r) { return r.commission; })));
  std::vector<PortfolioRow> portfolio = by_time(d.portfolio);
  lib.write("portfolio",
            indexed(portfolio)
                .with(strings(portfolio, "symbol", [](auto& r) { return r.symbol; }))
                .with(ints(portfolio, "con_id", [](auto& r) { return r.con_id; }))
                .with(floats(portfolio, "position", [](auto& r) { return r.position; }))
                .with(floats(portfolio, "avg_cost", [](auto& r) { return r.avg_cost; }))
                .with(floats(portfolio, "market_price", [](auto& r) { return r.market_price; }))
                .with(floats(portfolio, "market_value", [](auto& r) { return r.market_value; }))
                .with(floats(portfolio, "unrealized_pnl", [](auto& r) { return r.unrealized_pnl; }))
                .with(floats(portfolio, "realized_pnl", [](auto& r) { return r.realized_pnl; })));
  if (d.benchmark) {
    const Series& c = d.benchmark->close;
    s.library("market_data")
        .write(d.benchmark->symbol, Table(c.time).with(Column::of_float64("close", c.value)));
  }
}

}  // namespace tandem::report::testing
