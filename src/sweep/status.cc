// sweep_status: progress of a sweep from its library alone (any process, any host).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"

namespace tandem::sweep {

SweepStatus sweep_status(const store::Store& store, std::string_view id) {
  const std::string name = sweep_library(id);
  if (!store.has_library(name)) {
    throw Error(ErrorKind::NotFound, "no sweep library " + name, "sweep status");
  }
  const store::Library library = store.existing_library(name);
  if (!library.has_symbol(kSpecSymbol)) {
    throw Error(ErrorKind::NotFound, name + " has no spec: not a sweep library", "sweep status");
  }
  const auto spec = nlohmann::json::parse(library.read(kSpecSymbol).table.strings("json").front());
  SweepStatus status;
  status.id = std::string(id);
  const std::size_t combinations = spec.at("combinations").get<std::size_t>();
  status.windows = spec.at("windows").get<std::size_t>();
  status.total_runs = combinations * std::max<std::size_t>(status.windows, 1);
  const RecordedRuns recorded = read_recorded(library);
  const store::Table& table = recorded.table;
  std::map<std::int64_t, std::size_t> shard_counts;  // N -> rows recorded with it
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    const auto run = static_cast<std::size_t>(table.int64s("run")[i]);
    if (run < status.total_runs) {
      ++status.done;
      ++shard_counts[table.int64s("shard_count")[i]];
    } else {
      ++status.out_of_sample_done;
    }
    const Timestamp t = table.index()[i];
    status.first_recorded = std::min(status.first_recorded.value_or(t), t);
    status.last_recorded = std::max(status.last_recorded.value_or(t), t);
  }
  // Shards as the latest runs were given them (the N used most).
  if (!shard_counts.empty()) {
    status.shards = static_cast<std::size_t>(
        std::max_element(shard_counts.begin(), shard_counts.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; })
            ->first);
  }
  status.shards_done.resize(status.shards);
  for (std::size_t run = 0; run < status.total_runs; ++run) {
    ++status.shards_done[run % status.shards].total;
  }
  for (std::int64_t run : recorded.runs) {
    if (static_cast<std::size_t>(run) < status.total_runs) {
      ++status.shards_done[static_cast<std::size_t>(run) % status.shards].done;
    }
  }
  if (status.first_recorded && status.last_recorded &&
      *status.last_recorded > *status.first_recorded && status.done > 1) {
    const double seconds =
        static_cast<double>(*status.last_recorded - *status.first_recorded) / 1e9;
    status.runs_per_second = static_cast<double>(status.done) / seconds;
    status.eta_seconds =
        static_cast<double>(status.total_runs - status.done) / *status.runs_per_second;
  }
  return status;
}

}  // namespace tandem::sweep
