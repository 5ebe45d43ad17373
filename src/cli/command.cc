// run_command: the `tandem` command (cli/command.h). Subcommand groups live in
// <group>_commands.cc; the conventions every command follows (exit statuses, usage errors,
// settings) are in docs/cli.md.
#include "cli/command.h"

#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "cli/build_info.h"
#include "cli/cli_context.h"
#include "cli/completion.h"
#include "cli/setting_flags.h"
#include "cli/usage.h"
#include "core/error.h"
#include "core/printable.h"
#include "core/redact.h"
#include "store/lmdb/lmdb_storage.h"

namespace {

// SIGBUS in tandem means a read through a memory map failed: LMDB's data file with damaged page
// pointers (LMDB keeps no checksums of its own pages and follows them), or a mapped input file
// that shrank. That is a damaged store or file, not a bug to dump core for: say so and exit with
// the corruption status, 7 (docs/operations.md, docs/cli.md). Only async-signal-safe calls here.
void on_sigbus(int) {
  static constexpr char kMessage[] =
      "tandem: error: corruption: reading a memory-mapped file failed (SIGBUS): the store's LMDB "
      "data file is damaged (a page points outside the file), or an input file shrank while it "
      "was read; see docs/operations.md, \"Restoring\"\n";
  const ssize_t ignored = ::write(2, kMessage, sizeof kMessage - 1);
  static_cast<void>(ignored);
  ::_exit(7);
}

std::string version_text() {
  return std::string("tandem ") + tandem::cli::kVersion + " (commit " + tandem::cli::kGitCommit +
         ", " + tandem::cli::kBuildType + " build, " + tandem::cli::kCompiler + ")";
}

// SIGSEGV inside liblmdb or past an LMDB memory map: LMDB followed a damaged page (see
// lmdb_fault_is_damage). Anywhere else it is a bug: the default action (a core dump) runs.
void on_sigsegv(int signal, siginfo_t* info, void* context) {
  const void* pc = nullptr;
#if defined(__x86_64__)
  pc = reinterpret_cast<const void*>(static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  pc = reinterpret_cast<const void*>(static_cast<ucontext_t*>(context)->uc_mcontext.pc);
#endif
  if (info != nullptr && tandem::store::lmdb_fault_is_damage(info->si_addr, pc)) {
    static constexpr char kMessage[] =
        "tandem: error: corruption: LMDB crashed reading the store (SIGSEGV): its data file is "
        "damaged (a page or node points where it must not); see docs/operations.md, "
        "\"Restoring\"\n";
    const ssize_t ignored = ::write(2, kMessage, sizeof kMessage - 1);
    static_cast<void>(ignored);
    ::_exit(7);  // corruption (docs/cli.md)
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

}  // namespace

namespace tandem::cli {

int run_command(int argc, char** argv, const strategy::StrategyRegistry& registry) {
  struct sigaction bus {};
  bus.sa_handler = on_sigbus;
  sigemptyset(&bus.sa_mask);
  ::sigaction(SIGBUS, &bus, nullptr);
  struct sigaction segv {};
  segv.sa_sigaction = on_sigsegv;
  segv.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigemptyset(&segv.sa_mask);
  ::sigaction(SIGSEGV, &segv, nullptr);
  // The name is given, so help says "tandem", not the path the binary was started by.
  CLI::App app{"tandem: one strategy, backtested and traded live on Interactive Brokers", "tandem"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(), "print version, commit, build type, compiler");
  CliContext ctx;
  ctx.strategies = &registry;
  ctx.store_option = app.add_option("--store", ctx.store_flag,
                                    "store URI: lmdb://PATH, mem://, s3://HOST:PORT:BUCKET "
                                    "(default: $TANDEM_STORE, then the config file's store.uri, "
                                    "then lmdb://./tandem-data)");
  app.add_option("--config", ctx.config_flag,
                 "config file (default: $TANDEM_CONFIG, then $XDG_CONFIG_HOME/tandem/config.toml "
                 "or ~/.config/tandem/config.toml)");
  ctx.log_level_option =
      app.add_option("--log-level", ctx.log_level,
                     "trace, debug, info, warn or error (default: $TANDEM_LOG_LEVEL, log.level, "
                     "info)")
          ->check(one_of({"trace", "debug", "info", "warn", "error"}));
  ctx.log_file_option = app.add_option(
      "--log-file", ctx.log_file,
      "also write log lines to PATH, rotated by size (default: $TANDEM_LOG_FILE, log.file)");

  register_store_commands(app, ctx);
  register_store_copy_command(*app.get_subcommand("store"), ctx);
  register_spill_commands(*app.get_subcommand("store"), ctx);
  register_report_commands(app, ctx);
  register_data_commands(app, ctx);
  register_alloc_commands(app, ctx);
  register_risk_commands(app, ctx);
  register_backtest_commands(app, ctx);
  register_gateway_commands(app, ctx);
  register_live_commands(app, ctx);
  register_sweep_commands(app, ctx);
  register_config_commands(app, ctx);
  register_completion_command(app);
  add_examples(app);
  // Runs after the whole command line is parsed and before the subcommand's callback.
  app.parse_complete_callback([&ctx] { ctx.start(); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A usage error may quote a word from the command line ("not expected: s3://...?secret_key=
    // ..."): its text goes through redact_text like every other message.
    std::cerr << "tandem: error: "
              << tandem::printable(tandem::redact_text(describe_usage_error(app, e)))
              << "\n(see tandem --help, or tandem COMMAND --help)\n";
    return kExitUsage;
  } catch (const ExitStatus& status) {
    return status.code;
  } catch (const tandem::Error& e) {
    const tandem::Error said = in_flag_terms(e, ctx.setting_flags);
    // redact_text: the last guard, for a message that quotes a URI it got from elsewhere.
    std::cerr << "tandem: error: " << tandem::printable(tandem::redact_text(said.what())) << "\n";
    if (std::string hint = command_hint(said); !hint.empty()) {
      std::cerr << "tandem: hint: " << tandem::redact_text(hint) << "\n";
    }
    return ctx.error_exit_code != 0 ? ctx.error_exit_code : exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "tandem: internal error: " << tandem::printable(tandem::redact_text(e.what()))
              << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tandem::cli
