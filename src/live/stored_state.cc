#include "live/stored_state.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace tandem::live {
namespace {

std::optional<double> optional_float(const store::Table& table, std::string_view name,
                                     std::size_t row) {
  const store::Column* column = table.find_column(name);
  if (column == nullptr || column->is_null(row)) return std::nullopt;
  return column->float64s()[row];
}

void load_fills(const store::Library& account, const std::set<std::string>& keys,
                StoredState& state) {
  if (!account.has_symbol(broker::kFillsSymbol)) return;
  store::Table table = account.read(broker::kFillsSymbol).table;
  if (table.num_rows() == 0) return;
  auto strategy = table.strings("strategy");
  auto exec_id = table.strings("exec_id");
  auto order_id = table.int64s("order_id");
  auto perm_id = table.int64s("perm_id");
  auto symbol = table.strings("symbol");
  auto side = table.strings("side");
  auto shares = table.float64s("shares");
  auto price = table.float64s("price");
  auto cum_qty = table.float64s("cum_qty");
  auto avg_price = table.float64s("avg_price");
  auto exchange = table.strings("exchange");
  auto commission = table.float64s("commission");
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    if (keys.count(strategy[i]) == 0) continue;
    broker::FillRow row;
    row.time = table.index()[i];
    row.exec_id = exec_id[i];
    row.order_id = order_id[i];
    row.perm_id = perm_id[i];
    row.strategy = strategy[i];
    row.symbol = symbol[i];
    row.side = parse_action(side[i]).value_or(Action::kBuy);
    row.shares = shares[i];
    row.price = price[i];
    row.cum_qty = cum_qty[i];
    row.avg_price = avg_price[i];
    row.exchange = exchange[i];
    row.commission = commission[i];
    row.realized_pnl = optional_float(table, "realized_pnl", i);
    state.fills.push_back(std::move(row));
  }
}

void load_late_commissions(const store::Library& account, const std::set<std::string>& keys,
                           StoredState& state) {
  if (!account.has_symbol(broker::kLateCommissionsSymbol)) return;
  store::Table table = account.read(broker::kLateCommissionsSymbol).table;
  if (table.num_rows() == 0) return;
  auto exec_id = table.strings("exec_id");
  auto strategy = table.strings("strategy");
  auto symbol = table.strings("symbol");
  auto commission = table.float64s("commission");
  auto currency = table.strings("currency");
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    if (keys.count(strategy[i]) == 0) continue;
    broker::LateCommissionRow row;
    row.time = table.index()[i];
    row.exec_id = exec_id[i];
    row.strategy = strategy[i];
    row.symbol = symbol[i];
    row.commission = commission[i];
    row.currency = currency[i];
    row.realized_pnl = optional_float(table, "realized_pnl", i);
    state.late_commissions.push_back(std::move(row));
  }
}

void load_orders(const store::Library& account, const std::set<std::string>& keys,
                 StoredState& state) {
  if (!account.has_symbol(broker::kOrdersSymbol)) return;
  store::Table table = account.read(broker::kOrdersSymbol).table;
  if (table.num_rows() == 0) return;
  auto strategy = table.strings("strategy");
  auto order_id = table.int64s("order_id");
  auto perm_id = table.int64s("perm_id");
  auto symbol = table.strings("symbol");
  auto action = table.strings("action");
  auto quantity = table.float64s("quantity");
  auto order_type = table.strings("order_type");
  auto tif = table.strings("tif");
  auto status = table.strings("status");
  auto filled = table.float64s("filled");
  auto remaining = table.float64s("remaining");
  auto avg_fill_price = table.float64s("avg_fill_price");
  auto message = table.strings("message");
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    if (keys.count(strategy[i]) == 0) continue;
    state.highest_order_id = std::max(state.highest_order_id, order_id[i]);
    if (order_id[i] <= 0) continue;  // held while disconnected, never sent
    broker::OrderEventRow row;
    row.time = table.index()[i];
    row.order_id = order_id[i];
    row.perm_id = perm_id[i];
    row.strategy = strategy[i];
    row.symbol = symbol[i];
    row.action = parse_action(action[i]).value_or(Action::kBuy);
    row.quantity = quantity[i];
    row.order_type = parse_order_type(order_type[i]).value_or(OrderType::kMarket);
    row.limit_price = optional_float(table, "limit_price", i);
    row.stop_price = optional_float(table, "stop_price", i);
    row.tif = parse_time_in_force(tif[i]).value_or(TimeInForce::kDay);
    row.status = parse_order_status(status[i]).value_or(OrderStatus::kPendingSubmit);
    row.filled = filled[i];
    row.remaining = remaining[i];
    row.avg_fill_price = avg_fill_price[i];
    row.message = message[i];
    state.last_order_rows[row.order_id] = std::move(row);
  }
}

}  // namespace

StoredState load_stored_state(const store::Library& account,
                              const std::set<std::string>& strategy_keys, int client_id) {
  StoredState state;
  try {
    load_fills(account, strategy_keys, state);
    load_late_commissions(account, strategy_keys, state);
    load_orders(account, strategy_keys, state);
    if (account.has_symbol(broker::kTradesSymbol)) {
      store::Table trades = account.read(broker::kTradesSymbol).table;
      if (trades.num_rows() > 0) {
        for (const std::string& key : trades.strings("strategy")) {
          if (strategy_keys.count(key) != 0) ++state.trades_recorded[key];
        }
      }
    }
    if (account.has_symbol(kOrderIdsSymbol)) {
      store::Table ids = account.read(kOrderIdsSymbol).table;
      for (std::size_t i = 0; i < ids.num_rows(); ++i) {
        if (ids.int64s("client_id")[i] != client_id) continue;
        state.highest_order_id =
            std::max(state.highest_order_id, ids.int64s("reserved_through")[i]);
      }
    }
  } catch (const Error& e) {
    throw Error(std::string("cannot read what the account library holds: ") + e.what(),
                "live start-up, library " + account.name());
  }
  return state;
}

OrderIdReservation::OrderIdReservation(store::Library account, int client_id,
                                       std::int64_t highest_used, std::int64_t block)
    : account_(std::move(account)),
      client_id_(client_id),
      block_(block),
      reserved_through_(highest_used) {}

void OrderIdReservation::cover(std::int64_t id) {
  if (id <= reserved_through_) return;
  const std::int64_t through = id + block_ - 1;
  store::Table row(std::vector<Timestamp>{now_utc()});
  row.with(store::Column::of_int64("client_id", {client_id_}))
      .with(store::Column::of_int64("reserved_through", {through}));
  account_.append(kOrderIdsSymbol, row, store::AppendMode::kAnyOrder);
  reserved_through_ = through;
}

void record_position_mismatches(store::Library& account, Timestamp time,
                                const std::vector<PositionMismatch>& mismatches,
                                const std::string& note) {
  if (mismatches.empty()) return;
  std::vector<std::string> symbols;
  std::vector<double> ib;
  std::vector<double> stored;
  std::vector<double> difference;
  std::vector<std::string> notes;
  for (const PositionMismatch& m : mismatches) {
    symbols.push_back(m.symbol);
    ib.push_back(m.ib_position);
    stored.push_back(m.store_position);
    difference.push_back(m.ib_position - m.store_position);
    notes.push_back(note);
  }
  store::Table table(std::vector<Timestamp>(mismatches.size(), time));
  table.with(store::Column::of_string("symbol", std::move(symbols)))
      .with(store::Column::of_float64("ib_position", std::move(ib)))
      .with(store::Column::of_float64("store_position", std::move(stored)))
      .with(store::Column::of_float64("difference", std::move(difference)))
      .with(store::Column::of_string("note", std::move(notes)));
  account.append(kReconciliationSymbol, table, store::AppendMode::kAnyOrder);
}

}  // namespace tandem::live
