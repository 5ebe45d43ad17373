// The report of a large account (issue 5): 10 strategies, 20 years of daily rows (5,040 business
// days), 100,000 fills (and 200,000 order events, 50,000 round trips, 100,000 portfolio rows).
// Targets: the whole report (read from the store, figures, HTML) in <= 1 s; HTML <= 5 MB.
//
//   report_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//       BM_ReportFromLmdb     Store::open + load_account + analyze + render_html (the work of
//                             `tandem report`, minus process start and writing the file)
//       BM_Load / BM_Analyze / BM_RenderHtml / BM_RenderJson   the parts on their own
//       BM_LoadEveryRow       loading all 200,000 order events and 100,000 fills as rows
//   Counter html_bytes: the page's size.
//
//   report_bench --write-store DIR   writes the account into lmdb://DIR and exits, for timing
//                                    the command itself:
//       time tandem --store lmdb://DIR report BT_20240131_120000 --benchmark SPY.1d --out r.html
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>

#include "report/report.h"
#include "store/store.h"
#include "synthetic_account.h"
#include "synthetic_store.h"

namespace tandem::report {
namespace {

testing::SyntheticSpec large_spec() {
  testing::SyntheticSpec spec;
  spec.strategies = 10;
  spec.days = 5040;
  spec.fills = 100'000;
  spec.initial_equity_per_strategy = 1'000'000;
  return spec;
}

const AccountData& large_account() {
  static const AccountData data = testing::synthetic_account(large_spec());
  return data;
}

// The account in an LMDB store under /tmp, written once per process and removed at exit.
class LmdbAccount {
 public:
  LmdbAccount()
      : dir_(std::filesystem::temp_directory_path() /
             ("tandem-report-bench-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    auto store = store::Store::open(uri());
    testing::store_account(*store, large_account());
  }
  ~LmdbAccount() { std::filesystem::remove_all(dir_); }
  std::string uri() const { return "lmdb://" + dir_.string(); }

 private:
  std::filesystem::path dir_;
};

const LmdbAccount& lmdb_account() {
  static const LmdbAccount account;
  return account;
}

// As `tandem report` loads for a page: order and fill rows only for the latest 2,000 of each.
const LoadOptions kLoad{.benchmark = "SPY.1d", .latest_orders = 2000, .latest_fills = 2000};
const LoadOptions kLoadEverything{.benchmark = "SPY.1d"};

void BM_ReportFromLmdb(benchmark::State& state) {
  const std::string uri = lmdb_account().uri();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto store = store::Store::open(uri);
    AccountData data = load_account(*store, large_account().account_id, kLoad);
    AccountReport report = analyze(data, {});
    std::string html = render_html(data, report);
    bytes = html.size();
    benchmark::DoNotOptimize(html.data());
  }
  state.counters["html_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ReportFromLmdb)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Load(benchmark::State& state) {
  const std::string uri = lmdb_account().uri();
  auto store = store::Store::open(uri);
  for (auto _ : state) {
    AccountData data = load_account(*store, large_account().account_id, kLoad);
    benchmark::DoNotOptimize(data.fills.data());
  }
}
BENCHMARK(BM_Load)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LoadEveryRow(benchmark::State& state) {
  const std::string uri = lmdb_account().uri();
  auto store = store::Store::open(uri);
  for (auto _ : state) {
    AccountData data = load_account(*store, large_account().account_id, kLoadEverything);
    benchmark::DoNotOptimize(data.fills.data());
  }
}
BENCHMARK(BM_LoadEveryRow)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Analyze(benchmark::State& state) {
  const AccountData& data = large_account();
  for (auto _ : state) {
    AccountReport report = analyze(data, {});
    benchmark::DoNotOptimize(report.returns.sharpe);
  }
}
BENCHMARK(BM_Analyze)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RenderHtml(benchmark::State& state) {
  const AccountData& data = large_account();
  AccountReport report = analyze(data, {});
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string html = render_html(data, report);
    bytes = html.size();
    benchmark::DoNotOptimize(html.data());
  }
  state.counters["html_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderHtml)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RenderJson(benchmark::State& state) {
  AccountReport report = analyze(large_account(), {});
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string json = render_json(report);
    bytes = json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.counters["json_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderJson)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tandem::report

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-store") == 0) {
    auto store = tandem::store::Store::open(std::string("lmdb://") + argv[2]);
    tandem::report::testing::store_account(*store, tandem::report::large_account());
    std::cout << "wrote account " << tandem::report::large_account().account_id << " to lmdb://"
              << argv[2] << "\n";
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
