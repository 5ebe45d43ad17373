// tandem backtest --strategy SPEC... [--symbols A,B] [--bar 1d] [--start] [--end] [--cash]
//                 [--fill close|next-open] [--commission none|ib|percent:P] [--slippage-bps N]
//                 [--param [KEY.]k=v]... [--weight KEY=W]... [--equity KEY=AMOUNT]...
//                 [--fractional]
// SPEC is NAME (one instance per --symbols entry, keyed by its symbol), NAME:SYMBOL (keyed by
// SYMBOL), or NAME:A+B@KEY (one instance over several symbols, with an explicit key); any form
// takes @KEY. See docs/backtest.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include "backtest/engine.h"
#include "backtest/run_info.h"
#include "cli/cli_context.h"
#include "cli/replay_options.h"
#include "cli/run_spec.h"
#include "core/error.h"
#include "core/redact.h"
#include "report/metrics.h"
#include "report/text_format.h"
#include "store/store.h"
#include "strategy/registry.h"

namespace tandem::cli {
namespace {

struct BacktestArgs {
  std::vector<std::string> strategies;
  std::vector<std::string> plugins;
  std::string symbols;
  std::string bar_size = "1d";
  std::string start;
  std::string end;
  double cash = 100'000;
  std::string fill = "close";
  std::string commission = "none";
  double slippage_bps = 0;
  std::vector<std::string> params;
  std::vector<std::string> weights;
  std::vector<std::string> equities;
  bool fractional = false;
  bool allow_leverage = false;
  bool cleanup_incomplete = false;
  bool delete_incomplete = false;
};

std::optional<Timestamp> parse_bound(const std::string& text, const std::string& option,
                                     bool end_of_day) {
  if (text.empty()) return std::nullopt;
  Timestamp t = parse_timestamp_or_throw(text, option);
  // A bare date as --end means through the end of that day (intraday bars included).
  bool date_only = text.size() == 10 && text[4] == '-' && text[7] == '-';
  return end_of_day && date_only ? t + kNanosPerDay - 1 : t;
}

std::string percent(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:.2f} %", fraction * 100.0) : "n/a";
}

std::string number(double value) {
  return std::isfinite(value) ? fmt::format("{:.2f}", value) : "n/a";
}

std::string command_line(const BacktestArgs& args) {
  std::string text = "tandem backtest";
  for (const auto& s : args.strategies) text += " --strategy " + s;
  if (!args.symbols.empty()) text += " --symbols " + args.symbols;
  text += " --bar " + args.bar_size;
  if (!args.start.empty()) text += " --start " + args.start;
  if (!args.end.empty()) text += " --end " + args.end;
  text += fmt::format(" --cash {} --fill {} --commission {} --slippage-bps {}", args.cash,
                      args.fill, args.commission, args.slippage_bps);
  for (const auto& p : args.params) text += " --param " + p;
  for (const auto& w : args.weights) text += " --weight " + w;
  for (const auto& e : args.equities) text += " --equity " + e;
  if (args.fractional) text += " --fractional";
  return text;
}

void print_result(const backtest::BacktestResult& result, const std::string& store_flag) {
  const backtest::RunSummary& s = result.summary;
  std::cout << fmt::format("account        {}\n", result.account_id);
  std::cout << fmt::format("period         {} .. {} ({} bars, {} trading days)\n",
                           format_timestamp(result.first_bar), format_timestamp(result.last_bar),
                           result.bars, s.days);
  std::cout << "strategies\n";
  for (const backtest::StrategyResult& strategy : result.strategies) {
    std::cout << fmt::format(
        "  {:<12} {:<14} allocation from {}: {} -> {} ({}), {} trades\n", strategy.key,
        strategy.name, strategy.allocation_origin, number(strategy.capital),
        number(strategy.final_equity),
        percent(strategy.capital > 0 ? strategy.final_equity / strategy.capital - 1.0 : NAN),
        strategy.round_trips);
  }
  std::cout << fmt::format("final equity   {} (from {})\n", number(s.final_equity),
                           number(s.initial_equity));
  // Measured as `tandem report` measures it — from the equity at the first bar's close (after
  // that bar's fills) — and written by the same formatter, so the two show the same figure.
  report::Series equity;
  for (const backtest::DailyEquity& day : result.daily) {
    equity.time.push_back(day.time);
    equity.value.push_back(day.equity);
  }
  std::cout << fmt::format(
      "total return   {}\n",
      report::format_percent(report::compute_return_metrics(equity, 0.0).total_return, 2, true));
  std::cout << fmt::format("CAGR           {}\n", percent(s.cagr));
  std::cout << fmt::format("max drawdown   {}{}\n", percent(-s.max_drawdown),
                           s.max_drawdown > 0
                               ? fmt::format(" ({} .. {})", format_date(s.max_drawdown_peak),
                                             format_date(s.max_drawdown_trough))
                               : "");
  std::cout << fmt::format("Sharpe         {}\n", number(s.sharpe));
  std::cout << fmt::format("trades         {} round trips\n", result.round_trips);
  std::cout << fmt::format(
      "orders         {} ({} filled, {} rejected, {} cancelled, {} still open)\n", result.orders,
      result.filled_orders, result.rejected_orders, result.cancelled_orders, result.open_orders);
  if (result.rejected_orders > 0) {
    std::cout << "               rejected orders are Inactive in `orders`; its message column "
                 "says why\n";
  }
  std::cout << fmt::format("commissions    {}\n", number(result.commission));
  // The store as the user named it (--store must be repeated, $TANDEM_STORE is still set),
  // secrets shown as *** (the user pastes their own back in).
  std::string store = store_flag.empty() ? "" : " --store '" + redact_uri(store_flag) + "'";
  std::cout << "\nread the results:\n";
  for (const char* symbol : {"account_summary --tail 5", "trades", "fills", "orders", "run_info"}) {
    std::cout << fmt::format("  tandem{} store read {} {}\n", store, result.account_id, symbol);
  }
  for (const backtest::StrategyResult& strategy : result.strategies) {
    std::cout << fmt::format("  tandem{} store read {} strategy_{}_performance --tail 5\n", store,
                             result.account_id, strategy.key);
  }
}

// --cleanup-incomplete: lists the BT_ libraries whose run failed or was cut short (a run still
// going in a live process on this host is left alone); --delete removes them.
void run_cleanup_incomplete(const CliContext& ctx, bool remove) {
  auto store = ctx.open_store_for_reading();
  std::size_t found = 0;
  for (const std::string& name : store->list_libraries()) {
    if (!name.starts_with("BT_")) continue;
    const auto state = backtest::read_run_state(store->existing_library(name));
    if (!state || state->complete()) continue;
    if (state->still_running_here()) {
      std::cout << fmt::format("{}  still running (process {}); left alone\n", name, state->pid);
      continue;
    }
    ++found;
    const std::string why =
        state->status == "failed" ? "failed: " + state->error : std::string("cut short");
    if (remove) {
      store->delete_library(name);
      std::cout << fmt::format("{}  deleted ({})\n", name, why);
    } else {
      std::cout << fmt::format("{}  INCOMPLETE ({})\n", name, why);
    }
  }
  if (found == 0) {
    std::cout << "no incomplete backtests\n";
  } else if (!remove) {
    std::cout << fmt::format(
        "{} incomplete backtest(s); `tandem backtest --cleanup-incomplete --delete` removes "
        "them\n",
        found);
  }
}

void run_backtest(const CliContext& ctx, const BacktestArgs& args) {
  if (args.cleanup_incomplete) return run_cleanup_incomplete(ctx, args.delete_incomplete);
  if (args.delete_incomplete) {
    throw Error(ErrorKind::InvalidArgument, "--delete only goes with --cleanup-incomplete",
                "--delete");
  }
  if (args.strategies.empty()) {
    throw Error(ErrorKind::InvalidArgument,
                "at least one --strategy is required (or --cleanup-incomplete)", "--strategy");
  }
  std::vector<std::string> specs = args.strategies;
  const strategy::StrategyRegistry registry = run_registry(*ctx.strategies, args.plugins, specs);
  std::vector<RunInstance> instances =
      parse_run_instances(specs, args.symbols, args.params, registry);

  backtest::BacktestConfig config;
  config.bar_size = args.bar_size;
  config.start = parse_bound(args.start, "--start", false);
  config.end = parse_bound(args.end, "--end", true);
  config.initial_cash = args.cash;
  config.fill_model = exchange::parse_fill_model(args.fill);
  config.commission = exchange::CommissionModel::parse(args.commission);
  config.slippage_bps = args.slippage_bps;
  config.fractional = args.fractional;
  config.allow_leverage = args.allow_leverage;
  config.weights = parse_key_values(args.weights, "--weight");
  config.explicit_equity = parse_key_values(args.equities, "--equity");
  config.command_line = command_line(args);

  auto store = ctx.open_store();
  backtest::Engine engine(*store, config);
  for (RunInstance& instance : instances) {
    std::vector<Contract> contracts;
    for (const std::string& symbol : instance.symbols) contracts.push_back(stock(symbol));
    engine.add_strategy(registry.create(instance.name, instance.key, std::move(contracts),
                                        args.bar_size, instance.params),
                        instance.name);
  }
  print_result(engine.run(), ctx.store_flag);
}

}  // namespace

void register_backtest_commands(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<BacktestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "backtest", "run strategies over stored bars in a new BT_ account library");
  cmd->add_option(
      "--strategy", args->strategies,
      "NAME (once per --symbols entry), NAME:SYMBOL, or NAME:A+B@KEY, where NAME may be "
      "FILE.py:CLASS (a Python tandem.Strategy); repeatable (" +
          ctx.strategies->names() + ", or a --plugin's)");
  cmd->add_option("--plugin", args->plugins,
                  "FILE.so: a strategy plugin whose strategies --strategy may name; repeatable "
                  "(docs/strategies.md)");
  cmd->add_option("--symbols", args->symbols, "A,B: symbols for each --strategy NAME");
  add_replay_options(*cmd, *args, "starting cash (default 100000)");
  cmd->add_option("--param", args->params, "k=v for every strategy declaring k, or KEY.k=v");
  cmd->add_option("--weight", args->weights,
                  "KEY=W: target weight for this run only (recorded in run_info)");
  cmd->add_option("--equity", args->equities,
                  "KEY=AMOUNT: explicit equity, written to the run's strategy_KEY_equity");
  cmd->add_flag("--allow-leverage", args->allow_leverage,
                "accept target weights adding up to more than 1");
  cmd->add_flag("--cleanup-incomplete", args->cleanup_incomplete,
                "list BT_ libraries of runs that failed or were cut short (runs nothing)");
  cmd->add_flag("--delete", args->delete_incomplete,
                "with --cleanup-incomplete: delete those libraries");
  cmd->callback([&ctx, args] { run_backtest(ctx, *args); });
}

}  // namespace tandem::cli
