// load_sweep_report: SWEEP_{ID} read into the report's SweepData.
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"

namespace tandem::sweep {

report::SweepData load_sweep_report(const store::Store& store, std::string_view id) {
  const SweepStatus status = sweep_status(store, id);  // checks the library and its spec
  const store::Library library = store.existing_library(sweep_library(id));
  report::SweepData data;
  data.id = std::string(id);
  data.spec_json = library.read(kSpecSymbol).table.strings("json").front();
  data.total_runs = status.total_runs;
  data.windows = status.windows;
  const nlohmann::json spec = nlohmann::json::parse(data.spec_json);  // outlives the loop
  for (const auto& axis : spec.at("axes")) {
    data.param_names.push_back(axis.at("name").get<std::string>());
  }
  data.metric_names = metric_names();
  const RecordedRuns recorded = read_recorded(library);
  for (std::size_t i = 0; i < recorded.table.num_rows(); ++i) {
    const RunRow row = row_at(recorded.table, i);
    report::SweepRun run;
    run.run = row.run;
    run.combination = row.combination;
    run.window = row.window;
    run.phase = row.phase;
    run.params = row.params;
    for (std::size_t m = 0; m < metric_names().size(); ++m) {
      run.metrics[metric_names()[m]] = row.metrics[m];
    }
    data.runs.push_back(std::move(run));
  }
  if (library.has_symbol(kOutOfSampleEquitySymbol)) {
    const store::Table curve = library.read(kOutOfSampleEquitySymbol).table;
    data.out_of_sample_equity.time = curve.index();
    const auto equity = curve.float64s("equity");
    data.out_of_sample_equity.value.assign(equity.begin(), equity.end());
  }
  return data;
}

}  // namespace tandem::sweep
