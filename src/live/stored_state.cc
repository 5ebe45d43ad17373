#include "live/stored_state.h"

#include <fmt/format.h>

#include <algorithm>

#include "broker/table_reader.h"
#include "core/error.h"

namespace tandem::live {
namespace {

// The table `symbol` of `account` (empty when the library has none), with where it came from.
std::optional<store::Table> read_table(const store::Library& account, std::string_view symbol) {
  if (!account.has_symbol(symbol)) return std::nullopt;
  return account.read(symbol).table;
}

std::string where(const store::Library& account, std::string_view symbol) {
  return account.name() + "/" + std::string(symbol);
}

void load_fills(const store::Library& account, const std::set<std::string>& keys,
                StoredState& state) {
  std::optional<store::Table> table = read_table(account, broker::kFillsSymbol);
  if (!table) return;
  for (broker::FillRow& row :
       broker::decode_fills(*table, where(account, broker::kFillsSymbol)).rows) {
    if (keys.count(row.strategy) != 0) state.fills.push_back(std::move(row));
  }
}

void load_late_commissions(const store::Library& account, const std::set<std::string>& keys,
                           StoredState& state) {
  std::optional<store::Table> table = read_table(account, broker::kLateCommissionsSymbol);
  if (!table) return;
  for (broker::LateCommissionRow& row :
       broker::decode_late_commissions(*table, where(account, broker::kLateCommissionsSymbol))
           .rows) {
    if (keys.count(row.strategy) != 0) state.late_commissions.push_back(std::move(row));
  }
}

void load_orders(const store::Library& account, const std::set<std::string>& keys,
                 StoredState& state) {
  std::optional<store::Table> table = read_table(account, broker::kOrdersSymbol);
  if (!table) return;
  for (broker::OrderEventRow& row :
       broker::decode_orders(*table, where(account, broker::kOrdersSymbol)).rows) {
    if (keys.count(row.strategy) == 0) continue;
    state.highest_order_id = std::max(state.highest_order_id, row.order_id);
    if (row.order_id <= 0) continue;  // held while disconnected, never sent
    const std::int64_t id = row.order_id;
    state.last_order_rows[id] = std::move(row);
  }
}

void count_trades(const store::Library& account, const std::set<std::string>& keys,
                  StoredState& state) {
  std::optional<store::Table> table = read_table(account, broker::kTradesSymbol);
  if (!table) return;
  for (const broker::TradeRow& row :
       broker::decode_trades(*table, where(account, broker::kTradesSymbol)).rows) {
    if (keys.count(row.strategy) != 0) ++state.trades_recorded[row.strategy];
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
    count_trades(account, strategy_keys, state);
    if (account.has_symbol(kOrderIdsSymbol)) {
      store::Table ids = account.read(kOrderIdsSymbol).table;
      broker::TableReader reader(ids, where(account, kOrderIdsSymbol));
      for (std::size_t i = 0; i < reader.size(); ++i) {
        if (reader.integer("client_id", i) != client_id) continue;
        state.highest_order_id =
            std::max(state.highest_order_id, reader.integer("reserved_through", i));
      }
    }
  } catch (const Error& e) {
    throw e.within("live start-up: reading what the account library holds");
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
