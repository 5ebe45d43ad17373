// analyze(): AccountData -> AccountReport. The series metrics live in metrics.cc; this file
// decides which series each figure is computed from and what the reader is told about the data.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "report/report.h"

namespace tandem::report {
namespace {

// Consecutive daily rows further apart than this are a gap worth telling the reader about:
// a weekend plus a one-day holiday is 4 calendar days.
constexpr std::int64_t kGapCalendarDays = 4;

template <typename Row, typename Value>
Series daily_series(const std::vector<Row>& rows, Value value_of) {
  Series raw;
  raw.time.reserve(rows.size());
  raw.value.reserve(rows.size());
  for (const Row& row : rows) {
    raw.time.push_back(row.time);
    raw.value.push_back(value_of(row));
  }
  return last_per_day(raw);
}

// The rows of each day that last_per_day keeps (the last of each UTC day), by index.
template <typename Row>
std::vector<std::size_t> last_rows_per_day(const std::vector<Row>& rows) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!out.empty() && day_start(rows[out.back()].time) == day_start(rows[i].time)) {
      out.back() = i;
    } else {
      out.push_back(i);
    }
  }
  return out;
}

void fill_activity(ActivityStats& a, const Series& equity, const ReturnMetrics& returns,
                   const EventTotals& events) {
  a.orders = events.orders;
  a.fills = events.fills;
  a.commissions = events.commissions;
  a.traded_value = events.traded_value;
  auto mean_equity = mean(equity.value);
  if (mean_equity && *mean_equity > 0) {
    a.turnover = a.traded_value / *mean_equity;
    if (returns.years) a.annual_turnover = *a.turnover / *returns.years;
  }
}

BenchmarkRelation relate(const Series& equity, const std::optional<BenchmarkView>& benchmark) {
  BenchmarkRelation rel;
  if (!benchmark) return rel;
  PairedReturns paired = paired_returns_as_of(equity, benchmark->close);
  rel.observations = paired.a.size();
  rel.beta = beta(paired.a, paired.b);
  rel.correlation = correlation(paired.a, paired.b);
  return rel;
}

std::optional<BenchmarkView> make_benchmark_view(const AccountData& data, const Series& equity,
                                                 double risk_free_rate,
                                                 std::vector<std::string>& notes) {
  if (!data.benchmark) return std::nullopt;
  BenchmarkView view;
  view.symbol = data.benchmark->symbol;
  view.close = last_per_day(data.benchmark->close);
  std::size_t j = 0, skipped = 0;
  double scale = 0;
  for (std::size_t i = 0; i < equity.size(); ++i) {
    Timestamp day = day_start(equity.time[i]);
    while (j < view.close.size() && day_start(view.close.time[j]) <= day) ++j;
    if (j == 0 || !(view.close.value[j - 1] > 0)) {
      ++skipped;
      continue;
    }
    if (view.scaled.empty()) scale = equity.value[i] / view.close.value[j - 1];
    view.scaled.time.push_back(equity.time[i]);
    view.scaled.value.push_back(view.close.value[j - 1] * scale);
  }
  if (view.close.empty()) {
    notes.push_back(
        fmt::format("benchmark {} has no prices; beta and correlation are n/a", view.symbol));
  } else if (skipped > 0) {
    notes.push_back(fmt::format(
        "benchmark {} starts {}: {} account day(s) before it are left out of the comparison",
        view.symbol, format_date(view.close.time.front()), skipped));
  }
  if (!equity.empty() && !view.close.empty() &&
      day_start(view.close.time.back()) < day_start(equity.time.back())) {
    notes.push_back(
        fmt::format("benchmark {} ends {}; later account days compare against that "
                    "last close",
                    view.symbol, format_date(view.close.time.back())));
  }
  view.returns = compute_return_metrics(view.scaled, risk_free_rate);
  return view;
}

void note_gaps(const Series& equity, std::vector<std::string>& notes) {
  std::size_t gaps = 0;
  std::int64_t longest = 0;
  Timestamp longest_from = 0, longest_to = 0;
  for (std::size_t i = 1; i < equity.size(); ++i) {
    std::int64_t days = calendar_days_between(equity.time[i - 1], equity.time[i]);
    if (days <= kGapCalendarDays) continue;
    ++gaps;
    if (days > longest) {
      longest = days;
      longest_from = equity.time[i - 1];
      longest_to = equity.time[i];
    }
  }
  if (gaps == 0) return;
  notes.push_back(fmt::format(
      "{} gap(s) of more than {} calendar days between account summary rows (longest: {} to {}, "
      "{} days); a daily return across a gap covers the whole gap",
      gaps, kGapCalendarDays, format_date(longest_from), format_date(longest_to), longest));
}

void fill_positions(const AccountData& data, const Series& equity, RiskReport& risk) {
  // The latest snapshot row of each symbol; a symbol whose latest row is flat is closed.
  std::map<std::string, const PortfolioRow*> latest;
  for (const PortfolioRow& row : data.portfolio) {
    const PortfolioRow*& slot = latest[row.symbol];
    if (slot == nullptr || row.time >= slot->time) slot = &row;
  }
  std::optional<double> nlv;
  if (!equity.empty()) nlv = equity.value.back();
  double gross = 0, net = 0;
  for (const auto& [symbol, row] : latest) {
    if (!risk.positions_as_of || row->time > *risk.positions_as_of)
      risk.positions_as_of = row->time;
    if (row->position == 0) continue;
    PositionExposure p;
    p.symbol = symbol;
    p.position = row->position;
    p.market_price = row->market_price;
    p.market_value = row->market_value;
    p.unrealized_pnl = row->unrealized_pnl;
    if (nlv && *nlv > 0) p.share_of_equity = std::abs(row->market_value) / *nlv;
    gross += std::abs(row->market_value);
    net += row->market_value;
    risk.positions.push_back(std::move(p));
  }
  std::stable_sort(risk.positions.begin(), risk.positions.end(), [](const auto& a, const auto& b) {
    return std::abs(a.market_value) > std::abs(b.market_value);
  });
  if (!latest.empty()) {
    risk.gross_exposure = gross;
    risk.net_exposure = net;
    if (nlv && *nlv > 0) {
      risk.gross_exposure_share = gross / *nlv;
      risk.net_exposure_share = net / *nlv;
      risk.largest_position_share = 0.0;
    }
  }
  if (!risk.positions.empty()) {
    risk.largest_position = risk.positions.front().symbol;
    risk.largest_position_share = risk.positions.front().share_of_equity;
  }
}

void fill_leverage(const AccountData& data, RiskReport& risk) {
  std::vector<double> leverage;
  for (std::size_t i : last_rows_per_day(data.summary)) {
    const AccountDay& day = data.summary[i];
    if (day.net_liquidation > 0 && std::isfinite(day.gross_position_value)) {
      leverage.push_back(std::abs(day.gross_position_value) / day.net_liquidation);
    }
  }
  if (leverage.empty()) return;
  risk.leverage = leverage.back();
  risk.average_leverage = mean(leverage);
  risk.max_leverage = *std::max_element(leverage.begin(), leverage.end());
}

CorrelationMatrix strategy_correlations(const std::vector<StrategyReport>& strategies) {
  CorrelationMatrix m;
  std::size_t n = strategies.size();
  for (const StrategyReport& s : strategies) m.keys.push_back(s.key);
  m.values.assign(n, std::vector<std::optional<double>>(n));
  m.observations.assign(n, std::vector<std::size_t>(n, 0));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i; j < n; ++j) {
      PairedReturns p = paired_returns_common_days(strategies[i].equity, strategies[j].equity);
      std::optional<double> rho = correlation(p.a, p.b);
      if (i == j && rho) rho = 1.0;
      m.values[i][j] = m.values[j][i] = rho;
      m.observations[i][j] = m.observations[j][i] = p.a.size();
    }
  }
  return m;
}

std::optional<double> mean_exposure(const std::vector<StrategyDay>& days,
                                    std::optional<double>& time_in_market) {
  std::vector<double> exposure;
  std::size_t invested = 0, counted = 0;
  for (std::size_t i : last_rows_per_day(days)) {
    const StrategyDay& d = days[i];
    ++counted;
    if (d.position_value != 0) ++invested;
    if (d.exposure && std::isfinite(*d.exposure)) {
      exposure.push_back(*d.exposure);
    } else if (d.equity > 0) {
      exposure.push_back(std::abs(d.position_value) / d.equity);
    }
  }
  if (counted > 0) time_in_market = static_cast<double>(invested) / static_cast<double>(counted);
  return mean(exposure);
}

}  // namespace

EventSummary summarize_events(const std::vector<OrderRow>& orders,
                              const std::vector<FillRow>& fills) {
  EventSummary out;
  for (const OrderRow& o : orders) {
    ++out.all.orders;
    ++out.by_strategy[o.strategy].orders;
  }
  for (const FillRow& f : fills) {
    double value = std::abs(f.shares * f.price);
    for (EventTotals* t : {&out.all, &out.by_strategy[f.strategy]}) {
      ++t->fills;
      t->commissions += f.commission;
      t->traded_value += value;
    }
  }
  return out;
}

AccountReport analyze(const AccountData& data, const ReportOptions& options) {
  AccountReport r;
  r.account_id = data.account_id;
  r.currency = data.currency;
  r.generated_at = now_utc();
  r.risk_free_rate = options.risk_free_rate;
  daily_risk_free(options.risk_free_rate);  // validates the rate before any work

  r.equity = daily_series(data.summary, [](const AccountDay& d) { return d.net_liquidation; });
  r.returns = compute_return_metrics(r.equity, options.risk_free_rate);
  r.monthly = monthly_returns(r.equity);
  r.yearly = yearly_returns(r.equity);
  r.notes = data.load_notes;
  if (data.summary.empty()) r.notes.push_back("the account has no account_summary rows");
  note_gaps(r.equity, r.notes);
  if (!r.equity.empty() && !(r.equity.value.front() > 0)) {
    r.notes.push_back("the first net liquidation value is not positive: returns are n/a");
  }

  std::vector<double> net_pnls;
  net_pnls.reserve(data.trades.size());
  std::unordered_map<std::string, std::vector<double>> pnls_by_strategy;
  for (const TradeRow& t : data.trades) {
    net_pnls.push_back(t.pnl);
    pnls_by_strategy[t.strategy].push_back(t.pnl);
  }
  r.trades = compute_trade_stats(net_pnls);

  const EventSummary events =
      data.event_summary ? *data.event_summary : summarize_events(data.orders, data.fills);
  fill_activity(r.activity, r.equity, r.returns, events.all);
  {
    std::vector<double> exposure;
    std::size_t invested = 0;
    auto days = last_rows_per_day(data.summary);
    for (std::size_t i : days) {
      const AccountDay& d = data.summary[i];
      if (d.net_liquidation > 0)
        exposure.push_back(std::abs(d.gross_position_value) / d.net_liquidation);
      if (d.gross_position_value != 0) ++invested;
    }
    r.activity.exposure = mean(exposure);
    if (!days.empty()) {
      r.activity.time_in_market = static_cast<double>(invested) / static_cast<double>(days.size());
    }
  }

  r.benchmark = make_benchmark_view(data, r.equity, options.risk_free_rate, r.notes);

  for (const StrategyHistory& history : data.strategies) {
    StrategyReport s;
    s.key = history.key;
    s.equity = daily_series(history.days, [](const StrategyDay& d) { return d.equity; });
    s.returns = compute_return_metrics(s.equity, options.risk_free_rate);
    s.trades = compute_trade_stats(pnls_by_strategy[history.key]);
    auto totals = events.by_strategy.find(history.key);
    fill_activity(s.activity, s.equity, s.returns,
                  totals == events.by_strategy.end() ? EventTotals{} : totals->second);
    s.activity.exposure = mean_exposure(history.days, s.activity.time_in_market);
    s.benchmark = relate(s.equity, r.benchmark);
    if (!history.days.empty()) s.final_position_value = history.days.back().position_value;
    if (history.days.empty()) {
      r.notes.push_back(fmt::format("strategy {} has no performance rows", history.key));
    }
    r.strategies.push_back(std::move(s));
  }
  for (const auto& [key, pnls] : pnls_by_strategy) {
    bool known = std::any_of(data.strategies.begin(), data.strategies.end(),
                             [&](const StrategyHistory& h) { return h.key == key; });
    if (!known && !pnls.empty()) {
      r.notes.push_back(fmt::format(
          "{} trade(s) of strategy '{}' have no strategy_{}_performance rows; they count in the "
          "account's figures only",
          pnls.size(), key, key));
    }
  }

  fill_positions(data, r.equity, r.risk);
  fill_leverage(data, r.risk);
  std::vector<double> daily = simple_returns(r.equity.value);
  r.risk.var95 = historical_tail_risk(daily, 0.95);
  r.risk.var99 = historical_tail_risk(daily, 0.99);
  if (!r.equity.empty() && r.equity.value.back() > 0) {
    double equity = r.equity.value.back();
    auto amount = [equity](std::optional<double> share) -> std::optional<double> {
      if (!share) return std::nullopt;
      return *share * equity;
    };
    r.risk.var95_amount = amount(r.risk.var95.value_at_risk);
    r.risk.var99_amount = amount(r.risk.var99.value_at_risk);
    r.risk.es95_amount = amount(r.risk.var95.expected_shortfall);
    r.risk.es99_amount = amount(r.risk.var99.expected_shortfall);
  }
  r.risk.benchmark = relate(r.equity, r.benchmark);
  r.risk.strategy_correlation = strategy_correlations(r.strategies);
  return r;
}

}  // namespace tandem::report
