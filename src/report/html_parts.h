// The pieces render_html() assembles: stylesheet and script, and one function per section.
// Internal to src/report.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "report/report.h"

namespace tandem::report::html {

std::string_view stylesheet();
// Sorting for <table class="sortable">: click a header to sort by it (again to reverse);
// numeric columns (th class "n") sort by the number in each cell's text, and an empty or
// n/a cell always sorts last.
std::string_view script();

// The inlined charting library (src/report/vendor, generated into chart_library.cc) and the
// script that draws the price charts with it (price_chart_script.cc).
std::string_view charting_library();
std::string_view price_chart_script();
// "Prices and trades" (price_chart.cc): a chart per instrument of data.prices, its fills marked;
// "" when there is none.
std::string price_charts(const AccountData& data);

// Sections (html_panels.cc).
std::string kpi_cards(const AccountReport& report);
std::string return_stats_table(const AccountReport& report);
std::string drawdown_table(const ReturnMetrics& returns, std::size_t max_rows);
std::string monthly_heatmap(const AccountReport& report);
std::string strategy_table(const AccountReport& report);          // returns and risk
std::string strategy_trading_table(const AccountReport& report);  // trades and activity
std::string risk_panel(const AccountReport& report);
std::string correlation_table(const CorrelationMatrix& matrix);

// Event tables (html_tables.cc): the latest `max_rows` rows, newest first, with a note saying
// how many were left out and how to read them all.
std::string positions_table(const RiskReport& risk, const std::string& currency);
std::string trades_table(const AccountData& data, const TradeStats& stats, std::size_t max_rows);
// `total`: events in the whole log (data may hold only the latest rows).
std::string orders_table(const AccountData& data, std::size_t total, std::size_t max_rows);
std::string fills_table(const AccountData& data, std::size_t total, std::size_t max_rows);

// A right-aligned <td> holding a formatted number. The sorting script reads the number back
// from the text ("1,234.5", "12.3%", "0.5x", "694 d"), so no hidden copy doubles the page size.
std::string numeric_cell(const std::string& text, std::string_view css_class = "");
// CSS class "pos"/"neg" for coloring signed figures.
std::string_view sign_class(std::optional<double> value);

}  // namespace tandem::report::html
