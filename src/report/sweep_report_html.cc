// The sweep report as one self-contained HTML page (no script, no external reference).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/svg_chart.h"
#include "report/sweep_report.h"
#include "report/sweep_report_parts.h"
#include "report/text_format.h"

namespace tandem::report {
namespace {

std::string params_text(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string text;
  for (const auto& [k, v] : params) text += (text.empty() ? "" : " ") + k + "=" + v;
  return text;
}

// Red (worst) through white to green (best) over [lo, hi].
std::string cell_color(std::optional<double> v, double lo, double hi) {
  if (!v) return "#eee";
  const double t = hi > lo ? (*v - lo) / (hi - lo) : 0.5;
  const auto mix = [](double a, double b, double u) { return static_cast<int>(a + (b - a) * u); };
  if (t < 0.5) {
    const double u = t / 0.5;
    return fmt::format("rgb({},{},{})", mix(214, 255, u), mix(96, 255, u), mix(77, 255, u));
  }
  const double u = (t - 0.5) / 0.5;
  return fmt::format("rgb({},{},{})", mix(255, 26, u), mix(255, 152, u), mix(255, 80, u));
}

std::string heat_map(const SweepFigures& f, const std::string& metric) {
  if (f.x_values.empty() || f.y_values.empty()) {
    return "<p>The heat map needs two parameters; this sweep has fewer.</p>";
  }
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& row : f.cells) {
    for (const auto& c : row) {
      if (c) lo = std::min(lo, *c), hi = std::max(hi, *c);
    }
  }
  std::string out = fmt::format(
      "<p>{} by {} (columns) and {} (rows); each cell is the best over the other parameters.</p>"
      "<table class=\"heat\"><tr><th>{} \\ {}</th>",
      html_escape(metric), html_escape(f.x), html_escape(f.y), html_escape(f.y), html_escape(f.x));
  for (const std::string& x : f.x_values) out += "<th>" + html_escape(x) + "</th>";
  out += "</tr>";
  for (std::size_t yi = 0; yi < f.y_values.size(); ++yi) {
    out += "<tr><th>" + html_escape(f.y_values[yi]) + "</th>";
    for (std::size_t xi = 0; xi < f.x_values.size(); ++xi) {
      const auto& c = f.cells[yi][xi];
      out += fmt::format("<td style=\"background:{}\" title=\"{}={} {}={}: {}\">{}</td>",
                         cell_color(c, lo, hi), html_escape(f.x), html_escape(f.x_values[xi]),
                         html_escape(f.y), html_escape(f.y_values[yi]), format_number(c, 3),
                         c ? format_number(c, 2) : "");
    }
    out += "</tr>";
  }
  return out + "</table>";
}

}  // namespace

std::string render_sweep_html(const SweepData& data, const SweepReportOptions& options) {
  const SweepFigures f = sweep_figures(data, options);
  std::size_t in_sample = 0;
  for (const SweepRun& run : data.runs) in_sample += run.phase != "out_of_sample";
  std::string page =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sweep " +
      html_escape(data.id) +
      "</title><style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}"
      "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 6px;"
      "text-align:right}table.heat td{min-width:34px;font-size:12px}"
      ".bar{display:inline-block;height:10px;background:#1a9850}</style></head><body>";
  page +=
      fmt::format("<h1>Sweep {}</h1><p>{} / {} runs recorded; ranked by <b>{}</b>.</p>",
                  html_escape(data.id), in_sample, data.total_runs, html_escape(options.metric));
  page += "<details><summary>settings</summary><pre>" + html_escape(data.spec_json) +
          "</pre></details>";
  page += "<h2>Heat map</h2>" + heat_map(f, options.metric);

  page += fmt::format("<h2>Top {} runs</h2><table><tr><th>#</th><th>combination</th>",
                      std::min(options.top, f.ranked.size()));
  for (const std::string& name : data.param_names) page += "<th>" + html_escape(name) + "</th>";
  page += "<th>" + html_escape(options.metric) + "</th></tr>";
  for (std::size_t i = 0; i < std::min(options.top, f.ranked.size()); ++i) {
    page += fmt::format("<tr><td>{}</td><td>{}</td>", i + 1, f.ranked[i].combination);
    for (const auto& [k, v] : f.ranked[i].params) page += "<td>" + html_escape(v) + "</td>";
    page += "<td>" + format_number(f.ranked[i].value, 3) + "</td></tr>";
  }
  page += "</table>";

  page += "<h2>Parameter stability</h2><p>For each value of a parameter: the mean and the best " +
          html_escape(options.metric) +
          " over every combination with that value. A flat mean means the result does not hang "
          "on that parameter.</p>";
  for (const ParamStability& s : f.stability) {
    double top = 0;
    for (const auto& v : s.values) top = std::max(top, v.mean ? std::abs(*v.mean) : 0.0);
    page += "<h3>" + html_escape(s.name) +
            "</h3><table><tr><th>value</th><th>runs</th><th>mean</th><th>best</th><th></th></tr>";
    for (const auto& v : s.values) {
      const int width = v.mean && top > 0 ? static_cast<int>(120 * std::abs(*v.mean) / top) : 0;
      page += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\"><span "
          "class=\"bar\" style=\"width:{}px;{}\"></span></td></tr>",
          html_escape(v.value), v.count, format_number(v.mean, 3), format_number(v.best, 3), width,
          v.mean && *v.mean < 0 ? "background:#d6604d" : "");
    }
    page += "</table>";
  }

  if (data.windows > 0) {
    page +=
        "<h2>Walk-forward: in sample vs out of sample</h2><table><tr><th>window</th>"
        "<th>chosen</th><th>in sample</th><th>out of sample</th></tr>";
    for (const WindowResult& w : f.windows) {
      page += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", w.window,
                          html_escape(params_text(w.params)), format_number(w.in_sample, 3),
                          format_number(w.out_of_sample, 3));
    }
    page += "</table>";
    if (!data.out_of_sample_equity.empty()) {
      ChartOptions chart;
      chart.id = "chart-oos";
      chart.title = "stitched out-of-sample equity";
      ChartLine line{"out of sample", series_color(0), &data.out_of_sample_equity};
      page += "<h3>Stitched out-of-sample equity</h3>" + render_line_chart({line}, chart);
    } else {
      page += "<p>The stitched out-of-sample curve appears once every window has its run.</p>";
    }
  }
  return page + "</body></html>\n";
}

}  // namespace tandem::report
