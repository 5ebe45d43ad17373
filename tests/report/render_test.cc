// The HTML, JSON and text forms: same figures, self-contained, never NaN or infinity, and the
// edge cases (empty, single day, all-loss, zero volatility, gaps) render with "n/a".
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "report/report.h"
#include "report/text_format.h"
#include "small_account.h"
#include "synthetic_account.h"

namespace tandem::report {
namespace {

using testing::day_at;
using testing::small_account;

// NaN / nan / -nan / inf / Infinity as a word anywhere in the output.
void ExpectNoNonFinite(const std::string& text, const std::string& what) {
  static const std::regex kBad(R"(\b(NaN|nan|inf|Infinity|infinity|INF)\b)");
  std::smatch m;
  if (std::regex_search(text, m, kBad)) {
    std::size_t at = static_cast<std::size_t>(m.position(0));
    ADD_FAILURE() << what << " contains '" << m.str(0)
                  << "' near: " << text.substr(at > 80 ? at - 80 : 0, 160);
  }
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

// The cases issue 5 names, each as a whole account.
std::vector<std::pair<std::string, AccountData>> edge_accounts() {
  std::vector<std::pair<std::string, AccountData>> out;
  AccountData empty;
  empty.account_id = "DU0000001";
  out.emplace_back("empty", empty);

  AccountData single = small_account();
  single.summary.resize(1);
  for (auto& s : single.strategies) s.days.resize(1);
  single.trades.clear();
  single.fills.clear();
  out.emplace_back("single day, no trades", single);

  AccountData loss = small_account();
  double v = 1000;
  for (auto& day : loss.summary) day.net_liquidation = (v *= 0.9);
  for (auto& t : loss.trades) t.pnl = -std::abs(t.pnl) - 1;
  out.emplace_back("all-loss", loss);

  AccountData flat = small_account();
  for (auto& day : flat.summary) day.net_liquidation = 1000;
  for (auto& s : flat.strategies) {
    for (auto& d : s.days) d.equity = 500;
  }
  flat.benchmark->close.value.assign(flat.benchmark->close.value.size(), 100.0);
  out.emplace_back("zero volatility", flat);

  AccountData gaps = small_account();
  gaps.summary.push_back({day_at(40), 1200, 1200, 0, 0, 0});
  gaps.summary.push_back({day_at(41), 0, 0, 0, 0, 0});  // wiped out, then nothing defined
  gaps.summary.push_back({day_at(42), -50, 0, 0, 0, 0});
  out.emplace_back("gaps and a non-positive equity", gaps);
  return out;
}

TEST(RenderHtml, SelfContainedWithEveryChartAndTable) {
  AccountData data = small_account();
  AccountReport r = analyze(data, {});
  std::string html = render_html(data, r);
  for (const char* id : {"id=\"chart-equity\"", "id=\"chart-drawdown\"", "id=\"chart-strategies\"",
                         "id=\"monthly-returns\"", "id=\"strategy-table\"", "id=\"correlation\"",
                         "id=\"positions\"", "id=\"trades\"", "id=\"orders\"", "id=\"fills\""}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  // No external reference of any kind: no src=, no stylesheet link, no url(...), no http(s) in
  // an attribute other than the SVG namespace.
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  ExpectNoNonFinite(html, "html");
  // The account's figures appear as the page states them.
  EXPECT_NE(html.find(format_percent(r.returns.total_return, 2, true)), std::string::npos);
  EXPECT_NE(html.find("SPY.1d"), std::string::npos);
}

TEST(RenderHtml, EscapesNamesFromTheStore) {
  AccountData data = small_account();
  data.strategies[0].key = "<script>alert(1)</script>";
  data.fills[0].strategy = data.strategies[0].key;
  std::string html = render_html(data, analyze(data, {}));
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(count(html, "<script>"), 1u);  // only the page's own sorting script
}

TEST(RenderHtml, LongTablesKeepTheLatestRowsAndSaySo) {
  testing::SyntheticSpec spec;
  spec.fills = 10'000;
  spec.strategies = 2;  // 5,000 fills each: 2,500 round trips each
  AccountData data = testing::synthetic_account(spec);
  AccountReport r = analyze(data, {});
  std::string html =
      render_html(data, r, {.max_trade_rows = 100, .max_order_rows = 50, .max_fill_rows = 300});
  EXPECT_NE(html.find("Showing the latest 300 of 10,000 fills"), std::string::npos);
  EXPECT_NE(html.find("Showing the latest 50 of 20,000 order events"), std::string::npos);
  EXPECT_NE(html.find("Showing the latest 100 of 5,000 trades"), std::string::npos);
  EXPECT_NE(html.find("tandem store read BT_20240131_120000 fills"), std::string::npos);
  // The newest fill is shown first; the oldest is not shown at all.
  std::size_t fills_at = html.find("id=\"fills\"");
  EXPECT_LT(html.find(data.fills.back().exec_id, fills_at),
            html.find(data.fills[data.fills.size() - 2].exec_id, fills_at));
  EXPECT_EQ(html.find(data.fills.front().exec_id), std::string::npos);
  // Figures still count every row.
  EXPECT_EQ(r.activity.fills, 10'000u);
  EXPECT_EQ(r.trades.trades, 5'000u);
}

TEST(RenderEdgeCases, NeverNaNAlwaysNa) {
  for (auto& [name, data] : edge_accounts()) {
    SCOPED_TRACE(name);
    AccountReport r = analyze(data, {.risk_free_rate = 0.02});
    std::string html = render_html(data, r);
    std::string json = render_json(r);
    std::string text = render_text(r);
    ExpectNoNonFinite(html, name + " html");
    ExpectNoNonFinite(json, name + " json");
    ExpectNoNonFinite(text, name + " text");
    EXPECT_NE(html.find(">n/a<"), std::string::npos);
    EXPECT_NE(text.find("n/a"), std::string::npos);
    EXPECT_TRUE(nlohmann::json::accept(json));
    EXPECT_NE(html.find("id=\"chart-equity\""), std::string::npos);
  }
}

TEST(RenderEdgeCases, EmptyChartsSayNoData) {
  AccountData empty;
  empty.account_id = "DU0000001";
  std::string html = render_html(empty, analyze(empty, {}));
  EXPECT_NE(html.find(">no data</text>"), std::string::npos);
  EXPECT_NE(html.find("No trades."), std::string::npos);
}

TEST(RenderJson, CarriesTheSameFiguresAndNullForNa) {
  AccountData data = small_account();
  AccountReport r = analyze(data, {.risk_free_rate = 0.01});
  nlohmann::json j = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(j["account"], "BT_20240104_000000");
  EXPECT_DOUBLE_EQ(j["metrics"]["total_return"].get<double>(), *r.returns.total_return);
  EXPECT_DOUBLE_EQ(j["metrics"]["sharpe"].get<double>(), *r.returns.sharpe);
  EXPECT_DOUBLE_EQ(j["risk_free_rate"].get<double>(), 0.01);
  EXPECT_DOUBLE_EQ(j["risk"]["var_95"]["value_at_risk"].get<double>(), 0.1);
  EXPECT_DOUBLE_EQ(j["risk"]["benchmark"]["beta"].get<double>(), *r.risk.benchmark.beta);
  EXPECT_EQ(j["risk"]["largest_position"], "SYMB");
  ASSERT_EQ(j["strategies"].size(), 3u);
  EXPECT_EQ(j["strategies"][1]["key"], "B");
  EXPECT_TRUE(j["strategies"][1]["metrics"]["sharpe"].is_null());   // flat strategy
  EXPECT_TRUE(j["strategies"][1]["trades"]["win_rate"].is_null());  // no trades
  EXPECT_TRUE(j["risk"]["strategy_correlation"]["matrix"][0][1].is_null());
  EXPECT_EQ(j["daily"].size(), 4u);
  EXPECT_EQ(j["daily"][1]["date"], "2024-01-02");
  EXPECT_DOUBLE_EQ(j["daily"][3]["benchmark"].get<double>(), r.benchmark->scaled.value[3]);
  EXPECT_EQ(j["monthly_returns"][0]["month"], 1);
  EXPECT_EQ(j["metrics"]["max_drawdown_period"]["peak"], "2024-01-02");
}

TEST(RenderText, SummaryLinesAndStrategies) {
  AccountReport r = analyze(small_account(), {});
  std::string text = render_text(r);
  EXPECT_NE(text.find("tandem report: BT_20240104_000000"), std::string::npos);
  EXPECT_NE(text.find("+8.90%"), std::string::npos);  // total return 1089 / 1000 - 1
  EXPECT_NE(text.find("SPY.1d"), std::string::npos);
  EXPECT_NE(text.find("largest position SYMB 40.4%"), std::string::npos);
  ExpectNoNonFinite(text, "text");
}

TEST(TextFormat, NumbersForPeople) {
  EXPECT_EQ(format_amount(1234567.891), "1,234,567.89");
  EXPECT_EQ(format_amount(-1234.6, 0), "-1,235");
  EXPECT_EQ(format_amount(-0.001), "0.00");
  EXPECT_EQ(format_percent(0.1234), "12.34%");
  EXPECT_EQ(format_percent(0.05, 1, true), "+5.0%");
  EXPECT_EQ(format_percent(123.4, 0), "12,340%");
  EXPECT_EQ(format_percent(std::nullopt), "n/a");
  EXPECT_EQ(format_number(std::nan("")), "n/a");
  EXPECT_EQ(format_amount(INFINITY), "n/a");
  EXPECT_EQ(html_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
}

}  // namespace
}  // namespace tandem::report
