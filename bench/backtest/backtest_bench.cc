// backtest_bench: sma_cross (fast=10, slow=30) end to end — bars read from an LMDB store, the
// replay, the simulated account and the recording of every order event, fill, round trip,
// position and daily row into the run's BT_ library in the same LMDB store, flushed.
//
//   build-release/bench/backtest/backtest_bench [--scenario single|multi|all] [--runs 5]
//                                               [--dir /tmp] [--fill close|next-open]
//                                               [--digest on|off]
//                                               [--min-append-rows N] [--max-held-rows N]
//                                               [--wake-rows N] [--max-queued-rows N]
//                                               [--account-codec lz4|zstd]
//                                               [--account-zstd-level N]
//
// Scenarios (issue 4's targets, one thread for the replay; the recorder's writer is a second):
//   single  1 symbol × 1,000,000 one-minute bars   target ≥ 5,000,000 bars/s
//   multi   100 symbols × 2,520 daily bars (one sma_cross per symbol, weight 0.01 each)
//                                                   target ≥ 2,000,000 bars/s
// Both: peak RSS ≤ 2 × the raw size of the loaded bars (6 × 8 bytes per bar) + 50 MB.
//
// The bars are written once per scenario by a child process; then each run is a fresh child
// process that opens the store and times Engine::run() (load + replay + recording + flush); the
// parent reads the child's peak RSS from wait4(). Prints every run and the medians. With
// --digest on, the account is named from a fixed start time and every recorded table is hashed
// after the timed run (outside it), so two builds can be checked for bit-identical results.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "backtest/engine.h"
#include "market_data/bar_loader.h"
#include "market_data/synthetic_bars.h"
#include "store/store.h"
#include "store/testing.h"
#include "strategy/registry.h"

namespace {

using namespace tandem;

struct Scenario {
  std::string name;
  std::size_t symbols;
  std::size_t bars_per_symbol;
  Timestamp step;
  std::string bar_size;
  double target_bars_per_second;
};

struct RunReport {
  double seconds = 0;      // wall clock of Engine::run()
  double thread_cpu = 0;   // CPU time of the replay thread during it
  double process_cpu = 0;  // CPU time of the process (replay + recorder writer) during it
  std::size_t bars = 0;
  std::size_t orders = 0;
  std::size_t fills = 0;
  std::size_t days = 0;
  double load = 0;
  double replay = 0;
  double flush = 0;
  double final_cash = 0;
  double final_equity = 0;
  std::size_t round_trips = 0;
  std::uint64_t digest = 0;  // --digest: hash of every table recorded in the run's library
  std::uint64_t account_stored_bytes = 0;  // --digest: the account library's segments, stored
  std::uint64_t account_raw_bytes = 0;     // and decoded
};

double cpu_seconds(int who) {
  struct rusage usage {};
  getrusage(who, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string symbol_name(const Scenario& scenario, std::size_t i) {
  return scenario.symbols == 1 ? "BENCH" : fmt::format("S{:03}", i);
}

void prepare(const Scenario& scenario, const std::string& uri) {
  auto store = store::Store::open(uri);
  store::Library library = store->library(market_data::kLibrary);
  Timestamp first = 19724LL * kNanosPerDay;  // 2024-01-02
  if (scenario.step < kNanosPerDay) first = 19000LL * kNanosPerDay;
  for (std::size_t i = 0; i < scenario.symbols; ++i) {
    market_data::SyntheticSpec spec{
        symbol_name(scenario, i), 50.0 + static_cast<double>(i), 0.08, 0.35, 1e6, 7000 + i};
    BarSeries bars =
        market_data::synthetic_bars(spec, first, scenario.step, scenario.bars_per_symbol, true);
    store::Table table(bars.time);
    table.with(store::Column::of_float64("open", std::move(bars.open)))
        .with(store::Column::of_float64("high", std::move(bars.high)))
        .with(store::Column::of_float64("low", std::move(bars.low)))
        .with(store::Column::of_float64("close", std::move(bars.close)))
        .with(store::Column::of_float64("volume", std::move(bars.volume)));
    library.write(market_data::bar_symbol(spec.symbol, scenario.bar_size), table);
  }
}

RunReport run_once(const Scenario& scenario, const std::string& uri, exchange::FillModel fill,
                   bool digest, const broker::RecorderOptions& recorder,
                   store::Compression account_codec, int account_zstd_level) {
  auto store = store::Store::open(uri);
  strategy::StrategyRegistry registry = strategy::builtin_strategies();
  backtest::BacktestConfig config;
  config.bar_size = scenario.bar_size;
  config.initial_cash = 1'000'000;
  config.fill_model = fill;
  config.recorder = recorder;
  config.account_codec = account_codec;
  config.account_zstd_level = account_zstd_level;
  // A fixed start time names the account the same way in every run, so digests compare.
  if (digest) config.started_at = 20000LL * kNanosPerDay;
  for (std::size_t i = 0; i < scenario.symbols; ++i) {
    config.weights[symbol_name(scenario, i)] = 1.0 / static_cast<double>(scenario.symbols);
  }
  backtest::Engine engine(*store, config);
  for (std::size_t i = 0; i < scenario.symbols; ++i) {
    std::string symbol = symbol_name(scenario, i);
    engine.add_strategy(
        registry.create("sma_cross", symbol, {stock(symbol)}, scenario.bar_size, {}), "sma_cross");
  }
  double thread_before = cpu_seconds(RUSAGE_THREAD);
  double process_before = cpu_seconds(RUSAGE_SELF);
  auto start = std::chrono::steady_clock::now();
  backtest::BacktestResult result = engine.run();
  auto stop = std::chrono::steady_clock::now();
  RunReport report;
  report.seconds = std::chrono::duration<double>(stop - start).count();
  report.thread_cpu = cpu_seconds(RUSAGE_THREAD) - thread_before;
  report.process_cpu = cpu_seconds(RUSAGE_SELF) - process_before;
  report.bars = result.bars;
  report.orders = result.orders;
  report.fills = result.fills;
  report.days = result.summary.days;
  report.final_cash = result.final_cash;
  report.final_equity = result.daily.empty() ? 0.0 : result.daily.back().equity;
  report.round_trips = result.round_trips;
  report.load = result.load_seconds;
  report.replay = result.replay_seconds;
  report.flush = result.flush_seconds;
  if (digest) {
    store::Library account = store->existing_library(result.account_id);
    report.digest = store::testing::library_digest(account, "run_info");
    for (const std::string& symbol : account.list_symbols()) {
      const store::SymbolStats stats = account.stats(symbol);
      report.account_stored_bytes += stats.compressed_bytes;
      report.account_raw_bytes += stats.raw_bytes;
    }
  }
  store->delete_library(result.account_id);  // keep the store the same size for the next run
  return report;
}

// Runs `body` in a child process; returns its peak RSS in bytes. The child writes its report
// through a pipe.
template <typename Body>
long in_child(Body body, RunReport* report) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(2);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    int status = 0;
    try {
      RunReport r = body();
      if (write(fds[1], &r, sizeof r) != sizeof r) status = 3;
    } catch (const std::exception& e) {
      std::cerr << "backtest_bench: " << e.what() << "\n";
      status = 1;
    }
    _exit(status);
  }
  close(fds[1]);
  RunReport r;
  bool got = read(fds[0], &r, sizeof r) == sizeof r;
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "backtest_bench: child failed\n";
    std::exit(1);
  }
  if (report != nullptr && got) *report = r;
  return usage.ru_maxrss * 1024L;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all";
  int runs = 5;
  std::string dir = "/tmp";
  std::string fill_text = "close";
  bool digest = false;
  broker::RecorderOptions recorder = backtest::BacktestConfig{}.recorder;
  store::Compression account_codec = backtest::BacktestConfig{}.account_codec;
  int account_zstd_level = backtest::BacktestConfig{}.account_zstd_level;
  bool usage_error = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--scenario")
      which = argv[i + 1];
    else if (flag == "--runs")
      runs = std::atoi(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--fill")
      fill_text = argv[i + 1];
    else if (flag == "--digest")
      digest = std::string(argv[i + 1]) == "on";
    else if (flag == "--min-append-rows")
      recorder.min_append_rows = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--max-held-rows")
      recorder.max_held_rows = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--wake-rows")
      recorder.wake_rows = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--max-queued-rows")
      recorder.max_queued_rows = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--account-zstd-level")
      account_zstd_level = std::atoi(argv[i + 1]);
    else if (flag == "--account-codec" && store::parse_compression(argv[i + 1]))
      account_codec = *store::parse_compression(argv[i + 1]);
    else
      usage_error = true;
    if (usage_error) {
      std::cerr << "usage: backtest_bench [--scenario single|multi|all] [--runs N] [--dir DIR] "
                   "[--fill close|next-open] [--digest on|off] [--min-append-rows N] "
                   "[--max-held-rows N] [--wake-rows N] [--max-queued-rows N] "
                   "[--account-codec lz4|zstd] [--account-zstd-level N]\n";
      return 2;
    }
  }
  exchange::FillModel fill = exchange::parse_fill_model(fill_text);
  std::vector<Scenario> scenarios{
      {"single", 1, 1'000'000, 60 * kNanosPerSecond, "1min", 5e6},
      {"multi", 100, 2'520, kNanosPerDay, "1d", 2e6},
  };
  for (const Scenario& scenario : scenarios) {
    if (which != "all" && which != scenario.name) continue;
    std::string path = fmt::format("{}/tandem-backtest-bench-{}-{}", dir, scenario.name, getpid());
    std::filesystem::remove_all(path);
    std::string uri = "lmdb://" + path + "?sync=0";
    in_child(
        [&] {
          prepare(scenario, uri);
          return RunReport{};
        },
        nullptr);
    double raw_bytes = static_cast<double>(scenario.symbols * scenario.bars_per_symbol * 6 * 8);
    double rss_limit = 2 * raw_bytes + 50.0 * 1024 * 1024;
    std::vector<double> rates;
    std::vector<double> cpu_rates;
    std::vector<double> rss;
    std::cout << fmt::format("{}: {} symbols x {} bars ({}), sma_cross, fill {}, no commission\n",
                             scenario.name, scenario.symbols, scenario.bars_per_symbol,
                             scenario.bar_size, fill_text);
    for (int r = 0; r < runs; ++r) {
      RunReport report;
      long peak = in_child(
          [&] {
            return run_once(scenario, uri, fill, digest, recorder, account_codec,
                            account_zstd_level);
          },
          &report);
      double rate = static_cast<double>(report.bars) / report.seconds;
      double cpu_rate = static_cast<double>(report.bars) / report.thread_cpu;
      rates.push_back(rate);
      cpu_rates.push_back(cpu_rate);
      rss.push_back(static_cast<double>(peak));
      std::cout << fmt::format(
          "  run {}: wall {:.3f} s = {:.2f} M bars/s; replay thread CPU {:.3f} s = {:.2f} M "
          "bars/s; "
          "process CPU {:.3f} s (wall: load {:.3f}, replay {:.3f}, final flush {:.3f}); {} orders, "
          "{} fills, {} days; peak RSS {:.1f} MB\n",
          r + 1, report.seconds, rate / 1e6, report.thread_cpu, cpu_rate / 1e6, report.process_cpu,
          report.load, report.replay, report.flush, report.orders, report.fills, report.days,
          static_cast<double>(peak) / 1048576.0);
      if (digest) {
        std::cout << fmt::format(
            "    digest {:016x}; final cash {:.17g}, final equity {:.17g}, {} round trips; account "
            "library {:.1f} MB stored of {:.1f} MB raw\n",
            report.digest, report.final_cash, report.final_equity, report.round_trips,
            static_cast<double>(report.account_stored_bytes) / 1e6,
            static_cast<double>(report.account_raw_bytes) / 1e6);
      }
    }
    double rate = median(rates);
    double cpu_rate = median(cpu_rates);
    double peak = median(rss);
    std::cout << fmt::format(
        "  median: wall {:.2f} M bars/s, replay thread CPU {:.2f} M bars/s (target {:.0f} M: {}), "
        "peak RSS {:.1f} MB (limit 2 x {:.1f} MB "
        "raw + 50 MB = {:.1f} MB: {})\n",
        rate / 1e6, cpu_rate / 1e6, scenario.target_bars_per_second / 1e6,
        rate >= scenario.target_bars_per_second       ? "met"
        : cpu_rate >= scenario.target_bars_per_second ? "met on CPU time, not on wall time"
                                                      : "NOT met",
        peak / 1048576.0, raw_bytes / 1048576.0, rss_limit / 1048576.0,
        peak <= rss_limit ? "met" : "NOT met");
    std::filesystem::remove_all(path);
  }
  return 0;
}
