#include "store/bench_env.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/error.h"
#include "store/synthetic_ohlcv.h"

namespace tandem::bench {
namespace {

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return static_cast<std::size_t>(std::strtoull(text, nullptr, 10));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::unique_ptr<store::Store> open_store(const std::filesystem::path& path, std::string_view query,
                                         std::size_t compaction_threshold) {
  store::StoreOptions options;
  options.compaction_threshold = compaction_threshold;
  return store::Store::open("lmdb://" + path.string() + std::string(query), options);
}

}  // namespace

BenchConfig BenchConfig::from_environment() {
  BenchConfig config;
  config.rows = env_size("TANDEM_BENCH_ROWS", config.rows);
  config.appends = env_size("TANDEM_BENCH_APPENDS", config.appends);
  config.versions = env_size("TANDEM_BENCH_VERSIONS", config.versions);
  if (const char* dir = std::getenv("TANDEM_BENCH_DIR"); dir != nullptr && *dir != '\0') {
    config.directory = dir;
  }
  return config;
}

BenchEnv::BenchEnv(BenchConfig config) : config_(std::move(config)) {
  if (config_.directory.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "tandem_bench_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw Error("mkdtemp failed", pattern);
    config_.directory = pattern;
    owns_directory_ = true;
  }
  const store::StoreOptions defaults;
  main_store_ = open_store(config_.directory / "main", "?sync=0", 0);
  versions_store_ =
      open_store(config_.directory / "versions", "?sync=0", defaults.compaction_threshold);
  durable_store_ = open_store(config_.directory / "durable", "", defaults.compaction_threshold);
  main_library_ = main_store_->library("bench");
  versions_library_ = versions_store_->library("bench");
  durable_library_ = durable_store_->library("bench");
  base_ = synthetic_ohlcv(config_.rows);
  extra_ = synthetic_ohlcv(config_.appends, config_.rows);
  base_bytes_ = decoded_bytes(base_);
}

BenchEnv::~BenchEnv() {
  main_library_.reset();
  versions_library_.reset();
  durable_library_.reset();
  main_store_.reset();
  versions_store_.reset();
  durable_store_.reset();
  if (owns_directory_) {
    std::error_code ignored;
    std::filesystem::remove_all(config_.directory, ignored);
  }
}

void BenchEnv::ensure_base() {
  if (base_written_) return;
  main_library().write("base", base_);
  base_written_ = true;
}

std::string BenchEnv::write_and_append(std::vector<double>& latencies_seconds) {
  const std::string symbol = "appended_" + std::to_string(append_runs_++);
  main_library().write(symbol, base_);
  latencies_seconds.clear();
  latencies_seconds.reserve(extra_.num_rows());
  for (std::size_t row = 0; row < extra_.num_rows(); ++row) {
    const store::Table one_row = extra_.slice(row, row + 1);
    const auto start = std::chrono::steady_clock::now();
    main_library().append(symbol, one_row);
    latencies_seconds.push_back(seconds_since(start));
  }
  return symbol;
}

void BenchEnv::ensure_appended_and_compacted() {
  if (!appended_symbol_.empty()) return;
  std::vector<double> latencies;
  appended_symbol_ = write_and_append(latencies);
  uncompacted_version_ = main_library().list_versions(appended_symbol_, 1).at(0).version;
  notes["appended.segments_before_compaction"] =
      static_cast<double>(main_library().stats(appended_symbol_).segments);
  const auto start = std::chrono::steady_clock::now();
  const store::CompactResult result = main_library().compact(appended_symbol_);
  notes["compact.seconds"] = seconds_since(start);
  notes["appended.segments_after_compaction"] = static_cast<double>(result.segments_after);
}

void BenchEnv::ensure_one_go() {
  if (one_go_written_) return;
  main_library().write("one_go", store::Table::concat({base_, extra_}));
  notes["one_go.segments"] = static_cast<double>(main_library().stats("one_go").segments);
  one_go_written_ = true;
}

void BenchEnv::ensure_versions() {
  if (versions_written_) return;
  // Timestamps far from the synthetic data's, one minute apart.
  const store::Table rows = synthetic_ohlcv(config_.versions + 10, 0, 7);
  std::fprintf(stderr, "building %zu one-row appends to one symbol...\n", config_.versions);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < config_.versions; ++i) {
    versions_library().append("many", rows.slice(i, i + 1));
  }
  notes["many.build_appends_per_second"] =
      static_cast<double>(config_.versions) / seconds_since(start);
  for (std::size_t i = 0; i < 10; ++i) versions_library().append("few", rows.slice(i, i + 1));
  notes["many.segments"] = static_cast<double>(versions_library().stats("many").segments);
  notes["few.segments"] = static_cast<double>(versions_library().stats("few").segments);
  versions_written_ = true;
}

double BenchEnv::median(const std::string& name) const {
  auto it = timings_.find(name);
  if (it == timings_.end() || it->second.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> values = it->second;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace tandem::bench
