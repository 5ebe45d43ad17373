// Summary sections of the HTML report: KPI cards, return statistics, drawdowns, the monthly
// heat map, the per-strategy table, the risk panel and the correlation matrix.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "report/html_parts.h"
#include "report/svg_chart.h"
#include "report/text_format.h"

namespace tandem::report::html {
namespace {

const char* const kMonthShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string kpi(std::string_view label, const std::string& value, std::string_view css,
                const std::string& sub = {}) {
  std::string out = fmt::format(
      "<div class=\"kpi\"><div class=\"label\">{}</div><div class=\"value {}\">{}</div>", label,
      css, html_escape(value));
  if (!sub.empty()) out += fmt::format("<div class=\"sub\">{}</div>", html_escape(sub));
  return out + "</div>";
}

std::string na_class(const std::string& text) { return text == kNotAvailable ? "na" : ""; }

// Heat-map cell background: green for gains, red for losses, stronger with size; `scale` is
// the magnitude that gets full strength.
std::string heat_color(double value, double scale) {
  double strength = std::min(1.0, std::abs(value) / scale);
  double alpha = 0.08 + 0.72 * strength;
  return value >= 0 ? fmt::format("rgba(22,163,74,{:.2f})", alpha)
                    : fmt::format("rgba(220,38,38,{:.2f})", alpha);
}

std::string kv_row(std::string_view label, const std::string& a, const std::string& b = {},
                   bool two = false) {
  std::string out =
      fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td>", label, na_class(a), html_escape(a));
  if (two) out += fmt::format("<td class=\"{}\">{}</td>", na_class(b), html_escape(b));
  return out + "</tr>";
}

std::string drawdown_days(const std::optional<DrawdownPeriod>& p) {
  if (!p) return std::string(kNotAvailable);
  return fmt::format("{} days", p->calendar_days);
}

}  // namespace

std::string_view sign_class(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) return "na";
  if (*value > 0) return "pos";
  if (*value < 0) return "neg";
  return "";
}

std::string numeric_cell(const std::string& text, std::string_view css_class) {
  std::string css = "n";
  if (!css_class.empty()) css += " " + std::string(css_class);
  if (text == kNotAvailable) css += " na";
  return fmt::format("<td class=\"{}\">{}</td>", css, html_escape(text));
}

std::string kpi_cards(const AccountReport& r) {
  const ReturnMetrics& m = r.returns;
  std::string out = "<div class=\"kpis\">";
  out += kpi("Final equity", format_amount(m.end_value, 0), "",
             r.currency.empty() ? "start " + format_amount(m.start_value, 0)
                                : r.currency + " · start " + format_amount(m.start_value, 0));
  out += kpi(
      "Total return", format_percent(m.total_return, 2, true), sign_class(m.total_return),
      r.benchmark ? "benchmark " + format_percent(r.benchmark->returns.total_return, 2, true) : "");
  out += kpi("CAGR", format_percent(m.cagr), sign_class(m.cagr),
             m.years ? fmt::format("over {:.1f} years", *m.years) : "");
  out += kpi("Sharpe", format_number(m.sharpe), "", "Sortino " + format_number(m.sortino));
  out += kpi("Max drawdown", format_percent(m.drawdowns.max_drawdown),
             sign_class(m.drawdowns.max_drawdown),
             m.drawdowns.deepest ? "trough " + format_date(m.drawdowns.deepest->trough) : "");
  out += kpi("Volatility", format_percent(m.volatility), "", "annualized");
  out += kpi("Calmar", format_number(m.calmar), "", "CAGR / |max drawdown|");
  out += kpi("Trades", format_count(r.trades.trades), "",
             "win rate " + format_percent(r.trades.win_rate, 1));
  return out + "</div>";
}

std::string return_stats_table(const AccountReport& r) {
  bool bench = r.benchmark.has_value();
  const ReturnMetrics& a = r.returns;
  const ReturnMetrics* b = bench ? &r.benchmark->returns : nullptr;
  auto row = [&](std::string_view label, auto field, auto format) {
    return kv_row(label, format(a.*field), bench ? format(b->*field) : "", bench);
  };
  auto pct = [](std::optional<double> v) { return format_percent(v); };
  auto num = [](std::optional<double> v) { return format_number(v); };
  std::string out = "<table class=\"kv\">";
  if (bench) {
    out += fmt::format(
        "<thead><tr><th></th><th class=\"n\">Account</th><th class=\"n\">{}</th>"
        "</tr></thead>",
        html_escape(r.benchmark->symbol));
  }
  out += "<tbody>";
  out += row("Total return", &ReturnMetrics::total_return, pct);
  out += row("CAGR", &ReturnMetrics::cagr, pct);
  out += row("Volatility (ann.)", &ReturnMetrics::volatility, pct);
  out += row("Sharpe", &ReturnMetrics::sharpe, num);
  out += row("Sortino", &ReturnMetrics::sortino, num);
  out += row("Calmar", &ReturnMetrics::calmar, num);
  out += kv_row("Max drawdown", format_percent(a.drawdowns.max_drawdown),
                bench ? format_percent(b->drawdowns.max_drawdown) : "", bench);
  out += kv_row("Longest drawdown", drawdown_days(a.drawdowns.longest),
                bench ? drawdown_days(b->drawdowns.longest) : "", bench);
  out += row("Best day", &ReturnMetrics::best_day, pct);
  out += row("Worst day", &ReturnMetrics::worst_day, pct);
  out += row("Positive days", &ReturnMetrics::positive_days, pct);
  if (bench) {
    out += kv_row("Beta to benchmark", format_number(r.risk.benchmark.beta), "", true);
    out += kv_row("Correlation", format_number(r.risk.benchmark.correlation), "", true);
  }
  return out + "</tbody></table>";
}

std::string drawdown_table(const ReturnMetrics& returns, std::size_t max_rows) {
  if (returns.drawdowns.underwater.empty()) return "<p class=\"note\">No equity data.</p>";
  std::vector<DrawdownPeriod> worst = returns.drawdowns.episodes;
  if (worst.empty())
    return "<p class=\"note\">No drawdown: the equity never fell below a previous high.</p>";
  std::stable_sort(worst.begin(), worst.end(),
                   [](const auto& a, const auto& b) { return a.depth < b.depth; });
  if (worst.size() > max_rows) worst.resize(max_rows);
  std::string out =
      "<table><thead><tr><th class=\"n\">Depth</th><th>Peak</th><th>Trough</th><th>Recovered</th>"
      "<th class=\"n\">Days</th></tr></thead><tbody>";
  for (const DrawdownPeriod& p : worst) {
    out += fmt::format(
        "<tr><td class=\"n neg\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"n\">{}</td></tr>",
        format_percent(p.depth), format_date(p.peak), format_date(p.trough),
        p.recovery ? format_date(*p.recovery) : "not yet", p.calendar_days);
  }
  return out + "</tbody></table>";
}

std::string monthly_heatmap(const AccountReport& r) {
  if (r.monthly.empty()) return "<p class=\"note\">No monthly returns: no equity data.</p>";
  std::vector<double> magnitudes;
  for (const PeriodReturn& p : r.monthly) magnitudes.push_back(std::abs(p.value));
  std::sort(magnitudes.begin(), magnitudes.end());
  double scale = std::max(0.02, magnitudes[magnitudes.size() * 9 / 10]);

  std::string out =
      "<div class=\"wide\"><table class=\"heat\" id=\"monthly-returns\"><thead><tr><th></th>";
  for (const char* m : kMonthShort) out += fmt::format("<th>{}</th>", m);
  out += "<th class=\"year\">Year</th></tr></thead><tbody>";
  int first_year = r.monthly.front().year, last_year = r.monthly.back().year;
  std::size_t next = 0;
  for (int year = first_year; year <= last_year; ++year) {
    out += fmt::format("<tr><td class=\"label\">{}</td>", year);
    for (unsigned month = 1; month <= 12; ++month) {
      if (next < r.monthly.size() && r.monthly[next].year == year &&
          r.monthly[next].month == month) {
        double v = r.monthly[next++].value;
        out += fmt::format("<td class=\"m\" style=\"background:{}\" title=\"{} {}: {}\">{}</td>",
                           heat_color(v, scale), kMonthShort[month - 1], year,
                           format_percent(v, 2, true), format_percent(v, 1));
      } else {
        out += "<td></td>";
      }
    }
    auto yr = std::find_if(r.yearly.begin(), r.yearly.end(),
                           [year](const PeriodReturn& p) { return p.year == year; });
    if (yr != r.yearly.end()) {
      out += fmt::format("<td class=\"year\" style=\"background:{}\">{}</td>",
                         heat_color(yr->value, scale * 3), format_percent(yr->value, 1));
    } else {
      out += "<td class=\"year\"></td>";
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

namespace {

// One row per strategy plus the account's, in either of the two strategy tables.
struct StrategyRowSource {
  std::string name;
  const Series* equity;
  const ReturnMetrics* returns;
  const TradeStats* trades;
  const ActivityStats* activity;
  const BenchmarkRelation* benchmark;
  std::string color;
  bool total;
};

std::vector<StrategyRowSource> strategy_rows(const AccountReport& r) {
  std::vector<StrategyRowSource> rows;
  for (std::size_t i = 0; i < r.strategies.size(); ++i) {
    const StrategyReport& s = r.strategies[i];
    rows.push_back({s.key, &s.equity, &s.returns, &s.trades, &s.activity, &s.benchmark,
                    series_color(i), false});
  }
  rows.push_back({"Account", &r.equity, &r.returns, &r.trades, &r.activity, &r.risk.benchmark,
                  "#0f172a", true});
  return rows;
}

std::string row_start(const StrategyRowSource& src) {
  return fmt::format("<tr{}><td class=\"strategy\">{}</td>", src.total ? " class=\"total\"" : "",
                     html_escape(src.name));
}

}  // namespace

std::string strategy_table(const AccountReport& r) {
  std::string out =
      "<div class=\"wide\"><table class=\"sortable compact\" id=\"strategy-table\"><thead><tr>"
      "<th>Strategy</th><th>Equity</th><th class=\"n\">Final equity</th><th class=\"n\">Return</th>"
      "<th class=\"n\">CAGR</th><th class=\"n\">Volatility</th><th class=\"n\">Sharpe</th>"
      "<th class=\"n\">Sortino</th><th class=\"n\">Calmar</th><th class=\"n\">Max DD</th>"
      "<th class=\"n\">Longest DD</th><th class=\"n\">Beta</th><th class=\"n\">Correlation</th>"
      "</tr></thead><tbody>";
  for (const StrategyRowSource& src : strategy_rows(r)) {
    const ReturnMetrics& m = *src.returns;
    std::optional<double> longest;
    if (m.drawdowns.longest) longest = static_cast<double>(m.drawdowns.longest->calendar_days);
    std::string s = row_start(src) + "<td>" + render_sparkline(*src.equity, src.color) + "</td>";
    s += numeric_cell(format_amount(m.end_value, 0));
    s += numeric_cell(format_percent(m.total_return), sign_class(m.total_return));
    s += numeric_cell(format_percent(m.cagr), sign_class(m.cagr));
    s += numeric_cell(format_percent(m.volatility));
    s += numeric_cell(format_number(m.sharpe));
    s += numeric_cell(format_number(m.sortino));
    s += numeric_cell(format_number(m.calmar));
    s += numeric_cell(format_percent(m.drawdowns.max_drawdown),
                      sign_class(m.drawdowns.max_drawdown));
    s += numeric_cell(longest ? fmt::format("{:.0f} d", *longest) : "n/a");
    s += numeric_cell(format_number(src.benchmark->beta));
    s += numeric_cell(format_number(src.benchmark->correlation));
    out += s + "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string strategy_trading_table(const AccountReport& r) {
  std::string out =
      "<div class=\"wide\"><table class=\"sortable compact\" id=\"strategy-trading\"><thead><tr>"
      "<th>Strategy</th><th class=\"n\">Trades</th><th class=\"n\">Win rate</th>"
      "<th class=\"n\">Profit factor</th><th class=\"n\">Avg win</th><th class=\"n\">Avg loss</th>"
      "<th class=\"n\">Net PnL</th><th class=\"n\">Exposure</th><th class=\"n\">In market</th>"
      "<th class=\"n\">Turnover / yr</th><th class=\"n\">Fills</th><th class=\"n\">Commissions</th>"
      "</tr></thead><tbody>";
  for (const StrategyRowSource& src : strategy_rows(r)) {
    const TradeStats& t = *src.trades;
    const ActivityStats& a = *src.activity;
    std::string s = row_start(src);
    s += numeric_cell(format_count(t.trades));
    s += numeric_cell(format_percent(t.win_rate, 1));
    s += numeric_cell(format_number(t.profit_factor));
    s += numeric_cell(format_amount(t.average_win), "pos");
    s += numeric_cell(format_amount(t.average_loss), "neg");
    s += numeric_cell(format_amount(t.net_pnl), sign_class(t.net_pnl));
    s += numeric_cell(format_percent(a.exposure, 1));
    s += numeric_cell(format_percent(a.time_in_market, 1));
    s += numeric_cell(format_percent(a.annual_turnover, 0));
    s += numeric_cell(format_count(a.fills));
    s += numeric_cell(format_amount(a.commissions));
    out += s + "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string correlation_table(const CorrelationMatrix& m) {
  if (m.keys.size() < 2) {
    return "<p class=\"note\">A correlation matrix needs at least two strategies.</p>";
  }
  std::string out =
      "<div class=\"wide\"><table class=\"heat\" id=\"correlation\"><thead><tr><th></th>";
  for (const std::string& k : m.keys) out += fmt::format("<th>{}</th>", html_escape(k));
  out += "</tr></thead><tbody>";
  for (std::size_t i = 0; i < m.keys.size(); ++i) {
    out += fmt::format("<tr><td class=\"label\">{}</td>", html_escape(m.keys[i]));
    for (std::size_t j = 0; j < m.keys.size(); ++j) {
      const std::optional<double>& v = m.values[i][j];
      std::string bg = "transparent";
      if (v) {
        double a = 0.06 + 0.6 * std::min(1.0, std::abs(*v));
        bg = *v >= 0 ? fmt::format("rgba(37,99,235,{:.2f})", a)
                     : fmt::format("rgba(234,88,12,{:.2f})", a);
      }
      out += fmt::format("<td style=\"background:{}\" title=\"{} / {}: {} ({} days)\">{}</td>", bg,
                         html_escape(m.keys[i]), html_escape(m.keys[j]), format_number(v),
                         m.observations[i][j], format_number(v));
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string risk_panel(const AccountReport& r) {
  const RiskReport& k = r.risk;
  std::string out = "<div class=\"kpis\">";
  out += kpi("Gross exposure", format_percent(k.gross_exposure_share, 1), "",
             format_amount(k.gross_exposure, 0));
  out += kpi("Net exposure", format_percent(k.net_exposure_share, 1),
             sign_class(k.net_exposure_share), format_amount(k.net_exposure, 0));
  out += kpi("Leverage", k.leverage ? format_number(k.leverage) + "x" : "n/a", "",
             "avg " + format_number(k.average_leverage) + "x · max " +
                 format_number(k.max_leverage) + "x");
  out += kpi("Largest position", format_percent(k.largest_position_share, 1), "",
             k.largest_position.value_or("no open position"));
  out += kpi("VaR 95% (1d)", format_percent(k.var95.value_at_risk), "",
             format_amount(k.var95_amount, 0));
  out += kpi("ES 95% (1d)", format_percent(k.var95.expected_shortfall), "",
             format_amount(k.es95_amount, 0));
  out += kpi("Beta", format_number(r.risk.benchmark.beta), "",
             r.benchmark ? "to " + r.benchmark->symbol : "no benchmark");
  out += kpi("Correlation", format_number(r.risk.benchmark.correlation), "",
             format_count(r.risk.benchmark.observations) + " paired days");
  out += "</div>";

  out +=
      "<div class=\"grid2\"><div class=\"card\"><h3>Value at risk and expected shortfall "
      "(historical, 1 day)</h3><table class=\"kv\"><thead><tr><th></th><th class=\"n\">95%</th>"
      "<th class=\"n\">99%</th></tr></thead><tbody>";
  out += kv_row("VaR (share of equity)", format_percent(k.var95.value_at_risk),
                format_percent(k.var99.value_at_risk), true);
  out += kv_row("VaR (amount)", format_amount(k.var95_amount, 0), format_amount(k.var99_amount, 0),
                true);
  out += kv_row("Expected shortfall", format_percent(k.var95.expected_shortfall),
                format_percent(k.var99.expected_shortfall), true);
  out +=
      kv_row("ES (amount)", format_amount(k.es95_amount, 0), format_amount(k.es99_amount, 0), true);
  out += kv_row("Worst days averaged", format_count(k.var95.tail_count),
                format_count(k.var99.tail_count), true);
  out += kv_row("Daily returns used", format_count(k.var95.observations),
                format_count(k.var99.observations), true);
  out += "</tbody></table></div><div class=\"card\"><h3>Open positions";
  if (k.positions_as_of)
    out += " <span class=\"na\">as of " + format_date(*k.positions_as_of) + "</span>";
  out += "</h3>" + positions_table(k, r.currency) + "</div></div>";
  return out;
}

}  // namespace tandem::report::html
