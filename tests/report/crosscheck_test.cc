// Cross-check against an independent computation: a six-year synthetic account with gaps is
// written to CSV, analyzed here, and recomputed by tests/report/crosscheck.py with Debian's
// numpy (/usr/bin/python3: the python3 on PATH may be another interpreter without numpy).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/report.h"
#include "synthetic_account.h"

namespace tandem::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kRiskFree = 0.03;

void write_series(const fs::path& path, const std::vector<Timestamp>& time,
                  const std::vector<double>& value) {
  std::ofstream out(path);
  out << "time_ns,value\n";
  char buf[64];
  for (std::size_t i = 0; i < time.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.17g", value[i]);
    out << time[i] << ',' << buf << '\n';
  }
}

// Six years of business days with the data problems a real account has.
AccountData gappy_account() {
  testing::SyntheticSpec spec;
  spec.strategies = 4;
  spec.days = 1512;
  spec.fills = 3000;
  spec.seed = 7;
  AccountData d = testing::synthetic_account(spec);
  // Two weeks missing from the account summary.
  d.summary.erase(d.summary.begin() + 300, d.summary.begin() + 310);
  // Every 17th benchmark bar missing (holidays the account traded through).
  Series b;
  for (std::size_t i = 0; i < d.benchmark->close.size(); ++i) {
    if (i % 17 == 5) continue;
    b.time.push_back(d.benchmark->close.time[i]);
    b.value.push_back(d.benchmark->close.value[i]);
  }
  d.benchmark->close = b;
  // S2 starts 200 days late; S3 misses a month.
  auto& s2 = d.strategies[2].days;
  s2.erase(s2.begin(), s2.begin() + 200);
  auto& s3 = d.strategies[3].days;
  s3.erase(s3.begin() + 500, s3.begin() + 521);
  return d;
}

fs::path write_inputs(const AccountData& d) {
  // A scratch folder of the test's own (never the source tree, whatever the working directory).
  fs::path dir =
      fs::path(::testing::TempDir()) / ("tandem_crosscheck_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<Timestamp> t;
  std::vector<double> v;
  for (const AccountDay& day : d.summary) {
    t.push_back(day.time);
    v.push_back(day.net_liquidation);
  }
  write_series(dir / "account.csv", t, v);
  write_series(dir / "benchmark.csv", d.benchmark->close.time, d.benchmark->close.value);
  for (const StrategyHistory& s : d.strategies) {
    t.clear();
    v.clear();
    for (const StrategyDay& day : s.days) {
      t.push_back(day.time);
      v.push_back(day.equity);
    }
    write_series(dir / ("strategy_" + s.key + ".csv"), t, v);
  }
  std::ofstream trades(dir / "trades.csv");
  trades << "strategy,pnl\n";
  char buf[64];
  for (const TradeRow& tr : d.trades) {
    std::snprintf(buf, sizeof buf, "%.17g", tr.pnl);
    trades << tr.strategy << ',' << buf << '\n';
  }
  return dir;
}

json run_numpy(const fs::path& dir) {
  // The script's folder comes from the build (TANDEM_REPORT_TEST_SOURCE_DIR), not from the
  // environment, so the test also runs outside ctest.
  fs::path script = fs::path(TANDEM_REPORT_TEST_SOURCE_DIR) / "crosscheck.py";
  std::string cmd = "/usr/bin/python3 '" + script.string() + "' '" + dir.string() + "' " +
                    std::to_string(kRiskFree) + " > '" + (dir / "expected.json").string() + "'";
  int status = std::system(cmd.c_str());
  if (status != 0)
    throw std::runtime_error("crosscheck.py failed (" + std::to_string(status) + "): " + cmd);
  std::ifstream in(dir / "expected.json");
  return json::parse(in);
}

void expect_close(const json& expected, std::optional<double> actual, const std::string& what) {
  if (expected.is_null()) {
    EXPECT_FALSE(actual) << what << ": numpy says n/a, C++ says " << actual.value_or(0);
    return;
  }
  ASSERT_TRUE(actual) << what << ": C++ says n/a, numpy says " << expected;
  double e = expected.get<double>();
  EXPECT_NEAR(*actual, e, 1e-9 * std::max(1.0, std::abs(e))) << what;
}

void expect_period(const json& expected, const std::optional<DrawdownPeriod>& actual,
                   const std::string& what) {
  if (expected.is_null()) {
    EXPECT_FALSE(actual) << what;
    return;
  }
  ASSERT_TRUE(actual) << what;
  EXPECT_EQ(expected["peak"], format_date(actual->peak)) << what;
  EXPECT_EQ(expected["trough"], format_date(actual->trough)) << what;
  EXPECT_EQ(expected["recovery"].is_null() ? "" : expected["recovery"].get<std::string>(),
            actual->recovery ? format_date(*actual->recovery) : "")
      << what;
  EXPECT_EQ(expected["calendar_days"].get<std::int64_t>(), actual->calendar_days) << what;
  expect_close(expected["depth"], actual->depth, what + ".depth");
}

void expect_returns(const json& e, const ReturnMetrics& m, const RiskReport* risk,
                    const BenchmarkRelation& bench, const std::string& who) {
  expect_close(e["total_return"], m.total_return, who + ".total_return");
  expect_close(e["cagr"], m.cagr, who + ".cagr");
  expect_close(e["volatility"], m.volatility, who + ".volatility");
  expect_close(e["sharpe"], m.sharpe, who + ".sharpe");
  expect_close(e["sortino"], m.sortino, who + ".sortino");
  expect_close(e["calmar"], m.calmar, who + ".calmar");
  expect_close(e["best_day"], m.best_day, who + ".best_day");
  expect_close(e["worst_day"], m.worst_day, who + ".worst_day");
  expect_close(e["max_drawdown"], m.drawdowns.max_drawdown, who + ".max_drawdown");
  expect_period(e["max_drawdown_period"], m.drawdowns.deepest, who + ".max_drawdown_period");
  expect_period(e["longest_drawdown"], m.drawdowns.longest, who + ".longest_drawdown");
  expect_close(e["beta"], bench.beta, who + ".beta");
  expect_close(e["correlation"], bench.correlation, who + ".correlation");
  EXPECT_EQ(e["observations"].get<std::size_t>(), bench.observations) << who;
  if (risk != nullptr) {
    expect_close(e["var_95"], risk->var95.value_at_risk, who + ".var_95");
    expect_close(e["es_95"], risk->var95.expected_shortfall, who + ".es_95");
    expect_close(e["var_99"], risk->var99.value_at_risk, who + ".var_99");
    expect_close(e["es_99"], risk->var99.expected_shortfall, who + ".es_99");
  }
}

void expect_trades(const json& e, const TradeStats& t, const std::string& who) {
  EXPECT_EQ(e["trades"].get<std::size_t>(), t.trades) << who;
  expect_close(e["win_rate"], t.win_rate, who + ".win_rate");
  expect_close(e["profit_factor"], t.profit_factor, who + ".profit_factor");
  expect_close(e["average_win"], t.average_win, who + ".average_win");
  expect_close(e["average_loss"], t.average_loss, who + ".average_loss");
  expect_close(e["net_pnl"], t.net_pnl, who + ".net_pnl");
}

TEST(CrossCheck, AgreesWithAnIndependentNumpyComputation) {
  ASSERT_TRUE(fs::exists("/usr/bin/python3")) << "Debian's python3 (with python3-numpy) is needed";
  AccountData data = gappy_account();
  fs::path dir = write_inputs(data);
  json expected = run_numpy(dir);
  AccountReport r = analyze(data, {.risk_free_rate = kRiskFree});

  // The account: every return, drawdown, tail-risk and benchmark figure.
  expect_returns(expected["account"], r.returns, &r.risk, r.risk.benchmark, "account");
  ASSERT_GT(r.risk.benchmark.observations, 1000u);

  for (const StrategyReport& s : r.strategies) {
    expect_returns(expected["strategies"][s.key], s.returns, nullptr, s.benchmark, s.key);
    expect_trades(expected["trades"][s.key], s.trades, s.key + ".trades");
  }
  expect_trades(expected["trades"]["all"], r.trades, "account.trades");

  const json& m = expected["correlation"];
  ASSERT_EQ(m["keys"].size(), r.risk.strategy_correlation.keys.size());
  for (std::size_t i = 0; i < m["keys"].size(); ++i) {
    ASSERT_EQ(m["keys"][i], r.risk.strategy_correlation.keys[i]);
    for (std::size_t j = 0; j < m["keys"].size(); ++j) {
      expect_close(m["matrix"][i][j], r.risk.strategy_correlation.values[i][j],
                   "correlation[" + std::to_string(i) + "][" + std::to_string(j) + "]");
    }
  }

  const json& months = expected["monthly"];
  ASSERT_EQ(months.size(), r.monthly.size());
  for (std::size_t i = 0; i < months.size(); ++i) {
    EXPECT_EQ(months[i][0].get<int>(), r.monthly[i].year);
    EXPECT_EQ(months[i][1].get<unsigned>(), r.monthly[i].month);
    expect_close(months[i][2], r.monthly[i].value, "monthly[" + std::to_string(i) + "]");
  }
}

}  // namespace
}  // namespace tandem::report
