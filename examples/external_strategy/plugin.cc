// The plugin's one entry point: `tandem --plugin libmomentum_plugin.so` calls add_strategies.
#include "strategy/plugin.h"

#include "momentum.h"

namespace {

void add_strategies(tandem::strategy::StrategyRegistry& registry) {
  registry.add(momentum_definition());
}

}  // namespace

TANDEM_STRATEGY_PLUGIN(add_strategies)
