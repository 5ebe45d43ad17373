// The account library's schema (docs/backtest.md, "The account library"): symbol names, one row
// type per table, and their conversion to store::Table. Written by AccountRecorder in backtests and
// live trading alike, so both produce the same columns.
//
//   orders                  a row per order status event
//   fills                   a row per execution (exec_id unique)
//   late_commissions        a commission report that came after its fill was booked without one
//   trades                  a row per completed FIFO round trip (index = exit time)
//   portfolio               end-of-day position snapshots, account-wide
//   account_summary         a row per trading day
//   strategy_{KEY}_positions    the strategy's position after every change
//   strategy_{KEY}_performance  a row per trading day per strategy
//   strategy_{KEY}_equity       explicit equity allocation (written by `tandem alloc equity`)
//   run_info                a backtest's settings (one row; JSON in the version's metadata)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/position_book.h"
#include "core/domain.h"
#include "store/table.h"

namespace tandem::broker {

inline constexpr std::string_view kOrdersSymbol = "orders";
inline constexpr std::string_view kFillsSymbol = "fills";
inline constexpr std::string_view kLateCommissionsSymbol = "late_commissions";
inline constexpr std::string_view kTradesSymbol = "trades";
inline constexpr std::string_view kPortfolioSymbol = "portfolio";
inline constexpr std::string_view kAccountSummarySymbol = "account_summary";
inline constexpr std::string_view kRunInfoSymbol = "run_info";

// Strategy keys become parts of symbol names: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.
// Throws tandem::Error naming the key otherwise.
void validate_strategy_key(std::string_view key);
std::string strategy_equity_symbol(std::string_view key);       // strategy_{KEY}_equity
std::string strategy_positions_symbol(std::string_view key);    // strategy_{KEY}_positions
std::string strategy_performance_symbol(std::string_view key);  // strategy_{KEY}_performance
// The KEY of a strategy_{KEY}_performance symbol name; nullopt for any other name.
std::optional<std::string> performance_symbol_key(std::string_view symbol);

struct OrderEventRow {
  Timestamp time = 0;
  std::int64_t order_id = 0;
  std::int64_t perm_id = 0;
  std::string strategy;
  std::string symbol;
  Action action = Action::kBuy;
  double quantity = 0;
  OrderType order_type = OrderType::kMarket;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  TimeInForce tif = TimeInForce::kDay;
  OrderStatus status = OrderStatus::kPendingSubmit;
  double filled = 0;
  double remaining = 0;
  double avg_fill_price = 0;
  std::string message;
  // Where the order went (its routing, docs/routing.md): the contract's exchange, primary
  // exchange and currency, the order's account when it is not the library's own (an advisor
  // login's other account; "" otherwise), outside-RTH and algo ("Adaptive:
  // adaptivePriority=Normal", "" for none).
  std::string exchange;
  std::string primary_exchange;
  std::string currency;
  std::string account;
  bool outside_rth = false;
  std::string algo;
};
// Writes every field of `out` as the row for `trade` in its current state; `own_account` is the
// account library's (its orders' account column stays empty for it, so runs of one strategy in
// two accounts compare equal). In place: a batch's row is emplaced and filled where it stays,
// never built and moved there (a backtest writes one per order event, with many strings).
void write_order_event_row(OrderEventRow& out, Timestamp time, const Trade& trade,
                           std::string message, std::string_view own_account = {});
// The same row, made (write_order_event_row into a new row).
OrderEventRow make_order_event_row(Timestamp time, const Trade& trade, std::string message,
                                   std::string_view own_account = {});

struct FillRow {
  Timestamp time = 0;
  std::string exec_id;
  std::int64_t order_id = 0;
  std::int64_t perm_id = 0;
  std::string strategy;
  std::string symbol;
  Action side = Action::kBuy;
  double shares = 0;
  double price = 0;
  double cum_qty = 0;
  double avg_price = 0;
  std::string exchange;
  double commission = 0;
  std::optional<double> realized_pnl;  // null when the fill only opened a position
};
// Writes every field of `out` as the row of `fill`, booked for `strategy` (in place, like
// write_order_event_row).
void write_fill_row(FillRow& out, const Fill& fill, std::string_view strategy);
FillRow make_fill_row(const Fill& fill, std::string_view strategy);

// A commission report that arrived after its execution had been booked without one (live: after
// commission_wait). `fills` is append-only, so its row keeps commission 0 and realized_pnl null;
// readers take the commission and realized PnL of the fill with this exec_id from here.
// Index = when the report arrived.
struct LateCommissionRow {
  Timestamp time = 0;
  std::string exec_id;
  std::string strategy;
  std::string symbol;
  double commission = 0;
  std::string currency;
  std::optional<double> realized_pnl;
};

struct TradeRow {
  std::string strategy;
  RoundTrip trip;  // index = trip.exit_time
};

struct PortfolioRow {
  Timestamp time = 0;
  std::string symbol;
  std::int64_t con_id = 0;
  double position = 0;
  double avg_cost = 0;
  double market_price = 0;
  double market_value = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
  // Shares of `position` no strategy holds (position - the sum of strategy_{KEY}_positions): a
  // manual trade in TWS, or another program's. Live only; always 0 in a backtest (docs/risk.md).
  double unattributed = 0;
};

struct AccountSummaryRow {
  Timestamp time = 0;
  double net_liquidation = 0;
  double total_cash = 0;
  double buying_power = 0;
  double gross_position_value = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
  double commission = 0;  // cumulative commissions paid
  std::string currency = "USD";
};

struct StrategyPositionRow {
  Timestamp time = 0;
  std::string symbol;
  std::int64_t con_id = 0;
  double position = 0;
  double avg_cost = 0;
  double realized_pnl = 0;  // cumulative in this symbol, net of commissions
  std::string exec_id;      // the execution that changed it
};

// A strategy's day (docs/backtest.md defines each figure):
//   equity = capital + realized_pnl + unrealized_pnl (capital = its allocation at the start);
//   allocated_cash = equity - position_value; allocation = what equity() returned at day end;
//   exposure = position_value / equity; turnover = the day's traded value / equity.
struct PerformanceRow {
  Timestamp time = 0;
  double equity = 0;
  double allocation = 0;
  double allocated_cash = 0;
  double position_value = 0;
  double realized_pnl = 0;
  double unrealized_pnl = 0;
  double commission = 0;
  double exposure = 0;
  double turnover = 0;
  std::int64_t trades = 0;  // round trips completed so far
};

store::Table to_table(const std::vector<OrderEventRow>& rows);
store::Table to_table(const std::vector<FillRow>& rows);
store::Table to_table(const std::vector<LateCommissionRow>& rows);
store::Table to_table(const std::vector<TradeRow>& rows);
store::Table to_table(const std::vector<PortfolioRow>& rows);
store::Table to_table(const std::vector<AccountSummaryRow>& rows);
store::Table to_table(const std::vector<StrategyPositionRow>& rows);
store::Table to_table(const std::vector<PerformanceRow>& rows);

// --- decoders: a stored table back into rows (account_decode.cc) ---
//
// Every reader of the account library goes through these — the live start-up loader, the
// report loader — so a column is named, typed and defaulted in this module only. The rules:
//   - columns are found by name; columns the schema does not know are ignored (a library
//     written by a newer recorder still loads);
//   - a table lacking one of its required columns (listed per decoder) is
//     ErrorKind::Corruption naming `where` and the column; a lacking optional column leaves
//     its field at the row type's default and is listed in Decoded::absent (a library written
//     before the column existed, or a read of a few columns only);
//   - a null cell is nullopt for an optional field, the default otherwise; rows without the
//     value that defines them (noted per decoder) are left out and counted in `skipped`;
//   - text that names none of the enum's values is ErrorKind::Corruption naming the row.
template <typename Row>
struct Decoded {
  std::vector<Row> rows;
  std::size_t skipped = 0;          // rows left out: their defining value is null
  std::vector<std::string> absent;  // schema columns the table lacks
  bool lacks(std::string_view column) const {
    for (const std::string& name : absent) {
      if (name == column) return true;
    }
    return false;
  }
};

// No column required (an event log read for a few columns still decodes).
Decoded<OrderEventRow> decode_orders(const store::Table& table, std::string where);
// Requires shares and price; side is BUY/SELL, or IB's BOT/SLD.
Decoded<FillRow> decode_fills(const store::Table& table, std::string where);
// Requires exec_id and commission.
Decoded<LateCommissionRow> decode_late_commissions(const store::Table& table, std::string where);
// Requires pnl (rows with a null pnl are skipped); entry_time and exit_time default to the index.
Decoded<TradeRow> decode_trades(const store::Table& table, std::string where);
// Requires symbol, position and market_value.
Decoded<PortfolioRow> decode_portfolio(const store::Table& table, std::string where);
// Requires net_liquidation (rows with a null one are skipped).
Decoded<AccountSummaryRow> decode_account_summary(const store::Table& table, std::string where);
// Requires position.
Decoded<StrategyPositionRow> decode_strategy_positions(const store::Table& table,
                                                       std::string where);
// Requires equity (rows with a null one are skipped); reads `commissions`, the column's name in
// libraries written before it became `commission`.
Decoded<PerformanceRow> decode_performance(const store::Table& table, std::string where);

}  // namespace tandem::broker
