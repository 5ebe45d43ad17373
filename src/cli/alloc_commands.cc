// tandem alloc set KEY WEIGHT [--disable]      target weight in general/strategies
// tandem alloc list                            the latest weight of every strategy
// tandem alloc equity ACCOUNT KEY AMOUNT       explicit equity in ACCOUNT/strategy_KEY_equity
// The two tiers of a strategy's equity (docs/strategies.md): an explicit amount wins over
// target_weight × the account's total equity.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "cli/cli_context.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

struct SetArgs {
  std::string key;
  double weight = 0;
  bool disable = false;
  bool allow_leverage = false;
};

struct EquityArgs {
  std::string account;
  std::string key;
  double amount = 0;
};

void run_set(const CliContext& ctx, const SetArgs& args) {
  if (!(args.weight >= 0 && args.weight <= 1)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("target weight must be in [0, 1], got {}", args.weight), "WEIGHT");
  }
  auto store = ctx.open_store();
  // The enabled weights after this change; more than 1 asks for more than the account holds.
  double enabled_total = args.disable ? 0 : args.weight;
  for (const broker::StrategyWeight& weight : broker::read_strategy_weights(*store)) {
    if (weight.strategy != args.key && weight.enabled) enabled_total += weight.target_weight;
  }
  if (enabled_total > 1 + 1e-9 && !args.allow_leverage) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("the enabled target weights would add up to {:.6g}, more than the "
                            "whole account (see `tandem alloc list`); nothing was changed. Lower "
                            "another weight first, or pass --allow-leverage",
                            enabled_total),
                "general/strategies/" + args.key);
  }
  broker::set_strategy_weight(*store, args.key, args.weight, !args.disable, now_utc());
  std::cout << fmt::format("{}: target weight {}{} in general/strategies\n", args.key, args.weight,
                           args.disable ? " (disabled)" : "");
}

void run_list(const CliContext& ctx) {
  auto store = ctx.open_store_for_reading();
  std::vector<broker::StrategyWeight> weights = broker::read_strategy_weights(*store);
  if (weights.empty()) {
    std::cout << "no strategy weights yet: `tandem alloc set KEY WEIGHT`\n";
    return;
  }
  std::cout << fmt::format("{:<20} {:>13} {:>8}  {}\n", "strategy", "target_weight", "enabled",
                           "updated");
  double enabled_total = 0;
  for (const broker::StrategyWeight& weight : weights) {
    std::cout << fmt::format("{:<20} {:>13} {:>8}  {}\n", weight.strategy, weight.target_weight,
                             weight.enabled ? "yes" : "no", format_timestamp(weight.updated));
    if (weight.enabled) enabled_total += weight.target_weight;
  }
  std::cout << fmt::format("total of enabled weights: {}\n", enabled_total);
  if (enabled_total > 1.0 + 1e-12) {
    std::cout << "warning: the enabled weights add up to more than 1; in a cash account the "
                 "strategies together can ask for more than the account holds\n";
  }
}

void run_equity(const CliContext& ctx, const EquityArgs& args) {
  store::validate_name("library", args.account);
  auto store = ctx.open_store();
  broker::set_explicit_equity(*store, args.account, args.key, args.amount, now_utc());
  std::cout << fmt::format("{}/{}: equity {:.2f} (wins over any target weight)\n", args.account,
                           broker::strategy_equity_symbol(args.key), args.amount);
}

}  // namespace

void register_alloc_commands(CLI::App& app, CliContext& ctx) {
  CLI::App* alloc =
      app.add_subcommand("alloc", "strategy equity allocation: target weights, explicit equity");
  alloc->require_subcommand(1);
  {
    auto args = std::make_shared<SetArgs>();
    CLI::App* cmd = alloc->add_subcommand(
        "set", "set a strategy's target weight (fraction of the account's total equity)");
    cmd->add_option("KEY", args->key, "strategy key, e.g. TQQQ")->required();
    cmd->add_option("WEIGHT", args->weight, "target weight in [0, 1]")->required();
    cmd->add_flag("--disable", args->disable, "record the strategy as disabled");
    cmd->add_flag("--allow-leverage", args->allow_leverage,
                  "accept enabled weights adding up to more than 1");
    cmd->callback([&ctx, args] { run_set(ctx, *args); });
  }
  alloc->add_subcommand("list", "list every strategy's latest target weight")->callback([&ctx] {
    run_list(ctx);
  });
  {
    auto args = std::make_shared<EquityArgs>();
    CLI::App* cmd = alloc->add_subcommand(
        "equity", "set a strategy's explicit equity in an account (wins over its weight)");
    cmd->add_option("ACCOUNT", args->account, "account id, e.g. DU1234567")->required();
    cmd->add_option("KEY", args->key, "strategy key, e.g. TQQQ")->required();
    cmd->add_option("AMOUNT", args->amount, "equity in the account's currency")->required();
    cmd->callback([&ctx, args] { run_equity(ctx, *args); });
  }
}

}  // namespace tandem::cli
