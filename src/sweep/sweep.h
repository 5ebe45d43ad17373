// Parameter sweeps: one strategy over a grid of parameter combinations (and optionally
// walk-forward windows), each run in memory on shared bars, its summary recorded as one row of
// the sweep library SWEEP_{ID} (docs/sweep.md).
//
// Contract:
// - The grid is expanded in one deterministic order: axes sorted by parameter name, the last
//   name varying fastest, each axis's values in the order given (ranges ascending). Combinations
//   the --where filter refuses are dropped and the rest numbered 0..C-1, so every process given
//   the same flags numbers them the same.
// - Runs: without walk-forward run k is combination k over the whole period. With W windows,
//   run w*C + k is combination k in window w's training period (in-sample), and run W*C + w is
//   window w's out-of-sample run of the best in-sample combination.
// - Shard I/N owns the in-sample runs r with r % N == I: N processes cover the grid exactly
//   once without talking to each other. An out-of-sample run is made by whichever process
//   first finds its window's in-sample rows complete.
// - Exactly once: a process appends its rows to SWEEP_{ID}/runs only if the table is still at
//   the version it read (Library::append_if_latest, checked inside the store's commit), after
//   dropping rows whose run is already there; on a conflict it reads again. A re-run shard skips
//   the runs already recorded, and two processes given the same shard never both record a run.
// - By default nothing per run is written to the store: the account lives in memory
//   (backtest::Engine::run_in_memory) and only the summary row is kept. --keep-accounts all
//   records every run's account library (BT_SWEEP_{ID}_{RUN}) and names it in the run's row;
//   best:K, once every run of the grid is recorded, records the K best runs' accounts again
//   and lists them in SWEEP_{ID}/kept_accounts (docs/sweep.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/engine.h"
#include "report/sweep_report.h"
#include "store/store.h"
#include "strategy/params.h"
#include "strategy/registry.h"

namespace tandem::sweep {

// One parameter's values: "fast=5:50:5" (from:to:step, both ends included when hit) or
// "fast=5,10,20". Values are kept as the text parse_params takes.
struct GridAxis {
  std::string name;
  std::vector<std::string> values;
};
// Throws tandem::Error (InvalidArgument) naming `--grid` and the text when malformed.
GridAxis parse_grid_axis(std::string_view text);

// A --where expression over parameter names: numbers, + - * /, comparisons (< <= > >= == !=),
// && || ! and parentheses; a name that is not a parameter is an error.
class Filter {
 public:
  // Empty text accepts everything. Throws tandem::Error (InvalidArgument) naming --where and
  // the position of a syntax error.
  static Filter parse(std::string_view text);
  bool accepts(const std::map<std::string, double>& values) const;
  // Throws when the expression names a parameter not in `names`.
  void check_names(const std::vector<std::string>& names) const;
  const std::string& text() const { return text_; }

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

struct Combination {
  std::size_t index = 0;
  strategy::RawParams params;  // the axes' values, in axis (name) order
};
// The numbered combinations (see the contract above). Non-numeric values are allowed only when
// the filter does not name their parameter.
std::vector<Combination> expand_grid(std::vector<GridAxis> axes, const Filter& filter);

struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
  // "I/N" with 0 <= I < N.
  static Shard parse(std::string_view text);
  bool owns(std::size_t run) const { return run % count == index; }
};

// --walk-forward train=3y,test=1y[,step=1y]: lengths in y, m (months) or d (days).
// --keep-accounts none|all|best:K.
struct KeepAccounts {
  enum class Mode { kNone, kAll, kBest } mode = Mode::kNone;
  std::size_t best = 0;  // K of best:K
  // Throws tandem::Error (InvalidArgument) naming --keep-accounts when malformed.
  static KeepAccounts parse(std::string_view text);
  std::string text() const;  // as parse() takes it
};

// The kept account library of run `run` of sweep `id` (before the suffix _2, _3, ... that a
// second attempt at the same run gets).
std::string kept_account_name(std::string_view id, std::int64_t run);

struct WalkForwardSpec {
  int train_months = 0, train_days = 0;
  int test_months = 0, test_days = 0;
  int step_months = 0, step_days = 0;  // default: the test length
  static WalkForwardSpec parse(std::string_view text);
};

struct Window {
  Timestamp train_start = 0, train_end = 0;  // [start, end) in bar time
  Timestamp test_start = 0, test_end = 0;
};
// Windows from the first bar's day while the test period starts before `last_bar`; the last
// test period is cut at the data's end. Throws when none fits.
std::vector<Window> walk_forward_windows(const WalkForwardSpec& spec, Timestamp first_bar,
                                         Timestamp last_bar);

// The metrics a sweep can rank by (--metric); all are "higher is better" (max_drawdown is
// recorded as a negative depth).
const std::vector<std::string>& ranking_metrics();

struct SweepSpec {
  std::string sweep_id;  // library SWEEP_{ID}
  std::string strategy;  // registry name
  // Where `strategy` is looked up; null: strategy::builtin_strategies(). The CLI adds the
  // Python classes given as FILE.py:CLASS (cli/python_specs.h).
  std::shared_ptr<const strategy::StrategyRegistry> registry;
  // When set, the runs go on one worker thread whatever `jobs` says, and the sweep's first
  // output line says why (Python strategies: their callbacks hold the GIL).
  std::string one_worker_reason;
  std::vector<std::string> symbols;
  std::vector<GridAxis> axes;
  strategy::RawParams fixed;  // --param k=v, the same in every run
  std::string where;
  std::optional<WalkForwardSpec> walk_forward;
  std::string walk_forward_text;
  std::string metric = "sharpe";
  std::size_t jobs = 1;
  Shard shard;
  KeepAccounts keep_accounts;
  // Bar size, period, cash, fills, commission, slippage; weights are set per run (1/symbols).
  backtest::BacktestConfig config;
  // How often the finished runs are recorded (also at the end).
  double record_interval_seconds = 1.0;
  // Called after each recording with the runs this process has finished and the number it has
  // to run (the CLI's progress line: rate and ETA; docs/cli.md, "Progress").
  std::function<void(std::size_t done, std::size_t total)> on_progress;
};

struct SweepOutcome {
  std::size_t total_runs = 0;  // in-sample runs of the whole grid (all shards)
  std::size_t shard_runs = 0;  // of those, this shard's
  std::size_t skipped = 0;     // already recorded when this process started
  std::size_t ran = 0;
  std::size_t recorded = 0;           // rows this process appended
  std::size_t recorded_by_other = 0;  // ran here, but another process recorded them first
  std::size_t out_of_sample = 0;      // out-of-sample rows recorded here
  std::size_t accounts_kept = 0;      // account libraries this process kept (and named in a row)
  std::uint64_t bars_evaluated = 0;   // bars replayed by the runs made here
  double load_seconds = 0;
  double run_seconds = 0;
};

using Log = std::function<void(const std::string&)>;

// Runs this shard of the sweep (see the contract). Creates SWEEP_{ID} with its `spec` on the
// first call; a later call with other flags for the same ID is refused (Conflict).
SweepOutcome run_sweep(store::Store& store, const SweepSpec& spec, const Log& log = {});

// The sweep library's name for `id` (validated: letters, digits, _ . -).
std::string sweep_library(std::string_view id);

struct SweepStatus {
  std::string id;
  std::size_t total_runs = 0;
  std::size_t windows = 0;  // 0 without walk-forward
  std::size_t shards = 1;   // N of the latest recorded --shard I/N
  struct PerShard {
    std::size_t done = 0, total = 0;
  };
  std::vector<PerShard> shards_done;  // by shard index
  std::size_t done = 0;
  std::size_t out_of_sample_done = 0;
  std::optional<Timestamp> first_recorded, last_recorded;
  std::optional<double> runs_per_second;  // over first..last recorded
  std::optional<double> eta_seconds;
};
SweepStatus sweep_status(const store::Store& store, std::string_view id);

// The sweep's rows, spec and stitched out-of-sample curve for report::render_sweep_*.
report::SweepData load_sweep_report(const store::Store& store, std::string_view id);

}  // namespace tandem::sweep
