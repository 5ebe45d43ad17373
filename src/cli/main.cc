// tandem: the command-line entry point. The command itself is tandem::cli::run_command
// (cli/command.h, in the library tandem::cli), so a program of one's own can run it with its
// own strategies; this one runs it with the strategies shipped with tandem.
#include "cli/command.h"

int main(int argc, char** argv) {
  return tandem::cli::run_command(argc, argv, tandem::strategy::builtin_strategies());
}
