// What every `tandem` subcommand shares: the global options, the settings (flag > environment >
// config file > default, cli/settings.h) and how the store URI is resolved.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "cli/setting_flags.h"
#include "cli/settings.h"
#include "core/error.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace tandem::store {
class Store;
}
namespace tandem::strategy {
class StrategyRegistry;
}

namespace tandem::cli {

struct CliContext {
  std::string store_flag;  // --store, empty when not given
  const CLI::Option* store_option = nullptr;
  std::string config_flag;  // --config
  std::string log_level;    // --log-level, then log.level
  const CLI::Option* log_level_option = nullptr;
  std::string log_file;  // --log-file, then log.file
  const CLI::Option* log_file_option = nullptr;
  Settings settings;  // loaded by start() once the command line is parsed
  // The exit status of a command that fails with a tandem::Error, when the command decides it
  // rather than the error's kind (docs/cli.md): e.g. 3: `live` left rows in the spill. 0: by
  // kind.
  int error_exit_code = 0;
  // The running command's own flag for a setting where it differs from the default table
  // (setting_flags.h): `data import` and `data download` spell bar_size --bar.
  SettingFlags setting_flags;
  // The strategies `--strategy NAME` names (run_command's registry); a run adds its --plugin
  // and FILE.py:CLASS strategies to a copy.
  const strategy::StrategyRegistry* strategies = nullptr;

  // After parsing, before the command runs: loads the config file and configures the logs.
  void start();

  // store.uri by the precedence rule (default lmdb://./tandem-data), with the config file's
  // store.s3.* options added to an S3 URI that lacks them (docs/cli.md, docs/s3.md).
  std::string store_uri() const;
  std::unique_ptr<store::Store> open_store() const;
  // For commands that only read: a path with no store is a NotFound error, and nothing is
  // created (lmdb://; other backends open as usual).
  std::unique_ptr<store::Store> open_store_for_reading() const;
};

// Thrown by a command that has done its work but must end with a status other than 0 or 1;
// main() exits with `code` (docs/cli.md lists the exit statuses).
struct ExitStatus {
  int code;
};
// The exit statuses (docs/cli.md, "Exit status": one table, kept in step with this list).
inline constexpr int kExitUsage = 2;  // a usage error or ErrorKind::InvalidArgument
// `tandem live` left rows in its spill (docs/live.md).
inline constexpr int kExitLiveSpill = 3;
// `tandem report` of a run that did not finish: the report was written, under a banner.
inline constexpr int kExitIncompleteRun = 4;
// The status of a failure of this kind.
int exit_code_for(ErrorKind kind);

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
void register_risk_commands(CLI::App& app, CliContext& ctx);
void register_backtest_commands(CLI::App& app, CliContext& ctx);
void register_gateway_commands(CLI::App& app, CliContext& ctx);
void register_live_commands(CLI::App& app, CliContext& ctx);
// `tandem config show` (config_commands.cc).
void register_config_commands(CLI::App& app, CliContext& ctx);
// `tandem sweep`, `tandem sweep status` (sweep_commands.cc).
void register_sweep_commands(CLI::App& app, CliContext& ctx);

}  // namespace tandem::cli
