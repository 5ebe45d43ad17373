// What a report is made from: the contents of one account library (docs/backtest.md, "The account
// library"), as plain rows, plus an optional benchmark price series. Filled by load_account()
// from the store, or directly by tests and benchmarks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/account_schema.h"
#include "core/time.h"
#include "report/metrics.h"

namespace tandem::report {

// account_summary: one row per day.
struct AccountDay {
  Timestamp time = 0;
  double net_liquidation = 0;
  double total_cash = 0;
  double gross_position_value = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
};

// strategy_{KEY}_performance: one row per day.
struct StrategyDay {
  Timestamp time = 0;
  double equity = 0;
  double allocated_cash = 0;
  double position_value = 0;  // signed market value of the strategy's positions
  double realized_pnl = 0;
  double unrealized_pnl = 0;
  double commissions = 0;
  std::optional<double> exposure;  // as recorded; when absent: |position_value| / equity
  std::optional<double> turnover;  // as recorded; the report computes its own from fills
};

struct StrategyHistory {
  std::string key;
  std::vector<StrategyDay> days;
};

// portfolio: account-wide position snapshots, exactly as the recorder writes them.
using PortfolioRow = broker::PortfolioRow;

// orders: one row per order event.
struct OrderRow {
  Timestamp time = 0;
  std::int64_t order_id = 0;
  std::int64_t perm_id = 0;
  std::string strategy, symbol, action;
  double quantity = 0;
  std::string order_type;
  std::optional<double> limit_price, stop_price;
  std::string tif, status;
  double filled = 0, remaining = 0;
  std::optional<double> avg_fill_price;
  std::string message;
};

// fills: one row per execution.
struct FillRow {
  Timestamp time = 0;
  std::string exec_id;
  std::int64_t order_id = 0;
  std::int64_t perm_id = 0;
  std::string strategy, symbol, side;  // side: BOT / SLD (IB) or BUY / SELL
  double shares = 0;
  double price = 0;
  double cum_qty = 0;
  double avg_price = 0;
  std::string exchange;
  double commission = 0;
  std::optional<double> realized_pnl;
};

// trades: one row per completed round trip.
struct TradeRow {
  Timestamp time = 0;
  std::string strategy, symbol;
  double quantity = 0;  // signed: > 0 long, < 0 short
  Timestamp entry_time = 0, exit_time = 0;
  double entry_price = 0, exit_price = 0;
  double pnl = 0;         // net of both legs' commissions, as the recorder writes it
  double commission = 0;  // both legs
};

// Figures over every order event and fill, account-wide and per strategy key (fills and orders
// without a strategy count in `all` and under the key "").
struct EventTotals {
  std::size_t orders = 0;   // order events
  std::size_t fills = 0;    // executions
  double commissions = 0;   // sum of fill commissions
  double traded_value = 0;  // sum of |shares x price| over fills
};

struct EventSummary {
  EventTotals all;
  std::map<std::string, EventTotals> by_strategy;
};

EventSummary summarize_events(const std::vector<OrderRow>& orders,
                              const std::vector<FillRow>& fills);

struct Benchmark {
  std::string symbol;  // e.g. "SPY.1d"
  Series close;        // daily closes, time-ordered
};

// One bar of market_data, for the price chart.
struct PriceBar {
  Timestamp time = 0;
  double open = 0, high = 0, low = 0, close = 0;
};

// A line a strategy declares to be drawn over its symbols' prices (docs/report.md, *Price
// charts*): today the simple moving averages of sma_cross's `fast` and `slow`.
struct IndicatorLine {
  std::string label;          // e.g. "TQQQ fast SMA(5)"
  std::vector<double> value;  // one per bar of the instrument; NaN before the window fills
};

// An instrument the account traded or its strategies watched: its bars over the account's period
// (preceded by the bars the longest indicator needs to warm up) and the declared indicators.
struct InstrumentPrices {
  std::string symbol;    // "SPY"
  std::string bar_size;  // "1d": the bars are market_data/SYMBOL.BAR_SIZE
  std::vector<PriceBar> bars;
  std::vector<IndicatorLine> indicators;
  std::size_t bars_left_out = 0;  // older bars of the period beyond the page's limit
};

struct AccountData {
  std::string account_id;
  std::string currency;  // from account_summary when recorded, else empty
  std::vector<AccountDay> summary;
  std::vector<StrategyHistory> strategies;
  std::vector<PortfolioRow> portfolio;
  // Order events and fills as rows, in time order. When `event_summary` is set they are only the
  // latest rows (for display) and the summary covers the whole log; otherwise they are the
  // whole log and the figures are computed from them.
  std::vector<OrderRow> orders;
  std::vector<FillRow> fills;
  std::optional<EventSummary> event_summary;
  std::vector<TradeRow> trades;
  std::optional<Benchmark> benchmark;
  // Price charts (LoadOptions::prices): one per instrument, in symbol order.
  std::vector<InstrumentPrices> prices;
  // What the loader left out or could not use (null values, unknown columns); the report
  // lists these under its notes.
  std::vector<std::string> load_notes;
};

}  // namespace tandem::report
