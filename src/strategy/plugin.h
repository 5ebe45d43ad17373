// Strategy plugins: C++ strategies built outside the tandem tree, in a shared object that
// `tandem backtest|live --plugin path/to/libmy.so --strategy NAME` loads (docs/strategies.md,
// "C++ strategies outside the tree").
//
// A plugin defines one function that adds its strategy definitions to a registry, and exports
// it with TANDEM_STRATEGY_PLUGIN:
//
//   void add_my_strategies(tandem::strategy::StrategyRegistry& registry) {
//     registry.add(momentum_definition());
//   }
//   TANDEM_STRATEGY_PLUGIN(add_my_strategies)
//
// The macro defines the one C-linkage entry point, tandem_strategy_plugin(), which returns a
// PluginEntry naming the plugin ABI version the plugin was compiled against. The loader reads
// that number before it touches anything else in the plugin and refuses a plugin of another
// version, naming both: the strategy API's C++ types (strategy.h, registry.h, broker/broker.h,
// core's domain types) cross the boundary by layout, so a plugin is only safe with the headers
// it was built against. kPluginAbiVersion changes whenever one of those layouts does.
#pragma once

#include <cstdint>
#include <string>

#include "core/version.h"
#include "strategy/registry.h"

namespace tandem::strategy {

// The plugin ABI of these headers.
inline constexpr std::uint32_t kPluginAbiVersion = 1;

// What tandem_strategy_plugin() returns. Its first two members keep this layout in every ABI
// version, so any loader can read them and refuse a mismatch.
struct PluginEntry {
  std::uint32_t abi_version;   // kPluginAbiVersion of the headers the plugin was built with
  const char* tandem_version;  // TANDEM_VERSION of those headers, e.g. "0.1.0"
  void (*add_strategies)(StrategyRegistry& registry);
};

// The entry point's name and type.
inline constexpr char kPluginEntryPoint[] = "tandem_strategy_plugin";
using PluginEntryFunction = const PluginEntry* (*)();

// Loads the plugin at `path` (dlopen) and adds its strategies to `registry`. Throws
// tandem::Error before adding anything, naming the file: NotFound for a missing file;
// InvalidArgument for a file that is not a loadable shared object, one without the entry point,
// one built against another plugin ABI (both versions named), or a strategy name the registry
// already holds. The plugin stays loaded for the life of the process (its strategies' code and
// the definitions' factories live in it).
void load_plugin(const std::string& path, StrategyRegistry& registry);

}  // namespace tandem::strategy

// Defines the plugin's entry point; `add_function` is a
// void(tandem::strategy::StrategyRegistry&) defined in the plugin. Use it once per plugin.
#define TANDEM_STRATEGY_PLUGIN(add_function)                                                  \
  extern "C" __attribute__((visibility("default"))) const ::tandem::strategy::PluginEntry*    \
  tandem_strategy_plugin() {                                                                  \
    static const ::tandem::strategy::PluginEntry entry{::tandem::strategy::kPluginAbiVersion, \
                                                       TANDEM_VERSION, &add_function};        \
    return &entry;                                                                            \
  }
