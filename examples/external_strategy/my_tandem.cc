// my_tandem: the `tandem` command, every command and option of it, with momentum added to the
// strategies shipped with tandem.
#include "cli/command.h"
#include "momentum.h"

int main(int argc, char** argv) {
  tandem::strategy::StrategyRegistry registry = tandem::strategy::builtin_strategies();
  registry.add(momentum_definition());
  return tandem::cli::run_command(argc, argv, registry);
}
