// Sweep benchmark (issue 19): an sma_cross grid of 1,000 combinations (fast 2..11 x slow
// 20..119) on 10 synthetic symbols x 2,520 daily bars, recorded as summary rows in a mem://
// store, with --jobs 1 and --jobs 2 in alternation, several repetitions each. Prints every
// repetition and the medians: runs/s, bars evaluated per second (per thread and in all), and
// the speed-up from 1 to 2 jobs. One bar evaluation is one bar of one symbol replayed through
// its strategy instance (so a run here evaluates 25,200). The machine may be shared, so each
// repetition also reports the process's CPU time (user + system, from getrusage) and the bars
// evaluated per CPU-second — a per-core figure that does not count time spent waiting for a
// core — and the 1-minute load average when it started.
//
//   build/release/bench/sweep/sweep_bench [--reps 5] [--jobs 1|2]   # --jobs: only that one
//   build/release/bench/sweep/sweep_bench --write-bars URI   # only writes the bars to URI
//                                                            # (bench/sweep/slurm_bench.sh)
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
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

// CPU seconds (user + system) this process has used so far, over all its threads.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double load_average() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  int only_jobs = 0;
  std::string write_bars;
  // The grid is 10 symbols x 2,520 bars; fewer (--symbols, --bars) shrink what each run
  // streams through (48 bytes a bar), to see what the data's footprint costs.
  int symbol_count = 10;
  int bar_count = 2520;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--symbols") == 0) symbol_count = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--bars") == 0) bar_count = std::max(200, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--jobs") == 0) only_jobs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--write-bars") == 0) write_bars = argv[i + 1];
  }
  auto store = store::Store::open(write_bars.empty() ? "mem://" : write_bars);
  std::vector<std::string> symbols;
  for (int s = 0; s < symbol_count; ++s) {
    market_data::SyntheticSpec spec;
    spec.symbol = fmt::format("SYM{}", s);
    spec.seed = 100 + static_cast<std::uint64_t>(s);
    spec.annual_drift = 0.02 * s - 0.04;
    const BarSeries bars = market_data::synthetic_bars(spec, 16436 * kNanosPerDay, kNanosPerDay,
                                                       static_cast<std::size_t>(bar_count), false);
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
  std::vector<double> seconds[2], rates[2], cpu_rates[2];
  for (int rep = 0; rep < reps; ++rep) {
    for (std::size_t jobs : {1u, 2u}) {
      if (only_jobs != 0 && static_cast<std::size_t>(only_jobs) != jobs) continue;
      sweep::SweepSpec spec;
      spec.sweep_id = fmt::format("bench_{}_{}", jobs, rep);
      spec.strategy = "sma_cross";
      spec.symbols = symbols;
      spec.axes = {sweep::parse_grid_axis("fast=2:11:1"), sweep::parse_grid_axis("slow=20:119:1")};
      spec.jobs = jobs;
      const double load = load_average();
      const double cpu_start = cpu_seconds();
      const sweep::SweepOutcome out = sweep::run_sweep(*store, spec);
      const double cpu = cpu_seconds() - cpu_start;
      if (out.recorded != 1000) {
        fmt::print(stderr, "expected 1000 recorded runs, got {}\n", out.recorded);
        return 1;
      }
      const double bars_per_s = static_cast<double>(out.bars_evaluated) / out.run_seconds;
      seconds[jobs - 1].push_back(out.run_seconds);
      rates[jobs - 1].push_back(bars_per_s);
      // The whole sweep's CPU time (loading the bars is part of it: a fraction of a percent).
      const double per_cpu_second = static_cast<double>(out.bars_evaluated) / cpu;
      cpu_rates[jobs - 1].push_back(per_cpu_second);
      fmt::print(
          "rep {} jobs {}: {} runs in {:.3f} s = {:.0f} runs/s, {:.1f} M bars/s ({:.1f} M "
          "per thread); CPU {:.3f} s = {:.1f} M bars per CPU-second; load average {:.2f}\n",
          rep, jobs, out.ran, out.run_seconds, static_cast<double>(out.ran) / out.run_seconds,
          bars_per_s / 1e6, bars_per_s / 1e6 / static_cast<double>(jobs), cpu, per_cpu_second / 1e6,
          load);
    }
  }
  for (std::size_t jobs : {1u, 2u}) {
    if (seconds[jobs - 1].empty()) continue;
    const double t = median(seconds[jobs - 1]);
    fmt::print(
        "median jobs {}: {:.3f} s, {:.0f} runs/s, {:.1f} M bar-evaluations/s per core (wall), "
        "{:.1f} M per CPU-second\n",
        jobs, t, 1000 / t, median(rates[jobs - 1]) / 1e6 / static_cast<double>(jobs),
        median(cpu_rates[jobs - 1]) / 1e6);
  }
  if (!seconds[0].empty() && !seconds[1].empty()) {
    fmt::print("speed-up 1 -> 2 jobs: {:.2f}x (medians of wall time)\n",
               median(seconds[0]) / median(seconds[1]));
  }
  return 0;
}
