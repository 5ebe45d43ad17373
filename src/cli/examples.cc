// The examples at the end of every subcommand's help (docs/cli.md): one or two command lines a
// user can adapt. add_examples() refuses a subcommand without an entry here.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "cli/usage.h"
#include "core/error.h"

namespace tandem::cli {
namespace {

const std::map<std::string, std::vector<std::string>>& examples() {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"tandem alloc", {"tandem alloc set TQQQ 0.5", "tandem alloc list"}},
      {"tandem alloc set", {"tandem alloc set TQQQ 0.5"}},
      {"tandem alloc list", {"tandem alloc list"}},
      {"tandem alloc equity", {"tandem alloc equity DU1234567 TQQQ 25000"}},
      {"tandem risk",
       {"tandem risk set DU1234567 max_order_value=50000 max_daily_loss=2000", "tandem risk show"}},
      {"tandem risk set",
       {"tandem risk set DU1234567 max_order_value=50000 max_gross_leverage=1.5",
        "tandem risk set TQQQ max_orders_per_minute=30 price_band_pct=5",
        "tandem risk set TQQQ price_band_pct=none"}},
      {"tandem risk show", {"tandem risk show"}},
      {"tandem halt", {"tandem halt DU1234567", "tandem halt DU1234567 --cancel-open --flatten"}},
      {"tandem resume", {"tandem resume DU1234567"}},
      {"tandem alloc route",
       {"tandem alloc route TQQQ --exchange SMART --primary-exchange NASDAQ --account U1234567 "
        "--order-type LMT --outside-rth --algo Adaptive:priority=Normal",
        "tandem alloc route TQQQ --clear"}},
      {"tandem alloc routes", {"tandem alloc routes", "tandem alloc routes TQQQ"}},
      {"tandem backtest",
       {"tandem backtest --strategy sma_cross --symbols TQQQ",
        "tandem backtest --strategy sma_cross --symbols TQQQ,SPY --fill next-open --commission "
        "ib"}},
      {"tandem completion", {"tandem completion bash > /etc/bash_completion.d/tandem"}},
      {"tandem completion bash", {"source <(tandem completion bash)"}},
      {"tandem config", {"tandem config show"}},
      {"tandem config show", {"tandem config show", "tandem --config ./tandem.toml config show"}},
      {"tandem data", {"tandem data sample", "tandem data list"}},
      {"tandem data import",
       {"tandem data import --symbol SPY spy.csv",
        "cat spy.csv | tandem data import --symbol SPY -"}},
      {"tandem data sample", {"tandem data sample", "tandem data sample --symbols TQQQ --years 2"}},
      {"tandem data list", {"tandem data list"}},
      {"tandem data show", {"tandem data show SPY.1d", "tandem data show SPY.1d --head 5"}},
      {"tandem data download",
       {"tandem data download SPY QQQ --from 2020-01-01",
        "tandem data download SPY --bar 5min --from 2024-01-02 --port 4002"}},
      {"tandem gateway",
       {"tandem gateway --port 7497 --speed max",
        "tandem gateway --port 0 --account U1234567 --fill next-open"}},
      {"tandem gateway-ctl",
       {"tandem gateway-ctl --port 7497 status", "tandem gateway-ctl --port 7497 step 5"}},
      {"tandem live",
       {"tandem live --strategy sma_cross --symbols TQQQ --port 7497 --dry-run",
        "tandem live --strategy sma_cross --symbols TQQQ --account U1234567 --real-money"}},
      {"tandem sweep",
       {"tandem sweep --strategy sma_cross --symbols SPY,QQQ --grid fast=5:50:5 --grid "
        "slow=20:200:10 --where 'fast<slow' --jobs 2 --sweep-id demo",
        "tandem sweep --strategy sma_cross --symbols SPY --grid fast=5,10 --grid slow=50,100 "
        "--shard 0/4 --sweep-id demo --keep-accounts best:3",
        "tandem sweep --strategy examples/strategies/sma_cross.py:SmaCross --symbols SPY "
        "--grid fast=5,10 --grid slow=50,100 --sweep-id py"}},
      {"tandem sweep status", {"tandem sweep status demo"}},
      {"tandem report",
       {"tandem report BT_20240131_120000", "tandem report BT_20240131_120000 --format text"}},
      {"tandem store", {"tandem store libraries", "tandem store verify"}},
      {"tandem store backup", {"tandem store backup /backups/tandem-2024-01-31"}},
      {"tandem store libraries", {"tandem store libraries"}},
      {"tandem store symbols", {"tandem store symbols market_data"}},
      {"tandem store versions", {"tandem store versions market_data SPY.1d"}},
      {"tandem store write",
       {"tandem store write research prices --csv prices.csv",
        "generate-prices | tandem store write research prices --csv -"}},
      {"tandem store append",
       {"tandem store append research prices --csv new-rows.csv",
        "tail -n +2 new.csv | tandem store append research prices --csv -"}},
      {"tandem store read",
       {"tandem store read market_data SPY.1d", "tandem store read research prices --csv -"}},
      {"tandem store snapshot", {"tandem store snapshot market_data before-import"}},
      {"tandem store snapshots", {"tandem store snapshots market_data"}},
      {"tandem store prune", {"tandem store prune market_data SPY.1d --keep 5"}},
      {"tandem store compact",
       {"tandem store compact market_data", "tandem store compact market_data SPY.1d"}},
      {"tandem store stats", {"tandem store stats market_data"}},
      {"tandem store verify", {"tandem store verify", "tandem store verify market_data"}},
      {"tandem store copy",
       {"tandem store copy lmdb://./tandem-data s3://127.0.0.1:9000:tandem",
        "tandem store copy lmdb://./tandem-data lmdb:///backups/copy --library market_data"}},
      {"tandem store spills", {"tandem store spills", "tandem store spills DU1234567"}},
      {"tandem store replay-spill", {"tandem store replay-spill DU1234567"}},
  };
  return table;
}

void add(CLI::App& app, const std::string& path, std::vector<std::string>& missing) {
  auto found = examples().find(path);
  if (found == examples().end()) {
    missing.push_back(path);
  } else {
    std::string footer = "\nExamples:";
    for (const std::string& line : found->second) footer += "\n  " + line;
    app.footer(footer);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    add(*sub, path + " " + sub->get_name(), missing);
  }
}

}  // namespace

void add_examples(CLI::App& root) {
  std::vector<std::string> missing;
  for (CLI::App* sub : root.get_subcommands([](CLI::App*) { return true; })) {
    add(*sub, "tandem " + sub->get_name(), missing);
  }
  if (!missing.empty()) {
    throw Error(ErrorKind::Internal, fmt::format("no examples for: {}", fmt::join(missing, "; ")),
                "cli/examples.cc");
  }
}

}  // namespace tandem::cli
