// The sweep report's figures (shared by the three formats) and its JSON and text forms.
#include "report/sweep_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "report/sweep_report_parts.h"
#include "report/text_format.h"

namespace tandem::report {
namespace {

bool better(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a) return false;
  return !b || *a > *b;
}

std::optional<double> as_number(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return std::nullopt;
  return v;
}

const std::string& param_value(const std::vector<std::pair<std::string, std::string>>& params,
                               const std::string& name) {
  static const std::string none;
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return none;
}

nlohmann::json number_or_null(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string params_text(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string text;
  for (const auto& [k, v] : params) text += (text.empty() ? "" : " ") + k + "=" + v;
  return text;
}

}  // namespace

std::vector<CombinationScore> combination_scores(const SweepData& data, const std::string& metric) {
  std::map<std::int64_t, CombinationScore> scores;
  std::map<std::int64_t, std::pair<double, std::size_t>> sums;  // in-sample mean
  for (const SweepRun& run : data.runs) {
    if (run.phase == "out_of_sample") continue;
    CombinationScore& score = scores[run.combination];
    score.combination = run.combination;
    score.params = run.params;
    const auto it = run.metrics.find(metric);
    const std::optional<double> value = it == run.metrics.end() ? std::nullopt : it->second;
    if (run.phase == "full") {
      score.value = value;
    } else if (value) {
      auto& [sum, count] = sums[run.combination];
      sum += *value;
      ++count;
      score.value = sum / static_cast<double>(count);
    }
  }
  std::vector<CombinationScore> out;
  for (auto& [combination, score] : scores) out.push_back(std::move(score));
  return out;
}

SweepFigures sweep_figures(const SweepData& data, const SweepReportOptions& options) {
  if (std::find(data.metric_names.begin(), data.metric_names.end(), options.metric) ==
      data.metric_names.end()) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("unknown metric '{}'; one of {}", options.metric,
                            fmt::join(data.metric_names, ", ")),
                "metric");
  }
  SweepFigures f;
  f.scores = combination_scores(data, options.metric);
  // Top runs: best first; a missing value ranks last; ties to the lower combination.
  f.ranked = f.scores;
  std::stable_sort(f.ranked.begin(), f.ranked.end(),
                   [](const CombinationScore& a, const CombinationScore& b) {
                     return better(a.value, b.value);
                   });
  // Parameter stability: the metric across every combination with each value.
  for (const std::string& name : data.param_names) {
    ParamStability stability;
    stability.name = name;
    std::map<std::string, std::size_t> position;
    for (const CombinationScore& score : f.scores) {
      const std::string& value = param_value(score.params, name);
      auto [it, fresh] = position.emplace(value, stability.values.size());
      if (fresh) stability.values.push_back({value, 0, std::nullopt, std::nullopt, 0});
      ParamStability::Value& v = stability.values[it->second];
      if (!score.value) continue;
      v.sum += *score.value;
      ++v.count;
      v.mean = v.sum / static_cast<double>(v.count);
      if (better(score.value, v.best)) v.best = score.value;
    }
    std::stable_sort(stability.values.begin(), stability.values.end(),
                     [](const ParamStability::Value& a, const ParamStability::Value& b) {
                       auto x = as_number(a.value), y = as_number(b.value);
                       return x && y ? *x < *y : a.value < b.value;
                     });
    f.stability.push_back(std::move(stability));
  }
  // Heat map: the best value over the other parameters for each (x, y).
  f.x = options.x.empty() && !data.param_names.empty() ? data.param_names[0] : options.x;
  f.y = options.y.empty() && data.param_names.size() > 1 ? data.param_names[1] : options.y;
  for (const std::string* axis : {&f.x, &f.y}) {
    if (!axis->empty() && std::find(data.param_names.begin(), data.param_names.end(), *axis) ==
                              data.param_names.end()) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("'{}' is not a parameter of the sweep ({})", *axis,
                              fmt::join(data.param_names, ", ")),
                  "heat_map");
    }
  }
  if (!f.x.empty() && !f.y.empty() && f.x != f.y) {
    for (const ParamStability& s : f.stability) {
      if (s.name == f.x) {
        for (const auto& v : s.values) f.x_values.push_back(v.value);
      }
      if (s.name == f.y) {
        for (const auto& v : s.values) f.y_values.push_back(v.value);
      }
    }
    f.cells.assign(f.y_values.size(), std::vector<std::optional<double>>(f.x_values.size()));
    for (const CombinationScore& score : f.scores) {
      const auto xi =
          std::find(f.x_values.begin(), f.x_values.end(), param_value(score.params, f.x)) -
          f.x_values.begin();
      const auto yi =
          std::find(f.y_values.begin(), f.y_values.end(), param_value(score.params, f.y)) -
          f.y_values.begin();
      auto& cell = f.cells[static_cast<std::size_t>(yi)][static_cast<std::size_t>(xi)];
      if (better(score.value, cell)) cell = score.value;
    }
  }
  // Walk-forward: each window's chosen combination, in sample and out of sample.
  for (const SweepRun& run : data.runs) {
    if (run.phase != "out_of_sample") continue;
    WindowResult w;
    w.window = run.window;
    w.combination = run.combination;
    w.params = run.params;
    w.out_of_sample =
        run.metrics.count(options.metric) ? run.metrics.at(options.metric) : std::nullopt;
    for (const SweepRun& is : data.runs) {
      if (is.phase == "in_sample" && is.window == run.window && is.combination == run.combination) {
        w.in_sample =
            is.metrics.count(options.metric) ? is.metrics.at(options.metric) : std::nullopt;
      }
    }
    f.windows.push_back(std::move(w));
  }
  std::sort(f.windows.begin(), f.windows.end(),
            [](const WindowResult& a, const WindowResult& b) { return a.window < b.window; });
  return f;
}

std::string render_sweep_json(const SweepData& data, const SweepReportOptions& options) {
  const SweepFigures f = sweep_figures(data, options);
  nlohmann::json doc;
  doc["sweep"] = data.id;
  doc["spec"] = nlohmann::json::parse(data.spec_json.empty() ? "{}" : data.spec_json);
  doc["metric"] = options.metric;
  std::size_t in_sample = 0;
  for (const SweepRun& run : data.runs) in_sample += run.phase != "out_of_sample";
  doc["runs_done"] = in_sample;
  doc["runs_total"] = data.total_runs;
  nlohmann::json top = nlohmann::json::array();
  for (std::size_t i = 0; i < std::min(options.top, f.ranked.size()); ++i) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : f.ranked[i].params) params[k] = v;
    top.push_back({{"combination", f.ranked[i].combination},
                   {"params", params},
                   {options.metric, number_or_null(f.ranked[i].value)}});
  }
  doc["top"] = top;
  nlohmann::json stability = nlohmann::json::object();
  for (const ParamStability& s : f.stability) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : s.values) {
      values.push_back({{"value", v.value},
                        {"runs", v.count},
                        {"mean", number_or_null(v.mean)},
                        {"best", number_or_null(v.best)}});
    }
    stability[s.name] = values;
  }
  doc["stability"] = stability;
  if (!f.x_values.empty()) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& row : f.cells) {
      nlohmann::json r = nlohmann::json::array();
      for (const auto& c : row) r.push_back(number_or_null(c));
      cells.push_back(r);
    }
    doc["heat_map"] = {{"x", f.x},
                       {"y", f.y},
                       {"x_values", f.x_values},
                       {"y_values", f.y_values},
                       {"cells", cells}};
  }
  if (data.windows > 0) {
    nlohmann::json windows = nlohmann::json::array();
    for (const WindowResult& w : f.windows) {
      windows.push_back({{"window", w.window},
                         {"combination", w.combination},
                         {"params", params_text(w.params)},
                         {"in_sample", number_or_null(w.in_sample)},
                         {"out_of_sample", number_or_null(w.out_of_sample)}});
    }
    doc["walk_forward"] = {{"windows", windows}};
    if (!data.out_of_sample_equity.empty()) {
      const ReturnMetrics m = compute_return_metrics(data.out_of_sample_equity, 0.0);
      doc["walk_forward"]["stitched"] = {
          {"total_return", number_or_null(m.total_return)},
          {"cagr", number_or_null(m.cagr)},
          {"sharpe", number_or_null(m.sharpe)},
          {"max_drawdown", number_or_null(m.drawdowns.max_drawdown)}};
    }
  }
  return doc.dump(2) + "\n";
}

std::string render_sweep_text(const SweepData& data, const SweepReportOptions& options) {
  const SweepFigures f = sweep_figures(data, options);
  std::size_t in_sample = 0;
  for (const SweepRun& run : data.runs) in_sample += run.phase != "out_of_sample";
  std::string out = fmt::format("sweep {}: {} / {} runs recorded; ranked by {}\n\n", data.id,
                                in_sample, data.total_runs, options.metric);
  out += fmt::format("top {}\n", std::min(options.top, f.ranked.size()));
  for (std::size_t i = 0; i < std::min(options.top, f.ranked.size()); ++i) {
    out += fmt::format("  {:>3}. {:>10}  {}\n", i + 1, format_number(f.ranked[i].value, 3),
                       params_text(f.ranked[i].params));
  }
  out +=
      "\nparameter stability (mean / best of the metric over every combination with the value)\n";
  for (const ParamStability& s : f.stability) {
    out += "  " + s.name + "\n";
    for (const auto& v : s.values) {
      out += fmt::format("    {:>10}  mean {:>10}  best {:>10}  ({} runs)\n", v.value,
                         format_number(v.mean, 3), format_number(v.best, 3), v.count);
    }
  }
  if (data.windows > 0) {
    out += "\nwalk-forward (the best in-sample combination of each window, then out of sample)\n";
    for (const WindowResult& w : f.windows) {
      out += fmt::format("  window {:>2}  in sample {:>10}  out of sample {:>10}  {}\n", w.window,
                         format_number(w.in_sample, 3), format_number(w.out_of_sample, 3),
                         params_text(w.params));
    }
    if (!data.out_of_sample_equity.empty()) {
      const ReturnMetrics m = compute_return_metrics(data.out_of_sample_equity, 0.0);
      out += fmt::format(
          "  stitched out of sample: total return {}, CAGR {}, Sharpe {}, max "
          "drawdown {}\n",
          format_percent(m.total_return, 2, true), format_percent(m.cagr), format_number(m.sharpe),
          format_percent(m.drawdowns.max_drawdown));
    }
  }
  return out;
}

}  // namespace tandem::report
