// run_info: the settings and the state of a backtest in its own library — one row (readable with
// `tandem store read BT_... run_info`) and the full settings as the version's JSON metadata
// (strategies with their parameters and where each allocation came from, the run's --weight
// values, fill and commission models, ...). It is written with status "running" before the first
// bar and again with "complete" or "failed" (and the error) at the end, so a run that was killed
// reads as "running" for good: readers call it INCOMPLETE (docs/backtest.md, "Incomplete runs").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/allocation.h"
#include "store/store.h"
#include "strategy/params.h"

namespace tandem::backtest {

struct BacktestConfig;

enum class RunStatus { kRunning, kComplete, kFailed };
std::string_view run_status_name(RunStatus status);  // "running", "complete", "failed"

struct RunInfo {
  struct Strategy {
    std::string key;
    std::string name;
    std::vector<std::string> symbols;
    const strategy::Params* params = nullptr;
    broker::EquityAllocation allocation;
  };
  std::string account_id;
  Timestamp started_at = 0;
  Timestamp first_bar = 0;
  Timestamp last_bar = 0;
  const BacktestConfig* config = nullptr;
  std::vector<Strategy> strategies;
  RunStatus status = RunStatus::kRunning;
  std::string error;  // kFailed: what went wrong
};

// What run_info says of a run's state (the latest version of its row).
struct RunState {
  std::string status;  // "running", "complete", "failed"
  std::string error;
  Timestamp started_at = 0;
  std::int64_t pid = 0;  // the process that ran it, on `host`
  std::string host;

  bool complete() const { return status == "complete"; }
  // A run marked "running" whose process is still alive on this host: not (yet) cut short.
  bool still_running_here() const;
};

// The state of the run in `library`; nullopt when it has no run_info, or one written before
// runs recorded their state (such runs are taken as complete).
std::optional<RunState> read_run_state(const store::Library& library);

// One line for a run that is not complete: "INCOMPLETE: ..." saying why and what to do.
std::string incomplete_run_banner(const std::string& account_id, const RunState& state);

// The JSON document stored as run_info's metadata.
std::string run_info_json(const RunInfo& info);
// Writes run_info as a new version (the state changes by writing it again).
void write_run_info(store::Library library, const RunInfo& info);

}  // namespace tandem::backtest
