// Inside the sweep report: the figures its three formats share.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/sweep_report.h"

namespace tandem::report {

struct ParamStability {
  struct Value {
    std::string value;
    std::size_t count = 0;
    std::optional<double> mean, best;
    double sum = 0;
  };
  std::string name;
  std::vector<Value> values;  // numeric order when numeric
};

struct WindowResult {
  std::int64_t window = 0;
  std::int64_t combination = 0;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<double> in_sample, out_of_sample;
};

struct SweepFigures {
  std::vector<CombinationScore> scores;  // by combination
  std::vector<CombinationScore> ranked;  // best first
  std::vector<ParamStability> stability;
  std::string x, y;
  std::vector<std::string> x_values, y_values;
  std::vector<std::vector<std::optional<double>>> cells;  // [y][x]: best over other parameters
  std::vector<WindowResult> windows;
};

SweepFigures sweep_figures(const SweepData& data, const SweepReportOptions& options);

}  // namespace tandem::report
