#include "report/metrics.h"

#include <date/date.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace tandem::report {
namespace {

std::optional<double> finite_or_none(double x) {
  if (std::isfinite(x)) return x;
  return std::nullopt;
}

date::year_month_day civil_day(Timestamp t) {
  return date::year_month_day{date::sys_days{date::days{day_start(t) / kNanosPerDay}}};
}

// Returns of two already-aligned value vectors, keeping a step only when both are defined.
PairedReturns paired_steps(const std::vector<double>& a, const std::vector<double>& b) {
  PairedReturns out;
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (a[i - 1] > 0 && b[i - 1] > 0) {
      out.a.push_back(a[i] / a[i - 1] - 1);
      out.b.push_back(b[i] / b[i - 1] - 1);
    }
  }
  return out;
}

// Sample covariance and both variances in one place so beta and correlation agree.
struct Moments {
  double cov = 0, var_a = 0, var_b = 0;
};

std::optional<Moments> sample_moments(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    throw Error("paired series differ in length: " + std::to_string(a.size()) + " vs " +
                    std::to_string(b.size()),
                "report::metrics");
  }
  if (a.size() < 3) return std::nullopt;
  double mean_a = *mean(a), mean_b = *mean(b);
  Moments m;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double da = a[i] - mean_a, db = b[i] - mean_b;
    m.cov += da * db;
    m.var_a += da * da;
    m.var_b += db * db;
  }
  double n1 = static_cast<double>(a.size() - 1);
  m.cov /= n1;
  m.var_a /= n1;
  m.var_b /= n1;
  return m;
}

bool is_zero_volatility(double variance) {
  return !(std::sqrt(std::max(variance, 0.0)) > kZeroVolatility);
}

std::vector<PeriodReturn> period_returns(const Series& equity, bool by_month) {
  std::vector<PeriodReturn> out;
  if (equity.empty()) return out;
  double base = equity.value.front();
  auto period_of = [by_month](Timestamp t) {
    date::year_month_day ymd = civil_day(t);
    int year = static_cast<int>(ymd.year());
    unsigned month = by_month ? static_cast<unsigned>(ymd.month()) : 0u;
    return std::pair{year, month};
  };
  auto current = period_of(equity.time.front());
  double last = equity.value.front();
  auto close_period = [&] {
    if (base > 0) out.push_back({current.first, current.second, last / base - 1});
    base = last;
  };
  for (std::size_t i = 1; i < equity.size(); ++i) {
    auto period = period_of(equity.time[i]);
    if (period != current) {
      close_period();
      current = period;
    }
    last = equity.value[i];
  }
  close_period();
  return out;
}

}  // namespace

Series last_per_day(const Series& series) {
  if (series.time.size() != series.value.size()) {
    throw Error("series has " + std::to_string(series.time.size()) + " times but " +
                    std::to_string(series.value.size()) + " values",
                "report::last_per_day");
  }
  Series out;
  for (std::size_t i = 0; i < series.size(); ++i) {
    Timestamp t = series.time[i];
    if (i > 0 && t < series.time[i - 1]) {
      throw Error("series not in time order at " + format_timestamp(t), "report::last_per_day");
    }
    if (!std::isfinite(series.value[i])) continue;
    if (!out.empty() && day_start(out.time.back()) == day_start(t)) {
      out.time.back() = t;
      out.value.back() = series.value[i];
    } else {
      out.time.push_back(t);
      out.value.push_back(series.value[i]);
    }
  }
  return out;
}

std::vector<double> simple_returns(std::span<const double> values) {
  std::vector<double> out;
  if (values.size() > 1) out.reserve(values.size() - 1);
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (values[i - 1] > 0) out.push_back(values[i] / values[i - 1] - 1);
  }
  return out;
}

std::optional<double> mean(std::span<const double> xs) {
  if (xs.empty()) return std::nullopt;
  double sum = 0;
  for (double x : xs) sum += x;
  return finite_or_none(sum / static_cast<double>(xs.size()));
}

std::optional<double> sample_stddev(std::span<const double> xs) {
  if (xs.size() < 2) return std::nullopt;
  double m = *mean(xs);
  double sum_sq = 0;
  for (double x : xs) sum_sq += (x - m) * (x - m);
  return finite_or_none(std::sqrt(sum_sq / static_cast<double>(xs.size() - 1)));
}

std::int64_t calendar_days_between(Timestamp from, Timestamp to) {
  return (day_start(to) - day_start(from)) / kNanosPerDay;
}

DrawdownAnalysis analyze_drawdowns(const Series& equity) {
  DrawdownAnalysis out;
  if (equity.empty() || !(equity.value.front() > 0)) return out;
  const auto& v = equity.value;
  const auto& t = equity.time;
  out.underwater.assign(v.size(), 0.0);
  std::size_t peak = 0, trough = 0;
  bool in_drawdown = false;
  auto close_episode = [&](std::optional<std::size_t> recovery) {
    DrawdownPeriod p;
    p.peak = t[peak];
    p.trough = t[trough];
    std::size_t end = recovery.value_or(v.size() - 1);
    if (recovery) p.recovery = t[*recovery];
    p.depth = v[trough] / v[peak] - 1;
    p.calendar_days = calendar_days_between(t[peak], t[end]);
    p.trading_days = static_cast<std::int64_t>(end - peak);
    out.episodes.push_back(p);
  };
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] >= v[peak]) {
      if (in_drawdown) close_episode(i);
      in_drawdown = false;
      peak = i;
    } else {
      if (!in_drawdown || v[i] < v[trough]) trough = i;
      in_drawdown = true;
    }
    out.underwater[i] = v[i] / v[peak] - 1;
  }
  if (in_drawdown) close_episode(std::nullopt);
  out.max_drawdown = 0.0;
  for (const DrawdownPeriod& p : out.episodes) {
    if (!out.deepest || p.depth < out.deepest->depth) out.deepest = p;
    if (!out.longest || p.calendar_days > out.longest->calendar_days) out.longest = p;
  }
  if (out.deepest) out.max_drawdown = out.deepest->depth;
  return out;
}

double daily_risk_free(double annual_rate) {
  if (!std::isfinite(annual_rate) || annual_rate <= -1) {
    throw Error("risk-free rate must be a finite annual fraction above -1, got " +
                    std::to_string(annual_rate),
                "report");
  }
  return std::pow(1 + annual_rate, 1 / kTradingDaysPerYear) - 1;
}

ReturnMetrics compute_return_metrics(const Series& equity, double risk_free_rate) {
  const double rf_daily = daily_risk_free(risk_free_rate);
  ReturnMetrics m;
  m.points = equity.size();
  if (equity.empty()) return m;
  m.first = equity.time.front();
  m.last = equity.time.back();
  double start = equity.value.front(), end = equity.value.back();
  m.start_value = start;
  m.end_value = end;
  m.drawdowns = analyze_drawdowns(equity);
  if (start > 0) m.total_return = finite_or_none(end / start - 1);

  double days = static_cast<double>(*m.last - *m.first) / static_cast<double>(kNanosPerDay);
  if (days > 0) m.years = days / kCalendarDaysPerYear;
  if (start > 0 && m.years && end >= 0) {
    m.cagr = end == 0 ? -1.0 : finite_or_none(std::pow(end / start, 1 / *m.years) - 1);
  }

  std::vector<double> r = simple_returns(equity.value);
  m.returns = r.size();
  if (!r.empty()) {
    m.best_day = *std::max_element(r.begin(), r.end());
    m.worst_day = *std::min_element(r.begin(), r.end());
    auto up = std::count_if(r.begin(), r.end(), [](double x) { return x > 0; });
    m.positive_days = static_cast<double>(up) / static_cast<double>(r.size());
  }
  const double annualize = std::sqrt(kTradingDaysPerYear);
  if (auto sd = sample_stddev(r)) {
    m.volatility = *sd * annualize;
    double excess_mean = *mean(r) - rf_daily;
    if (*sd > kZeroVolatility) m.sharpe = finite_or_none(excess_mean / *sd * annualize);
    double downside_sq = 0;
    for (double x : r) {
      double shortfall = std::min(0.0, x - rf_daily);
      downside_sq += shortfall * shortfall;
    }
    double downside = std::sqrt(downside_sq / static_cast<double>(r.size()));
    if (downside > kZeroVolatility) m.sortino = finite_or_none(excess_mean / downside * annualize);
  }
  if (m.cagr && m.drawdowns.max_drawdown && *m.drawdowns.max_drawdown < 0) {
    m.calmar = finite_or_none(*m.cagr / -*m.drawdowns.max_drawdown);
  }
  return m;
}

TradeStats compute_trade_stats(std::span<const double> net_pnls) {
  TradeStats s;
  for (double pnl : net_pnls) {
    if (!std::isfinite(pnl)) {
      throw Error("trade pnl is not a finite number", "report::compute_trade_stats");
    }
    ++s.trades;
    s.net_pnl += pnl;
    if (pnl > 0) {
      ++s.wins;
      s.gross_profit += pnl;
      if (!s.largest_win || pnl > *s.largest_win) s.largest_win = pnl;
    } else if (pnl < 0) {
      ++s.losses;
      s.gross_loss += pnl;
      if (!s.largest_loss || pnl < *s.largest_loss) s.largest_loss = pnl;
    }
  }
  if (s.trades == 0) return s;
  double n = static_cast<double>(s.trades);
  s.win_rate = static_cast<double>(s.wins) / n;
  s.average_trade = s.net_pnl / n;
  if (s.wins > 0) s.average_win = s.gross_profit / static_cast<double>(s.wins);
  if (s.losses > 0) {
    s.average_loss = s.gross_loss / static_cast<double>(s.losses);
    s.profit_factor = s.gross_profit / -s.gross_loss;
  }
  return s;
}

TailRisk historical_tail_risk(std::span<const double> returns, double confidence) {
  if (!(confidence > 0 && confidence < 1)) {
    throw Error("VaR confidence must be in (0, 1), got " + std::to_string(confidence), "report");
  }
  TailRisk out;
  out.confidence = confidence;
  out.observations = returns.size();
  if (returns.empty()) return out;
  std::vector<double> sorted(returns.begin(), returns.end());
  std::sort(sorted.begin(), sorted.end());
  // The epsilon keeps (1 - 0.95) * 100 = 5.000000000000004 from rounding up to 6.
  double tail = (1 - confidence) * static_cast<double>(sorted.size());
  std::size_t k = static_cast<std::size_t>(std::ceil(tail - 1e-9));
  k = std::clamp<std::size_t>(k, 1, sorted.size());
  out.tail_count = k;
  out.value_at_risk = -sorted[k - 1];
  double tail_sum = 0;
  for (std::size_t i = 0; i < k; ++i) tail_sum += sorted[i];
  out.expected_shortfall = -tail_sum / static_cast<double>(k);
  return out;
}

std::optional<double> correlation(std::span<const double> a, std::span<const double> b) {
  auto m = sample_moments(a, b);
  if (!m || is_zero_volatility(m->var_a) || is_zero_volatility(m->var_b)) return std::nullopt;
  double rho = m->cov / std::sqrt(m->var_a * m->var_b);
  return finite_or_none(std::clamp(rho, -1.0, 1.0));
}

std::optional<double> beta(std::span<const double> returns, std::span<const double> market) {
  auto m = sample_moments(returns, market);
  if (!m || is_zero_volatility(m->var_b)) return std::nullopt;
  return finite_or_none(m->cov / m->var_b);
}

PairedReturns paired_returns_common_days(const Series& a, const Series& b) {
  std::vector<double> va, vb;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    Timestamp da = day_start(a.time[i]), db = day_start(b.time[j]);
    if (da < db) {
      ++i;
    } else if (db < da) {
      ++j;
    } else {
      va.push_back(a.value[i++]);
      vb.push_back(b.value[j++]);
    }
  }
  return paired_steps(va, vb);
}

PairedReturns paired_returns_as_of(const Series& equity, const Series& reference) {
  std::vector<double> va, vb;
  std::size_t j = 0;
  for (std::size_t i = 0; i < equity.size(); ++i) {
    Timestamp day = day_start(equity.time[i]);
    while (j < reference.size() && day_start(reference.time[j]) <= day) ++j;
    if (j == 0) continue;  // reference has no value yet
    va.push_back(equity.value[i]);
    vb.push_back(reference.value[j - 1]);
  }
  return paired_steps(va, vb);
}

std::vector<PeriodReturn> monthly_returns(const Series& equity) {
  return period_returns(equity, true);
}

std::vector<PeriodReturn> yearly_returns(const Series& equity) {
  return period_returns(equity, false);
}

}  // namespace tandem::report
