// `tandem store spills` and `tandem store replay-spill`: the rows a live run could not write to
// the store at shutdown (broker/account_spill.h), listed and appended to their account library.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "broker/account_spill.h"
#include "cli/cli_context.h"
#include "core/error.h"
#include "core/redact.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

std::optional<std::string> account_or_all(const std::string& account) {
  return account.empty() ? std::nullopt : std::optional<std::string>(account);
}

void run_spills(const CliContext& ctx, const std::string& account) {
  const std::string uri = ctx.store_uri();
  const auto spills = broker::find_spills(uri, account_or_all(account));
  if (spills.empty()) {
    std::cout << "no spill: every recorded row is in the store\n";
    return;
  }
  for (const broker::SpillFile& spill : spills) {
    std::cout << fmt::format("{}\t{} rows\t{}\n", spill.account, spill.rows, spill.path.string());
  }
}

void run_replay(const CliContext& ctx, const std::string& account) {
  auto store = ctx.open_store();
  std::vector<std::string> accounts;
  for (const broker::SpillFile& spill :
       broker::find_spills(store->uri(), account_or_all(account))) {
    if (accounts.empty() || accounts.back() != spill.account) accounts.push_back(spill.account);
  }
  std::size_t rows = 0;
  for (const std::string& name : accounts) {
    rows += broker::replay_spills(*store, name,
                                  [](const std::string& line) { std::cout << line << "\n"; });
  }
  std::cout << fmt::format("{} rows replayed from the spills of {} account(s)\n", rows,
                           accounts.size());
}

}  // namespace

std::size_t report_unreplayed_spills(const CliContext& ctx) {
  std::size_t rows = 0;
  const auto spills = broker::find_spills(ctx.store_uri());
  for (const broker::SpillFile& spill : spills) {
    std::cout << fmt::format("unreplayed spill: {} rows of {} in {}\n", spill.rows, spill.account,
                             spill.path.string());
    rows += spill.rows;
  }
  if (!spills.empty()) {
    throw Error(
        ErrorKind::Conflict,
        fmt::format("{} unreplayed spill(s) hold {} account rows that are not in the store "
                    "yet; `tandem store replay-spill` (or the account's next `tandem live`) "
                    "appends them",
                    spills.size(), rows),
        redact_uri(ctx.store_uri()));
  }
  return rows;
}

void register_spill_commands(CLI::App& store_group, CliContext& ctx) {
  auto account = std::make_shared<std::string>();
  CLI::App* list = store_group.add_subcommand(
      "spills", "list the account rows a live run could not write and left in a spill");
  list->add_option("ACCOUNT", *account, "only this account's spills");
  list->callback([&ctx, account] { run_spills(ctx, *account); });

  auto replay_account = std::make_shared<std::string>();
  CLI::App* replay = store_group.add_subcommand(
      "replay-spill", "append spilled account rows to their library and remove the spill");
  replay->add_option("ACCOUNT", *replay_account, "only this account's spills");
  replay->callback([&ctx, replay_account] { run_replay(ctx, *replay_account); });
}

}  // namespace tandem::cli
