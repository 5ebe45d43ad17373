// tandem risk set ACCOUNT|KEY NAME=VALUE...   limits in general/risk_limits
// tandem risk show                             every account's and strategy's latest limits
// tandem halt ACCOUNT [--cancel-open] [--flatten] [--reason TEXT]   the kill switch
// tandem resume ACCOUNT
// Pre-trade risk (docs/risk.md): the limits every order passes before it leaves, and the halts
// table that every running `tandem live` of the account watches.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cli_context.h"
#include "core/error.h"
#include "risk/risk.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

struct SetArgs {
  std::string name;
  std::vector<std::string> assignments;
  bool account = false;
  bool strategy = false;
};

struct HaltArgs {
  std::string account;
  bool cancel_open = false;
  bool flatten = false;
  std::string reason;
};

void run_set(const CliContext& ctx, const SetArgs& args) {
  if (args.account && args.strategy) {
    throw Error(ErrorKind::InvalidArgument, "give --account or --strategy, not both", "risk set");
  }
  const risk::Scope scope = args.account    ? risk::Scope::kAccount
                            : args.strategy ? risk::Scope::kStrategy
                                            : risk::guess_scope(args.name);
  auto store = ctx.open_store();
  // The stored row with the changes applied: limits not named stay as they were.
  risk::Limits limits = risk::find_limits(risk::read_limits(*store), scope, args.name);
  for (const std::string& assignment : args.assignments) risk::apply_assignment(limits, assignment);
  risk::write_limits(*store, scope, args.name, limits, now_utc());
  std::cout << fmt::format("{} {}: {} (general/{})\n", risk::scope_name(scope), args.name,
                           limits.describe(), risk::kLimitsSymbol);
}

void run_show(const CliContext& ctx) {
  auto store = ctx.open_store_for_reading();
  const std::vector<risk::LimitsRow> rows = risk::read_limits(*store);
  if (rows.empty()) {
    std::cout << "no risk limits yet: `tandem risk set ACCOUNT|KEY NAME=VALUE...`\n";
    return;
  }
  std::cout << fmt::format("{:<9} {:<20}", "scope", "name");
  for (std::string_view limit : risk::limit_names()) std::cout << fmt::format(" {:>21}", limit);
  std::cout << "  updated\n";
  for (const risk::LimitsRow& row : rows) {
    std::cout << fmt::format("{:<9} {:<20}", risk::scope_name(row.scope), row.name);
    const risk::Limits& l = row.limits;
    for (const std::optional<double>& value :
         {l.max_order_value, l.max_position_value, l.max_gross_leverage, l.max_orders_per_minute,
          l.price_band_pct, l.max_daily_loss}) {
      std::cout << fmt::format(" {:>21}", value ? fmt::format("{}", *value) : std::string("-"));
    }
    std::cout << "  " << format_timestamp(row.updated) << "\n";
  }
}

void run_halt(const CliContext& ctx, const HaltArgs& args, bool halt) {
  store::validate_name("account", args.account);
  auto store = ctx.open_store();
  store::Library library = store->library(args.account);
  const std::vector<risk::HaltRow> rows = risk::read_halts(library);
  const bool halted_now = !rows.empty() && rows.back().halted;
  if (!halt && !halted_now) {
    std::cout << fmt::format("account {} is not halted; nothing to resume\n", args.account);
    return;
  }
  risk::HaltRow row{now_utc(), halt, halt && args.cancel_open, halt && args.flatten, args.reason};
  risk::append_halt(library, row);
  if (halt) {
    std::cout << fmt::format(
        "account {} halted: running `tandem live` sessions refuse new orders within a second{}{}; "
        "`tandem resume {}` lifts it\n",
        args.account, row.cancel_open ? ", cancel working orders" : "",
        row.flatten ? ", close positions at market" : "", args.account);
  } else {
    std::cout << fmt::format("account {} resumed: new orders are allowed again\n", args.account);
  }
}

}  // namespace

void register_risk_commands(CLI::App& app, CliContext& ctx) {
  CLI::App* risk_cmd =
      app.add_subcommand("risk", "pre-trade risk limits per account and per strategy");
  risk_cmd->require_subcommand(1);
  {
    auto args = std::make_shared<SetArgs>();
    CLI::App* cmd = risk_cmd->add_subcommand(
        "set", "set limits of an account or a strategy (NAME=VALUE; VALUE none clears one)");
    cmd->add_option("ACCOUNT|KEY", args->name,
                    "an account id (DU…, U…, BT_…) or a strategy key; --account/--strategy to "
                    "say which")
        ->required();
    cmd->add_option("LIMITS", args->assignments,
                    "max_order_value, max_position_value, max_gross_leverage, "
                    "max_orders_per_minute, price_band_pct, max_daily_loss")
        ->required();
    cmd->add_flag("--account", args->account, "the name is an account id");
    cmd->add_flag("--strategy", args->strategy, "the name is a strategy key");
    cmd->callback([&ctx, args] { run_set(ctx, *args); });
  }
  risk_cmd->add_subcommand("show", "every account's and strategy's latest limits")
      ->callback([&ctx] { run_show(ctx); });
  {
    auto args = std::make_shared<HaltArgs>();
    CLI::App* cmd = app.add_subcommand(
        "halt", "the kill switch: refuse every new order of an account until resumed");
    cmd->add_option("ACCOUNT", args->account, "account id, e.g. DU1234567")->required();
    cmd->add_flag("--cancel-open", args->cancel_open, "also cancel the working orders");
    cmd->add_flag("--flatten", args->flatten, "also close every strategy position at market");
    cmd->add_option("--reason", args->reason, "recorded with the halt and logged");
    cmd->callback([&ctx, args] { run_halt(ctx, *args, true); });
  }
  {
    auto args = std::make_shared<HaltArgs>();
    CLI::App* cmd = app.add_subcommand("resume", "lift an account's halt");
    cmd->add_option("ACCOUNT", args->account, "account id, e.g. DU1234567")->required();
    cmd->add_option("--reason", args->reason, "recorded with the resume");
    cmd->callback([&ctx, args] { run_halt(ctx, *args, false); });
  }
}

}  // namespace tandem::cli
