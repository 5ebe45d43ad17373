// CSV import speed (issue 9 target: >= 2,000,000 rows/s on a 10,000,000-row file, one thread):
// tandem::csv::read_csv of a generated OHLCV file (ISO-8601 minute timestamps, prices with two
// decimals, integer volume — ~60 bytes a row), from the page cache.
//
//   build/release/bench/data/csv_import_bench --benchmark_repetitions=3
// TANDEM_BENCH_CSV_ROWS (default 10000000) sets the size; TANDEM_BENCH_DIR where the file goes
// (default: a temporary directory, removed at exit).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "csv/csv.h"
#include "store/synthetic_ohlcv.h"

namespace {

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

struct CsvFile {
  std::filesystem::path directory;
  std::filesystem::path path;
  std::size_t rows = 0;
  std::uintmax_t bytes = 0;
  bool owns_directory = false;

  CsvFile() {
    const char* rows_text = std::getenv("TANDEM_BENCH_CSV_ROWS");
    rows = rows_text != nullptr ? std::strtoull(rows_text, nullptr, 10) : 10'000'000;
    if (const char* dir = std::getenv("TANDEM_BENCH_DIR"); dir != nullptr && *dir != '\0') {
      directory = dir;
      std::filesystem::create_directories(directory);
    } else {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "tandem_csv_bench_XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) throw tandem::Error("mkdtemp failed", pattern);
      directory = pattern;
      owns_directory = true;
    }
    path = directory / "ohlcv.csv";
    std::ofstream out(path, std::ios::binary);
    // Written in slices so the generator's table stays small.
    constexpr std::size_t kSlice = 1'000'000;
    for (std::size_t first = 0; first < rows; first += kSlice) {
      const std::size_t n = std::min(kSlice, rows - first);
      tandem::csv::write_csv(tandem::bench::synthetic_ohlcv(n, first), out,
                             tandem::csv::WriteOptions{.delimiter = ',', .header = first == 0});
    }
    out.close();
    bytes = std::filesystem::file_size(path);
  }
  ~CsvFile() {
    if (owns_directory) {
      std::error_code ignored;
      std::filesystem::remove_all(directory, ignored);
    }
  }
};

void read_csv_benchmark(benchmark::State& state, const CsvFile& file, bool forced_types) {
  tandem::csv::ReadOptions options;
  if (forced_types) {
    options.types = tandem::csv::parse_type_overrides(
        "open=float64,high=float64,low=float64,close=float64,vwap=float64,volume=int64");
  }
  std::size_t rows = 0;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  for (auto _ : state) {
    tandem::store::Table table = tandem::csv::read_csv(file.path, options);
    rows += table.num_rows();
    benchmark::DoNotOptimize(table.index().data());
  }
  const double iterations = static_cast<double>(state.iterations());
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / iterations;
  const double cpu = (thread_cpu_seconds() - cpu_start) / iterations;
  state.SetBytesProcessed(static_cast<std::int64_t>(file.bytes) * state.iterations());
  state.counters["rows/s"] = static_cast<double>(rows) / iterations / wall;
  state.counters["rows/s_cpu"] = static_cast<double>(rows) / iterations / cpu;
  state.counters["MB/s"] = static_cast<double>(file.bytes) / wall / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const CsvFile file;
  std::printf("%s: %zu rows, %.1f MB\n", file.path.c_str(), file.rows,
              static_cast<double>(file.bytes) / 1e6);
  benchmark::RegisterBenchmark(
      "read_csv/inferred_types",
      [&](benchmark::State& state) { read_csv_benchmark(state, file, false); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  benchmark::RegisterBenchmark(
      "read_csv/given_types",
      [&](benchmark::State& state) { read_csv_benchmark(state, file, true); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
