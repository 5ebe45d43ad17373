// The `tandem` command as a function, for a program of one's own: the same commands, options,
// messages and exit statuses as the installed `tandem` (docs/cli.md), with the strategies of
// `registry` as the names `--strategy` takes (docs/strategies.md, "C++ strategies outside the
// tree"):
//
//   int main(int argc, char** argv) {
//     tandem::strategy::StrategyRegistry registry = tandem::strategy::builtin_strategies();
//     registry.add(momentum_definition());
//     return tandem::cli::run_command(argc, argv, registry);
//   }
//
// `tandem backtest|live --plugin FILE.so` and `--strategy FILE.py:CLASS` add to a copy of the
// registry for that run, as in the `tandem` binary.
#pragma once

#include "strategy/registry.h"

namespace tandem::cli {

// Parses argv (argv[0] is the program), runs the command and returns the process's exit status:
// 0, or the status docs/cli.md lists for the failure, after printing it on stderr. Installs the
// handlers that turn a damaged memory-mapped store's SIGBUS / SIGSEGV into the corruption
// status. `registry` must outlive the call.
int run_command(int argc, char** argv, const strategy::StrategyRegistry& registry);

}  // namespace tandem::cli
