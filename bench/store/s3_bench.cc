// S3 backend figures (issue 8), against the local s3rver the benchmark starts itself
// (node + `npm ci` in tests/e2e, as for the tests), next to LMDB on the same table:
//   write and full-read MB/s of decoded column data (timestamp + 5 float64 + 1 int64),
//   requests per one-row append (in a burst, and alone after a pause; target <= 3),
//   requests per read of a symbol of K segments (target <= K + 2, issued in parallel).
// Requests are counted by the S3 client itself (each HTTP attempt).
//
//   TANDEM_SOURCE_DIR=$PWD build/release/bench/store/s3_bench
// Sizes: TANDEM_S3_BENCH_ROWS (default 2,000,000 rows = 112 MB), TANDEM_S3_BENCH_APPENDS (200).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "store/backends.h"
#include "store/s3/s3_storage.h"
#include "store/s3/s3rver_process.h"
#include "store/store.h"
#include "store/synthetic_ohlcv.h"

namespace tandem::bench {
namespace {

constexpr double kMB = 1e6;

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

struct Stores {
  store::test::TempDir dir;
  std::unique_ptr<store::Store> lmdb;
  std::unique_ptr<store::Store> s3;
  store::Table table;
  std::size_t appends;

  Stores() {
    table = synthetic_ohlcv(env_size("TANDEM_S3_BENCH_ROWS", 2'000'000));
    appends = env_size("TANDEM_S3_BENCH_APPENDS", 200);
    lmdb = store::Store::open("lmdb://" + (dir.path() / "lmdb").string() + "?sync=0");
    s3 = store::Store::open(store::s3::testing::S3rverProcess::shared().uri(
        "bench", store::s3::testing::unique_name("b")));
  }
  store::s3::S3Client& client() {
    return dynamic_cast<store::s3::S3Storage&>(s3->storage()).client();
  }
};

Stores& stores() {
  static Stores instance;
  return instance;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void write_and_read(benchmark::State& state, store::Store& store) {
  Stores& s = stores();
  store::Library lib = store.library("bench");
  const double bytes = static_cast<double>(decoded_bytes(s.table));
  double write_seconds = 0, read_seconds = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    lib.write("bars", s.table);
    write_seconds += seconds_since(start);
    start = std::chrono::steady_clock::now();
    store::ReadResult result = lib.read("bars");
    read_seconds += seconds_since(start);
    if (result.table.num_rows() != s.table.num_rows()) state.SkipWithError("read lost rows");
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["write_MB/s"] = bytes * n / write_seconds / kMB;
  state.counters["read_MB/s"] = bytes * n / read_seconds / kMB;
}

void BM_lmdb_write_read(benchmark::State& state) { write_and_read(state, *stores().lmdb); }
void BM_s3_write_read(benchmark::State& state) { write_and_read(state, *stores().s3); }

// One-row appends: back to back (the writer keeps the commit lock through the burst), and each
// after a pause longer than the lock's idle release (takes and releases the lock every time).
// Arg 0/1: without automatic compaction (the append alone); arg 2: a burst with the default
// compaction threshold, whose compactions (reading every small segment) are amortized in.
// Requests are counted over the whole run, so a lock release that happens after an append
// returned is counted too; steady_requests/append leaves out a burst's first append (which
// takes the lock and reads the head) and its release.
void BM_s3_one_row_appends(benchmark::State& state) {
  Stores& s = stores();
  const int mode = static_cast<int>(state.range(0));
  const bool paused = mode == 1;
  store::StoreOptions options;
  if (mode != 2) options.compaction_threshold = 0;
  auto store = store::Store::open(store::s3::testing::S3rverProcess::shared().uri(
                                      "bench", store::s3::testing::unique_name("appends")),
                                  options);
  store::Library lib = store->library("appends");
  lib.append("fills", synthetic_ohlcv(1, 0));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the lock is released
  auto& client = dynamic_cast<store::s3::S3Storage&>(store->storage()).client();
  std::size_t row = 1;
  double seconds = 0, count = 0;
  double steady_requests = 0, steady_count = 0;  // a burst without its first append and release
  store::s3::S3RequestCounts sent;               // summed over the iterations
  for (auto _ : state) {
    const std::size_t n = paused ? 20 : s.appends;
    const store::s3::S3RequestCounts before = client.counts();
    std::uint64_t after_first = 0;
    for (std::size_t i = 0; i < n; ++i) {
      store::Table one = synthetic_ohlcv(1, row++);
      const auto start = std::chrono::steady_clock::now();
      lib.append("fills", one);
      seconds += seconds_since(start);
      count += 1;
      if (i == 0) after_first = client.counts().total();
      if (paused) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    steady_requests += static_cast<double>(client.counts().total() - after_first);
    steady_count += static_cast<double>(n - 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const store::s3::S3RequestCounts after = client.counts();
    sent.put += after.put - before.put;
    sent.get += after.get - before.get;
    sent.list += after.list - before.list;
    sent.remove += after.remove - before.remove;
    sent.head += after.head - before.head;
    sent.retries += after.retries - before.retries;
  }
  // Where the requests go: PUTs are segments, records, heads, lock tickets and intents; GETs
  // and LISTs are reads under a freshly taken lock and lock acquisitions; DELETEs are releases.
  state.counters["requests/append"] = static_cast<double>(sent.total()) / count;
  if (!paused) state.counters["steady_requests/append"] = steady_requests / steady_count;
  state.counters["put/append"] = static_cast<double>(sent.put) / count;
  state.counters["get/append"] = static_cast<double>(sent.get) / count;
  state.counters["list/append"] = static_cast<double>(sent.list) / count;
  state.counters["delete/append"] = static_cast<double>(sent.remove) / count;
  state.counters["retries"] = static_cast<double>(sent.retries);
  state.counters["ms/append"] = seconds / count * 1e3;
}

// A read of a symbol stored in K segments: requests, against K.
void BM_s3_read_k_segments(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  store::StoreOptions options;
  options.segment_rows = 10'000;
  auto store = store::Store::open(store::s3::testing::S3rverProcess::shared().uri(
                                      "bench", store::s3::testing::unique_name("k")),
                                  options);
  store::Library lib = store->library("segments");
  lib.write("k", synthetic_ohlcv(k * options.segment_rows));
  auto& client = dynamic_cast<store::s3::S3Storage&>(store->storage()).client();
  double requests = 0, seconds = 0;
  for (auto _ : state) {
    const std::uint64_t before = client.counts().total();
    const auto start = std::chrono::steady_clock::now();
    store::ReadResult result = lib.read("k");
    seconds += seconds_since(start);
    requests += static_cast<double>(client.counts().total() - before);
    if (result.table.num_rows() != k * options.segment_rows) state.SkipWithError("rows lost");
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["K"] = static_cast<double>(k);
  state.counters["requests/read"] = requests / n;
  state.counters["ms/read"] = seconds / n * 1e3;
}

BENCHMARK(BM_lmdb_write_read)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_s3_write_read)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_s3_one_row_appends)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_s3_read_k_segments)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

}  // namespace
}  // namespace tandem::bench

BENCHMARK_MAIN();
