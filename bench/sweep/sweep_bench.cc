// Sweep benchmark (issue 19): an sma_cross grid of 1,000 combinations (fast 2..11 x slow
// 20..119) on 10 synthetic symbols x 2,520 daily bars, recorded as summary rows in a mem://
// store, with --jobs 1 and --jobs 2 in alternation, several repetitions each. Prints every
// repetition and the medians: runs/s, bars evaluated per second (per thread and in all), and
// the speed-up from 1 to 2 jobs. One bar evaluation is one bar of one symbol replayed through
// its strategy instance (so a run here evaluates 25,200).
//
//   build/release/bench/sweep/sweep_bench [--reps 5]
//   build/release/bench/sweep/sweep_bench --write-bars URI   # only writes the bars to URI
//                                                            # (bench/sweep/slurm_bench.sh)
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "market_data/bar_loader.h"
#include "market_data/names.h"
#include "market_data/synthetic_bars.h"
#include "sweep/sweep.h"

using namespace tandem;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  std::string write_bars;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--write-bars") == 0) write_bars = argv[i + 1];
  }
  auto store = store::Store::open(write_bars.empty() ? "mem://" : write_bars);
  std::vector<std::string> symbols;
  for (int s = 0; s < 10; ++s) {
    market_data::SyntheticSpec spec;
    spec.symbol = fmt::format("SYM{}", s);
    spec.seed = 100 + static_cast<std::uint64_t>(s);
    spec.annual_drift = 0.02 * s - 0.04;
    const BarSeries bars =
        market_data::synthetic_bars(spec, 16436 * kNanosPerDay, kNanosPerDay, 2520, false);
    store::Table table(bars.time);
    table.with(store::Column::of_float64("open", bars.open))
        .with(store::Column::of_float64("high", bars.high))
        .with(store::Column::of_float64("low", bars.low))
        .with(store::Column::of_float64("close", bars.close))
        .with(store::Column::of_float64("volume", bars.volume));
    store->library(market_data::kLibrary).write(market_data::bar_symbol(spec.symbol, "1d"), table);
    symbols.push_back(spec.symbol);
  }
  if (!write_bars.empty()) return 0;
  std::vector<double> seconds[2], rates[2];
  for (int rep = 0; rep < reps; ++rep) {
    for (std::size_t jobs : {1u, 2u}) {
      sweep::SweepSpec spec;
      spec.sweep_id = fmt::format("bench_{}_{}", jobs, rep);
      spec.strategy = "sma_cross";
      spec.symbols = symbols;
      spec.axes = {sweep::parse_grid_axis("fast=2:11:1"), sweep::parse_grid_axis("slow=20:119:1")};
      spec.jobs = jobs;
      const sweep::SweepOutcome out = sweep::run_sweep(*store, spec);
      if (out.recorded != 1000) {
        fmt::print(stderr, "expected 1000 recorded runs, got {}\n", out.recorded);
        return 1;
      }
      const double bars_per_s = static_cast<double>(out.bars_evaluated) / out.run_seconds;
      seconds[jobs - 1].push_back(out.run_seconds);
      rates[jobs - 1].push_back(bars_per_s);
      fmt::print(
          "rep {} jobs {}: {} runs in {:.3f} s = {:.0f} runs/s, {:.1f} M bars/s ({:.1f} M "
          "per thread)\n",
          rep, jobs, out.ran, out.run_seconds, static_cast<double>(out.ran) / out.run_seconds,
          bars_per_s / 1e6, bars_per_s / 1e6 / static_cast<double>(jobs));
    }
  }
  const double t1 = median(seconds[0]), t2 = median(seconds[1]);
  fmt::print(
      "median jobs 1: {:.3f} s, {:.0f} runs/s, {:.1f} M bar-evaluations/s per core\n"
      "median jobs 2: {:.3f} s, {:.0f} runs/s, {:.1f} M bar-evaluations/s per core\n"
      "speed-up 1 -> 2 jobs: {:.2f}x\n",
      t1, 1000 / t1, median(rates[0]) / 1e6, t2, 1000 / t2, median(rates[1]) / 2e6, t1 / t2);
  return 0;
}
