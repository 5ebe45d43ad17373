// Inline SVG charts for the HTML report: time-series line (and area) charts with axes and grid,
// and sparklines. Output is plain SVG markup with no script and no external reference.
#pragma once

#include <string>
#include <vector>

#include "report/metrics.h"

namespace tandem::report {

struct ChartLine {
  std::string name;   // shown in the legend and in the path's data-name
  std::string color;  // CSS color
  const Series* data = nullptr;
  bool dashed = false;
  bool area = false;  // fill between the line and zero (drawdown charts)
  double width = 1.6;
};

enum class YAxis { kAmount, kPercent, kGrowth };

struct ChartOptions {
  std::string id;     // element id, e.g. "chart-equity"
  std::string title;  // accessible name (aria-label)
  int width = 1000;   // viewBox units; the SVG scales to its container
  int height = 320;
  YAxis y_axis = YAxis::kAmount;
  bool log_scale_when_wide = false;  // log y when max / min >= 8 and all values > 0
  bool include_zero = false;         // y range always contains 0 (drawdown)
};

// A chart of one or more time series sharing the time and value axes. Long series are reduced
// to the minimum and maximum per horizontal pixel, which keeps every peak and trough visible.
// A chart with no points renders an empty frame saying "no data".
std::string render_line_chart(const std::vector<ChartLine>& lines, const ChartOptions& options);

// A small axis-less line for table cells.
std::string render_sparkline(const Series& series, const std::string& color, int width = 120,
                             int height = 28);

// A legend as HTML (swatches and names) to sit above a chart.
std::string render_legend(const std::vector<ChartLine>& lines);

// The palette strategies are drawn in, by index (wraps around).
const std::string& series_color(std::size_t index);

}  // namespace tandem::report
