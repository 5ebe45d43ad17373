// tandem: the command-line entry point. Subcommand groups live in <group>_commands.cc.
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/setting_flags.h"
#include "core/error.h"
#include "core/printable.h"
#include "store/lmdb/lmdb_storage.h"

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
    ::_exit(1);
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

}  // namespace

int main(int argc, char** argv) {
  struct sigaction bus {};
  bus.sa_handler = on_sigbus;
  sigemptyset(&bus.sa_mask);
  ::sigaction(SIGBUS, &bus, nullptr);
  struct sigaction segv {};
  segv.sa_sigaction = on_sigsegv;
  segv.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigemptyset(&segv.sa_mask);
  ::sigaction(SIGSEGV, &segv, nullptr);
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
  tandem::cli::register_sweep_commands(app, ctx);

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
