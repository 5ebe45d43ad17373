// The HTML report in a real browser: Debian's headless Chromium, driven over the DevTools
// protocol by browser_check.mjs. The page must load with no console error, no exception and no
// network request; its charts must be drawn at a real size with their data; sorting must work.
// Screenshots stay in the build directory (tests/report/report_browser/*.png).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tandem::report
