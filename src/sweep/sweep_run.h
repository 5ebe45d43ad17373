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
  SweepContext(const SweepSpec& spec, const std::vector<Combination>& combinations);

  // Builds each combination's strategy once (no bars needed): a bad value or a refused
  // combination (fast >= slow) stops the sweep before anything runs.
  void check_parameters() const;
  // Reads the symbols' bars once and cuts the windows' periods from them.
  void load_bars(const store::Store& store);

  // Without walk-forward, one window: the whole period.
  const std::vector<Window>& windows() const { return windows_; }

  // In-sample run `run` (= window * C + combination; sweep.h). Thread-safe.
  RunRow run_in_sample(std::size_t run) const;
  // Out-of-sample run of `combination` in `window`; `daily` gets its equity curve.
  RunRow run_out_of_sample(std::size_t window, std::size_t combination,
                           std::vector<backtest::DailyEquity>* daily) const;

  // The out-of-sample runs of the windows whose in-sample rows are all recorded, and the
  // stitched out-of-sample curve once every window has its run; returns the rows recorded here.
  std::size_t finish_walk_forward(store::Library& library, const std::string& host,
                                  const Shard& shard) const;

 private:
  using Bars = backtest::SharedBars;
  RunRow run(const Bars& bars, const Combination& combination, const std::string& phase,
             std::int64_t window, std::vector<backtest::DailyEquity>* daily) const;

  const SweepSpec& spec_;
  const std::vector<Combination>& combinations_;
  strategy::StrategyRegistry registry_;
  bool walk_forward_ = false;
  std::vector<Window> windows_;
  std::vector<Bars> train_;  // by window (the whole period without walk-forward)
  std::vector<Bars> test_;   // by window (walk-forward only)
};

}  // namespace tandem::sweep
