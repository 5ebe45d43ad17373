// halt_bench: how fast a running session sees `tandem halt` (BENCHMARKS.md, "Pre-trade risk and the
// kill switch").
//
// For LMDB (a fresh directory) and S3 (the local s3rver the S3 tests start), a HaltWatcher —
// the thread every `tandem live` runs on its account's halts table — polls at the live default
// (200 ms) while this program appends halt and resume rows as `tandem halt` / `tandem resume`
// do, at times unrelated to the poll. Measured: one head read (what each poll costs when
// nothing changed), and append returned → the watcher handed over the new row.
//
// Usage: halt_bench [halts=40]. Prints p50, p99 and max of each, per backend.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "core/error.h"
#include "live/halt_watcher.h"
#include "risk/risk.h"
#include "store/s3/s3rver_process.h"
#include "store/store.h"

namespace {

using namespace tandem;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

void measure(const std::string& name, store::Store& store, int halts) {
  store::Library library = store.library("DU1234567");
  risk::append_halt(library, risk::HaltRow{now_utc(), false, false, false, "setup"});
  std::vector<double> head_ms;
  for (int i = 0; i < 200; ++i) {
    const auto start = Clock::now();
    (void)risk::halts_head(library);
    head_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::size_t seen = 0;
  Clock::time_point seen_at;
  live::HaltWatcher watcher(
      library, std::chrono::milliseconds(200), risk::halts_head(library),
      [&](std::optional<risk::HaltRow>) {
        std::lock_guard lock(mutex);
        ++seen;
        seen_at = Clock::now();
        changed.notify_all();
      },
      [](const std::string& error) { std::cerr << "watch error: " << error << "\n"; });
  std::mt19937 random(7);
  std::uniform_int_distribution<int> pause_ms(50, 450);
  std::vector<double> seen_ms;
  for (int i = 0; i < halts; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    risk::append_halt(library, risk::HaltRow{now_utc(), i % 2 == 0, false, false, "bench"});
    const auto appended = Clock::now();
    std::unique_lock lock(mutex);
    if (!changed.wait_for(lock, std::chrono::seconds(10),
                          [&] { return seen == static_cast<std::size_t>(i) + 1; })) {
      throw Error(fmt::format("halt {} not seen within 10 s", i), "halt_bench");
    }
    seen_ms.push_back(std::chrono::duration<double, std::milli>(seen_at - appended).count());
  }
  std::cout << fmt::format(
      "{:<5} head read p50 {:.3f} ms p99 {:.3f} ms | halt appended -> seen p50 {:.0f} ms p99 "
      "{:.0f} ms max {:.0f} ms ({} halts, poll 200 ms)\n",
      name, percentile(head_ms, 0.5), percentile(head_ms, 0.99), percentile(seen_ms, 0.5),
      percentile(seen_ms, 0.99), *std::max_element(seen_ms.begin(), seen_ms.end()), halts);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int halts = argc > 1 ? std::stoi(argv[1]) : 40;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("tandem-halt-bench-" + std::to_string(::getpid()));
    {
      auto lmdb = store::Store::open("lmdb://" + dir.string());
      measure("lmdb", *lmdb, halts);
    }
    std::filesystem::remove_all(dir);
    auto s3 = store::Store::open(store::s3::testing::S3rverProcess::shared().uri(
        "bench", store::s3::testing::unique_name("halts")));
    measure("s3", *s3, halts);
  } catch (const std::exception& e) {
    std::cerr << "halt_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
