// render_json(): the report's figures for scripts. Schema: docs/report.md. Fractions stay
// fractions (0.1234, not 12.34); an undefined figure is null; dates are "YYYY-MM-DD".
#include <nlohmann/json.hpp>

#include "report/report.h"

namespace tandem::report {
namespace {

using nlohmann::json;

json opt(std::optional<double> v) { return v ? json(*v) : json(nullptr); }
json opt_date(std::optional<Timestamp> t) { return t ? json(format_date(*t)) : json(nullptr); }

json drawdown_json(const std::optional<DrawdownPeriod>& p) {
  if (!p) return nullptr;
  return {{"depth", p->depth},
          {"peak", format_date(p->peak)},
          {"trough", format_date(p->trough)},
          {"recovery", opt_date(p->recovery)},
          {"calendar_days", p->calendar_days},
          {"trading_days", p->trading_days}};
}

json returns_json(const ReturnMetrics& m) {
  return {{"first", opt_date(m.first)},
          {"last", opt_date(m.last)},
          {"points", m.points},
          {"returns", m.returns},
          {"years", opt(m.years)},
          {"start_value", opt(m.start_value)},
          {"end_value", opt(m.end_value)},
          {"total_return", opt(m.total_return)},
          {"cagr", opt(m.cagr)},
          {"volatility", opt(m.volatility)},
          {"sharpe", opt(m.sharpe)},
          {"sortino", opt(m.sortino)},
          {"calmar", opt(m.calmar)},
          {"max_drawdown", opt(m.drawdowns.max_drawdown)},
          {"max_drawdown_period", drawdown_json(m.drawdowns.deepest)},
          {"longest_drawdown", drawdown_json(m.drawdowns.longest)},
          {"best_day", opt(m.best_day)},
          {"worst_day", opt(m.worst_day)},
          {"positive_days", opt(m.positive_days)}};
}

json trades_json(const TradeStats& t) {
  return {{"trades", t.trades},
          {"wins", t.wins},
          {"losses", t.losses},
          {"win_rate", opt(t.win_rate)},
          {"profit_factor", opt(t.profit_factor)},
          {"average_win", opt(t.average_win)},
          {"average_loss", opt(t.average_loss)},
          {"average_trade", opt(t.average_trade)},
          {"largest_win", opt(t.largest_win)},
          {"largest_loss", opt(t.largest_loss)},
          {"gross_profit", t.gross_profit},
          {"gross_loss", t.gross_loss},
          {"net_pnl", t.net_pnl}};
}

json activity_json(const ActivityStats& a) {
  return {{"orders", a.orders},           {"fills", a.fills},
          {"commissions", a.commissions}, {"traded_value", a.traded_value},
          {"turnover", opt(a.turnover)},  {"annual_turnover", opt(a.annual_turnover)},
          {"exposure", opt(a.exposure)},  {"time_in_market", opt(a.time_in_market)}};
}

json benchmark_json(const BenchmarkRelation& b) {
  return {
      {"observations", b.observations}, {"beta", opt(b.beta)}, {"correlation", opt(b.correlation)}};
}

json tail_json(const TailRisk& t, std::optional<double> var_amount,
               std::optional<double> es_amount) {
  return {{"confidence", t.confidence},
          {"observations", t.observations},
          {"tail_count", t.tail_count},
          {"value_at_risk", opt(t.value_at_risk)},
          {"expected_shortfall", opt(t.expected_shortfall)},
          {"value_at_risk_amount", opt(var_amount)},
          {"expected_shortfall_amount", opt(es_amount)}};
}

json periods_json(const std::vector<PeriodReturn>& periods, bool monthly) {
  json out = json::array();
  for (const PeriodReturn& p : periods) {
    json row = {{"year", p.year}, {"return", p.value}};
    if (monthly) row["month"] = p.month;
    out.push_back(std::move(row));
  }
  return out;
}

json risk_json(const AccountReport& r) {
  const RiskReport& k = r.risk;
  json positions = json::array();
  for (const PositionExposure& p : k.positions) {
    positions.push_back({{"symbol", p.symbol},
                         {"position", p.position},
                         {"market_price", p.market_price},
                         {"market_value", p.market_value},
                         {"unrealized_pnl", p.unrealized_pnl},
                         {"share_of_equity", opt(p.share_of_equity)}});
  }
  json matrix = json::array();
  for (std::size_t i = 0; i < k.strategy_correlation.keys.size(); ++i) {
    json row = json::array();
    for (const auto& v : k.strategy_correlation.values[i]) row.push_back(opt(v));
    matrix.push_back(std::move(row));
  }
  return {{"positions_as_of", opt_date(k.positions_as_of)},
          {"positions", std::move(positions)},
          {"gross_exposure", opt(k.gross_exposure)},
          {"net_exposure", opt(k.net_exposure)},
          {"gross_exposure_share", opt(k.gross_exposure_share)},
          {"net_exposure_share", opt(k.net_exposure_share)},
          {"leverage", opt(k.leverage)},
          {"average_leverage", opt(k.average_leverage)},
          {"max_leverage", opt(k.max_leverage)},
          {"largest_position", k.largest_position ? json(*k.largest_position) : json(nullptr)},
          {"largest_position_share", opt(k.largest_position_share)},
          {"var_95", tail_json(k.var95, k.var95_amount, k.es95_amount)},
          {"var_99", tail_json(k.var99, k.var99_amount, k.es99_amount)},
          {"benchmark", benchmark_json(k.benchmark)},
          {"strategy_correlation",
           {{"keys", k.strategy_correlation.keys}, {"matrix", std::move(matrix)}}}};
}

}  // namespace

std::string render_json(const AccountReport& r) {
  json strategies = json::array();
  for (const StrategyReport& s : r.strategies) {
    strategies.push_back({{"key", s.key},
                          {"metrics", returns_json(s.returns)},
                          {"trades", trades_json(s.trades)},
                          {"activity", activity_json(s.activity)},
                          {"benchmark", benchmark_json(s.benchmark)},
                          {"final_position_value", opt(s.final_position_value)}});
  }
  json daily = json::array();
  const auto& underwater = r.returns.drawdowns.underwater;
  std::size_t b = 0;
  for (std::size_t i = 0; i < r.equity.size(); ++i) {
    json row = {{"date", format_date(r.equity.time[i])}, {"equity", r.equity.value[i]}};
    row["drawdown"] = i < underwater.size() ? json(underwater[i]) : json(nullptr);
    if (r.benchmark) {
      const Series& scaled = r.benchmark->scaled;
      while (b < scaled.size() && scaled.time[b] < r.equity.time[i]) ++b;
      bool same = b < scaled.size() && scaled.time[b] == r.equity.time[i];
      row["benchmark"] = same ? json(scaled.value[b]) : json(nullptr);
    }
    daily.push_back(std::move(row));
  }
  json benchmark = nullptr;
  if (r.benchmark) {
    benchmark = {{"symbol", r.benchmark->symbol},
                 {"metrics", returns_json(r.benchmark->returns)},
                 {"relation", benchmark_json(r.risk.benchmark)}};
  }
  json doc = {{"account", r.account_id},
              {"currency", r.currency},
              {"generated_at", format_timestamp(r.generated_at)},
              {"risk_free_rate", r.risk_free_rate},
              {"metrics", returns_json(r.returns)},
              {"trades", trades_json(r.trades)},
              {"activity", activity_json(r.activity)},
              {"benchmark", std::move(benchmark)},
              {"strategies", std::move(strategies)},
              {"risk", risk_json(r)},
              {"monthly_returns", periods_json(r.monthly, true)},
              {"yearly_returns", periods_json(r.yearly, false)},
              {"daily", std::move(daily)},
              {"notes", r.notes}};
  return doc.dump(2) + "\n";
}

}  // namespace tandem::report
