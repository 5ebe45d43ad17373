// tandem live --strategy SPEC... [--symbols A,B] --host H --port P --client-id N [--account DU…]
//             [--param [KEY.]k=v]... [--weight KEY=W]... [--bar 1d] [--realtime-bar 5s]
//             [--warmup N] [--cancel-on-exit] [--dry-run] [--real-money]
// SPEC as in `tandem backtest` (cli/run_spec.h): NAME (one instance per --symbols entry, keyed by
// the symbol), NAME:SYMBOL, or NAME:A+B@KEY (one instance over several symbols).
// Logs one line per order event and fill on stdout; SIGINT/SIGTERM shut down cleanly. See
// docs/live.md.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include "cli/cli_context.h"
#include "cli/log_lines.h"
#include "cli/run_spec.h"
#include "core/error.h"
#include "core/heap.h"
#include "core/redact.h"
#include "live/live.h"
#include "store/store.h"
#include "strategy/registry.h"

namespace tandem::cli {
namespace {

// The options the settings can give when the flag is not (cli/settings.h).
struct LiveFlags {
  const CLI::Option* host = nullptr;
  const CLI::Option* port = nullptr;
  const CLI::Option* client_id = nullptr;
  const CLI::Option* account = nullptr;
};

struct LiveArgs {
  std::vector<std::string> strategies;
  std::vector<std::string> plugins;
  std::string symbols;
  std::string host = "127.0.0.1";
  int port = 7497;
  int client_id = 0;
  std::string account;
  std::vector<std::string> params;
  std::vector<std::string> weights;
  std::string bar_size = "1d";
  std::string realtime_bar_size = "5s";
  int warmup_bars = 100;
  bool cancel_on_exit = false;
  bool dry_run = false;
  bool real_money = false;
  bool fractional = false;
  int reconnect_attempts = 0;
  int connect_timeout_ms = 5'000;
};

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : " ") + item;
  return text;
}

// general/live_sessions: a row with status "running" when a session starts and one with
// "stopped" or "failed" (and the error) when it ends, both carrying the session's id — so a
// session with only the first row was cut short (docs/live.md, "Session records"). Appended in
// any order: several sessions may share the store.
void record_live_session(store::Store& store, const std::string& session, const std::string& status,
                         const std::string& account, const LiveArgs& args,
                         const std::string& error) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  using store::Column;
  store::Table row({now_utc()});
  row.with(Column::of_string("session", {session}))
      .with(Column::of_string("status", {status}))
      .with(Column::of_string("account", {account}))
      .with(Column::of_string("strategy", {join(args.strategies)}))
      .with(Column::of_string("symbols", {args.symbols}))
      .with(Column::of_int64("pid", {static_cast<std::int64_t>(::getpid())}))
      .with(Column::of_string("host", {host}))
      .with(Column::of_string("error", {redact_text(error)}));
  store.library("general").append("live_sessions", row, store::AppendMode::kAnyOrder);
}

std::vector<std::string> split_accounts(const std::string& list) {
  std::vector<std::string> accounts;
  std::size_t at = 0;
  while (at <= list.size()) {
    std::size_t comma = std::min(list.find(',', at), list.size());
    if (comma > at) accounts.push_back(list.substr(at, comma - at));
    at = comma + 1;
  }
  return accounts;
}

void run_live(CliContext& ctx, LiveArgs& args, const LiveFlags& flags) {
  ctx.settings.apply("ib.host", flags.host, args.host);
  ctx.settings.apply("ib.port", flags.port, args.port);
  ctx.settings.apply("ib.client_id", flags.client_id, args.client_id);
  ctx.settings.apply("ib.account", flags.account, args.account);
  const ResolvedSetting real_money_accounts = ctx.settings.resolve("live.real_money");
  std::vector<std::string> specs = args.strategies;
  const strategy::StrategyRegistry registry = run_registry(*ctx.strategies, args.plugins, specs);
  std::vector<RunInstance> instances =
      parse_run_instances(specs, args.symbols, args.params, registry);
  if (args.port <= 0 || args.port > 65535) {
    throw Error(fmt::format("{} is not a TCP port", args.port), "--port");
  }

  live::LiveOptions options;
  options.client.host = args.host;
  options.client.port = static_cast<std::uint16_t>(args.port);
  options.client.client_id = args.client_id;
  options.client.max_reconnect_attempts = args.reconnect_attempts;
  options.client.connect_timeout = std::chrono::milliseconds(args.connect_timeout_ms);
  options.account = args.account;
  options.bar_size = args.bar_size;
  options.realtime_bar_size = args.realtime_bar_size;
  options.warmup_bars = args.warmup_bars;
  options.weights = parse_key_values(args.weights, "--weight");
  options.cancel_on_exit = args.cancel_on_exit;
  options.dry_run = args.dry_run;
  options.real_money = args.real_money;
  options.real_money_accounts = split_accounts(real_money_accounts.value);
  options.fractional = args.fractional;
  options.handle_signals = true;
  options.log = live_log_sink();

  // Live runs for days, like the gateway: its large transient blocks — the store's segment
  // buffers and zstd contexts on the recorder's thread, a burst of messages on the event loop —
  // must not stay resident in a thread's arena once freed (core/heap.h). Left dynamic, glibc's
  // thresholds rise with the first large block freed and later ones come from the arena, which
  // malloc_trim does not shrink: what grew the gateway's io arena (BENCHMARKS.md, "Soak").
  fix_heap_thresholds();
  auto store = ctx.open_store();
  live::LiveSession session(*store, options);
  for (const RunInstance& instance : instances) {
    std::vector<Contract> contracts;
    for (const std::string& symbol : instance.symbols) contracts.push_back(stock(symbol));
    session.add_strategy(registry.create(instance.name, instance.key, std::move(contracts),
                                         args.bar_size, instance.params),
                         instance.name);
  }
  const std::string session_id = fmt::format("{}-{}", now_utc(), ::getpid());
  if (!args.dry_run) record_live_session(*store, session_id, "running", args.account, args, "");
  live::LiveResult result;
  try {
    result = session.run();
  } catch (const live::RealMoneyRefused& e) {
    // Nothing was recorded or sent; the library's message does not know the command's words.
    throw Error(ErrorKind::InvalidArgument,
                e.message() + "; to trade it, pass --real-money or name it in live.real_money of " +
                    (ctx.settings.file().empty() ? std::string("the config file (docs/cli.md)")
                                                 : ctx.settings.file()),
                e.where());
  } catch (const std::exception& e) {
    if (session.spilled_rows() > 0) ctx.error_exit_code = kExitLiveSpill;  // docs/live.md
    if (!args.dry_run) {
      try {
        record_live_session(*store, session_id, "failed", args.account, args, e.what());
      } catch (const std::exception&) {
        // The session's own error is the one to report; a store that refuses this row has
        // most likely refused the session's rows too and said so in that error.
      }
    }
    throw;
  }
  if (!args.dry_run) record_live_session(*store, session_id, "stopped", result.account, args, "");
  std::cout << fmt::format(
                   "tandem live stopped: account {}, {} orders placed, {} fills booked, {} bars, "
                   "{} sessions, {} position mismatches{}",
                   result.account, result.orders, result.fills, result.bars, result.sessions,
                   result.mismatches,
                   args.cancel_on_exit
                       ? fmt::format(", {} orders cancelled on exit", result.cancelled_on_exit)
                       : "")
            << std::endl;
}

}  // namespace

void register_live_commands(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<LiveArgs>();
  auto flags = std::make_shared<LiveFlags>();
  CLI::App* cmd = app.add_subcommand(
      "live", "trade a strategy through TWS / IB Gateway, recording into the account's library");
  cmd->add_option(
         "--strategy", args->strategies,
         "NAME (once per --symbols entry), NAME:SYMBOL, or NAME:A+B@KEY, where NAME may be "
         "FILE.py:CLASS (a Python tandem.Strategy); repeatable (" +
             ctx.strategies->names() + ", or a --plugin's)")
      ->required();
  cmd->add_option("--plugin", args->plugins,
                  "FILE.so: a strategy plugin whose strategies --strategy may name; repeatable "
                  "(docs/strategies.md)");
  cmd->add_option("--symbols", args->symbols, "A,B: one instance of each NAME per symbol");
  flags->host = cmd->add_option("--host", args->host,
                                "TWS / IB Gateway host (default: ib.host, else 127.0.0.1)");
  flags->port =
      cmd->add_option("--port", args->port, "API port (default: ib.port, else 7497: TWS paper)");
  flags->client_id = cmd->add_option("--client-id", args->client_id,
                                     "API client id (default: ib.client_id, else 0)");
  flags->account = cmd->add_option(
      "--account", args->account,
      "account to trade when the login manages several (DU… / U…; default: ib.account)");
  cmd->add_option("--param", args->params, "k=v for every strategy declaring k, or KEY.k=v");
  cmd->add_option("--weight", args->weights, "KEY=W: target weight for this run only");
  cmd->add_option("--bar", args->bar_size, "bar size the strategy gets (default 1d)");
  cmd->add_option("--realtime-bar", args->realtime_bar_size,
                  "length of the real-time bars the server streams (IB: 5s, the default; the "
                  "paper gateway: its replay bar size)");
  cmd->add_option("--warmup", args->warmup_bars, "historical bars loaded before the start");
  cmd->add_option("--reconnect-attempts", args->reconnect_attempts,
                  "give up after this many failed reconnects (default 0: never)");
  cmd->add_option("--connect-timeout-ms", args->connect_timeout_ms,
                  "connect + handshake timeout (default 5000)");
  cmd->add_flag("--cancel-on-exit", args->cancel_on_exit,
                "cancel this run's working orders at shutdown (default: leave them)");
  cmd->add_flag("--dry-run", args->dry_run, "run on live data without sending orders");
  cmd->add_flag("--real-money", args->real_money,
                "allow trading an account that is not a paper (DU…) account; without it, or the "
                "account named in the config file's live.real_money, such a run is refused");
  cmd->add_flag("--fractional", args->fractional, "allow fractional share quantities");
  cmd->callback([&ctx, args, flags] { run_live(ctx, *args, *flags); });
}

}  // namespace tandem::cli
