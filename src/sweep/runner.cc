// run_sweep: loads the bars once, runs this shard's combinations on `jobs` threads, records the
// finished runs every few seconds (exactly once, runs_table.h), then the walk-forward
// out-of-sample runs whose windows are complete.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "report/metrics.h"
#include "strategy/registry.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"
#include "sweep/sweep_run.h"

namespace tandem::sweep {
namespace {

using Clock = std::chrono::steady_clock;

std::string host_and_pid() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return fmt::format("{}:{}", name, getpid());
}

// The sweep's definition as recorded in SWEEP_{ID}/spec: every process of one sweep must agree.
std::string spec_json(const SweepSpec& spec, std::size_t combinations, std::size_t windows) {
  nlohmann::json j;
  j["strategy"] = spec.strategy;
  j["symbols"] = spec.symbols;
  nlohmann::json axes = nlohmann::json::array();
  std::vector<GridAxis> sorted = spec.axes;
  std::sort(sorted.begin(), sorted.end(),
            [](const GridAxis& a, const GridAxis& b) { return a.name < b.name; });
  for (const GridAxis& axis : sorted)
    axes.push_back({{"name", axis.name}, {"values", axis.values}});
  j["axes"] = axes;
  nlohmann::json fixed = nlohmann::json::object();
  for (const auto& [k, v] : spec.fixed) fixed[k] = v;
  j["fixed"] = fixed;
  j["where"] = spec.where;
  j["walk_forward"] = spec.walk_forward_text;
  j["metric"] = spec.metric;
  const backtest::BacktestConfig& c = spec.config;
  j["bar_size"] = c.bar_size;
  j["start"] = c.start ? format_timestamp(*c.start) : "";
  j["end"] = c.end ? format_timestamp(*c.end) : "";
  j["cash"] = c.initial_cash;
  j["fill"] = c.fill_model == exchange::FillModel::kClose ? "close" : "next-open";
  j["commission"] = c.commission.describe();
  j["slippage_bps"] = c.slippage_bps;
  j["fractional"] = c.fractional;
  // Only when kept, so that sweeps begun before --keep-accounts existed keep their spec.
  if (spec.keep_accounts.mode != KeepAccounts::Mode::kNone) {
    j["keep_accounts"] = spec.keep_accounts.text();
  }
  j["combinations"] = combinations;
  j["windows"] = windows;
  return j.dump();
}

// Records the spec once; a sweep ID reused with other flags is refused.
void check_spec(store::Library& library, const std::string& json) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (library.has_symbol(kSpecSymbol)) {
      const store::ReadResult stored = library.read(kSpecSymbol);
      const std::string& recorded = stored.table.strings("json").front();
      if (recorded != json) {
        throw Error(ErrorKind::Conflict,
                    "this sweep ID was started with other settings: recorded " + recorded +
                        ", given " + json + "; give another setting sweep_id",
                    library.name() + "/" + kSpecSymbol);
      }
      return;
    }
    store::Table table(std::vector<Timestamp>{now_utc()});
    table.with(store::Column::of_string("json", {json}));
    try {
      library.append_if_latest(kSpecSymbol, table, std::nullopt);
      return;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Conflict) throw;  // another process wrote it: compare
    }
  }
  throw Error(ErrorKind::Conflict, "could not record the sweep's spec", library.name());
}

}  // namespace

std::string sweep_library(std::string_view id) {
  if (id.empty()) throw Error(ErrorKind::InvalidArgument, "a sweep ID is required", "sweep_id");
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("'{}': a sweep ID has letters, digits, _ . - only", id), "sweep_id");
    }
  }
  return "SWEEP_" + std::string(id);
}

SweepOutcome run_sweep(store::Store& store, const SweepSpec& spec, const Log& log) {
  const auto say = [&](const std::string& line) {
    if (log) log(line);
  };
  if (spec.symbols.empty()) {
    throw Error(ErrorKind::InvalidArgument, "no symbols to sweep over", "symbols");
  }
  if (spec.jobs == 0)
    throw Error(ErrorKind::InvalidArgument, "setting jobs must be at least 1", "jobs");
  const auto& metrics = ranking_metrics();
  if (std::find(metrics.begin(), metrics.end(), spec.metric) == metrics.end()) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("unknown metric '{}'; one of {}", spec.metric, fmt::join(metrics, ", ")),
        "metric");
  }
  if (spec.keep_accounts.mode == KeepAccounts::Mode::kBest && spec.walk_forward) {
    throw Error(ErrorKind::InvalidArgument,
                "best:K ranks whole-period runs; with walk-forward keep all accounts or none",
                "keep_accounts");
  }
  const std::string library_name = sweep_library(spec.sweep_id);
  const Filter filter = Filter::parse(spec.where);
  const std::vector<Combination> combinations = expand_grid(spec.axes, filter);
  if (combinations.empty()) {
    throw Error(ErrorKind::InvalidArgument, "the setting where leaves no combination", "where");
  }
  SweepContext context(store, spec, combinations,
                       spec.registry ? *spec.registry : strategy::builtin_strategies());
  context.check_parameters();  // every combination builds, before anything is loaded or written

  SweepOutcome outcome;
  const Clock::time_point load_start = Clock::now();
  context.load_bars(store);
  outcome.load_seconds = std::chrono::duration<double>(Clock::now() - load_start).count();

  const std::size_t windows = context.windows().size();
  const std::size_t in_sample_runs = windows * combinations.size();
  outcome.total_runs = in_sample_runs;
  store::Library library = store.library(library_name);
  check_spec(library, spec_json(spec, combinations.size(), spec.walk_forward ? windows : 0));

  const RecordedRuns recorded = read_recorded(library);
  std::vector<std::size_t> todo;
  for (std::size_t run = 0; run < in_sample_runs; ++run) {
    if (!spec.shard.owns(run)) continue;
    ++outcome.shard_runs;
    if (recorded.runs.count(static_cast<std::int64_t>(run)) != 0) {
      ++outcome.skipped;
    } else {
      todo.push_back(run);
    }
  }
  const std::size_t jobs = spec.one_worker_reason.empty() ? spec.jobs : 1;
  if (jobs != spec.jobs)
    say("one worker thread, not " + std::to_string(spec.jobs) + ": " + spec.one_worker_reason);
  say(
      fmt::format("sweep {}: {} combinations x {} window(s) = {} runs; shard {}/{} owns {}, {} "
                  "already recorded, {} to run on {} thread(s)",
                  spec.sweep_id, combinations.size(), windows, in_sample_runs, spec.shard.index,
                  spec.shard.count, outcome.shard_runs, outcome.skipped, todo.size(), jobs));

  // Workers take runs in order; the calling thread records what they finish.
  std::mutex mutex;
  std::condition_variable finished_one;
  std::vector<RunRow> finished;
  std::string failure;
  ErrorKind failure_kind = ErrorKind::Internal;  // kept from the run's error
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bars{0};
  const std::string host = host_and_pid();
  std::size_t taken = 0;  // runs handed to the recorder; guarded by `mutex`
  const Clock::time_point run_start = Clock::now();
  auto worker = [&] {
    while (true) {
      const std::size_t i = next.fetch_add(1);
      if (i >= todo.size()) return;
      {
        std::lock_guard lock(mutex);
        if (!failure.empty()) return;
      }
      // The recorder is woken only when its wait can end (every run finished, or a failure):
      // it records on a timer otherwise, and a wake per run cost a futex call and two context
      // switches per run (2-4 % of a sweep's CPU time, BENCHMARKS.md "Sweeps").
      bool wake = false;
      try {
        std::optional<std::string> account;
        if (spec.keep_accounts.mode == KeepAccounts::Mode::kAll) {
          account = create_kept_account(store, spec.sweep_id, static_cast<std::int64_t>(todo[i]));
        }
        RunRow row = context.run_in_sample(todo[i], account ? &*account : nullptr);
        row.shard_index = static_cast<std::int64_t>(spec.shard.index);
        row.shard_count = static_cast<std::int64_t>(spec.shard.count);
        row.host = host;
        bars += static_cast<std::uint64_t>(row.bars);
        std::lock_guard lock(mutex);
        finished.push_back(std::move(row));
        wake = taken + finished.size() == todo.size();
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        wake = true;
        if (failure.empty()) {
          failure = fmt::format("run {}: {}", todo[i], e.what());
          const auto* error = dynamic_cast<const Error*>(&e);
          failure_kind = error != nullptr ? error->kind() : ErrorKind::Internal;
        }
      }
      if (wake) finished_one.notify_one();
    }
  };
  std::vector<std::thread> threads;
  const std::size_t thread_count = std::min(jobs, std::max<std::size_t>(todo.size(), 1));
  for (std::size_t t = 0; t < thread_count; ++t) threads.emplace_back(worker);
  std::string error;
  auto record = [&](std::vector<RunRow> batch) {
    std::vector<std::int64_t> taken;  // recorded first by another process
    const std::size_t appended = record_once(library, batch, &taken);
    outcome.recorded += appended;
    outcome.recorded_by_other += batch.size() - appended;
    for (const RunRow& row : batch) {
      if (row.account.empty()) continue;
      if (std::find(taken.begin(), taken.end(), row.run) == taken.end()) {
        ++outcome.accounts_kept;
      } else {
        store.delete_library(row.account);  // its row names the other process's account
      }
    }
  };
  const auto interval = std::chrono::duration<double>(spec.record_interval_seconds);
  while (true) {
    std::vector<RunRow> batch;
    bool done = false;
    {
      std::unique_lock lock(mutex);
      finished_one.wait_for(
          lock, std::chrono::duration_cast<std::chrono::milliseconds>(interval),
          [&] { return taken + finished.size() == todo.size() || !failure.empty(); });
      batch.swap(finished);
      taken += batch.size();
      done = taken == todo.size() || !failure.empty();
      error = failure;
    }
    try {
      record(std::move(batch));
    } catch (const std::exception&) {
      {
        std::lock_guard lock(mutex);
        if (failure.empty()) failure = "recording";
      }
      for (auto& thread : threads) thread.join();
      throw;
    }
    if (spec.on_progress) spec.on_progress(taken, todo.size());
    if (done) break;
  }
  for (auto& thread : threads) thread.join();
  {
    // Runs finished between the last batch and the failure.
    std::lock_guard lock(mutex);
    record(std::move(finished));
  }
  outcome.ran = taken;
  outcome.bars_evaluated = bars;
  outcome.run_seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  if (!error.empty()) {
    throw Error(failure_kind,
                "sweep " + spec.sweep_id + " stopped: " + error +
                    " (the runs finished before it are recorded)",
                library_name);
  }
  if (spec.walk_forward) {
    outcome.out_of_sample = context.finish_walk_forward(library, host, spec.shard);
  }
  outcome.accounts_kept += keep_best_accounts(store, library, context, spec, combinations.size());
  return outcome;
}

}  // namespace tandem::sweep
