// The report concern's contract: from the contents of an account library (AccountData) to the
// figures a quant judges it by (AccountReport), and from those to an HTML page, JSON or text.
//
//   AccountData data = load_account(store, "BT_20240131_120000", {.benchmark = "SPY.1d"});
//   AccountReport report = analyze(data, {.risk_free_rate = 0.03});
//   std::string page = render_html(data, report);
//
// Every figure that is undefined for the data at hand is std::nullopt and renders as "n/a"
// (JSON null); no output ever contains NaN or infinity. Definitions: docs/report.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/account_data.h"
#include "report/metrics.h"

namespace tandem::store {
class Store;
}

namespace tandem::report {

struct ReportOptions {
  double risk_free_rate = 0.0;  // annual, as a fraction
};

// Figures of one equity series that are not purely return-based.
struct ActivityStats {
  std::size_t orders = 0;                 // order events
  std::size_t fills = 0;                  // executions
  double commissions = 0;                 // sum of fill commissions
  double traded_value = 0;                // sum of |shares x price| over fills, both sides
  std::optional<double> turnover;         // traded_value / mean equity, whole period
  std::optional<double> annual_turnover;  // turnover / years
  std::optional<double> exposure;         // mean of daily gross exposure / equity
  std::optional<double> time_in_market;   // share of days with a non-zero position
};

struct BenchmarkRelation {
  std::size_t observations = 0;  // paired daily returns
  std::optional<double> beta, correlation;
};

struct StrategyReport {
  std::string key;
  Series equity;  // one value per UTC day
  ReturnMetrics returns;
  TradeStats trades;
  ActivityStats activity;
  BenchmarkRelation benchmark;
  std::optional<double> final_position_value;
};

struct PositionExposure {
  std::string symbol;
  double position = 0;
  double market_price = 0;
  double market_value = 0;
  double unrealized_pnl = 0;
  std::optional<double> share_of_equity;  // |market_value| / net liquidation
};

struct CorrelationMatrix {
  std::vector<std::string> keys;
  std::vector<std::vector<std::optional<double>>> values;  // keys.size() squared, 1 on the diagonal
  std::vector<std::vector<std::size_t>> observations;      // paired daily returns per cell
};

struct RiskReport {
  std::optional<Timestamp> positions_as_of;  // time of the latest portfolio snapshot
  std::vector<PositionExposure> positions;   // open positions, largest |market value| first
  std::optional<double> gross_exposure, net_exposure;              // currency: sum |mv|, sum mv
  std::optional<double> gross_exposure_share, net_exposure_share;  // over net liquidation
  std::optional<double> leverage;                        // gross / net liquidation, latest day
  std::optional<double> average_leverage, max_leverage;  // over the daily account summary
  std::optional<std::string> largest_position;
  std::optional<double> largest_position_share;
  TailRisk var95, var99;  // of the account's daily returns
  std::optional<double> var95_amount, var99_amount, es95_amount, es99_amount;  // x latest equity
  BenchmarkRelation benchmark;
  CorrelationMatrix strategy_correlation;
};

struct BenchmarkView {
  std::string symbol;
  Series close;           // one value per UTC day
  Series scaled;          // on the account's days (as of), scaled to the account's first equity
  ReturnMetrics returns;  // of `scaled`
};

struct AccountReport {
  std::string account_id;
  std::string currency;
  Timestamp generated_at = 0;
  double risk_free_rate = 0;
  Series equity;  // net liquidation, one value per UTC day
  ReturnMetrics returns;
  TradeStats trades;
  ActivityStats activity;
  std::vector<PeriodReturn> monthly, yearly;
  std::optional<BenchmarkView> benchmark;
  std::vector<StrategyReport> strategies;
  RiskReport risk;
  std::vector<std::string>
      notes;  // what a reader should know about the data (gaps, gaps in coverage)
};

AccountReport analyze(const AccountData& data, const ReportOptions& options);

struct HtmlOptions {
  // Tables keep their latest rows; the page says how many were left out and how to read all.
  std::size_t max_trade_rows = 5000;
  std::size_t max_order_rows = 2000;
  std::size_t max_fill_rows = 2000;
};

// One self-contained HTML page: inline CSS, inline SVG charts, inline script for sorting tables
// and, when `data.prices` has instruments, interactive price charts drawn by the inlined
// charting library (src/report/vendor) with an SVG fallback for readers without script; no
// external resource of any kind.
std::string render_html(const AccountData& data, const AccountReport& report,
                        const HtmlOptions& options = {});
// The same figures for scripts (schema in docs/report.md). n/a is null.
std::string render_json(const AccountReport& report);
// A terminal summary.
std::string render_text(const AccountReport& report);

struct LoadOptions {
  std::optional<std::string> benchmark = std::nullopt;  // market_data symbol, e.g. "SPY.1d"
  // Keep only the latest this many order events / fills as rows (what a page shows); the
  // figures still cover the whole log (AccountData::event_summary). nullopt: every row.
  std::optional<std::size_t> latest_orders = std::nullopt;
  std::optional<std::size_t> latest_fills = std::nullopt;
  // Price charts: each instrument's bars from market_data (the run's bar size from run_info,
  // else 1d), at most `max_price_bars` per instrument (the latest), and the indicators its
  // strategies declare (docs/report.md, *Price charts*).
  bool prices = false;
  std::size_t max_price_bars = 20'000;
};

// Reads the account library `account_id` (and the benchmark from `market_data`). An unknown
// account is an Error that lists the accounts present (libraries other than general and
// market_data); an unknown benchmark lists the market_data symbols.
AccountData load_account(store::Store& store, std::string_view account_id,
                         const LoadOptions& options = {});

}  // namespace tandem::report
