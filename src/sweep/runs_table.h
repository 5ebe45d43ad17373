// The rows of SWEEP_{ID}/runs and how a process appends them exactly once (sweep.h, contract).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "store/store.h"
#include "strategy/params.h"

namespace tandem::sweep {

inline constexpr const char* kRunsSymbol = "runs";
inline constexpr const char* kSpecSymbol = "spec";
inline constexpr const char* kOutOfSampleEquitySymbol = "oos_equity";
// --keep-accounts best:K: the K best runs' kept account libraries (run, account).
inline constexpr const char* kKeptAccountsSymbol = "kept_accounts";

// Phases of a run (the `phase` column).
inline constexpr const char* kPhaseFull = "full";
inline constexpr const char* kPhaseInSample = "in_sample";
inline constexpr const char* kPhaseOutOfSample = "out_of_sample";

// The metric columns of a run, in column order (report/metrics.h definitions).
const std::vector<std::string>& metric_names();

struct RunRow {
  std::int64_t run = 0;
  std::int64_t combination = 0;
  std::int64_t window = -1;  // -1 without walk-forward
  std::string phase = kPhaseFull;
  strategy::RawParams params;                  // the grid's values
  Timestamp period_start = 0, period_end = 0;  // first and last bar replayed
  std::vector<std::optional<double>> metrics;  // by metric_names()
  std::int64_t bars = 0;
  std::int64_t shard_index = 0, shard_count = 1;
  std::string host;     // host:pid of the process that ran it
  std::string account;  // its account library when kept (--keep-accounts all), else empty
};

// What is recorded so far: the table's version and its run numbers.
struct RecordedRuns {
  std::optional<std::uint64_t> version;  // nullopt: no runs table yet
  std::set<std::int64_t> runs;
  store::Table table;
};
RecordedRuns read_recorded(const store::Library& library);

// Appends those of `rows` whose run is not recorded yet, only on top of the version it read
// (retrying after a conflict); returns how many this call appended. The rest were recorded by
// another process first: their run numbers go to `not_recorded` when given.
std::size_t record_once(store::Library& library, const std::vector<RunRow>& rows,
                        std::vector<std::int64_t>* not_recorded = nullptr);

// A row of the table back (for the walk-forward choice and the report).
RunRow row_at(const store::Table& table, std::size_t i);

}  // namespace tandem::sweep
