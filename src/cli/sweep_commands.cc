// tandem sweep --strategy NAME --symbols A,B --grid k=FROM:TO:STEP|k=A,B,C ... [--param k=v]...
//              [--where EXPR] [--walk-forward train=3y,test=1y[,step=1y]] [--jobs N]
//              [--shard I/N] [--sweep-id ID] [--metric sharpe] [--keep-accounts none|all|best:K]
//              [--bar 1d] [--start] [--end]
//              [--cash] [--fill] [--commission] [--slippage-bps] [--fractional]
// tandem sweep status ID
// See docs/sweep.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/cli_context.h"
#include "cli/progress.h"
#include "cli/python_specs.h"
#include "cli/replay_options.h"
#include "cli/run_spec.h"
#include "core/error.h"
#include "store/store.h"
#include "sweep/sweep.h"

namespace tandem::cli {
namespace {

struct SweepArgs {
  std::string strategy;
  std::string symbols;
  std::vector<std::string> grid;
  std::vector<std::string> params;
  std::string where;
  std::string walk_forward;
  std::size_t jobs = 1;
  std::string shard = "0/1";
  std::string sweep_id;
  std::string metric = "sharpe";
  std::string keep_accounts = "none";
  std::string progress = "auto";
  double record_every = 1.0;  // seconds between commits of finished runs
  std::string bar_size = "1d";
  std::string start;
  std::string end;
  double cash = 100'000;
  std::string fill = "close";
  std::string commission = "none";
  double slippage_bps = 0;
  bool fractional = false;
  std::string status_id;
};

std::optional<Timestamp> parse_bound(const std::string& text, const std::string& option,
                                     bool end_of_day) {
  if (text.empty()) return std::nullopt;
  Timestamp t = parse_timestamp_or_throw(text, option);
  bool date_only = text.size() == 10 && text[4] == '-' && text[7] == '-';
  return end_of_day && date_only ? t + kNanosPerDay - 1 : t;
}

std::string default_sweep_id() {
  // Like a backtest's account: the UTC start time. Shards of one sweep must be given --sweep-id.
  std::string t = format_timestamp(now_utc());  // 2024-01-31T12:00:00.123456789Z
  std::string id;
  for (char c : t.substr(0, 19)) {
    if (std::isdigit(static_cast<unsigned char>(c))) id += c;
    if (c == 'T') id += '_';
  }
  return id;
}

// The sweep's settings as its flags, for errors (setting_flags.h).
SettingFlags sweep_flags() {
  return {{"grid", "--grid"},
          {"where", "--where"},
          {"jobs", "--jobs"},
          {"shard", "--shard"},
          {"metric", "--metric"},
          {"sweep_id", "--sweep-id"},
          {"symbols", "--symbols"},
          {"bar_size", "--bar"},
          {"walk_forward", "--walk-forward"},
          {"heat_map", "--heat-map"},
          {"keep_accounts", "--keep-accounts"}};
}

void run_sweep_command(const CliContext& ctx, const SweepArgs& args) {
  if (args.strategy.empty()) {
    throw Error(ErrorKind::InvalidArgument, "a strategy is required", "strategy");
  }
  sweep::SweepSpec spec;
  spec.strategy = args.strategy;
  // FILE.py:CLASS, as tandem backtest takes it: the class joins the registry under its name.
  auto registry = std::make_shared<strategy::StrategyRegistry>(strategy::builtin_strategies());
  std::vector<std::string> specs{args.strategy};
  register_python_strategies(specs, *registry);
  if (specs.front() != args.strategy) {
    if (specs.front().find_first_of(":@") != std::string::npos) {
      throw Error(ErrorKind::InvalidArgument,
                  "'" + args.strategy +
                      "': a sweep runs one instance per symbol of --symbols, keyed by its symbol; "
                      "give the class only (FILE.py:CLASS)",
                  "strategy");
    }
    spec.strategy = specs.front();
    spec.one_worker_reason =
        "a Python strategy holds the interpreter's lock (the GIL) in every callback, so more "
        "threads would only take turns; run more processes with --shard to use more cores";
  }
  spec.registry = registry;
  spec.symbols = split_list(args.symbols, ',');
  for (const std::string& axis : args.grid) spec.axes.push_back(sweep::parse_grid_axis(axis));
  for (const std::string& param : args.params) {
    spec.fixed.push_back(strategy::split_param_assignment(param));
  }
  spec.where = args.where;
  if (!args.walk_forward.empty()) {
    spec.walk_forward = sweep::WalkForwardSpec::parse(args.walk_forward);
    spec.walk_forward_text = args.walk_forward;
  }
  spec.metric = args.metric;
  spec.jobs = args.jobs;
  if (!(args.record_every >= 0.05 && args.record_every <= 3600)) {
    throw Error(ErrorKind::InvalidArgument, "--record-every must be in [0.05, 3600] seconds, got " +
                                                fmt::format("{}", args.record_every));
  }
  spec.record_interval_seconds = args.record_every;
  spec.shard = sweep::Shard::parse(args.shard);
  spec.keep_accounts = sweep::KeepAccounts::parse(args.keep_accounts);
  if (args.sweep_id.empty() && spec.shard.count > 1) {
    throw Error(ErrorKind::InvalidArgument,
                "shards of one sweep must share an ID: give setting sweep_id with setting shard",
                "sweep_id");
  }
  spec.sweep_id = args.sweep_id.empty() ? default_sweep_id() : args.sweep_id;
  backtest::BacktestConfig& config = spec.config;
  config.bar_size = args.bar_size;
  config.start = parse_bound(args.start, "--start", false);
  config.end = parse_bound(args.end, "--end", true);
  config.initial_cash = args.cash;
  config.fill_model = exchange::parse_fill_model(args.fill);
  config.commission = exchange::CommissionModel::parse(args.commission);
  config.slippage_bps = args.slippage_bps;
  config.fractional = args.fractional;

  auto store = ctx.open_store();
  ProgressCounter progress(parse_progress_mode(args.progress), "runs");
  spec.on_progress = [&progress](std::size_t done, std::size_t total) {
    progress.update("sweep", done, total);
  };
  const sweep::SweepOutcome outcome = sweep::run_sweep(*store, spec, [&](const std::string& line) {
    progress.clear();  // the line goes above a drawn progress line, never through it
    std::cout << line << "\n";
  });
  progress.clear();
  const double per_core = outcome.run_seconds > 0
                              ? static_cast<double>(outcome.bars_evaluated) / outcome.run_seconds /
                                    static_cast<double>(std::min<std::size_t>(
                                        spec.one_worker_reason.empty() ? spec.jobs : 1,
                                        std::max<std::size_t>(outcome.ran, 1)))
                              : 0;
  std::cout << fmt::format(
      "ran {} runs in {:.2f} s ({:.1f} runs/s; {} bars, {:.1f} M bar-evaluations/s per thread; "
      "bars loaded in {:.2f} s)\n",
      outcome.ran, outcome.run_seconds,
      outcome.run_seconds > 0 ? static_cast<double>(outcome.ran) / outcome.run_seconds : 0.0,
      outcome.bars_evaluated, per_core / 1e6, outcome.load_seconds);
  std::cout << fmt::format(
      "recorded {} here, {} already recorded by another process, {} skipped as recorded before; "
      "{} out-of-sample run(s) recorded here; {} account librar{} kept here\n",
      outcome.recorded, outcome.recorded_by_other, outcome.skipped, outcome.out_of_sample,
      outcome.accounts_kept, outcome.accounts_kept == 1 ? "y" : "ies");
  const std::string store_flag = ctx.store_flag.empty() ? "" : " --store " + ctx.store_flag;
  std::cout << fmt::format("sweep {}: tandem{} sweep status {}; tandem{} report --sweep {}\n",
                           spec.sweep_id, store_flag, spec.sweep_id, store_flag, spec.sweep_id);
}

std::string duration(double seconds) {
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

void run_status_command(const CliContext& ctx, const std::string& id) {
  auto store = ctx.open_store_for_reading();
  const sweep::SweepStatus s = sweep::sweep_status(*store, id);
  std::cout << fmt::format(
      "sweep {}: {} / {} runs done ({:.1f} %)", s.id, s.done, s.total_runs,
      s.total_runs > 0 ? 100.0 * static_cast<double>(s.done) / static_cast<double>(s.total_runs)
                       : 0.0);
  if (s.windows > 0) {
    std::cout << fmt::format(", {} / {} walk-forward windows out of sample", s.out_of_sample_done,
                             s.windows);
  }
  std::cout << "\n";
  for (std::size_t i = 0; i < s.shards_done.size(); ++i) {
    std::cout << fmt::format("  shard {}/{}: {} / {}{}\n", i, s.shards, s.shards_done[i].done,
                             s.shards_done[i].total,
                             s.shards_done[i].done == s.shards_done[i].total ? " (complete)" : "");
  }
  if (s.runs_per_second) {
    std::cout << fmt::format("rate {:.1f} runs/s between the first and the latest recorded row",
                             *s.runs_per_second);
    if (s.done < s.total_runs) {
      std::cout << fmt::format("; ETA {} at that rate", duration(*s.eta_seconds));
    }
    std::cout << "\n";
  }
}

}  // namespace

void register_sweep_commands(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "run a strategy over a parameter grid (and walk-forward windows) in SWEEP_{ID}");
  cmd->add_option("--strategy", args->strategy, "registry name (sma_cross) or FILE.py:CLASS");
  cmd->add_option("--symbols", args->symbols, "A,B: one instance per symbol, equal weights");
  cmd->add_option("--grid", args->grid, "k=FROM:TO:STEP or k=A,B,C; repeatable");
  cmd->add_option("--param", args->params, "k=v, the same in every run; repeatable");
  cmd->add_option("--where", args->where, "filter on combinations, e.g. 'fast<slow'");
  cmd->add_option("--walk-forward", args->walk_forward, "train=3y,test=1y[,step=1y]");
  cmd->add_option("--jobs", args->jobs, "worker threads (default 1)");
  cmd->add_option("--progress", args->progress,
                  "auto (a line with rate and ETA on a terminal, else nothing), lines, none");
  cmd->add_option("--record-every", args->record_every,
                  "seconds between commits of the finished runs (default 1; a killed process "
                  "loses at most this much work)");
  cmd->add_option("--shard", args->shard, "I/N: run the combinations r with r % N == I");
  cmd->add_option("--sweep-id", args->sweep_id, "the sweep's ID (default: the UTC start time)");
  cmd->add_option("--metric", args->metric,
                  "ranking metric for walk-forward and best:K (default sharpe)");
  cmd->add_option("--keep-accounts", args->keep_accounts,
                  "none (default), all, or best:K: keep those runs' account libraries");
  add_replay_options(*cmd, *args, "starting cash of every run (default 100000)");
  CLI::App* status = cmd->add_subcommand("status", "done / total per shard, rate and ETA");
  status->add_option("ID", args->status_id, "the sweep's ID")->required();
  status->callback([&ctx, args] { run_status_command(ctx, args->status_id); });
  cmd->require_subcommand(0, 1);
  cmd->callback([&ctx, args, status] {
    for (auto& [setting, flag] : sweep_flags()) ctx.setting_flags[setting] = flag;
    if (status->parsed()) return;
    run_sweep_command(ctx, *args);
  });
}

}  // namespace tandem::cli
