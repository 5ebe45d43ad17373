// What every `tandem` subcommand shares: the global options and how the store URI is resolved.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "cli/setting_flags.h"

namespace CLI {
class App;
}

namespace tandem::store {
class Store;
}

namespace tandem::cli {

struct CliContext {
  std::string store_flag;  // --store, empty when not given
  // The exit status of a command that fails with a tandem::Error (docs/store-cli.md lists them):
  // 1, or what the command set before throwing (e.g. 3: `live` left rows in the spill).
  int error_exit_code = 1;
  // The running command's own flag for a setting where it differs from the default table
  // (setting_flags.h): `data import` and `data download` spell bar_size --bar.
  SettingFlags setting_flags;

  // --store flag, then $TANDEM_STORE, then lmdb://./tandem-data (DESIGN.md, store contract).
  std::string store_uri() const;
  std::unique_ptr<store::Store> open_store() const;
  // For commands that only read: a path with no store is a NotFound error, and nothing is
  // created (lmdb://; other backends open as usual).
  std::unique_ptr<store::Store> open_store_for_reading() const;
};

// Thrown by a command that has done its work but must end with a status other than 0 or 1;
// main() exits with `code` (docs/store-cli.md lists the exit statuses).
struct ExitStatus {
  int code;
};
// `tandem report` of a run that did not finish: the report was written, under a banner. (Not 3:
// main uses 3 for `tandem live` leaving rows in its spill.)
inline constexpr int kExitIncompleteRun = 4;

// Each command group registers its subcommands on the root app; the callbacks capture `ctx`,
// which outlives parsing. Declared here, defined in <group>_commands.cc.
void register_store_commands(CLI::App& app, CliContext& ctx);
// `tandem store copy` (store_copy_command.cc), added to the "store" group made above.
void register_store_copy_command(CLI::App& store_group, CliContext& ctx);
// `tandem store spills` and `replay-spill` (spill_commands.cc), added to the "store" group.
void register_spill_commands(CLI::App& store_group, CliContext& ctx);
// For `tandem store verify`: prints every unreplayed spill of the store and throws naming them
// (their rows are not in the store yet); returns 0 when there is none.
std::size_t report_unreplayed_spills(const CliContext& ctx);
void register_report_commands(CLI::App& app, CliContext& ctx);
void register_data_commands(CLI::App& app, CliContext& ctx);
void register_alloc_commands(CLI::App& app, CliContext& ctx);
void register_backtest_commands(CLI::App& app, CliContext& ctx);
void register_gateway_commands(CLI::App& app, CliContext& ctx);
void register_live_commands(CLI::App& app, CliContext& ctx);
void register_sweep_commands(CLI::App& app, CliContext& ctx);

}  // namespace tandem::cli
