// --keep-accounts: parsing, the kept libraries' names, and best:K — the K best runs of a
// complete sweep recorded again with their account libraries, listed once in kept_accounts.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/error.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"
#include "sweep/sweep_run.h"

namespace tandem::sweep {
namespace {

constexpr int kMaxConflicts = 1000;

struct Kept {
  std::optional<std::uint64_t> version;
  std::set<std::int64_t> runs;
};

Kept read_kept(const store::Library& library) {
  Kept kept;
  if (!library.has_symbol(kKeptAccountsSymbol)) return kept;
  const store::ReadResult result = library.read(kKeptAccountsSymbol);
  kept.version = result.version;
  for (std::int64_t run : result.table.int64s("run")) kept.runs.insert(run);
  return kept;
}

}  // namespace

KeepAccounts KeepAccounts::parse(std::string_view text) {
  KeepAccounts keep;
  if (text.empty() || text == "none") return keep;
  if (text == "all") {
    keep.mode = Mode::kAll;
    return keep;
  }
  if (text.starts_with("best:")) {
    const std::string_view number = text.substr(5);
    std::size_t k = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), k);
    if (ec == std::errc() && end == number.data() + number.size() && k > 0) {
      keep.mode = Mode::kBest;
      keep.best = k;
      return keep;
    }
  }
  throw Error(ErrorKind::InvalidArgument,
              fmt::format("'{}': give none, all or best:K with K >= 1", text), "keep_accounts");
}

std::string KeepAccounts::text() const {
  switch (mode) {
    case Mode::kNone:
      return "none";
    case Mode::kAll:
      return "all";
    case Mode::kBest:
      return fmt::format("best:{}", best);
  }
  return "none";
}

std::string kept_account_name(std::string_view id, std::int64_t run) {
  return fmt::format("BT_SWEEP_{}_{}", id, run);
}

std::string create_kept_account(store::Store& store, std::string_view id, std::int64_t run) {
  const std::string base = kept_account_name(id, run);
  // A name already taken is an earlier attempt at the run (a process that died before recording
  // it, or another process given the same shard): this attempt gets the next free suffix.
  for (int attempt = 1; attempt <= 1000; ++attempt) {
    const std::string name = attempt == 1 ? base : fmt::format("{}_{}", base, attempt);
    if (store.has_library(name)) continue;
    try {
      store.create_library(name);
      return name;
    } catch (const Error&) {
      if (!store.has_library(name)) throw;  // a real failure, not a lost race
    }
  }
  throw Error(ErrorKind::Conflict, "more than 1000 account libraries for one run", base);
}

std::size_t keep_best_accounts(store::Store& store, store::Library& library,
                               const SweepContext& context, const SweepSpec& spec,
                               std::size_t combinations) {
  if (spec.keep_accounts.mode != KeepAccounts::Mode::kBest) return 0;
  const RecordedRuns recorded = read_recorded(library);
  const auto names = metric_names();
  const auto metric =
      static_cast<std::size_t>(std::find(names.begin(), names.end(), spec.metric) - names.begin());
  std::vector<std::pair<std::optional<double>, std::int64_t>> ranked;  // (metric, run)
  for (std::size_t i = 0; i < recorded.table.num_rows(); ++i) {
    const RunRow row = row_at(recorded.table, i);
    if (row.phase == kPhaseFull) ranked.emplace_back(row.metrics.at(metric), row.run);
  }
  if (ranked.size() < combinations) return 0;  // other shards are still running
  // Highest first; a missing value ranks last; ties go to the lower run number.
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
    if (a.first && *a.first != *b.first) return *a.first > *b.first;
    return a.second < b.second;
  });
  ranked.resize(std::min(ranked.size(), spec.keep_accounts.best));
  std::size_t kept_here = 0;
  for (const auto& [value, run] : ranked) {
    if (read_kept(library).runs.count(run) != 0) continue;
    const std::string account = create_kept_account(store, spec.sweep_id, run);
    const RunRow row = context.run_in_sample(static_cast<std::size_t>(run), &account);
    for (int attempt = 0;; ++attempt) {
      const Kept kept = read_kept(library);
      if (kept.runs.count(run) != 0) {  // another process kept it first
        store.delete_library(account);
        break;
      }
      store::Table table(std::vector<Timestamp>{now_utc()});
      table.with(store::Column::of_int64("run", {run}))
          .with(store::Column::of_int64("combination", {row.combination}))
          .with(store::Column::of_string("account", {account}))
          .with(store::Column::of_string("metric", {spec.metric}));
      store::Column value_column = store::Column::of_float64("value", {value.value_or(0.0)});
      if (!value) value_column.set_validity({0});
      table.with(std::move(value_column));
      try {
        library.append_if_latest(kKeptAccountsSymbol, table, kept.version,
                                 store::AppendMode::kAnyOrder);
        ++kept_here;
        break;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::Conflict || attempt >= kMaxConflicts) throw;
      }
    }
  }
  return kept_here;
}

}  // namespace tandem::sweep
