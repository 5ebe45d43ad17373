// Axis ticks and SVG output of the report's charts.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "report/chart_axes.h"
#include "report/svg_chart.h"

namespace tandem::report {
namespace {

std::vector<std::string> labels(const std::vector<Tick>& ticks) {
  std::vector<std::string> out;
  for (const Tick& t : ticks) out.push_back(t.label);
  return out;
}

constexpr Timestamp kJan1_2020 = 18262LL * kNanosPerDay;

TEST(ChartAxes, LinearTicksAreRoundNumbers) {
  // Range 480k..820k over ~6 ticks: raw step 56.7k, the next round step is 100k.
  EXPECT_EQ(labels(value_ticks(480e3, 820e3, false, YAxis::kAmount)),
            (std::vector<std::string>{"500k", "600k", "700k", "800k"}));
  // Drawdown -0.21..0: step 0.05 -> -20%, -15%, ..., 0%.
  EXPECT_EQ(labels(value_ticks(-0.21, 0.0, false, YAxis::kPercent)),
            (std::vector<std::string>{"-20%", "-15%", "-10%", "-5%", "0%"}));
  // 2.5M..4.1M: raw step 267k -> 500k, starting at 2.5M.
  EXPECT_EQ(labels(value_ticks(2.5e6, 4.1e6, false, YAxis::kAmount)),
            (std::vector<std::string>{"2.5M", "3.0M", "3.5M", "4.0M"}));
}

TEST(ChartAxes, LogTicksDenseEnoughAndLabelledExactly) {
  // 0.45x..4.3x: 1-2-5 gives only 0.5, 1, 2 -> the denser 1, 1.5, 2, 3, 4, 5, 7 steps.
  EXPECT_EQ(labels(value_ticks(0.45, 4.3, true, YAxis::kGrowth)),
            (std::vector<std::string>{"0.5x", "0.7x", "1x", "1.5x", "2x", "3x", "4x"}));
  // 50k..20M: 1-2-5 per decade.
  EXPECT_EQ(
      labels(value_ticks(5e4, 2e7, true, YAxis::kAmount)),
      (std::vector<std::string>{"50k", "100k", "200k", "500k", "1M", "2M", "5M", "10M", "20M"}));
  // 1..1e9: only powers of ten.
  EXPECT_EQ(value_ticks(1, 1e9, true, YAxis::kAmount).size(), 10u);
}

TEST(ChartAxes, TimeTicksFollowTheCalendar) {
  // 20 years: every 2 or 5 years, on 1 January.
  auto years = time_ticks(kJan1_2020 - 20 * 365 * kNanosPerDay, kJan1_2020);
  ASSERT_FALSE(years.empty());
  EXPECT_LE(years.size(), 10u);
  EXPECT_EQ(format_date(static_cast<Timestamp>(years.back().value)), "2020-01-01");
  // One year: months, January labelled with the year.
  auto months = time_ticks(kJan1_2020 - 200 * kNanosPerDay, kJan1_2020 + 100 * kNanosPerDay);
  EXPECT_NE(
      std::find_if(months.begin(), months.end(), [](const Tick& t) { return t.label == "2020"; }),
      months.end());
  // Ten days: day ticks.
  auto days = time_ticks(kJan1_2020, kJan1_2020 + 9 * kNanosPerDay);
  EXPECT_EQ(days.front().label, "Jan 1");
}

TEST(SvgChart, KeepsEverySpikeWhenReducingPoints) {
  // 5,000 days of 100 with one spike to 200 and one dip to 50: both must be in the path.
  Series s;
  for (int i = 0; i < 5000; ++i) {
    s.time.push_back(kJan1_2020 + i * kNanosPerDay);
    s.value.push_back(i == 1234 ? 200 : (i == 3210 ? 50 : 100));
  }
  std::string svg = render_line_chart({{"x", "#000", &s}}, {.id = "c", .title = "t"});
  // Parsed by hand rather than with std::regex: libstdc++'s regex recurses once per character,
  // and on this ~30 kB path that overflows the stack under AddressSanitizer.
  std::size_t series = svg.find("class=\"series\"");
  ASSERT_NE(series, std::string::npos);
  std::size_t d_at = svg.find(" d=\"", series);
  ASSERT_NE(d_at, std::string::npos);
  d_at += 4;
  std::string d = svg.substr(d_at, svg.find('"', d_at) - d_at);
  double min_y = 1e9, max_y = -1e9;
  std::size_t points = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d[i] != 'M' && d[i] != 'L') continue;
    std::size_t comma = d.find(',', i);
    ASSERT_NE(comma, std::string::npos) << "point without a y at offset " << i;
    double y = std::stod(d.substr(comma + 1));
    min_y = std::min(min_y, y);
    max_y = std::max(max_y, y);
    ++points;
  }
  EXPECT_LT(points, 2500u);  // reduced to about two points per pixel column
  // y grows downwards: the spike is near the top margin, the dip near the bottom.
  EXPECT_LT(min_y, 40);
  EXPECT_GT(max_y, 270);
  EXPECT_NE(svg.find("data-points=\"5000\""), std::string::npos);
}

TEST(SvgChart, EmptyAndSingleDayCharts) {
  Series empty;
  std::string none = render_line_chart({{"x", "#000", &empty}}, {.id = "c", .title = "t"});
  EXPECT_NE(none.find(">no data</text>"), std::string::npos);
  EXPECT_EQ(none.find("class=\"series\""), std::string::npos);
  Series one;
  one.time = {kJan1_2020};
  one.value = {100};
  std::string dot = render_line_chart({{"x", "#000", &one}}, {.id = "c", .title = "t"});
  EXPECT_NE(dot.find("<circle"), std::string::npos);  // a single day still shows
  EXPECT_EQ(dot.find("nan"), std::string::npos);
  EXPECT_EQ(dot.find("inf"), std::string::npos);
}

TEST(SvgChart, EscapesNamesAndIds) {
  Series s;
  s.time = {kJan1_2020, kJan1_2020 + kNanosPerDay};
  s.value = {1, 2};
  std::string svg = render_line_chart({{"a\"<b>", "#000", &s}}, {.id = "x\"y", .title = "<t>"});
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("a&quot;&lt;b&gt;"), std::string::npos);
  EXPECT_NE(svg.find("id=\"x&quot;y\""), std::string::npos);
  EXPECT_NE(render_legend({{"a<b", "#123456", &s}}).find("a&lt;b"), std::string::npos);
}

}  // namespace
}  // namespace tandem::report
