// A plugin as one built against headers of another plugin ABI would look: its entry point
// reports ABI 999 (and tandem 9.9.9). The loader must refuse it before calling anything else.
#include <cstdlib>

#include "strategy/plugin.h"

namespace {

void add_strategies(tandem::strategy::StrategyRegistry&) {
  std::abort();  // never called: the ABI check comes first
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const tandem::strategy::PluginEntry*
tandem_strategy_plugin() {
  static const tandem::strategy::PluginEntry entry{999, "9.9.9", &add_strategies};
  return &entry;
}
