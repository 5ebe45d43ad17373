// SweepContext: what every run of one sweep shares — the combinations, the bars (loaded once,
// read-only), each window's slices of them — and how one run is made from them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backtest/engine.h"
#include "strategy/registry.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"

namespace tandem::sweep {

class SweepContext {
 public:
  // `store` is where kept account libraries go (--keep-accounts).
  SweepContext(store::Store& store, const SweepSpec& spec,
               const std::vector<Combination>& combinations, strategy::StrategyRegistry registry);

  // Builds each combination's strategy once (no bars needed): a bad value or a refused
  // combination (fast >= slow) stops the sweep before anything runs.
  void check_parameters() const;
  // Reads the symbols' bars once and cuts the windows' periods from them.
  void load_bars(const store::Store& store);

  // Without walk-forward, one window: the whole period.
  const std::vector<Window>& windows() const { return windows_; }

  // In-sample run `run` (= window * C + combination; sweep.h). Thread-safe. With `account`
  // (a library made by create_kept_account), the run is a recorded backtest into it, and its
  // row names it; without, it runs in memory — the same figures either way.
  RunRow run_in_sample(std::size_t run, const std::string* account = nullptr) const;
  // Out-of-sample run of `combination` in `window`; `daily` gets its equity curve; `account` as
  // for run_in_sample.
  RunRow run_out_of_sample(std::size_t window, std::size_t combination,
                           std::vector<backtest::DailyEquity>* daily,
                           const std::string* account = nullptr) const;

  // The out-of-sample runs of the windows whose in-sample rows are all recorded, and the
  // stitched out-of-sample curve once every window has its run; returns the rows recorded here.
  std::size_t finish_walk_forward(store::Library& library, const std::string& host,
                                  const Shard& shard) const;

 private:
  using Bars = backtest::SharedBars;
  RunRow run(const Bars& bars, const Combination& combination, const std::string& phase,
             std::int64_t window, std::vector<backtest::DailyEquity>* daily,
             const std::string* account) const;

  store::Store& store_;
  const SweepSpec& spec_;
  const std::vector<Combination>& combinations_;
  strategy::StrategyRegistry registry_;
  bool walk_forward_ = false;
  std::vector<Window> windows_;
  std::vector<Bars> train_;  // by window (the whole period without walk-forward)
  std::vector<Bars> test_;   // by window (walk-forward only)
};

// A new library for run `run`'s kept account: kept_account_name(), or with the first free
// suffix _2, _3, ... when an earlier attempt left that one.
std::string create_kept_account(store::Store& store, std::string_view id, std::int64_t run);

// --keep-accounts best:K: once `library` records every one of the `combinations` whole-period
// runs, records the K best by --metric again into kept libraries and lists each in
// kept_accounts exactly once (a process that loses the race deletes its copy). Returns the
// accounts kept here; 0 while other shards are still running.
std::size_t keep_best_accounts(store::Store& store, store::Library& library,
                               const SweepContext& context, const SweepSpec& spec,
                               std::size_t combinations);

}  // namespace tandem::sweep
