// render_html(): the page layout. Each section's markup comes from html_panels.cc and
// html_tables.cc; charts from svg_chart.cc.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "report/html_parts.h"
#include "report/report.h"
#include "report/svg_chart.h"
#include "report/text_format.h"

namespace tandem::report {
namespace {

constexpr const char* kAccountColor = "#2563eb";
constexpr const char* kBenchmarkColor = "#8b95a5";
constexpr const char* kDrawdownColor = "#dc2626";

Series underwater_series(const Series& equity, const ReturnMetrics& m) {
  Series s;
  if (m.drawdowns.underwater.size() != equity.size()) return s;
  s.time = equity.time;
  s.value = m.drawdowns.underwater;
  return s;
}

// Growth of 1 from the series' first value (strategies of different sizes on one axis).
Series growth_of_one(const Series& equity) {
  Series s;
  if (equity.empty() || !(equity.value.front() > 0)) return s;
  s.time = equity.time;
  s.value.reserve(equity.size());
  for (double v : equity.value) s.value.push_back(v / equity.value.front());
  return s;
}

std::string card(const std::string& title, const std::string& body, const std::string& extra = {}) {
  return fmt::format("<div class=\"card\"><h3>{}</h3>{}{}</div>", title, body, extra);
}

std::string header(const AccountReport& r, bool has_prices) {
  std::string period = "no data";
  if (r.returns.first) {
    period = fmt::format("{} to {} · {} days", format_date(*r.returns.first),
                         format_date(*r.returns.last), format_count(r.returns.points));
  }
  std::string meta = period;
  if (!r.currency.empty()) meta += " · " + r.currency;
  meta += r.benchmark ? " · benchmark " + r.benchmark->symbol : " · no benchmark";
  meta += " · risk-free rate " + format_percent(r.risk_free_rate) + " · generated " +
          format_timestamp(r.generated_at).substr(0, 19) + "Z";
  return fmt::format(
      "<header class=\"top\"><h1>{} <span>· performance and risk report</span></h1>"
      "<div class=\"meta\">{}</div></header>"
      "<nav><a href=\"#overview\">Overview</a><a href=\"#strategies\">Strategies</a>"
      "{}<a href=\"#risk\">Risk</a><a "
      "href=\"#trades-section\">Trades</a>"
      "<a href=\"#orders-section\">Orders</a><a href=\"#fills-section\">Fills</a>"
      "<a href=\"#notes\">Notes</a></nav>",
      html_escape(r.account_id), html_escape(meta),
      has_prices ? "<a href=\"#prices\">Prices</a>" : "");
}

std::string overview(const AccountReport& r, const Series& bench_underwater) {
  std::vector<ChartLine> equity_lines{
      {"Account equity", kAccountColor, &r.equity, false, false, 2.0}};
  if (r.benchmark) {
    equity_lines.push_back({r.benchmark->symbol + " (scaled to the account's start)",
                            kBenchmarkColor, &r.benchmark->scaled, true, false, 1.5});
  }
  std::string equity_chart =
      render_legend(equity_lines) + render_line_chart(equity_lines, {.id = "chart-equity",
                                                                     .title = "Equity curve",
                                                                     .height = 340,
                                                                     .y_axis = YAxis::kAmount,
                                                                     .log_scale_when_wide = true});
  Series underwater = underwater_series(r.equity, r.returns);
  std::vector<ChartLine> dd_lines{
      {"Account drawdown", kDrawdownColor, &underwater, false, true, 1.3}};
  if (r.benchmark) {
    dd_lines.push_back(
        {r.benchmark->symbol + " drawdown", kBenchmarkColor, &bench_underwater, true, false, 1.2});
  }
  std::string dd_chart =
      render_legend(dd_lines) + render_line_chart(dd_lines, {.id = "chart-drawdown",
                                                             .title = "Drawdown (underwater)",
                                                             .height = 220,
                                                             .y_axis = YAxis::kPercent,
                                                             .include_zero = true});
  std::string out = "<section id=\"overview\"><h2>Overview</h2>" + html::kpi_cards(r);
  out += card("Equity curve", equity_chart);
  out += card("Drawdown from the running high", dd_chart);
  out += card("Monthly returns", html::monthly_heatmap(r));
  out += "<div class=\"grid2\">" + card("Return statistics", html::return_stats_table(r)) +
         card("Worst drawdowns", html::drawdown_table(r.returns, 10)) + "</div>";
  return out + "</section>";
}

std::string strategies(const AccountReport& r) {
  std::vector<Series> growth;
  growth.reserve(r.strategies.size() + 1);
  std::vector<ChartLine> lines;
  for (std::size_t i = 0; i < r.strategies.size(); ++i) {
    growth.push_back(growth_of_one(r.strategies[i].equity));
  }
  growth.push_back(growth_of_one(r.equity));
  for (std::size_t i = 0; i < r.strategies.size(); ++i) {
    lines.push_back({r.strategies[i].key, series_color(i), &growth[i], false, false, 1.5});
  }
  lines.push_back({"Account", "#0f172a", &growth.back(), true, false, 2.0});
  std::string chart =
      render_legend(lines) + render_line_chart(lines, {.id = "chart-strategies",
                                                       .title = "Strategy equity, growth of 1",
                                                       .height = 320,
                                                       .y_axis = YAxis::kGrowth,
                                                       .log_scale_when_wide = true});
  std::string out = "<section id=\"strategies\"><h2>Strategies</h2>";
  if (r.strategies.empty()) {
    out +=
        "<div class=\"card\"><p class=\"note\">No strategy_{KEY}_performance rows in this "
        "account: only account-wide figures are available.</p></div>";
  }
  out += card("Per-strategy returns and risk", html::strategy_table(r));
  out += card("Per-strategy trading", html::strategy_trading_table(r));
  out += card("Strategy equity (growth of 1)", chart);
  out += card("Correlation of daily returns", html::correlation_table(r.risk.strategy_correlation));
  return out + "</section>";
}

std::string notes(const AccountReport& r) {
  std::string items;
  for (const std::string& n : r.notes) items += "<li>" + html_escape(n) + "</li>";
  if (items.empty()) items = "<li>No gaps or coverage problems found in the data.</li>";
  return "<section id=\"notes\"><h2>Notes and definitions</h2><div class=\"card\"><ul "
         "class=\"notes\">" +
         items +
         "</ul><p class=\"note\">Daily returns are simple returns between consecutive daily "
         "equity values (the last row of each UTC day). Volatility, Sharpe and Sortino are "
         "annualized with 252 trading days; volatility is the sample standard deviation (n − 1). "
         "Sharpe = mean(r − rf) / sd(r) · √252 and Sortino = mean(r − rf) / √mean(min(0, r − rf)²) "
         "· √252, rf = the daily equivalent of the annual risk-free rate. CAGR uses calendar time "
         "(365.25 days a year). Max drawdown is the deepest fall from a running high; Calmar = "
         "CAGR / "
         "|max drawdown| over the whole period. VaR and expected shortfall are historical, 1 day: "
         "with n returns sorted, k = ⌈(1 − c)·n⌉, VaR is the k-th worst loss and ES the mean of "
         "the k "
         "worst. Trade figures use each round trip's net PnL (after commissions). Turnover = "
         "traded "
         "value (buys + sells) / mean equity, per year. Exposure = mean of gross position value / "
         "equity. Full definitions: docs/report.md.</p></div></section>";
}

}  // namespace

std::string render_html(const AccountData& data, const AccountReport& r,
                        const HtmlOptions& options) {
  Series bench_underwater;
  if (r.benchmark) bench_underwater = underwater_series(r.benchmark->scaled, r.benchmark->returns);

  std::string page;
  page.reserve(512 * 1024);
  page +=
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  page += "<title>" + html_escape(r.account_id) + " · tandem report</title><style>";
  page += html::stylesheet();
  page += "</style></head><body>";
  const std::string prices = html::price_charts(data);
  page += header(r, !prices.empty());
  page += "<main>";
  page += overview(r, bench_underwater);
  page += strategies(r);
  page += prices;
  page += "<section id=\"risk\"><h2>Risk</h2>" + html::risk_panel(r) + "</section>";
  page += "<section id=\"trades-section\"><h2>Trades</h2><div class=\"card\">" +
          html::trades_table(data, r.trades, options.max_trade_rows) + "</div></section>";
  page += "<section id=\"orders-section\"><h2>Orders</h2><div class=\"card\">" +
          html::orders_table(data, r.activity.orders, options.max_order_rows) + "</div></section>";
  page += "<section id=\"fills-section\"><h2>Fills</h2><div class=\"card\">" +
          html::fills_table(data, r.activity.fills, options.max_fill_rows) + "</div></section>";
  page += notes(r);
  page += "</main><footer>tandem · " + html_escape(r.account_id) + "</footer><script>";
  page += html::script();
  page += "</script>";
  if (!prices.empty()) {
    // The library only where a chart needs it: it is most of a small report's size.
    page += "<script>";
    page += html::charting_library();
    page += "</script><script>";
    page += html::price_chart_script();
    page += "</script>";
  }
  page += "</body></html>\n";
  return page;
}

}  // namespace tandem::report
