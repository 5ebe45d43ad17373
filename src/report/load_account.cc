// load_account(): the account library (docs/backtest.md, "The account library") and a benchmark
// from market_data, read from the store into AccountData. The account tables are decoded by the
// schema's own decoders (broker/account_schema.h: by column name, so a library written by an
// older or newer recorder still loads; a missing required column is an error naming library,
// symbol and column); this file only turns the rows into the report's.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "broker/table_reader.h"
#include "core/error.h"
#include "market_data/names.h"
#include "report/load_prices.h"
#include "report/report.h"
#include "store/store.h"

namespace tandem::report {
namespace {

using broker::kGeneralLibrary;
constexpr std::string_view kMarketDataLibrary = market_data::kLibrary;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// One table read from the account library, with where it came from (library/symbol).
struct StoredTable {
  store::Table table;
  std::string where;
};

std::optional<StoredTable> read_symbol(const store::Library& lib, std::string_view symbol,
                                       const store::ReadOptions& options = {}) {
  if (!lib.has_symbol(symbol)) return std::nullopt;
  return StoredTable{lib.read(symbol, options).table, lib.name() + "/" + std::string(symbol)};
}

void load_summary(const store::Library& lib, AccountData& d) {
  auto stored = read_symbol(lib, broker::kAccountSummarySymbol);
  if (!stored) return;
  broker::Decoded<broker::AccountSummaryRow> rows =
      broker::decode_account_summary(stored->table, stored->where);
  d.summary.reserve(rows.rows.size());
  for (const broker::AccountSummaryRow& row : rows.rows) {
    d.summary.push_back({row.time, row.net_liquidation, row.total_cash, row.gross_position_value,
                         row.unrealized_pnl, row.realized_pnl});
  }
  // The currency the rows state (the last one's), when the library records one.
  if (!rows.lacks("currency") && !rows.rows.empty()) d.currency = rows.rows.back().currency;
  if (rows.skipped > 0) {
    d.load_notes.push_back(fmt::format(
        "{} account_summary row(s) without a net_liquidation value were left out", rows.skipped));
  }
}

StrategyHistory load_performance(const store::Library& lib, const std::string& symbol,
                                 std::string key, std::vector<std::string>& notes) {
  StoredTable stored = *read_symbol(lib, symbol);
  broker::Decoded<broker::PerformanceRow> rows =
      broker::decode_performance(stored.table, stored.where);
  // Without those columns (an older library) the report computes exposure and turnover itself.
  const bool has_exposure = !rows.lacks("exposure");
  const bool has_turnover = !rows.lacks("turnover");
  StrategyHistory h{std::move(key), {}};
  h.days.reserve(rows.rows.size());
  for (const broker::PerformanceRow& row : rows.rows) {
    StrategyDay day;
    day.time = row.time;
    day.equity = row.equity;
    day.allocated_cash = row.allocated_cash;
    day.position_value = row.position_value;
    day.realized_pnl = row.realized_pnl;
    day.unrealized_pnl = row.unrealized_pnl;
    day.commissions = row.commission;
    if (has_exposure) day.exposure = row.exposure;
    if (has_turnover) day.turnover = row.turnover;
    h.days.push_back(day);
  }
  if (rows.skipped > 0) {
    notes.push_back(
        fmt::format("{} {} row(s) without an equity value were left out", rows.skipped, symbol));
  }
  return h;
}

void load_portfolio(const store::Library& lib, AccountData& d) {
  auto stored = read_symbol(lib, broker::kPortfolioSymbol);
  if (!stored) return;
  d.portfolio = broker::decode_portfolio(stored->table, stored->where).rows;
}

// An enum column's text as the report shows it: empty when the library lacks the column.
template <typename Row, typename Enum, typename Name>
std::string shown(const broker::Decoded<Row>& rows, std::string_view column, Enum value,
                  Name name) {
  return rows.lacks(column) ? std::string() : std::string(name(value));
}

void convert_orders(const std::optional<StoredTable>& stored, AccountData& d) {
  if (!stored) return;
  broker::Decoded<broker::OrderEventRow> rows = broker::decode_orders(stored->table, stored->where);
  const bool has_avg = !rows.lacks("avg_fill_price");
  d.orders.reserve(rows.rows.size());
  for (broker::OrderEventRow& row : rows.rows) {
    OrderRow o;
    o.time = row.time;
    o.order_id = row.order_id;
    o.perm_id = row.perm_id;
    o.strategy = std::move(row.strategy);
    o.symbol = std::move(row.symbol);
    o.action = shown(rows, "action", row.action, action_name);
    o.quantity = row.quantity;
    o.order_type = shown(rows, "order_type", row.order_type, order_type_name);
    o.limit_price = row.limit_price;
    o.stop_price = row.stop_price;
    o.tif = shown(rows, "tif", row.tif, time_in_force_name);
    o.status = shown(rows, "status", row.status, order_status_name);
    o.filled = row.filled;
    o.remaining = row.remaining;
    if (has_avg && (row.avg_fill_price != 0.0 || o.filled != 0)) {  // else nothing filled yet
      o.avg_fill_price = row.avg_fill_price;
    }
    o.message = std::move(row.message);
    d.orders.push_back(std::move(o));
  }
}

void convert_fills(const std::optional<StoredTable>& stored, AccountData& d) {
  if (!stored) return;
  broker::Decoded<broker::FillRow> rows = broker::decode_fills(stored->table, stored->where);
  d.fills.reserve(rows.rows.size());
  for (broker::FillRow& row : rows.rows) {
    FillRow f;
    f.time = row.time;
    f.exec_id = std::move(row.exec_id);
    f.order_id = row.order_id;
    f.perm_id = row.perm_id;
    f.strategy = std::move(row.strategy);
    f.symbol = std::move(row.symbol);
    f.side = shown(rows, "side", row.side, action_name);
    f.shares = row.shares;
    f.price = row.price;
    f.cum_qty = row.cum_qty;
    f.avg_price = row.avg_price;
    f.exchange = std::move(row.exchange);
    f.commission = row.commission;
    f.realized_pnl = row.realized_pnl;
    d.fills.push_back(std::move(f));
  }
}

// Commission reports that came after their fills were booked without one (live trading): the
// fills rows hold 0, these hold the amounts (broker/account_schema.h).
std::vector<broker::LateCommissionRow> load_late_commissions(const store::Library& lib) {
  auto stored = read_symbol(lib, broker::kLateCommissionsSymbol);
  if (!stored) return {};
  return broker::decode_late_commissions(stored->table, stored->where).rows;
}

// The fill rows with a late report's exec_id take its commission and realized PnL.
void apply_late_commissions(const std::vector<broker::LateCommissionRow>& late,
                            std::vector<FillRow>& fills) {
  if (late.empty()) return;
  std::map<std::string_view, const broker::LateCommissionRow*> by_exec_id;
  for (const broker::LateCommissionRow& l : late) by_exec_id[l.exec_id] = &l;
  for (FillRow& f : fills) {
    auto it = by_exec_id.find(f.exec_id);
    if (it == by_exec_id.end()) continue;
    f.commission = it->second->commission;
    f.realized_pnl = it->second->realized_pnl;
  }
}

void load_trades(const store::Library& lib, AccountData& d) {
  auto stored = read_symbol(lib, broker::kTradesSymbol);
  if (!stored) return;
  broker::Decoded<broker::TradeRow> rows = broker::decode_trades(stored->table, stored->where);
  d.trades.reserve(rows.rows.size());
  for (broker::TradeRow& row : rows.rows) {
    const broker::RoundTrip& trip = row.trip;
    TradeRow t;
    t.time = trip.exit_time;  // the table's index
    t.strategy = std::move(row.strategy);
    t.symbol = trip.symbol;
    const double q = std::abs(trip.quantity);
    t.quantity = trip.is_long ? q : -q;
    t.entry_time = trip.entry_time;
    t.exit_time = trip.exit_time;
    t.entry_price = trip.entry_price;
    t.exit_price = trip.exit_price;
    t.pnl = trip.pnl;
    t.commission = trip.commission;
    d.trades.push_back(std::move(t));
  }
  if (rows.skipped > 0) {
    d.load_notes.push_back(
        fmt::format("{} trade row(s) without a pnl were left out", rows.skipped));
  }
}

// Reads `symbol` at one version: the columns the figures need over every row, then the latest
// `latest` rows in full (as of the same version, so a concurrent append cannot skew the two).
struct EventLog {
  std::optional<StoredTable> figures;  // every row, `figure_columns` only (those present)
  std::optional<StoredTable> latest;   // the last rows, every column
};

EventLog read_event_log(const store::Library& lib, std::string_view symbol,
                        const std::vector<std::string>& figure_columns, std::size_t latest) {
  EventLog log;
  if (!lib.has_symbol(symbol)) return log;
  std::vector<std::string> present;
  for (const auto& [name, type] : lib.stats(symbol).columns) {
    if (std::find(figure_columns.begin(), figure_columns.end(), name) != figure_columns.end()) {
      present.push_back(name);
    }
  }
  std::string where = lib.name() + "/" + std::string(symbol);
  store::ReadResult all = lib.read(symbol, {.columns = present});
  store::ReadOptions tail{.as_of = store::AsOf::version(all.version)};
  if (latest != std::numeric_limits<std::size_t>::max()) tail.tail = latest;
  log.latest = StoredTable{lib.read(symbol, tail).table, where};
  log.figures = StoredTable{std::move(all.table), where};
  return log;
}

void summarize_orders(const std::optional<StoredTable>& stored, EventSummary& summary) {
  if (!stored) return;
  for (const broker::OrderEventRow& row :
       broker::decode_orders(stored->table, stored->where).rows) {
    ++summary.all.orders;
    ++summary.by_strategy[row.strategy].orders;
  }
}

void summarize_fills(const std::optional<StoredTable>& stored, EventSummary& summary) {
  if (!stored) return;
  for (const broker::FillRow& row : broker::decode_fills(stored->table, stored->where).rows) {
    const double value = std::abs(row.shares * row.price);
    for (EventTotals* t : {&summary.all, &summary.by_strategy[row.strategy]}) {
      ++t->fills;
      t->commissions += row.commission;
      t->traded_value += value;
    }
  }
}

Benchmark load_benchmark(store::Store& store, const std::string& symbol) {
  if (!store.has_library(kMarketDataLibrary)) {
    throw Error(ErrorKind::NotFound,
                "no market_data library in this store, so no benchmark '" + symbol +
                    "' (import bars with `tandem data import`)",
                store.uri());
  }
  store::Library lib = store.existing_library(kMarketDataLibrary);
  if (!lib.has_symbol(symbol)) {
    std::vector<std::string> present = lib.list_symbols();
    throw Error(ErrorKind::NotFound,
                fmt::format("benchmark '{}' is not in market_data; symbols present: {}", symbol,
                            present.empty() ? "none" : join(present)),
                store.uri());
  }
  store::Table table = lib.read(symbol, {.columns = std::vector<std::string>{"close"}}).table;
  broker::TableReader rows(table, "market_data/" + symbol);
  const store::Column* close = rows.numeric("close", broker::TableReader::Need::kRequired);
  Benchmark b{symbol, {}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (auto v = broker::TableReader::number(close, i)) {
      b.close.time.push_back(rows.time(i));
      b.close.value.push_back(*v);
    }
  }
  return b;
}

std::vector<std::string> account_libraries(const store::Store& store) {
  std::vector<std::string> out;
  for (const std::string& name : store.list_libraries()) {
    if (name != kGeneralLibrary && name != kMarketDataLibrary) out.push_back(name);
  }
  return out;
}

}  // namespace

AccountData load_account(store::Store& store, std::string_view account_id,
                         const LoadOptions& options) {
  std::string id(account_id);
  bool reserved = id == kGeneralLibrary || id == kMarketDataLibrary;
  if (reserved || !store::is_valid_name(id) || !store.has_library(id)) {
    std::vector<std::string> accounts = account_libraries(store);
    std::string what = reserved ? "'" + id + "' is not an account library"
                                : "no account '" + id + "' in this store";
    throw Error(
        ErrorKind::NotFound,
        what + (accounts.empty() ? "; the store holds no account yet (run `tandem backtest`)"
                                 : "; accounts present: " + join(accounts)),
        store.uri());
  }
  store::Library lib = store.existing_library(id);
  AccountData d;
  d.account_id = id;
  load_summary(lib, d);
  for (const std::string& symbol : lib.list_symbols()) {
    std::optional<std::string> key = broker::performance_symbol_key(symbol);
    if (!key) continue;
    d.strategies.push_back(load_performance(lib, symbol, std::move(*key), d.load_notes));
  }
  load_portfolio(lib, d);
  if (!options.latest_orders && !options.latest_fills) {
    convert_orders(read_symbol(lib, broker::kOrdersSymbol), d);
    convert_fills(read_symbol(lib, broker::kFillsSymbol), d);
    apply_late_commissions(load_late_commissions(lib), d.fills);
  } else {
    // Figures from the columns they need over the whole log; rows only for the latest events.
    EventSummary summary;
    constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();
    EventLog orders = read_event_log(lib, broker::kOrdersSymbol, {"strategy"},
                                     options.latest_orders.value_or(kAll));
    summarize_orders(orders.figures, summary);
    convert_orders(orders.latest, d);
    EventLog fills =
        read_event_log(lib, broker::kFillsSymbol, {"strategy", "shares", "price", "commission"},
                       options.latest_fills.value_or(kAll));
    summarize_fills(fills.figures, summary);
    convert_fills(fills.latest, d);
    const std::vector<broker::LateCommissionRow> late = load_late_commissions(lib);
    for (const broker::LateCommissionRow& l : late) {
      summary.all.commissions += l.commission;
      summary.by_strategy[l.strategy].commissions += l.commission;
    }
    apply_late_commissions(late, d.fills);
    d.event_summary = std::move(summary);
  }
  load_trades(lib, d);
  if (options.benchmark) d.benchmark = load_benchmark(store, *options.benchmark);
  if (options.prices) load_prices(store, lib, d, options.max_price_bars);
  return d;
}

}  // namespace tandem::report
