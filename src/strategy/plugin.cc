#include "strategy/plugin.h"

#include <dlfcn.h>

#include <filesystem>

#include "core/error.h"

namespace tandem::strategy {

void load_plugin(const std::string& path, StrategyRegistry& registry) {
  namespace fs = std::filesystem;
  const std::string where = "plugin " + path;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw Error(ErrorKind::NotFound, fs::exists(path, ec) ? "not a file" : "no such file", where);
  }
  // An absolute path: dlopen would look a bare file name up in the library path instead.
  const std::string file = fs::absolute(path).lexically_normal().string();
  // RTLD_LOCAL: two plugins may define the same internal names without meeting.
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    throw Error(ErrorKind::InvalidArgument,
                std::string("cannot load it as a shared object: ") + dlerror(), where);
  }
  void* symbol = dlsym(handle, kPluginEntryPoint);
  if (symbol == nullptr) {
    throw Error(ErrorKind::InvalidArgument,
                std::string("exports no ") + kPluginEntryPoint +
                    "(): not a tandem strategy plugin (define one with "
                    "TANDEM_STRATEGY_PLUGIN, strategy/plugin.h)",
                where);
  }
  const PluginEntry* entry = reinterpret_cast<PluginEntryFunction>(symbol)();
  if (entry == nullptr) {
    throw Error(ErrorKind::InvalidArgument, std::string(kPluginEntryPoint) + "() returned null",
                where);
  }
  if (entry->abi_version != kPluginAbiVersion) {
    const std::string built = entry->tandem_version != nullptr
                                  ? std::string(" (tandem ") + entry->tandem_version + ")"
                                  : std::string();
    throw Error(ErrorKind::InvalidArgument,
                "built against strategy plugin ABI " + std::to_string(entry->abi_version) + built +
                    ", but this tandem (" + TANDEM_VERSION + ") loads plugin ABI " +
                    std::to_string(kPluginAbiVersion) +
                    ": rebuild the plugin against this tandem's installed package",
                where);
  }
  if (entry->add_strategies == nullptr) {
    throw Error(ErrorKind::InvalidArgument, "its entry point names no add_strategies function",
                where);
  }
  // Into a registry of its own first, so a clash leaves `registry` as it was.
  StrategyRegistry added;
  try {
    entry->add_strategies(added);
  } catch (const Error& e) {
    throw e.within(where);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::InvalidArgument,
                std::string("adding its strategies failed: ") + e.what(), where);
  }
  if (added.definitions().empty()) {
    throw Error(ErrorKind::InvalidArgument, "adds no strategy", where);
  }
  for (const StrategyDefinition& definition : added.definitions()) {
    if (registry.contains(definition.name)) {
      throw Error(ErrorKind::InvalidArgument,
                  "its strategy '" + definition.name +
                      "' has the name of a strategy already registered (" + registry.names() + ")",
                  where);
    }
  }
  for (const StrategyDefinition& definition : added.definitions()) registry.add(definition);
  // The handle is never closed: the definitions' factories and every strategy's code live in
  // the plugin.
}

}  // namespace tandem::strategy
