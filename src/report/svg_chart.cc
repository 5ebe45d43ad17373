#include "report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>

#include "report/chart_axes.h"
#include "report/text_format.h"

namespace tandem::report {
namespace {

constexpr double kMarginLeft = 64, kMarginRight = 16, kMarginTop = 22, kMarginBottom = 30;

struct Point {
  double x, y;
};

// Keeps, for every horizontal pixel, the lowest and highest value (in time order), plus the
// first and last point: a 5,000-point series becomes at most ~2 points per pixel without
// losing a spike.
template <typename XMap, typename YMap>
std::vector<Point> reduce_to_pixels(const Series& s, XMap x_of, YMap y_of) {
  std::vector<Point> out;
  if (s.empty()) return out;
  long bucket = std::numeric_limits<long>::min();
  std::size_t lo = 0, hi = 0;
  auto flush = [&] {
    if (bucket == std::numeric_limits<long>::min()) return;
    std::size_t a = std::min(lo, hi), b = std::max(lo, hi);
    out.push_back({x_of(s.time[a]), y_of(s.value[a])});
    if (b != a) out.push_back({x_of(s.time[b]), y_of(s.value[b])});
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    long b = std::lround(std::floor(x_of(s.time[i])));
    if (b != bucket) {
      flush();
      bucket = b;
      lo = hi = i;
    } else {
      if (s.value[i] < s.value[lo]) lo = i;
      if (s.value[i] > s.value[hi]) hi = i;
    }
  }
  flush();
  Point last{x_of(s.time.back()), y_of(s.value.back())};
  if (out.back().x != last.x || out.back().y != last.y) out.push_back(last);
  return out;
}

void append_path(fmt::memory_buffer& out, const std::vector<Point>& points) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "{}{:.1f},{:.1f}", i == 0 ? 'M' : 'L', points[i].x,
                   points[i].y);
  }
}

bool finite_series(const Series& s) {
  return std::all_of(s.value.begin(), s.value.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

const std::string& series_color(std::size_t index) {
  static const std::array<std::string, 10> kPalette = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                                       "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                                                       "#9c755f", "#7f7f7f"};
  return kPalette[index % kPalette.size()];
}

std::string render_line_chart(const std::vector<ChartLine>& lines, const ChartOptions& options) {
  const double w = options.width, h = options.height;
  const double left = kMarginLeft, right = w - kMarginRight;
  const double top = kMarginTop, bottom = h - kMarginBottom;

  Timestamp t_min = std::numeric_limits<Timestamp>::max(),
            t_max = std::numeric_limits<Timestamp>::min();
  double v_min = std::numeric_limits<double>::infinity(), v_max = -v_min;
  std::size_t points = 0;
  for (const ChartLine& line : lines) {
    if (line.data == nullptr || line.data->empty() || !finite_series(*line.data)) continue;
    t_min = std::min(t_min, line.data->time.front());
    t_max = std::max(t_max, line.data->time.back());
    auto [lo, hi] = std::minmax_element(line.data->value.begin(), line.data->value.end());
    v_min = std::min(v_min, *lo);
    v_max = std::max(v_max, *hi);
    points += line.data->size();
  }

  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "<svg id=\"{}\" class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" "
                 "aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
                 html_escape(options.id), options.width, options.height,
                 html_escape(options.title));
  if (points == 0) {
    fmt::format_to(it,
                   "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
                   "<text class=\"nodata\" x=\"{}\" y=\"{}\">no data</text></svg>",
                   left, top, right - left, bottom - top, (left + right) / 2, (top + bottom) / 2);
    return fmt::to_string(out);
  }
  if (options.include_zero) {
    v_min = std::min(v_min, 0.0);
    v_max = std::max(v_max, 0.0);
  }
  bool log = options.log_scale_when_wide && v_min > 0 && v_max / v_min >= 8;
  if (!log) {
    double pad = (v_max - v_min) * 0.04;
    if (pad == 0) pad = std::max(std::abs(v_max) * 0.05, 1e-6);
    if (!(options.include_zero && v_min == 0)) v_min -= pad;
    if (!(options.include_zero && v_max == 0)) v_max += pad;
  } else {
    v_min /= 1.04;
    v_max *= 1.04;
  }
  if (t_max == t_min) {  // one day: give it a visible width around the point
    t_min -= kNanosPerDay;
    t_max += kNanosPerDay;
  }
  ValueScale y(v_min, v_max, bottom, top, log);
  auto x = [&](Timestamp t) {
    return left +
           static_cast<double>(t - t_min) / static_cast<double>(t_max - t_min) * (right - left);
  };

  for (const Tick& tick : value_ticks(v_min, v_max, log, options.y_axis)) {
    double py = y(tick.value);
    fmt::format_to(it, "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>",
                   left, right, py, py);
    fmt::format_to(it, "<text class=\"tick y\" x=\"{}\" y=\"{:.1f}\">{}</text>", left - 8, py + 4,
                   html_escape(tick.label));
  }
  for (const Tick& tick : time_ticks(t_min, t_max)) {
    double px = x(static_cast<Timestamp>(tick.value));
    fmt::format_to(it, "<line class=\"grid v\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\"/>",
                   px, px, top, bottom);
    fmt::format_to(it, "<text class=\"tick x\" x=\"{:.1f}\" y=\"{}\">{}</text>", px, bottom + 18,
                   html_escape(tick.label));
  }
  if (!log && v_min < 0 && v_max > 0) {
    double py = y(0);
    fmt::format_to(it, "<line class=\"zero\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>",
                   left, right, py, py);
  }
  fmt::format_to(it, "<line class=\"axis\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", left, right,
                 bottom, bottom);
  if (log) {  // above the plot area, so no line runs through it
    fmt::format_to(it, "<text class=\"scale-note\" x=\"{}\" y=\"{}\">log scale</text>", right,
                   top - 8);
  }

  for (const ChartLine& line : lines) {
    if (line.data == nullptr || line.data->empty() || !finite_series(*line.data)) continue;
    std::vector<Point> pts = reduce_to_pixels(*line.data, x, [&](double v) { return y(v); });
    if (line.area) {
      double base = log ? bottom : y(std::clamp(0.0, v_min, v_max));
      fmt::format_to(it, "<path class=\"area\" fill=\"{}\" d=\"", line.color);
      append_path(out, pts);
      fmt::format_to(it, "L{:.1f},{:.1f}L{:.1f},{:.1f}Z\"/>", pts.back().x, base, pts.front().x,
                     base);
    }
    fmt::format_to(it,
                   "<path class=\"series\" data-name=\"{}\" data-points=\"{}\" stroke=\"{}\" "
                   "stroke-width=\"{}\"{} fill=\"none\" d=\"",
                   html_escape(line.name), line.data->size(), line.color, line.width,
                   line.dashed ? " stroke-dasharray=\"5 4\"" : "");
    append_path(out, pts);
    fmt::format_to(it, "\"/>");
    if (pts.size() == 1) {  // a single day: a dot, since a one-point path draws nothing
      fmt::format_to(it, "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>", pts[0].x,
                     pts[0].y, line.color);
    }
  }
  fmt::format_to(it, "</svg>");
  return fmt::to_string(out);
}

std::string render_sparkline(const Series& series, const std::string& color, int width,
                             int height) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "<svg class=\"spark\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
                 "xmlns=\"http://www.w3.org/2000/svg\">",
                 width, height, width, height);
  if (series.size() >= 2 && finite_series(series)) {
    auto [lo, hi] = std::minmax_element(series.value.begin(), series.value.end());
    double v_lo = *lo, v_hi = *hi == *lo ? *lo + 1 : *hi;
    Timestamp t0 = series.time.front(), t1 = series.time.back();
    double span = std::max<double>(1, static_cast<double>(t1 - t0));
    auto x = [&](Timestamp t) { return 1 + static_cast<double>(t - t0) / span * (width - 2); };
    auto y = [&](double v) { return height - 2 - (v - v_lo) / (v_hi - v_lo) * (height - 4); };
    fmt::format_to(it, "<path fill=\"none\" stroke=\"{}\" stroke-width=\"1.3\" d=\"", color);
    append_path(out, reduce_to_pixels(series, x, y));
    fmt::format_to(it, "\"/>");
  }
  fmt::format_to(it, "</svg>");
  return fmt::to_string(out);
}

std::string render_legend(const std::vector<ChartLine>& lines) {
  std::string out = "<div class=\"legend\">";
  for (const ChartLine& line : lines) {
    out +=
        fmt::format("<span class=\"key\"><i class=\"{}\" style=\"border-color:{}\"></i>{}</span>",
                    line.dashed ? "dash" : "solid", line.color, html_escape(line.name));
  }
  return out + "</div>";
}

}  // namespace tandem::report
