// Internal to src/live: what the account library already holds about this run's strategies
// (read once at start-up, before anything is sent), the order-id reservation that makes a
// reused order id impossible across restarts, and the record of position mismatches.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/account_schema.h"
#include "store/store.h"

namespace tandem::live {

inline constexpr std::string_view kOrderIdsSymbol = "order_ids";
inline constexpr std::string_view kReconciliationSymbol = "reconciliation";

struct StoredState {
  // Fills of the given strategies, in the store's index (execution time) order; corrections
  // are separate rows (exec id revision .02 after .01).
  std::vector<broker::FillRow> fills;
  // Commission reports that came after their fill was booked without one (late_commissions),
  // of the given strategies, in arrival order.
  std::vector<broker::LateCommissionRow> late_commissions;
  // The latest `orders` row of every order of the given strategies, by order id.
  std::map<std::int64_t, broker::OrderEventRow> last_order_rows;
  // Rows in `trades` per strategy (round trips already recorded).
  std::map<std::string, std::size_t> trades_recorded;
  // The highest order id this client id used or reserved (0 if none).
  std::int64_t highest_order_id = 0;
};

// Reads fills, late_commissions, orders, trades and order_ids of `account` for `strategy_keys`.
// Missing tables are empty; a table whose columns are not the schema's is an error naming it.
StoredState load_stored_state(const store::Library& account,
                              const std::set<std::string>& strategy_keys, int client_id);

// Order ids are reserved in blocks: before an id above the reserved range is used, a row
// (client_id, reserved_through) is appended to `order_ids` and waited for. A restart (even
// after kill -9) starts above every id reserved, so no id is ever used twice, whatever
// nextValidId the server hands out. The append blocks the caller once per `block` orders.
class OrderIdReservation {
 public:
  OrderIdReservation(store::Library account, int client_id, std::int64_t highest_used,
                     std::int64_t block = 100);
  // Makes sure `id` is inside a durably reserved range (appending a reservation if needed).
  void cover(std::int64_t id);
  std::int64_t reserved_through() const { return reserved_through_; }

 private:
  store::Library account_;
  int client_id_;
  std::int64_t block_;
  std::int64_t reserved_through_;
};

struct PositionMismatch {
  std::string symbol;
  double ib_position = 0;     // the account's position as IB reports it
  double store_position = 0;  // the sum of this run's strategies' positions from their fills
};

// Appends one row per mismatch to `reconciliation` (time, symbol, ib_position,
// store_position, difference, note).
void record_position_mismatches(store::Library& account, Timestamp time,
                                const std::vector<PositionMismatch>& mismatches,
                                const std::string& note);

}  // namespace tandem::live
