// tandem alloc set KEY WEIGHT [--disable]      target weight in general/strategies
// tandem alloc list                            the latest weight of every strategy
// tandem alloc equity ACCOUNT KEY AMOUNT       explicit equity in ACCOUNT/strategy_KEY_equity
// tandem alloc route KEY --exchange ... | --clear   routing preference in general/routing
// tandem alloc routes [KEY]                    the current routing preferences
// The two tiers of a strategy's equity (docs/strategies.md): an explicit amount wins over
// target_weight × the account's total equity.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "broker/routing.h"
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

struct RouteArgs {
  std::string key;
  std::string exchange;
  std::string primary_exchange;
  std::string currency;
  std::string account;
  std::string order_type;
  std::string tif;
  bool outside_rth = false;
  std::string algo;
  bool clear = false;
};

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

broker::Routing routing_of(const RouteArgs& args) {
  broker::Routing routing;
  routing.exchange = upper(args.exchange);
  routing.primary_exchange = upper(args.primary_exchange);
  routing.currency = upper(args.currency);
  routing.account = args.account;
  if (!args.order_type.empty()) {
    routing.order_type = parse_order_type(upper(args.order_type));
    if (!routing.order_type) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("unknown order type '{}' (MKT or LMT)", args.order_type),
                  "--order-type");
    }
  }
  if (!args.tif.empty()) {
    routing.tif = parse_time_in_force(upper(args.tif));
    if (!routing.tif) {
      throw Error(ErrorKind::InvalidArgument, fmt::format("unknown time in force '{}'", args.tif),
                  "--tif");
    }
  }
  routing.outside_rth = args.outside_rth;
  if (!args.algo.empty()) {
    auto [strategy, params] = broker::parse_algo(args.algo, "--algo");
    routing.algo_strategy = std::move(strategy);
    routing.algo_params = std::move(params);
  }
  return routing;
}

void run_route(const CliContext& ctx, const RouteArgs& args) {
  broker::validate_strategy_key(args.key);
  if (args.clear) {
    if (!routing_of(args).empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  "--clear removes the whole preference; give it without other options", "--clear");
    }
    auto store = ctx.open_store();
    broker::clear_routing(*store, args.key, now_utc());
    std::cout << fmt::format("{}: routing preference cleared in general/routing\n", args.key);
    return;
  }
  const broker::Routing routing = routing_of(args);
  if (routing.empty()) {
    throw Error(ErrorKind::InvalidArgument,
                "give at least one preference (--exchange, --primary-exchange, --currency, "
                "--account, --order-type, --tif, --outside-rth, --algo), or --clear",
                "tandem alloc route " + args.key);
  }
  broker::validate_routing(routing, "tandem alloc route " + args.key);
  auto store = ctx.open_store();
  broker::set_routing(*store, args.key, routing, now_utc());
  std::cout << fmt::format("{}: routing {} in general/routing (replaces any earlier one)\n",
                           args.key, broker::describe_routing(routing));
}

void run_routes(const CliContext& ctx, const std::string& key) {
  auto store = ctx.open_store_for_reading();
  std::vector<broker::StoredRouting> routings = broker::read_routings(*store);
  std::erase_if(routings,
                [&](const auto& stored) { return !key.empty() && stored.strategy != key; });
  if (routings.empty()) {
    if (!key.empty()) {
      throw Error(ErrorKind::NotFound,
                  fmt::format("strategy '{}' has no routing preference: `tandem alloc route {} "
                              "--exchange SMART ...` sets one",
                              key, key),
                  "general/routing");
    }
    std::cout << "no routing preferences yet: `tandem alloc route KEY --exchange ...`\n";
    return;
  }
  std::cout << fmt::format("{:<20} {:<20}  {}\n", "strategy", "updated", "routing");
  for (const broker::StoredRouting& stored : routings) {
    std::cout << fmt::format("{:<20} {:<20}  {}\n", stored.strategy,
                             format_timestamp(stored.updated),
                             broker::describe_routing(stored.routing));
  }
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
  {
    auto args = std::make_shared<RouteArgs>();
    CLI::App* cmd = alloc->add_subcommand(
        "route",
        "set or clear a strategy's routing preference (venue, account, default order type, algo)");
    cmd->add_option("KEY", args->key, "strategy key, e.g. TQQQ")->required();
    cmd->add_option("--exchange", args->exchange, "SMART or a venue, e.g. ISLAND");
    cmd->add_option("--primary-exchange", args->primary_exchange, "e.g. NASDAQ");
    cmd->add_option("--currency", args->currency, "e.g. USD");
    cmd->add_option("--account", args->account, "an advisor login's account, e.g. U1234567");
    cmd->add_option("--order-type", args->order_type,
                    "MKT, or LMT: market orders go out as limits at the last price");
    cmd->add_option("--tif", args->tif, "default time in force, e.g. GTC");
    cmd->add_flag("--outside-rth", args->outside_rth, "let orders fill outside regular hours");
    cmd->add_option("--algo", args->algo,
                    "IB algo and parameters: Adaptive:priority=Normal, Twap:strategyType="
                    "Marketable, Vwap:maxPctVol=0.1");
    cmd->add_flag("--clear", args->clear, "remove the strategy's routing preference");
    cmd->callback([&ctx, args] { run_route(ctx, *args); });
  }
  {
    auto key = std::make_shared<std::string>();
    CLI::App* cmd =
        alloc->add_subcommand("routes", "show the routing preferences (every strategy's or KEY's)");
    cmd->add_option("KEY", *key, "only this strategy");
    cmd->callback([&ctx, key] { run_routes(ctx, *key); });
  }
}

}  // namespace tandem::cli
