// tandem: the command-line entry point. Subcommand groups live in <group>_commands.cc.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/setting_flags.h"
#include "core/error.h"
#include "core/printable.h"

namespace {

// SIGBUS in tandem means a read through a memory map failed: LMDB's data file with damaged page
// pointers (LMDB keeps no checksums of its own pages and follows them), or a mapped input file
// that shrank. That is a damaged store or file, not a bug to dump core for: say so and exit 1
// (docs/operations.md). Only async-signal-safe calls here.
void on_sigbus(int) {
  static constexpr char kMessage[] =
      "tandem: error: corruption: reading a memory-mapped file failed (SIGBUS): the store's LMDB "
      "data file is damaged (a page points outside the file), or an input file shrank while it "
      "was read; see docs/operations.md, \"Restoring\"\n";
  const ssize_t ignored = ::write(2, kMessage, sizeof kMessage - 1);
  static_cast<void>(ignored);
  ::_exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  struct sigaction bus {};
  bus.sa_handler = on_sigbus;
  sigemptyset(&bus.sa_mask);
  ::sigaction(SIGBUS, &bus, nullptr);
  CLI::App app{"tandem: one strategy, backtested and traded live on Interactive Brokers"};
  app.require_subcommand(1);
  tandem::cli::CliContext ctx;
  app.add_option("--store", ctx.store_flag,
                 "store URI: lmdb://PATH, mem://, s3://HOST:PORT:BUCKET (default: $TANDEM_STORE, "
                 "then lmdb://./tandem-data)");

  tandem::cli::register_store_commands(app, ctx);
  tandem::cli::register_store_copy_command(*app.get_subcommand("store"), ctx);
  tandem::cli::register_spill_commands(*app.get_subcommand("store"), ctx);
  tandem::cli::register_report_commands(app, ctx);
  tandem::cli::register_data_commands(app, ctx);
  tandem::cli::register_alloc_commands(app, ctx);
  tandem::cli::register_backtest_commands(app, ctx);
  tandem::cli::register_gateway_commands(app, ctx);
  tandem::cli::register_live_commands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const tandem::cli::ExitStatus& status) {
    return status.code;
  } catch (const tandem::Error& e) {
    const tandem::Error said = tandem::cli::in_flag_terms(e, ctx.setting_flags);
    std::cerr << "tandem: error: " << tandem::printable(said.what()) << "\n";
    if (std::string hint = tandem::cli::command_hint(said); !hint.empty()) {
      std::cerr << "tandem: hint: " << hint << "\n";
    }
    return ctx.error_exit_code;
  } catch (const std::exception& e) {
    std::cerr << "tandem: internal error: " << tandem::printable(e.what()) << "\n";
    return 2;
  }
  return 0;
}
