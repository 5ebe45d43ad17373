// tandem live --strategy NAME --symbols A,B --host H --port P --client-id N [--account DU…]
//             [--param k=v]... [--weight KEY=W]... [--bar 1d] [--realtime-bar 5s]
//             [--warmup N] [--cancel-on-exit] [--dry-run]
// One strategy instance per symbol, keyed by the symbol (as `tandem backtest --strategy NAME`).
// Logs one line per order event and fill on stdout; SIGINT/SIGTERM shut down cleanly. See
// docs/live.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include "cli/cli_context.h"
#include "core/error.h"
#include "live/live.h"
#include "store/store.h"
#include "strategy/registry.h"

namespace tandem::cli {
namespace {

struct LiveArgs {
  std::string strategy;
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
  bool fractional = false;
  int reconnect_attempts = 0;
  int connect_timeout_ms = 5'000;
};

std::vector<std::string> split_symbols(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text + ",") {
    if (c == ',') {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else if (c != ' ') {
      current += c;
    }
  }
  return items;
}

std::map<std::string, double> parse_weights(const std::vector<std::string>& entries) {
  std::map<std::string, double> weights;
  for (const std::string& entry : entries) {
    auto equals = entry.find('=');
    double value = 0;
    const char* begin = entry.data() + (equals == std::string::npos ? 0 : equals + 1);
    const char* end = entry.data() + entry.size();
    auto [stop, ec] = std::from_chars(begin, end, value);
    if (equals == std::string::npos || equals == 0 || ec != std::errc() || stop != end ||
        !std::isfinite(value)) {
      throw Error("expected KEY=WEIGHT, got '" + entry + "'", "--weight");
    }
    weights[entry.substr(0, equals)] = value;
  }
  return weights;
}

void run_live(CliContext& ctx, const LiveArgs& args) {
  strategy::StrategyRegistry registry = strategy::builtin_strategies();
  registry.find(args.strategy);  // an unknown name lists the known ones
  std::vector<std::string> symbols = split_symbols(args.symbols);
  if (symbols.empty()) throw Error("give the symbols to trade: --symbols A,B", "tandem live");
  if (args.port <= 0 || args.port > 65535) {
    throw Error(fmt::format("{} is not a TCP port", args.port), "--port");
  }
  strategy::RawParams params;
  for (const std::string& text : args.params) {
    params.push_back(strategy::split_param_assignment(text));
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
  options.weights = parse_weights(args.weights);
  options.cancel_on_exit = args.cancel_on_exit;
  options.dry_run = args.dry_run;
  options.fractional = args.fractional;
  options.handle_signals = true;
  options.log = [](std::string_view line) {
    std::cout << format_timestamp(now_utc()) << " " << line << std::endl;
  };

  auto store = ctx.open_store();
  live::LiveSession session(*store, options);
  for (const std::string& symbol : symbols) {
    session.add_strategy(
        registry.create(args.strategy, symbol, {stock(symbol)}, args.bar_size, params),
        args.strategy);
  }
  live::LiveResult result;
  try {
    result = session.run();
  } catch (const Error&) {
    if (session.spilled_rows() > 0) ctx.error_exit_code = 3;  // docs/live.md: rows in the spill
    throw;
  }
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
  CLI::App* cmd = app.add_subcommand(
      "live", "trade a strategy through TWS / IB Gateway, recording into the account's library");
  cmd->add_option("--strategy", args->strategy,
                  "strategy name (" + strategy::builtin_strategies().names() + ")")
      ->required();
  cmd->add_option("--symbols", args->symbols, "A,B: one instance per symbol, keyed by it")
      ->required();
  cmd->add_option("--host", args->host, "TWS / IB Gateway host (default 127.0.0.1)");
  cmd->add_option("--port", args->port, "API port (default 7497: TWS paper)");
  cmd->add_option("--client-id", args->client_id, "API client id (default 0)");
  cmd->add_option("--account", args->account,
                  "account to trade when the login manages several (DU… / U…)");
  cmd->add_option("--param", args->params, "k=v strategy parameter; repeatable");
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
  cmd->add_flag("--fractional", args->fractional, "allow fractional share quantities");
  cmd->callback([&ctx, args] { run_live(ctx, *args); });
}

}  // namespace tandem::cli
