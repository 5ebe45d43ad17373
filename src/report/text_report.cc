// render_text(): the report as fixed-width text for a terminal.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "report/report.h"
#include "report/text_format.h"

namespace tandem::report {
namespace {

std::string days_text(const std::optional<DrawdownPeriod>& p) {
  if (!p) return std::string(kNotAvailable);
  return fmt::format("{} d", p->calendar_days);
}

std::string period_text(const std::optional<DrawdownPeriod>& p) {
  if (!p) return "";
  return fmt::format("{} -> {} -> {}", format_date(p->peak), format_date(p->trough),
                     p->recovery ? format_date(*p->recovery) : "not recovered");
}

void append_returns_block(std::string& out, const AccountReport& r) {
  const ReturnMetrics& a = r.returns;
  const ReturnMetrics* b = r.benchmark ? &r.benchmark->returns : nullptr;
  out += fmt::format("  {:<20}{:>16}", "", "Account");
  if (b) out += fmt::format("{:>16}", r.benchmark->symbol);
  out += "\n";
  auto line = [&](std::string_view label, const std::string& av, const std::string& bv) {
    out += fmt::format("  {:<20}{:>16}", label, av);
    if (b) out += fmt::format("{:>16}", bv);
    out += "\n";
  };
  auto pct = [](std::optional<double> v) { return format_percent(v); };
  line("Start equity", format_amount(a.start_value), b ? format_amount(b->start_value) : "");
  line("Final equity", format_amount(a.end_value), b ? format_amount(b->end_value) : "");
  line("Total return", format_percent(a.total_return, 2, true),
       b ? format_percent(b->total_return, 2, true) : "");
  line("CAGR", pct(a.cagr), b ? pct(b->cagr) : "");
  line("Volatility (ann.)", pct(a.volatility), b ? pct(b->volatility) : "");
  line("Sharpe", format_number(a.sharpe), b ? format_number(b->sharpe) : "");
  line("Sortino", format_number(a.sortino), b ? format_number(b->sortino) : "");
  line("Calmar", format_number(a.calmar), b ? format_number(b->calmar) : "");
  line("Max drawdown", pct(a.drawdowns.max_drawdown), b ? pct(b->drawdowns.max_drawdown) : "");
  line("Longest drawdown", days_text(a.drawdowns.longest),
       b ? days_text(b->drawdowns.longest) : "");
  line("Best day", pct(a.best_day), b ? pct(b->best_day) : "");
  line("Worst day", pct(a.worst_day), b ? pct(b->worst_day) : "");
  if (a.drawdowns.deepest)
    out += "  Max drawdown period  " + period_text(a.drawdowns.deepest) + "\n";
  if (a.drawdowns.longest)
    out += "  Longest drawdown     " + period_text(a.drawdowns.longest) + "\n";
}

}  // namespace

std::string render_text(const AccountReport& r) {
  std::string out = fmt::format("tandem report: {}\n", r.account_id);
  if (r.returns.first) {
    out += fmt::format("  {} to {}, {} days", format_date(*r.returns.first),
                       format_date(*r.returns.last), format_count(r.returns.points));
    if (r.returns.years) out += fmt::format(" ({:.2f} years)", *r.returns.years);
    if (!r.currency.empty()) out += ", " + r.currency;
    out += "\n";
  }
  out += fmt::format("  benchmark {}, risk-free rate {}\n\n",
                     r.benchmark ? r.benchmark->symbol : "none", format_percent(r.risk_free_rate));
  append_returns_block(out, r);

  const TradeStats& t = r.trades;
  out += fmt::format(
      "\nTrades\n  round trips {}, win rate {}, profit factor {}, average win {}, average loss {}\n"
      "  order events {}, fills {}, commissions {}, turnover {} a year, exposure {}\n",
      format_count(t.trades), format_percent(t.win_rate, 1), format_number(t.profit_factor),
      format_amount(t.average_win), format_amount(t.average_loss), format_count(r.activity.orders),
      format_count(r.activity.fills), format_amount(r.activity.commissions),
      format_percent(r.activity.annual_turnover, 0), format_percent(r.activity.exposure, 1));

  if (!r.strategies.empty()) {
    std::size_t w = 10;
    for (const StrategyReport& s : r.strategies) w = std::max(w, s.key.size() + 2);
    out += fmt::format(
        "\nStrategies\n  {:<{}}{:>14}{:>10}{:>9}{:>8}{:>9}{:>8}{:>8}{:>8}{:>10}{:>12}\n", "Key", w,
        "Final equity", "Return", "CAGR", "Sharpe", "Max DD", "Trades", "Win %", "PF", "Exposure",
        "Commission");
    for (const StrategyReport& s : r.strategies) {
      const ReturnMetrics& m = s.returns;
      out += fmt::format(
          "  {:<{}}{:>14}{:>10}{:>9}{:>8}{:>9}{:>8}{:>8}{:>8}{:>10}{:>12}\n", s.key, w,
          format_amount(m.end_value, 0), format_percent(m.total_return, 1),
          format_percent(m.cagr, 1), format_number(m.sharpe),
          format_percent(m.drawdowns.max_drawdown, 1), format_count(s.trades.trades),
          format_percent(s.trades.win_rate, 1), format_number(s.trades.profit_factor),
          format_percent(s.activity.exposure, 1), format_amount(s.activity.commissions));
    }
  }

  const RiskReport& k = r.risk;
  out += fmt::format(
      "\nRisk\n  gross exposure {} ({}), net exposure {} ({}), leverage {} (average {}, max {})\n",
      format_percent(k.gross_exposure_share, 1), format_amount(k.gross_exposure, 0),
      format_percent(k.net_exposure_share, 1), format_amount(k.net_exposure, 0),
      format_number(k.leverage), format_number(k.average_leverage), format_number(k.max_leverage));
  out += fmt::format("  largest position {} {}\n", k.largest_position.value_or("none"),
                     format_percent(k.largest_position_share, 1));
  out +=
      fmt::format("  1-day historical VaR 95% {} ({}), ES 95% {}; VaR 99% {} ({}), ES 99% {}\n",
                  format_percent(k.var95.value_at_risk), format_amount(k.var95_amount, 0),
                  format_percent(k.var95.expected_shortfall), format_percent(k.var99.value_at_risk),
                  format_amount(k.var99_amount, 0), format_percent(k.var99.expected_shortfall));
  if (r.benchmark) {
    out += fmt::format("  beta {}, correlation {} to {} over {} days\n",
                       format_number(k.benchmark.beta), format_number(k.benchmark.correlation),
                       r.benchmark->symbol, format_count(k.benchmark.observations));
  }
  if (!r.notes.empty()) {
    out += "\nNotes\n";
    for (const std::string& n : r.notes) out += "  - " + n + "\n";
  }
  return out;
}

}  // namespace tandem::report
