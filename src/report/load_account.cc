// load_account(): the account library (DESIGN.md, "The account library") and a benchmark from
// market_data, read from the store into AccountData. Column lookups are by name, so a library
// written by an older or newer recorder with extra columns still loads; a missing required
// column is an error naming library, symbol and column.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "broker/account_schema.h"
#include "broker/allocation.h"
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

// Typed, null-aware access to one table read from library/symbol.
class Rows {
 public:
  Rows(store::Table table, std::string where)
      : table_(std::move(table)), where_(std::move(where)) {}

  std::size_t size() const { return table_.num_rows(); }
  Timestamp time(std::size_t row) const { return table_.index()[row]; }
  const std::string& where() const { return where_; }

  // A numeric column (float64, int64 or timestamp); nullptr when absent and not required.
  const store::Column* numeric(std::string_view name, bool required) const {
    const store::Column* c = find(name, required);
    if (c != nullptr && c->type() == store::ColumnType::kBool) type_error(*c, "a number");
    if (c != nullptr && c->type() == store::ColumnType::kString) type_error(*c, "a number");
    return c;
  }
  const store::Column* text(std::string_view name, bool required) const {
    const store::Column* c = find(name, required);
    if (c != nullptr && c->type() != store::ColumnType::kString) type_error(*c, "text");
    return c;
  }

  // nullopt for a null cell, a missing column, or a non-finite float.
  static std::optional<double> number(const store::Column* c, std::size_t row) {
    if (c == nullptr || c->is_null(row)) return std::nullopt;
    if (c->type() == store::ColumnType::kFloat64) {
      double v = c->float64s()[row];
      return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
    }
    return static_cast<double>(c->int64s()[row]);
  }
  static double number_or(const store::Column* c, std::size_t row, double fallback) {
    return number(c, row).value_or(fallback);
  }
  static std::int64_t integer_or(const store::Column* c, std::size_t row, std::int64_t fallback) {
    if (c == nullptr || c->is_null(row)) return fallback;
    if (c->type() == store::ColumnType::kFloat64) {
      double v = c->float64s()[row];
      return std::isfinite(v) ? static_cast<std::int64_t>(v) : fallback;
    }
    return c->int64s()[row];
  }
  static std::string string_or(const store::Column* c, std::size_t row) {
    if (c == nullptr || c->is_null(row)) return {};
    return c->strings()[row];
  }

 private:
  const store::Column* find(std::string_view name, bool required) const {
    const store::Column* c = table_.find_column(name);
    if (c == nullptr && required) {
      throw Error(
          fmt::format("column '{}' is missing (columns: {})", name, join(table_.column_names())),
          where_);
    }
    return c;
  }
  [[noreturn]] void type_error(const store::Column& c, std::string_view expected) const {
    throw Error(fmt::format("column '{}' is {}, expected {}", c.name(),
                            store::column_type_name(c.type()), expected),
                where_);
  }

  store::Table table_;
  std::string where_;
};

std::optional<Rows> read_symbol(const store::Library& lib, std::string_view symbol,
                                const store::ReadOptions& options = {}) {
  if (!lib.has_symbol(symbol)) return std::nullopt;
  return Rows(lib.read(symbol, options).table, lib.name() + "/" + std::string(symbol));
}

void load_summary(const store::Library& lib, AccountData& d) {
  auto rows = read_symbol(lib, broker::kAccountSummarySymbol);
  if (!rows) return;
  const store::Column* nlv = rows->numeric("net_liquidation", true);
  const store::Column* cash = rows->numeric("total_cash", false);
  const store::Column* gross = rows->numeric("gross_position_value", false);
  const store::Column* unrealized = rows->numeric("unrealized_pnl", false);
  const store::Column* realized = rows->numeric("realized_pnl", false);
  const store::Column* currency = rows->text("currency", false);
  std::size_t skipped = 0;
  d.summary.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    std::optional<double> value = Rows::number(nlv, i);
    if (!value) {
      ++skipped;
      continue;
    }
    d.summary.push_back({rows->time(i), *value, Rows::number_or(cash, i, 0),
                         Rows::number_or(gross, i, 0), Rows::number_or(unrealized, i, 0),
                         Rows::number_or(realized, i, 0)});
    std::string c = Rows::string_or(currency, i);
    if (!c.empty()) d.currency = c;
  }
  if (skipped > 0) {
    d.load_notes.push_back(fmt::format(
        "{} account_summary row(s) without a net_liquidation value were left out", skipped));
  }
}

StrategyHistory load_performance(const store::Library& lib, const std::string& symbol,
                                 std::string key, std::vector<std::string>& notes) {
  Rows rows = *read_symbol(lib, symbol);
  const store::Column* equity = rows.numeric("equity", true);
  const store::Column* cash = rows.numeric("allocated_cash", false);
  const store::Column* position = rows.numeric("position_value", false);
  const store::Column* realized = rows.numeric("realized_pnl", false);
  const store::Column* unrealized = rows.numeric("unrealized_pnl", false);
  const store::Column* commission = rows.numeric("commission", false);
  if (commission == nullptr) commission = rows.numeric("commissions", false);
  const store::Column* exposure = rows.numeric("exposure", false);
  const store::Column* turnover = rows.numeric("turnover", false);
  StrategyHistory h{std::move(key), {}};
  h.days.reserve(rows.size());
  std::size_t skipped = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::optional<double> e = Rows::number(equity, i);
    if (!e) {
      ++skipped;
      continue;
    }
    StrategyDay day;
    day.time = rows.time(i);
    day.equity = *e;
    day.allocated_cash = Rows::number_or(cash, i, 0);
    day.position_value = Rows::number_or(position, i, 0);
    day.realized_pnl = Rows::number_or(realized, i, 0);
    day.unrealized_pnl = Rows::number_or(unrealized, i, 0);
    day.commissions = Rows::number_or(commission, i, 0);
    day.exposure = Rows::number(exposure, i);
    day.turnover = Rows::number(turnover, i);
    h.days.push_back(day);
  }
  if (skipped > 0) {
    notes.push_back(
        fmt::format("{} {} row(s) without an equity value were left out", skipped, symbol));
  }
  return h;
}

void load_portfolio(const store::Library& lib, AccountData& d) {
  auto rows = read_symbol(lib, broker::kPortfolioSymbol);
  if (!rows) return;
  const store::Column* symbol = rows->text("symbol", true);
  const store::Column* con_id = rows->numeric("con_id", false);
  const store::Column* position = rows->numeric("position", true);
  const store::Column* avg_cost = rows->numeric("avg_cost", false);
  const store::Column* price = rows->numeric("market_price", false);
  const store::Column* value = rows->numeric("market_value", true);
  const store::Column* unrealized = rows->numeric("unrealized_pnl", false);
  const store::Column* realized = rows->numeric("realized_pnl", false);
  d.portfolio.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    PortfolioRow p;
    p.time = rows->time(i);
    p.symbol = Rows::string_or(symbol, i);
    p.con_id = Rows::integer_or(con_id, i, 0);
    p.position = Rows::number_or(position, i, 0);
    p.avg_cost = Rows::number_or(avg_cost, i, 0);
    p.market_price = Rows::number_or(price, i, 0);
    p.market_value = Rows::number_or(value, i, 0);
    p.unrealized_pnl = Rows::number_or(unrealized, i, 0);
    p.realized_pnl = Rows::number_or(realized, i, 0);
    d.portfolio.push_back(std::move(p));
  }
}

void convert_orders(const std::optional<Rows>& rows, AccountData& d) {
  if (!rows) return;
  const store::Column* order_id = rows->numeric("order_id", false);
  const store::Column* perm_id = rows->numeric("perm_id", false);
  const store::Column* strategy = rows->text("strategy", false);
  const store::Column* symbol = rows->text("symbol", false);
  const store::Column* action = rows->text("action", false);
  const store::Column* quantity = rows->numeric("quantity", false);
  const store::Column* type = rows->text("order_type", false);
  const store::Column* limit = rows->numeric("limit_price", false);
  const store::Column* stop = rows->numeric("stop_price", false);
  const store::Column* tif = rows->text("tif", false);
  const store::Column* status = rows->text("status", false);
  const store::Column* filled = rows->numeric("filled", false);
  const store::Column* remaining = rows->numeric("remaining", false);
  const store::Column* avg = rows->numeric("avg_fill_price", false);
  const store::Column* message = rows->text("message", false);
  d.orders.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    OrderRow o;
    o.time = rows->time(i);
    o.order_id = Rows::integer_or(order_id, i, 0);
    o.perm_id = Rows::integer_or(perm_id, i, 0);
    o.strategy = Rows::string_or(strategy, i);
    o.symbol = Rows::string_or(symbol, i);
    o.action = Rows::string_or(action, i);
    o.quantity = Rows::number_or(quantity, i, 0);
    o.order_type = Rows::string_or(type, i);
    o.limit_price = Rows::number(limit, i);
    o.stop_price = Rows::number(stop, i);
    o.tif = Rows::string_or(tif, i);
    o.status = Rows::string_or(status, i);
    o.filled = Rows::number_or(filled, i, 0);
    o.remaining = Rows::number_or(remaining, i, 0);
    o.avg_fill_price = Rows::number(avg, i);
    if (o.avg_fill_price == 0.0 && o.filled == 0) o.avg_fill_price.reset();  // nothing filled yet
    o.message = Rows::string_or(message, i);
    d.orders.push_back(std::move(o));
  }
}

void convert_fills(const std::optional<Rows>& rows, AccountData& d) {
  if (!rows) return;
  const store::Column* exec_id = rows->text("exec_id", false);
  const store::Column* order_id = rows->numeric("order_id", false);
  const store::Column* perm_id = rows->numeric("perm_id", false);
  const store::Column* strategy = rows->text("strategy", false);
  const store::Column* symbol = rows->text("symbol", false);
  const store::Column* side = rows->text("side", false);
  const store::Column* shares = rows->numeric("shares", true);
  const store::Column* price = rows->numeric("price", true);
  const store::Column* cum_qty = rows->numeric("cum_qty", false);
  const store::Column* avg_price = rows->numeric("avg_price", false);
  const store::Column* exchange = rows->text("exchange", false);
  const store::Column* commission = rows->numeric("commission", false);
  const store::Column* realized = rows->numeric("realized_pnl", false);
  d.fills.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    FillRow f;
    f.time = rows->time(i);
    f.exec_id = Rows::string_or(exec_id, i);
    f.order_id = Rows::integer_or(order_id, i, 0);
    f.perm_id = Rows::integer_or(perm_id, i, 0);
    f.strategy = Rows::string_or(strategy, i);
    f.symbol = Rows::string_or(symbol, i);
    f.side = Rows::string_or(side, i);
    f.shares = Rows::number_or(shares, i, 0);
    f.price = Rows::number_or(price, i, 0);
    f.cum_qty = Rows::number_or(cum_qty, i, 0);
    f.avg_price = Rows::number_or(avg_price, i, 0);
    f.exchange = Rows::string_or(exchange, i);
    f.commission = Rows::number_or(commission, i, 0);
    f.realized_pnl = Rows::number(realized, i);
    d.fills.push_back(std::move(f));
  }
}

// Commission reports that came after their fills were booked without one (live trading): the
// fills rows hold 0, these hold the amounts (broker/account_schema.h).
struct LateCommission {
  std::string exec_id;
  std::string strategy;
  double commission = 0;
  std::optional<double> realized_pnl;
};

std::vector<LateCommission> load_late_commissions(const store::Library& lib) {
  std::vector<LateCommission> late;
  auto rows = read_symbol(lib, broker::kLateCommissionsSymbol);
  if (!rows) return late;
  const store::Column* exec_id = rows->text("exec_id", true);
  const store::Column* strategy = rows->text("strategy", false);
  const store::Column* commission = rows->numeric("commission", true);
  const store::Column* realized = rows->numeric("realized_pnl", false);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    late.push_back({Rows::string_or(exec_id, i), Rows::string_or(strategy, i),
                    Rows::number_or(commission, i, 0), Rows::number(realized, i)});
  }
  return late;
}

// The fill rows with a late report's exec_id take its commission and realized PnL.
void apply_late_commissions(const std::vector<LateCommission>& late, std::vector<FillRow>& fills) {
  if (late.empty()) return;
  std::map<std::string_view, const LateCommission*> by_exec_id;
  for (const LateCommission& l : late) by_exec_id[l.exec_id] = &l;
  for (FillRow& f : fills) {
    auto it = by_exec_id.find(f.exec_id);
    if (it == by_exec_id.end()) continue;
    f.commission = it->second->commission;
    f.realized_pnl = it->second->realized_pnl;
  }
}

void load_trades(const store::Library& lib, AccountData& d) {
  auto rows = read_symbol(lib, broker::kTradesSymbol);
  if (!rows) return;
  const store::Column* strategy = rows->text("strategy", false);
  const store::Column* symbol = rows->text("symbol", false);
  const store::Column* direction = rows->text("direction", false);
  const store::Column* quantity = rows->numeric("quantity", false);
  const store::Column* entry_time = rows->numeric("entry_time", false);
  const store::Column* exit_time = rows->numeric("exit_time", false);
  const store::Column* entry_price = rows->numeric("entry_price", false);
  const store::Column* exit_price = rows->numeric("exit_price", false);
  const store::Column* pnl = rows->numeric("pnl", true);
  const store::Column* commission = rows->numeric("commission", false);
  std::size_t skipped = 0;
  d.trades.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    std::optional<double> p = Rows::number(pnl, i);
    if (!p) {
      ++skipped;
      continue;
    }
    TradeRow t;
    t.time = rows->time(i);
    t.strategy = Rows::string_or(strategy, i);
    t.symbol = Rows::string_or(symbol, i);
    double q = std::abs(Rows::number_or(quantity, i, 0));
    t.quantity = Rows::string_or(direction, i) == "SHORT" ? -q : q;
    t.entry_time = Rows::integer_or(entry_time, i, t.time);
    t.exit_time = Rows::integer_or(exit_time, i, t.time);
    t.entry_price = Rows::number_or(entry_price, i, 0);
    t.exit_price = Rows::number_or(exit_price, i, 0);
    t.pnl = *p;
    t.commission = Rows::number_or(commission, i, 0);
    d.trades.push_back(std::move(t));
  }
  if (skipped > 0) {
    d.load_notes.push_back(fmt::format("{} trade row(s) without a pnl were left out", skipped));
  }
}

// Reads `symbol` at one version: the columns the figures need over every row, then the latest
// `latest` rows in full (as of the same version, so a concurrent append cannot skew the two).
struct EventLog {
  std::optional<Rows> figures;  // every row, `figure_columns` only (those present)
  std::optional<Rows> latest;   // the last rows, every column
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
  log.latest = Rows(lib.read(symbol, tail).table, where);
  log.figures = Rows(std::move(all.table), where);
  return log;
}

void summarize_orders(const std::optional<Rows>& rows, EventSummary& summary) {
  if (!rows) return;
  const store::Column* strategy = rows->text("strategy", false);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    ++summary.all.orders;
    ++summary.by_strategy[Rows::string_or(strategy, i)].orders;
  }
}

void summarize_fills(const std::optional<Rows>& rows, EventSummary& summary) {
  if (!rows) return;
  const store::Column* strategy = rows->text("strategy", false);
  const store::Column* shares = rows->numeric("shares", true);
  const store::Column* price = rows->numeric("price", true);
  const store::Column* commission = rows->numeric("commission", false);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    double value = std::abs(Rows::number_or(shares, i, 0) * Rows::number_or(price, i, 0));
    double fee = Rows::number_or(commission, i, 0);
    for (EventTotals* t : {&summary.all, &summary.by_strategy[Rows::string_or(strategy, i)]}) {
      ++t->fills;
      t->commissions += fee;
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
  Rows rows(lib.read(symbol, {.columns = std::vector<std::string>{"close"}}).table,
            "market_data/" + symbol);
  const store::Column* close = rows.numeric("close", true);
  Benchmark b{symbol, {}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (auto v = Rows::number(close, i)) {
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
    const std::vector<LateCommission> late = load_late_commissions(lib);
    for (const LateCommission& l : late) {
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
