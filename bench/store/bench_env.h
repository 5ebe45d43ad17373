// Shared state of the store benchmarks: the stores (in a temporary directory), the 10M-row table,
// the derived symbols each benchmark needs (built once, on first use), and the timings the final
// summary turns into the target ratios.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace tandem::bench {

struct BenchConfig {
  std::size_t rows = 10'000'000;    // TANDEM_BENCH_ROWS
  std::size_t appends = 10'000;     // TANDEM_BENCH_APPENDS
  std::size_t versions = 100'000;   // TANDEM_BENCH_VERSIONS
  std::filesystem::path directory;  // TANDEM_BENCH_DIR (default: a fresh temporary directory)
  static BenchConfig from_environment();
};

class BenchEnv {
 public:
  explicit BenchEnv(BenchConfig config);
  ~BenchEnv();

  const BenchConfig& config() const { return config_; }

  // lmdb://DIR/main?sync=0, automatic compaction off (so "before compaction" is the worst case).
  store::Library& main_library() { return *main_library_; }
  // lmdb://DIR/versions?sync=0 with default options (automatic compaction on).
  store::Library& versions_library() { return *versions_library_; }
  // lmdb://DIR/durable (sync=1, the default: every commit is fsynced).
  store::Library& durable_library() { return *durable_library_; }

  const store::Table& base() const { return base_; }    // config.rows rows
  const store::Table& extra() const { return extra_; }  // config.appends rows after base
  std::uint64_t base_bytes() const { return base_bytes_; }

  // Symbol "base" = base(), written once.
  void ensure_base();
  // A fresh symbol holding base() followed by extra() appended one row at a time; returns its
  // name and fills `latencies_seconds` (one per append).
  std::string write_and_append(std::vector<double>& latencies_seconds);
  // "appended": base + extra appended row by row, then compacted. uncompacted_version() is the
  // version before compaction (reads as_of it see one segment per appended row).
  void ensure_appended_and_compacted();
  const std::string& appended_symbol() const { return appended_symbol_; }
  std::uint64_t uncompacted_version() const { return uncompacted_version_; }
  // "one_go": the same rows as "appended", written in one write.
  void ensure_one_go();
  // "many" after config.versions one-row appends; "few" after 10.
  void ensure_versions();

  // Per-iteration seconds of each named measurement (one entry per repetition).
  void record(const std::string& name, double seconds) { timings_[name].push_back(seconds); }
  double median(const std::string& name) const;  // NaN if never recorded
  std::map<std::string, double> notes;           // extra figures for the summary

 private:
  BenchConfig config_;
  bool owns_directory_ = false;
  std::unique_ptr<store::Store> main_store_, versions_store_, durable_store_;
  std::optional<store::Library> main_library_, versions_library_, durable_library_;
  store::Table base_, extra_;
  std::uint64_t base_bytes_ = 0;
  bool base_written_ = false, one_go_written_ = false, versions_written_ = false;
  std::string appended_symbol_;
  std::uint64_t uncompacted_version_ = 0;
  std::size_t append_runs_ = 0;
  std::map<std::string, std::vector<double>> timings_;
};

}  // namespace tandem::bench
