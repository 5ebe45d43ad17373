// The S3 backend's two commit protocols side by side, against one moto server (which enforces
// conditional writes, so both can run there): the lease lock (conditional_writes=off) and
// compare-and-swap by conditional writes (conditional_writes=on). docs/s3.md, *Two commit
// protocols*; the figures are in BENCHMARKS.md. Per protocol, on a fresh store each:
//   alone  — one-row appends 300 ms apart (the lease holder has let go by then): requests each;
//   cold   — a new store handle appends one row to that symbol (counted until it is idle);
//   burst  — TANDEM_S3_PROTOCOL_BURST one-row appends back to back: requests each, without the
//            first (which settles the protocol / takes the lock);
//   4 x N  — 4 writers (threads, each with its own store handle, client and connections)
//            appending TANDEM_S3_PROTOCOL_APPENDS (500) one-row rows each to one symbol at once:
//            requests per append, p50/p99 latency, lost races (conditional mode: compare-and-swap
//            refused, decided again) and HTTP retries per append.
// Requests are counted by the S3 client (each HTTP attempt).
//
//   TANDEM_SOURCE_DIR=$PWD build/release/bench/store/s3_protocol_bench
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "store/s3/s3_storage.h"
#include "store/s3/s3rver_process.h"
#include "store/store.h"

namespace tandem::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Timestamp kBase = 1'704'067'200'000'000'000;

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

store::Table one_row(std::int64_t writer, std::int64_t i) {
  store::Table row(std::vector<Timestamp>{kBase + i * 1000 + writer});
  row.add_column(store::Column::of_int64("id", {writer * 1'000'000 + i}));
  return row;
}

store::s3::S3Storage& s3(store::Store& store) {
  return dynamic_cast<store::s3::S3Storage&>(store.storage());
}

std::string uri(const std::string& mode) {
  std::string base = store::s3::testing::MotoProcess::shared().uri(
      "protocols", store::s3::testing::unique_name(mode));
  const std::string on = "conditional_writes=on";
  base.replace(base.find(on), on.size(), "conditional_writes=" + mode);
  return base;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * values.size()))];
}

void run(const std::string& mode) {
  const char* name = mode == "on" ? "conditional" : "lease";
  store::StoreOptions options;
  options.compaction_threshold = 0;  // one-row appends only, not compaction
  {
    const std::string alone_uri = uri(mode);
    auto store = store::Store::open(alone_uri, options);
    auto lib = store->library("lib");
    lib.append("alone", one_row(0, 0));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const std::size_t n = 20;
    const auto before = s3(*store).client().counts().total();
    for (std::size_t i = 1; i <= n; ++i) {
      lib.append("alone", one_row(0, static_cast<std::int64_t>(i)));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    const double alone = static_cast<double>(s3(*store).client().counts().total() - before) / n;
    std::printf("%-11s alone: %.3f requests per one-row append (%zu appends)\n", name, alone, n);
    // Cold: a new handle (as a new process would open) appends one row to the symbol. Counted
    // from its first request after opening the library to its idle flush, 300 ms later.
    const std::size_t cold_n = 5;
    double cold = 0;
    for (std::size_t i = 0; i < cold_n; ++i) {
      auto fresh = store::Store::open(alone_uri, options);
      auto fresh_lib = fresh->existing_library("lib");
      const auto start = s3(*fresh).client().counts().total();
      fresh_lib.append("alone", one_row(0, static_cast<std::int64_t>(n + 1 + i)));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      cold += static_cast<double>(s3(*fresh).client().counts().total() - start);
    }
    std::printf(
        "%-11s cold: %.3f requests per one-row append by a new handle (%zu handles; "
        "its first commit also reads the store's protocol record once)\n",
        name, cold / cold_n, cold_n);
  }
  {
    auto store = store::Store::open(uri(mode), options);
    auto lib = store->library("lib");
    const std::size_t n = env_size("TANDEM_S3_PROTOCOL_BURST", 200);
    lib.append("burst", one_row(0, 0));
    const auto before = s3(*store).client().counts().total();
    for (std::size_t i = 1; i <= n; ++i) {
      lib.append("burst", one_row(0, static_cast<std::int64_t>(i)));
    }
    const double burst = static_cast<double>(s3(*store).client().counts().total() - before) / n;
    std::printf("%-11s burst: %.3f requests per one-row append (%zu appends after the first)\n",
                name, burst, n);
  }
  {
    const std::string shared = uri(mode);
    const std::size_t n = env_size("TANDEM_S3_PROTOCOL_APPENDS", 500);
    constexpr int kWriters = 4;
    {
      auto setup = store::Store::open(shared, options);
      setup->library("lib");  // created once, so no writer's first commit is a library creation
    }
    std::vector<std::vector<double>> latencies(kWriters);
    std::vector<store::s3::S3RequestCounts> counts(kWriters);
    std::vector<std::uint64_t> lost(kWriters);
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        auto store = store::Store::open(shared, options);
        auto lib = store->existing_library("lib");
        for (std::size_t i = 0; i < n; ++i) {
          const auto t0 = Clock::now();
          lib.append("fills", one_row(w + 1, static_cast<std::int64_t>(i)),
                     store::AppendMode::kAnyOrder);
          latencies[w].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        counts[w] = s3(*store).client().counts();
        lost[w] = s3(*store).lost_races();
      });
    }
    for (auto& t : threads) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    std::uint64_t requests = 0, retries = 0, races = 0;
    for (int w = 0; w < kWriters; ++w) {
      all.insert(all.end(), latencies[w].begin(), latencies[w].end());
      requests += counts[w].total();
      retries += counts[w].retries;
      races += lost[w];
    }
    const double appends = static_cast<double>(kWriters * n);
    auto check = store::Store::open(shared, options);
    const std::size_t rows = check->existing_library("lib").read("fills").table.num_rows();
    std::printf(
        "%-11s 4 x %zu: %.2f requests per append, p50 %.1f ms, p99 %.1f ms, %.3f lost races and "
        "%.3f HTTP retries per append, %.1f s wall, %zu rows stored\n",
        name, n, static_cast<double>(requests) / appends, percentile(all, 0.50),
        percentile(all, 0.99), static_cast<double>(races) / appends,
        static_cast<double>(retries) / appends, wall, rows);
  }
}

}  // namespace
}  // namespace tandem::bench

int main() {
  try {
    tandem::bench::run("off");
    tandem::bench::run("on");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "s3_protocol_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
