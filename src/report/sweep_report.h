// The report of a parameter sweep (`tandem report --sweep ID`, docs/sweep.md): a heat map of
// one metric over two parameters (the others at their best), the top runs, the stability of
// each parameter, and for walk-forward sweeps in-sample against out-of-sample per window with
// the stitched out-of-sample equity. The sweep module loads SweepData from SWEEP_{ID}; this
// file only renders it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/metrics.h"

namespace tandem::report {

struct SweepRun {
  std::int64_t run = 0;
  std::int64_t combination = 0;
  std::int64_t window = -1;
  std::string phase;                                        // full, in_sample, out_of_sample
  std::vector<std::pair<std::string, std::string>> params;  // by parameter name
  std::map<std::string, std::optional<double>> metrics;
};

struct SweepData {
  std::string id;
  std::string spec_json;
  std::size_t total_runs = 0;  // in-sample runs of the grid
  std::size_t windows = 0;     // 0 without walk-forward
  std::vector<std::string> param_names;
  std::vector<std::string> metric_names;  // column order
  std::vector<SweepRun> runs;
  Series out_of_sample_equity;  // stitched; empty until every window has its run
};

struct SweepReportOptions {
  std::string metric = "sharpe";  // ranked and mapped; higher is better
  std::string x, y;               // heat map parameters; default: the first two
  std::size_t top = 20;
};

// One value per combination: its full-period run, or the mean over windows of its in-sample
// runs (walk-forward).
struct CombinationScore {
  std::int64_t combination = 0;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<double> value;
};
std::vector<CombinationScore> combination_scores(const SweepData& data, const std::string& metric);

// Throws tandem::Error (InvalidArgument) for an unknown metric or heat-map parameter.
std::string render_sweep_html(const SweepData& data, const SweepReportOptions& options);
std::string render_sweep_json(const SweepData& data, const SweepReportOptions& options);
std::string render_sweep_text(const SweepData& data, const SweepReportOptions& options);

}  // namespace tandem::report
