// Market data (issue 9): `tandem data import` and `tandem data download` throughput.
//
//   build/release/bench/data/market_data_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true       (one command line)
//
// import/bar_csv      market_data::read_bar_csv of a generated 10,000,000-row OHLCV file (ISO-8601
//                     minute timestamps, ~60 bytes a row, from the page cache): parse, type and
//                     validate every bar — the CPU part of an import, one thread.
// import/to_store     market_data::import_csv of the same file into a fresh mem:// store: the
//                     whole `tandem data import` (read, validate, compress, write).
// download/1min_30d   market_data::download of 30 days of 1-minute bars (22 weekdays x 390) from
//                     a paper gateway on loopback with pacing lifted on both sides: pages/s and
//                     bars/s over the whole run (connect excluded).
// TANDEM_BENCH_CSV_ROWS (default 10000000) sets the file size; TANDEM_BENCH_DIR where it goes.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "csv/csv.h"
#include "gateway/gateway.h"
#include "market_data/bar_csv.h"
#include "market_data/market_data.h"
#include "store/store.h"
#include "store/synthetic_ohlcv.h"

namespace {

namespace fs = std::filesystem;
using tandem::Timestamp;

struct CsvFile {
  fs::path directory;
  fs::path path;
  std::size_t rows = 0;
  bool owns_directory = false;

  CsvFile() {
    const char* rows_text = std::getenv("TANDEM_BENCH_CSV_ROWS");
    rows = rows_text != nullptr ? std::strtoull(rows_text, nullptr, 10) : 10'000'000;
    if (const char* dir = std::getenv("TANDEM_BENCH_DIR"); dir != nullptr && *dir != '\0') {
      directory = dir;
      fs::create_directories(directory);
    } else {
      std::string pattern = (fs::temp_directory_path() / "tandem_md_bench_XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) throw tandem::Error("mkdtemp failed", pattern);
      directory = pattern;
      owns_directory = true;
    }
    path = directory / "bars.csv";
    std::ofstream out(path, std::ios::binary);
    constexpr std::size_t kSlice = 1'000'000;
    for (std::size_t first = 0; first < rows; first += kSlice) {
      const std::size_t n = std::min(kSlice, rows - first);
      tandem::csv::write_csv(tandem::bench::synthetic_ohlcv(n, first), out,
                             tandem::csv::WriteOptions{.delimiter = ',', .header = first == 0});
    }
  }
  ~CsvFile() {
    if (owns_directory) {
      std::error_code ignored;
      fs::remove_all(directory, ignored);
    }
  }
};

// CPU time of this thread: on the shared 2-core machine wall time also counts other processes.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void rows_per_second(benchmark::State& state, std::size_t rows, double seconds,
                     double cpu_seconds) {
  state.counters["rows/s"] = static_cast<double>(rows) / seconds;
  state.counters["rows/s_cpu"] = static_cast<double>(rows) / cpu_seconds;
}

void bench_read_bar_csv(benchmark::State& state, const CsvFile& file) {
  double seconds = 0;
  double cpu = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    tandem::market_data::BarCsv parsed = tandem::market_data::read_bar_csv(file.path);
    cpu += thread_cpu_seconds() - cpu_start;
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (parsed.bars.num_rows() != file.rows) state.SkipWithError("row count differs");
  }
  rows_per_second(state, file.rows * state.iterations(), seconds, cpu);
}

void bench_import_to_store(benchmark::State& state, const CsvFile& file) {
  double seconds = 0;
  double cpu = 0;
  for (auto _ : state) {
    auto store = tandem::store::Store::open("mem://");
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    tandem::market_data::ImportOptions options;
    options.symbol = "BENCH";
    options.bar_size = "1min";
    const auto result = tandem::market_data::import_csv(*store, {file.path}, options);
    cpu += thread_cpu_seconds() - cpu_start;
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.rows_written != file.rows) state.SkipWithError("row count differs");
  }
  rows_per_second(state, file.rows * state.iterations(), seconds, cpu);
}

// 22 weekdays x 390 regular-hours minutes from 2024-02-05.
tandem::store::Table minute_bars(std::size_t& count) {
  std::vector<Timestamp> time;
  std::vector<double> open, high, low, close, volume;
  const Timestamp first_day = *tandem::parse_timestamp("2024-02-05");
  int days = 0;
  for (Timestamp day = first_day; days < 22; day += tandem::kNanosPerDay) {
    const auto weekday = (day / tandem::kNanosPerDay + 4) % 7;
    if (weekday == 0 || weekday == 6) continue;
    ++days;
    for (int minute = 0; minute < 390; ++minute) {
      const double price = 100 + std::sin(static_cast<double>(time.size()) * 0.01);
      time.push_back(day + (14 * 3600 + 30 * 60 + minute * 60) * tandem::kNanosPerSecond);
      open.push_back(price);
      high.push_back(price + 0.2);
      low.push_back(price - 0.2);
      close.push_back(price + 0.1);
      volume.push_back(1000);
    }
  }
  count = time.size();
  tandem::store::Table table(std::move(time));
  table.with(tandem::store::Column::of_float64("open", std::move(open)))
      .with(tandem::store::Column::of_float64("high", std::move(high)))
      .with(tandem::store::Column::of_float64("low", std::move(low)))
      .with(tandem::store::Column::of_float64("close", std::move(close)))
      .with(tandem::store::Column::of_float64("volume", std::move(volume)));
  return table;
}

void bench_download(benchmark::State& state) {
  static std::atomic<int> counter{0};
  const std::string uri = "mem://market-data-bench-" + std::to_string(counter++);
  auto source_store = tandem::store::Store::open(uri);
  std::size_t bars = 0;
  source_store->library("market_data").write("QQQ.1min", minute_bars(bars));
  tandem::gateway::GatewayOptions options;
  options.port = 0;
  options.store_uri = uri;
  options.bar_size = "1min";
  options.enforce_pacing = false;
  auto gateway = tandem::gateway::Gateway::start(options);
  tandem::market_data::IbConnection connection;
  connection.port = gateway->port();
  connection.client_id = 5;
  auto source = tandem::market_data::connect_ib(connection);
  tandem::market_data::DownloadOptions download;
  download.bar_size = "1min";
  download.pacing = tandem::ib::PacingPolicy::parse("off");
  double seconds = 0;
  std::size_t pages = 0;
  std::size_t stored = 0;
  for (auto _ : state) {
    auto store = tandem::store::Store::open("mem://");
    const auto start = std::chrono::steady_clock::now();
    const auto summary = tandem::market_data::download(*store, *source, {"QQQ"}, download);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!summary.ok() || summary.bars_added != bars) state.SkipWithError("download incomplete");
    pages += static_cast<std::size_t>(summary.pages);
    stored += summary.bars_added;
  }
  state.counters["pages/s"] = static_cast<double>(pages) / seconds;
  state.counters["bars/s"] = static_cast<double>(stored) / seconds;
  state.counters["pages"] = static_cast<double>(pages) / static_cast<double>(state.iterations());
  gateway->stop();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const CsvFile file;
  std::printf("%s: %zu rows, %.1f MB\n", file.path.c_str(), file.rows,
              static_cast<double>(fs::file_size(file.path)) / 1e6);
  benchmark::RegisterBenchmark("import/bar_csv",
                               [&](benchmark::State& s) { bench_read_bar_csv(s, file); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("import/to_store",
                               [&](benchmark::State& s) { bench_import_to_store(s, file); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("download/1min_30d", bench_download)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
