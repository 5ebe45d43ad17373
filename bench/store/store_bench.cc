// Store benchmarks of issue 3 on a 10,000,000-row table (timestamp + 5 float64 + 1 int64), one
// thread, LMDB backend. Google Benchmark reports each measurement; the summary at the end prints
// the figures the targets are stated in (MB/s of decoded column data, ratios) beside the targets.
//
//   build/release/bench/store/store_bench --benchmark_repetitions=3
// Sizes (defaults as in the issue) and the store directory come from the environment:
// TANDEM_BENCH_ROWS=10000000, TANDEM_BENCH_APPENDS=10000, TANDEM_BENCH_VERSIONS=100000,
// TANDEM_BENCH_DIR (default: a temporary directory, removed at exit).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "store/bench_env.h"
#include "store/buffer_cache.h"
#include "store/huge_pages.h"
#include "store/segment.h"
#include "store/synthetic_ohlcv.h"

namespace tandem::bench {
namespace {

constexpr double kMB = 1e6;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU time of this thread: on a machine shared with other jobs it shows the work itself, while
// wall time also counts the waits for a core.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Times each iteration's `body` (which returns the decoded bytes it produced) and records the
// mean per-iteration wall seconds under `name` and CPU seconds under `name` + ".cpu".
template <typename Body>
void timed(benchmark::State& state, BenchEnv& env, const std::string& name, Body body) {
  std::uint64_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  for (auto _ : state) bytes += body();
  const double iterations = static_cast<double>(state.iterations());
  const double seconds = seconds_since(start) / iterations;
  env.record(name, seconds);
  env.record(name + ".cpu", (thread_cpu_seconds() - cpu_start) / iterations);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  if (bytes > 0) state.counters["MB/s"] = static_cast<double>(bytes) / iterations / seconds / kMB;
}

// Turns the store's buffer cache off for a scope, so that what runs in it gets new memory the
// way every read did before the cache (and any read does the first time in a process).
class BufferCacheOff {
 public:
  BufferCacheOff() : saved_(store::buffer_cache::limits()) {
    store::buffer_cache::Limits off = saved_;
    off.max_bytes = 0;
    store::buffer_cache::set_limits(off);
  }
  ~BufferCacheOff() { store::buffer_cache::set_limits(saved_); }
  BufferCacheOff(const BufferCacheOff&) = delete;
  BufferCacheOff& operator=(const BufferCacheOff&) = delete;

 private:
  store::buffer_cache::Limits saved_;
};

std::uint64_t read_bytes(store::Library& library, std::string_view symbol,
                         const store::ReadOptions& options = {}) {
  store::ReadResult result = library.read(symbol, options);
  benchmark::DoNotOptimize(result.table.index().data());
  return decoded_bytes(result.table);
}

void register_benchmarks(BenchEnv& env) {
  const std::uint64_t data_bytes = env.base_bytes();

  benchmark::RegisterBenchmark("memcpy",
                               [&env, data_bytes](benchmark::State& state) {
                                 std::vector<char> source(data_bytes, 1), target(data_bytes, 0);
                                 timed(state, env, "memcpy", [&] {
                                   std::memcpy(target.data(), source.data(), data_bytes);
                                   benchmark::ClobberMemory();
                                   return data_bytes;
                                 });
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(5);

  benchmark::RegisterBenchmark("write",
                               [&env](benchmark::State& state) {
                                 // A fresh symbol each time, removed after the timed loop:
                                 // clean-up must not count as writing.
                                 int written = 0;
                                 timed(state, env, "write", [&] {
                                   env.main_library().write("written_" + std::to_string(written++),
                                                            env.base());
                                   return env.base_bytes();
                                 });
                                 for (int i = 0; i < written; ++i) {
                                   env.main_library().delete_symbol("written_" + std::to_string(i));
                                 }
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(2);

  // The codec's own ceilings, measured on the same rows in the same run: encoding the table into
  // segments (zstd level 1, the default) with no storage, and decoding those segments into
  // buffers that are already mapped (no allocation, no page faults, no storage). A store write
  // or read cannot be faster than these; the summary puts them beside write and full read.
  benchmark::RegisterBenchmark(
      "codec_encode_only",
      [&env](benchmark::State& state) {
        const store::Table& table = env.base();
        const store::StoreOptions defaults;
        timed(state, env, "codec_encode_only", [&] {
          std::uint64_t stored = 0;
          for (std::size_t begin = 0; begin < table.num_rows(); begin += defaults.segment_rows) {
            const std::size_t end = std::min(table.num_rows(), begin + defaults.segment_rows);
            stored +=
                store::encode_segment(table, begin, end, defaults.compression, defaults.zstd_level)
                    .bytes.size();
          }
          benchmark::DoNotOptimize(stored);
          return env.base_bytes();
        });
      })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(2);

  benchmark::RegisterBenchmark(
      "codec_decode_only",
      [&env](benchmark::State& state) {
        const store::Table& table = env.base();
        const store::StoreOptions defaults;
        std::vector<std::string> segments;
        for (std::size_t begin = 0; begin < table.num_rows(); begin += defaults.segment_rows) {
          const std::size_t end = std::min(table.num_rows(), begin + defaults.segment_rows);
          segments.push_back(
              store::encode_segment(table, begin, end, defaults.compression, defaults.zstd_level)
                  .bytes);
        }
        std::vector<Timestamp> index;
        std::vector<store::Column> columns;
        for (const store::Column& c : table.columns()) columns.emplace_back(c.name(), c.type());
        auto decode_all = [&] {
          for (const std::string& bytes : segments) {
            store::SegmentReader reader(bytes);
            index.clear();
            reader.decode_index(index);
            for (std::size_t i = 0; i < columns.size(); ++i) {
              std::visit([](auto& values) { values.clear(); }, columns[i].mutable_values());
              reader.decode_column(i, columns[i]);
            }
          }
          benchmark::DoNotOptimize(index.data());
          return env.base_bytes();
        };
        decode_all();  // maps the buffers, so the timed runs measure the codec alone
        timed(state, env, "codec_decode_only", decode_all);
      })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  // The floor of any read that hands out new memory: reserving the output columns as the read
  // does (huge-page advice included) and filling them from mapped memory in the decoder's chunks.
  // What a full read costs beyond the codec and this is the read path's own overhead.
  benchmark::RegisterBenchmark(
      "fresh_columns_fill",
      [&env](benchmark::State& state) {
        const store::Table& table = env.base();
        const std::size_t rows = table.num_rows();
        auto fill = [rows](auto& target, const auto& source) {
          constexpr std::size_t kChunk = 2048;
          for (std::size_t begin = 0; begin < rows; begin += kChunk) {
            const std::size_t end = std::min(rows, begin + kChunk);
            target.insert(target.end(), source.begin() + static_cast<std::ptrdiff_t>(begin),
                          source.begin() + static_cast<std::ptrdiff_t>(end));
          }
        };
        const BufferCacheOff new_memory;
        timed(state, env, "fresh_columns_fill", [&] {
          store::Table out(std::vector<Timestamp>{});
          std::vector<Timestamp>& index = out.mutable_index();
          index.reserve(rows);
          store::advise_huge_pages(index.data(), rows * sizeof(Timestamp));
          fill(index, table.index());
          for (const store::Column& c : table.columns()) {
            store::Column& column = out.mutable_columns().emplace_back(c.name(), c.type());
            column.reserve(rows);
            std::visit(
                [&](auto& values) {
                  fill(values, std::get<std::decay_t<decltype(values)>>(c.values()));
                },
                column.mutable_values());
          }
          benchmark::DoNotOptimize(out.index().data());
          return decoded_bytes(out);
        });
      })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  // The full reads start with one untimed read, as memcpy fills its buffers before timing: on
  // a virtual machine the first touch of guest memory the host has not backed yet costs a host
  // fault per page (seen here: a first read of 1.0-1.6 s, then ~160 ms each).
  benchmark::RegisterBenchmark("read_full",
                               [&env](benchmark::State& state) {
                                 env.ensure_base();
                                 read_bytes(env.main_library(), "base");
                                 timed(state, env, "read_full",
                                       [&] { return read_bytes(env.main_library(), "base"); });
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  // The same read with the buffer cache off: every result goes into new memory, which the
  // kernel must fault in and zero first (the cost the cache avoids; see buffer_cache.h).
  benchmark::RegisterBenchmark("read_full_new_memory",
                               [&env](benchmark::State& state) {
                                 env.ensure_base();
                                 const BufferCacheOff new_memory;
                                 read_bytes(env.main_library(), "base");
                                 timed(state, env, "read_full_new_memory",
                                       [&] { return read_bytes(env.main_library(), "base"); });
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  // A read loop that hands each result back (Library::read with `recycled`): the output goes
  // into memory that is already mapped, like memcpy's target, so no page is faulted or zeroed.
  benchmark::RegisterBenchmark("read_full_recycled",
                               [&env](benchmark::State& state) {
                                 env.ensure_base();
                                 store::Table table = env.main_library().read("base").table;
                                 timed(state, env, "read_full_recycled", [&] {
                                   table =
                                       env.main_library().read("base", {}, std::move(table)).table;
                                   benchmark::DoNotOptimize(table.index().data());
                                   return decoded_bytes(table);
                                 });
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  benchmark::RegisterBenchmark("read_date_range_1pct", [&env](benchmark::State& state) {
    env.ensure_base();
    const auto& index = env.base().index();
    store::ReadOptions options;
    options.start = index[index.size() * 495 / 1000];
    options.end = index[index.size() * 505 / 1000 - 1];
    timed(state, env, "read_date_range_1pct",
          [&] { return read_bytes(env.main_library(), "base", options); });
  })->Unit(benchmark::kMillisecond);

  benchmark::RegisterBenchmark(
      "read_2_of_7_columns",
      [&env](benchmark::State& state) {
        env.ensure_base();
        store::ReadOptions options;
        options.columns = std::vector<std::string>{"close"};  // + the timestamp index
        timed(state, env, "read_2_of_7_columns",
              [&] { return read_bytes(env.main_library(), "base", options); });
      })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  benchmark::RegisterBenchmark(
      "append_one_row_x10000",
      [&env](benchmark::State& state) {
        std::vector<double> latencies;
        double total = 0;
        for (auto _ : state) {
          state.PauseTiming();  // the fresh 10M-row symbol is set up inside write_and_append
          state.ResumeTiming();
          env.write_and_append(latencies);
          for (double l : latencies) total += l;
        }
        std::sort(latencies.begin(), latencies.end());
        const double appends = static_cast<double>(latencies.size());
        const double p50 = latencies[latencies.size() / 2];
        const double p99 = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
        state.counters["appends/s"] = appends / total;
        state.counters["p50_us"] = p50 * 1e6;
        state.counters["p99_us"] = p99 * 1e6;
        env.record("append.mean", total / appends);
        env.record("append.p50", p50);
        env.record("append.p99", p99);
      })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);

  benchmark::RegisterBenchmark(
      "read_after_appends_uncompacted",
      [&env](benchmark::State& state) {
        env.ensure_appended_and_compacted();
        store::ReadOptions options;
        options.as_of = store::AsOf::version(env.uncompacted_version());
        timed(state, env, "read_after_appends_uncompacted",
              [&] { return read_bytes(env.main_library(), env.appended_symbol(), options); });
      })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  benchmark::RegisterBenchmark("read_after_appends_compacted",
                               [&env](benchmark::State& state) {
                                 env.ensure_appended_and_compacted();
                                 timed(state, env, "read_after_appends_compacted", [&] {
                                   return read_bytes(env.main_library(), env.appended_symbol());
                                 });
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  benchmark::RegisterBenchmark("read_same_rows_written_in_one_go",
                               [&env](benchmark::State& state) {
                                 env.ensure_one_go();
                                 timed(state, env, "read_same_rows_written_in_one_go",
                                       [&] { return read_bytes(env.main_library(), "one_go"); });
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);

  // After config.versions one-row appends ("many") vs after 10 ("few").
  for (const char* symbol : {"many", "few"}) {
    const std::string sym = symbol;
    benchmark::RegisterBenchmark(
        ("append_one_row/" + sym).c_str(),
        [&env, sym](benchmark::State& state) {
          env.ensure_versions();
          const Timestamp last = env.versions_library().read(sym, {.tail = 1}).table.index().at(0);
          std::vector<store::Table> rows;
          for (std::int64_t i = 0; i < state.max_iterations; ++i) {
            store::Table row = synthetic_ohlcv(1, 0, static_cast<std::uint64_t>(i));
            row.mutable_index()[0] = last + (i + 1) * kMinute;
            rows.push_back(std::move(row));
          }
          std::size_t next = 0;
          timed(state, env, "append_one_row/" + sym, [&] {
            env.versions_library().append(sym, rows[next++]);
            return std::uint64_t{0};
          });
        })
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(200);
    benchmark::RegisterBenchmark(("tail_1/" + sym).c_str(), [&env, sym](benchmark::State& state) {
      env.ensure_versions();
      store::ReadOptions options;
      options.tail = 1;
      timed(state, env, "tail_1/" + sym,
            [&] { return read_bytes(env.versions_library(), sym, options); });
    })->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("list_versions_first_page/" + sym).c_str(),
                                 [&env, sym](benchmark::State& state) {
                                   env.ensure_versions();
                                   timed(state, env, "list_versions_first_page/" + sym, [&] {
                                     auto page = env.versions_library().list_versions(sym);
                                     benchmark::DoNotOptimize(page.data());
                                     return std::uint64_t{0};
                                   });
                                 })
        ->Unit(benchmark::kMicrosecond);
  }

  // Durability's price: the same one-row append with every commit fsynced (the default).
  benchmark::RegisterBenchmark("append_one_row_fsync",
                               [&env](benchmark::State& state) {
                                 std::vector<store::Table> rows;
                                 for (std::int64_t i = 0; i < state.max_iterations; ++i) {
                                   store::Table row =
                                       synthetic_ohlcv(1, 0, static_cast<std::uint64_t>(i));
                                   row.mutable_index()[0] = kBenchEpoch + i * kMinute;
                                   rows.push_back(std::move(row));
                                 }
                                 std::size_t next = 0;
                                 if (env.durable_library().has_symbol("d"))
                                   env.durable_library().delete_symbol("d");
                                 timed(state, env, "append_one_row_fsync", [&] {
                                   env.durable_library().append("d", rows[next++]);
                                   return std::uint64_t{0};
                                 });
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(100);
}

// One summary line: the figure from wall time and from thread CPU time, and whether each meets
// the target (`meets` is nullptr where there is none).
void line(const std::string& what, double wall, double cpu, const char* unit, const char* target,
          bool (*meets)(double)) {
  auto verdict = [&](double v) -> const char* {
    if (meets == nullptr) return "";
    if (std::isnan(v)) return "not run";
    return meets(v) ? "met" : "MISSED";
  };
  auto figure = [](double v) {
    char text[32];
    if (std::isnan(v)) {
      std::snprintf(text, sizeof text, "%11s", "-");
    } else {
      std::snprintf(text, sizeof text, "%11.3f", v);
    }
    return std::string(text);
  };
  std::printf("  %-50s %s %-7s %-6s %s %-7s %-6s %s\n", what.c_str(), figure(wall).c_str(), unit,
              verdict(wall), figure(cpu).c_str(), unit, verdict(cpu), target);
}

void print_summary(BenchEnv& env) {
  const double bytes = static_cast<double>(env.base_bytes());
  const double appended_bytes = bytes + static_cast<double>(decoded_bytes(env.extra()));
  std::printf(
      "\nSummary: medians over repetitions; %zu rows, %.0f MB of decoded column data "
      "(MB = 1e6 bytes)\n  %-50s %-26s %-26s %s\n",
      env.config().rows, bytes / kMB, "", "from wall time", "from thread CPU time", "target");
  auto both = [&](const std::string& name, auto figure) {
    return std::pair{figure(env.median(name)), figure(env.median(name + ".cpu"))};
  };
  auto rate = [&](const std::string& name, double amount) {
    return both(name, [=](double s) { return amount / s / kMB; });
  };
  auto ratio = [&](const std::string& a, const std::string& b) {
    return std::pair{env.median(a) / env.median(b),
                     env.median(a + ".cpu") / env.median(b + ".cpu")};
  };
  auto show = [&](const std::string& what, std::pair<double, double> v, const char* unit,
                  const char* target,
                  bool (*meets)(double)) { line(what, v.first, v.second, unit, target, meets); };

  const auto memcpy_mbs = rate("memcpy", bytes);
  const auto read_mbs = rate("read_full", bytes);
  const auto recycled_mbs = rate("read_full_recycled", bytes);
  const auto new_memory_mbs = rate("read_full_new_memory", bytes);
  show("memcpy bandwidth (bytes copied)", memcpy_mbs, "MB/s", "(reference)", nullptr);
  show("write", rate("write", bytes), "MB/s", ">= 300 MB/s", [](double v) { return v >= 300; });
  show("  codec alone: encode into segments (ceiling)", rate("codec_encode_only", bytes), "MB/s",
       "", nullptr);
  show("full read", read_mbs, "MB/s", ">= 1000 MB/s", [](double v) { return v >= 1000; });
  show("  codec alone: decode into mapped buffers (ceiling)", rate("codec_decode_only", bytes),
       "MB/s", "", nullptr);
  show("  fresh output memory alone: fill new columns (floor)", rate("fresh_columns_fill", bytes),
       "MB/s", "", nullptr);
  show("full read, buffer cache off (new memory each time)", new_memory_mbs, "MB/s", ">= 1000 MB/s",
       [](double v) { return v >= 1000; });
  show("full read into a recycled table (output memory mapped)", recycled_mbs, "MB/s",
       ">= 1000 MB/s", [](double v) { return v >= 1000; });
  show("full read / memcpy",
       {read_mbs.first / memcpy_mbs.first * 100, read_mbs.second / memcpy_mbs.second * 100}, "%",
       ">= 25 %", [](double v) { return v >= 25; });
  show("full read, buffer cache off / memcpy",
       {new_memory_mbs.first / memcpy_mbs.first * 100,
        new_memory_mbs.second / memcpy_mbs.second * 100},
       "%", "", nullptr);
  show("full read into a recycled table / memcpy",
       {recycled_mbs.first / memcpy_mbs.first * 100, recycled_mbs.second / memcpy_mbs.second * 100},
       "%", ">= 25 %", [](double v) { return v >= 25; });
  const auto range = ratio("read_date_range_1pct", "read_full");
  show("1% date_range read / full read", {range.first * 100, range.second * 100}, "%", "<= 3 %",
       [](double v) { return v <= 3; });
  show("2 of 7 columns (timestamp + close)", rate("read_2_of_7_columns", bytes * 2 / 7), "MB/s", "",
       nullptr);
  line("one-row appends to the 10M-row symbol (sync=0)", 1 / env.median("append.mean"), NAN, "/s",
       "", nullptr);
  line("  p50 latency", env.median("append.p50") * 1e6, NAN, "us", "", nullptr);
  line("  p99 latency", env.median("append.p99") * 1e6, NAN, "us", "", nullptr);
  show("one-row append with fsync (sync=1, the default)",
       both("append_one_row_fsync", [](double s) { return 1 / s; }), "/s", "", nullptr);
  show("read after appends, before compaction",
       rate("read_after_appends_uncompacted", appended_bytes), "MB/s", "", nullptr);
  show("read after appends, after compaction", rate("read_after_appends_compacted", appended_bytes),
       "MB/s", "", nullptr);
  show("read of the same rows written in one go",
       rate("read_same_rows_written_in_one_go", appended_bytes), "MB/s", "", nullptr);
  show("before compaction / one go",
       ratio("read_after_appends_uncompacted", "read_same_rows_written_in_one_go"), "x", "",
       nullptr);
  show("after compaction / one go",
       ratio("read_after_appends_compacted", "read_same_rows_written_in_one_go"), "x", "<= 1.5x",
       [](double v) { return v <= 1.5; });
  const std::string many = std::to_string(env.config().versions);
  for (const char* op : {"append_one_row", "tail_1", "list_versions_first_page"}) {
    const std::string name = op;
    show(name + " after " + many + " versions",
         both(name + "/many", [](double s) { return s * 1e6; }), "us", "", nullptr);
    show(name + " after 10 versions", both(name + "/few", [](double s) { return s * 1e6; }), "us",
         "", nullptr);
    show("  ratio", ratio(name + "/many", name + "/few"), "x", "<= 2x",
         [](double v) { return v <= 2; });
  }
  for (const auto& [name, value] : env.notes) std::printf("  %-50s %11.3f\n", name.c_str(), value);
}

}  // namespace
}  // namespace tandem::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  tandem::bench::BenchEnv env(tandem::bench::BenchConfig::from_environment());
  tandem::bench::register_benchmarks(env);
  benchmark::RunSpecifiedBenchmarks();
  tandem::bench::print_summary(env);
  benchmark::Shutdown();
  return 0;
}
