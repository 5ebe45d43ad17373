// The HTML report in a real browser: Debian's headless Chromium, driven over the DevTools
// protocol by browser_check.mjs. The page must load with no console error, no exception and no
// network request; its charts must be drawn at a real size with their data; sorting must work.
// Screenshots stay in the build directory (tests/report/report_browser/*.png).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report/report.h"
#include "synthetic_account.h"

namespace tandem::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path output_dir() {
  const char* bin = std::getenv("TANDEM_BIN");
  fs::path dir = fs::path(bin != nullptr ? bin : ".") / "report_browser";
  fs::create_directories(dir);
  return dir;
}

void write_page(const fs::path& path, const AccountData& data) {
  std::ofstream(path) << render_html(data, analyze(data, {.risk_free_rate = 0.02}));
}

json run_browser(const fs::path& dir, const std::vector<std::string>& pages) {
  fs::path script = fs::path(TANDEM_REPORT_TEST_SOURCE_DIR) / "browser_check.mjs";
  fs::path result = dir / "browser_result.json";
  fs::remove(result);
  std::string cmd =
      "node --experimental-websocket '" + script.string() + "' '" + result.string() + "'";
  for (const std::string& p : pages) cmd += " '" + p + "'";
  int status = std::system(cmd.c_str());
  std::ifstream in(result);
  if (!in)
    throw std::runtime_error("browser_check.mjs wrote no result (status " + std::to_string(status) +
                             ")");
  return json::parse(in);
}

void expect_clean_load(const json& page) {
  SCOPED_TRACE(page["page"].get<std::string>());
  EXPECT_EQ(page["consoleErrors"].size(), 0u) << page["consoleErrors"];
  EXPECT_EQ(page["exceptions"].size(), 0u) << page["exceptions"];
  EXPECT_EQ(page["requests"].size(), 0u) << "network requests: " << page["requests"];
  EXPECT_EQ(page["failedRequests"].size(), 0u) << page["failedRequests"];
  EXPECT_FALSE(page["dom"]["nonFiniteText"].get<bool>())
      << "NaN / Infinity / undefined on the page";
  ASSERT_TRUE(page.contains("screenshot"));
  EXPECT_TRUE(fs::exists(page["screenshot"]["path"].get<std::string>()));
  EXPECT_GT(page["screenshot"]["bytes"].get<std::size_t>(), 20'000u);
}

// A chart is "there" when its SVG is laid out at a real size, has axis labels, and each of its
// lines spans most of the plot with the account's data points.
void expect_chart(const json& charts, const std::string& id, std::size_t lines,
                  std::size_t min_points) {
  SCOPED_TRACE(id);
  ASSERT_TRUE(charts.contains(id)) << "chart missing from the page";
  const json& c = charts[id];
  EXPECT_GT(c["width"].get<double>(), 800);
  EXPECT_GT(c["height"].get<double>(), 150);
  EXPECT_GE(c["ticks"].get<int>(), 6);
  EXPECT_EQ(c["nodata"].get<int>(), 0);
  ASSERT_EQ(c["series"].size(), lines);
  for (const json& s : c["series"]) {
    EXPECT_GE(s["points"].get<std::size_t>(), min_points) << s["name"];
    EXPECT_GT(s["width"].get<double>(), 800) << s["name"];
    EXPECT_GT(s["height"].get<double>(), 20) << s["name"];
  }
}

TEST(Browser, ReportLoadsCleanlyWithChartsTablesAndSorting) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium"))
      << "Debian's chromium is needed (scripts/install-deps)";
  fs::path dir = output_dir();
  testing::SyntheticSpec spec;
  spec.strategies = 5;
  spec.days = 1260;  // five years
  spec.fills = 3000;
  AccountData data = testing::synthetic_account(spec);
  write_page(dir / "report.html", data);
  AccountData empty;
  empty.account_id = "DU0000001";
  write_page(dir / "empty.html", empty);

  json result =
      run_browser(dir, {(dir / "report.html").string() + "=" + (dir / "report.png").string(),
                        (dir / "empty.html").string() + "=" + (dir / "empty.png").string()});
  ASSERT_FALSE(result.contains("fatal")) << result["fatal"];
  ASSERT_EQ(result["pages"].size(), 2u);

  const json& page = result["pages"][0];
  expect_clean_load(page);
  const json& dom = page["dom"];
  EXPECT_EQ(dom["title"], "BT_20240131_120000 · tandem report");
  // Each pixel column keeps its lowest and highest point, so a 1,260-day line keeps hundreds.
  expect_chart(dom["charts"], "chart-equity", 2, 300);      // account + benchmark
  expect_chart(dom["charts"], "chart-drawdown", 2, 300);    // account + benchmark
  expect_chart(dom["charts"], "chart-strategies", 6, 300);  // 5 strategies + account
  EXPECT_EQ(dom["heatmapCells"].get<int>(), 58);            // Jan 2004 .. Oct 2008
  EXPECT_EQ(dom["sparklines"].get<int>(), 6);
  EXPECT_EQ(dom["rows"]["strategy-table"].get<int>(), 6);
  EXPECT_EQ(dom["rows"]["trades"].get<int>(), 1500);
  EXPECT_EQ(dom["rows"]["orders"].get<int>(), 2000);  // latest 2,000 of 6,000 events
  EXPECT_EQ(dom["rows"]["fills"].get<int>(), 2000);
  EXPECT_EQ(dom["rows"]["correlation"].get<int>(), 5);
  const json& sorting = page["sorting"];
  EXPECT_TRUE(sorting["descending"].get<bool>()) << sorting;
  EXPECT_TRUE(sorting["ascending"].get<bool>()) << sorting;
  EXPECT_TRUE(sorting["changed"].get<bool>()) << sorting;

  // The empty account: same page, charts say "no data", still no error.
  const json& blank = result["pages"][1];
  expect_clean_load(blank);
  for (const char* id : {"chart-equity", "chart-drawdown", "chart-strategies"}) {
    EXPECT_EQ(blank["dom"]["charts"][id]["nodata"].get<int>(), 1) << id;
  }
}

// Bars for every symbol the account filled, one per recorded day, and sma_cross-style averages
// on the first symbol (the loader's part is tested in load_account_test.cc).
void add_prices(AccountData& data) {
  std::vector<std::string> symbols;
  for (const FillRow& f : data.fills) {
    if (std::find(symbols.begin(), symbols.end(), f.symbol) == symbols.end()) {
      symbols.push_back(f.symbol);
    }
  }
  std::sort(symbols.begin(), symbols.end());
  for (std::size_t s = 0; s < symbols.size(); ++s) {
    InstrumentPrices p{symbols[s], "1d", {}, {}, 0};
    double previous = 100;
    for (std::size_t k = 0; k < data.summary.size(); ++k) {
      const double close = 100 + 12 * std::sin(static_cast<double>(k + 7 * s) / 17.0) +
                           0.04 * static_cast<double>(k);
      p.bars.push_back({data.summary[k].time, previous, std::max(previous, close) * 1.01,
                        std::min(previous, close) * 0.99, close});
      previous = close;
    }
    if (s == 0) {
      for (std::size_t window : {10u, 30u}) {
        IndicatorLine line{"SYM fast SMA(" + std::to_string(window) + ")", {}};
        double sum = 0;
        for (std::size_t k = 0; k < p.bars.size(); ++k) {
          sum += p.bars[k].close - (k >= window ? p.bars[k - window].close : 0);
          line.value.push_back(k + 1 >= window ? sum / static_cast<double>(window) : NAN);
        }
        p.indicators.push_back(std::move(line));
      }
    }
    data.prices.push_back(std::move(p));
  }
}

// The interactive price charts (docs/report.md, *Price charts*): drawn by the inlined library
// with no request, one marker per fill at its bar, the declared averages, a tooltip showing the
// bar and the fill on hover, wheel zoom, and a chart screenshot that is not blank.
TEST(Browser, PriceChartsMarkEveryFillZoomAndHover) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium"))
      << "Debian's chromium is needed (scripts/install-deps)";
  fs::path dir = output_dir();
  testing::SyntheticSpec spec;
  spec.strategies = 2;
  spec.days = 300;
  spec.fills = 240;
  AccountData data = testing::synthetic_account(spec);
  add_prices(data);
  ASSERT_EQ(data.prices.size(), 2u);
  write_page(dir / "prices.html", data);
  const std::string html = [&] {
    std::ifstream in(dir / "prices.html");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  // The no-script fallback: an SVG close chart per instrument.
  EXPECT_NE(html.find("<noscript><svg"), std::string::npos);
  EXPECT_NE(html.find("Lightweight Charts"), std::string::npos);  // the library's licence header

  json result =
      run_browser(dir, {(dir / "prices.html").string() + "=" + (dir / "prices.png").string()});
  ASSERT_FALSE(result.contains("fatal")) << result["fatal"];
  const json& page = result["pages"][0];
  expect_clean_load(page);
  const json& charts = page["priceCharts"];
  ASSERT_EQ(charts.size(), 2u) << charts;
  std::size_t fills = 0;
  for (const json& c : charts) {
    SCOPED_TRACE(c.dump().substr(0, 2000));
    ASSERT_TRUE(c["drawn"].get<bool>());
    EXPECT_GT(c["width"].get<double>(), 800);
    EXPECT_GT(c["height"].get<double>(), 300);
    EXPECT_GE(c["canvases"].get<int>(), 2);
    EXPECT_EQ(c["bars"], c["expectedBars"]);
    EXPECT_EQ(c["bars"].get<int>(), 300);
    EXPECT_GT(c["fills"].get<int>(), 0);
    EXPECT_EQ(c["markers"], c["fills"]);
    EXPECT_EQ(c["buyMarkers"], c["buyFills"]);
    EXPECT_TRUE(c["markerPerFill"].get<bool>());
    EXPECT_EQ(c["lines"], c["expectedLines"]);
    fills += c["fills"].get<std::size_t>();
    const std::string tip = c["hover"]["tip"];
    EXPECT_THAT(tip, ::testing::HasSubstr(c["symbol"].get<std::string>() + " "));
    EXPECT_THAT(tip, ::testing::ContainsRegex(" O [0-9.,]+  H [0-9.,]+  L [0-9.,]+  C [0-9.,]+"));
    EXPECT_THAT(tip, ::testing::HasSubstr(c["hover"]["side"] == "B" ? "\nBuy " : "\nSell "));
    EXPECT_LT(c["zoom"]["after"].get<double>(), c["zoom"]["before"].get<double>() * 0.95);
    const json& shot = c["screenshot"];
    EXPECT_TRUE(fs::exists(shot["path"].get<std::string>()));
    EXPECT_GT(shot["width"].get<int>(), 800);
    EXPECT_GT(shot["colors"].get<int>(), 10) << "a blank or one-color chart";
    EXPECT_GT(shot["ink"].get<double>(), 0.02) << "a blank chart";
  }
  EXPECT_EQ(fills, data.fills.size()) << "every fill of the page is on a chart";
  ASSERT_EQ(charts[0]["lines"].size(), 2u);
  EXPECT_EQ(charts[0]["lines"][1].get<int>(), 300 - 29);
}

}  // namespace
}  // namespace tandem::report
