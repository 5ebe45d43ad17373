#include "cli/python_specs.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include "core/error.h"

namespace tandem::cli {
namespace {

namespace fs = std::filesystem;

// The entry point tandem/_native exports for this (python/embedded.cc).
using DefinitionFunction = bool (*)(const char* file, const char* class_name,
                                    strategy::StrategyDefinition* out, std::string* error);

#ifdef TANDEM_LIBPYTHON
std::optional<fs::path> native_module_in(const fs::path& python_dir) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(python_dir / "tandem", ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("_native") && name.ends_with(".so")) return entry.path();
  }
  return std::nullopt;
}

fs::path find_native_module() {
  std::vector<fs::path> places;
  if (const char* env = std::getenv("TANDEM_PYTHONPATH"); env != nullptr && *env != '\0') {
    places.emplace_back(env);
  }
#ifdef TANDEM_BUILD_PYTHON_DIR
  places.emplace_back(TANDEM_BUILD_PYTHON_DIR);
#endif
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) places.push_back(exe.parent_path().parent_path() / "python");
#ifdef TANDEM_INSTALL_PYTHON_DIR
  places.emplace_back(TANDEM_INSTALL_PYTHON_DIR);
#endif
  std::string looked;
  for (const fs::path& place : places) {
    if (auto found = native_module_in(place)) return *found;
    looked += (looked.empty() ? "" : ", ") + place.string();
  }
  throw Error(ErrorKind::Unavailable,
              "Python strategies need the tandem Python module (tandem/_native*.so), not found "
              "in " +
                  looked + "; build the target tandem_python_native or set TANDEM_PYTHONPATH",
              "--strategy");
}

#endif

// Loads libpython and the module once per process; returns the module's entry point.
DefinitionFunction load_entry_point() {
  static DefinitionFunction entry = [] {
#ifndef TANDEM_LIBPYTHON
    throw Error(ErrorKind::Unavailable,
                "this tandem was built without the Python module (a sanitizer build, or Python "
                "not found at configure time), so it cannot run Python strategies",
                "--strategy");
    return DefinitionFunction{};
#else
    // RTLD_GLOBAL: the module (like every Python extension) leaves the interpreter's symbols
    // to be found in the process.
    if (dlopen(TANDEM_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL) == nullptr) {
      throw Error(
          ErrorKind::Unavailable,
          std::string("Python strategies need ") + TANDEM_LIBPYTHON +
              " (Debian: libpython3-dev or libpython3.x), which could not be loaded: " + dlerror(),
          "--strategy");
    }
    fs::path module = find_native_module();
    void* handle = dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      throw Error(ErrorKind::Unavailable,
                  "cannot load the tandem Python module " + module.string() + ": " + dlerror(),
                  "--strategy");
    }
    void* symbol = dlsym(handle, "tandem_python_strategy_definition");
    if (symbol == nullptr) {
      throw Error(ErrorKind::Unavailable,
                  module.string() + " has no tandem_python_strategy_definition: rebuild it",
                  "--strategy");
    }
    return reinterpret_cast<DefinitionFunction>(symbol);
#endif
  }();
  return entry;
}

}  // namespace

void register_python_strategies(std::vector<std::string>& specs,
                                strategy::StrategyRegistry& registry) {
  std::map<std::string, std::string> python_specs;  // registry name -> FILE.py:CLASS
  for (std::string& spec : specs) {
    std::size_t py = spec.find(".py:");
    if (py == std::string::npos) continue;
    std::string file = spec.substr(0, py + 3);
    std::string rest = spec.substr(py + 4);  // Class[:SYMBOLS][@KEY]
    std::size_t end = rest.find_first_of(":@");
    std::string class_name = rest.substr(0, end);
    std::string suffix = end == std::string::npos ? "" : rest.substr(end);
    if (class_name.empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  "'" + spec + "': name the class after the file, as FILE.py:CLASS", "--strategy");
    }
    if (!fs::is_regular_file(file)) {
      throw Error(ErrorKind::NotFound, "no such file " + file + " (in '" + spec + "')",
                  "--strategy");
    }
    DefinitionFunction definition_of = load_entry_point();
    strategy::StrategyDefinition definition;
    std::string error;
    if (!definition_of(file.c_str(), class_name.c_str(), &definition, &error)) {
      throw Error(ErrorKind::InvalidArgument, error, "--strategy " + spec);
    }
    std::string name = definition.name;
    auto added = python_specs.find(name);
    if (added == python_specs.end()) {
      if (registry.contains(name)) {
        throw Error(ErrorKind::InvalidArgument,
                    "the class runs under the name '" + name +
                        "', which a C++ strategy has; set `name = ...` on the class",
                    "--strategy " + spec);
      }
      registry.add(std::move(definition));
      python_specs.emplace(name, file + ":" + class_name);
    } else if (added->second != file + ":" + class_name) {
      throw Error(ErrorKind::InvalidArgument,
                  "the class runs under the name '" + name + "', as " + added->second +
                      " does; set `name = ...` on one of them",
                  "--strategy " + spec);
    }
    spec = name + suffix;
  }
}

}  // namespace tandem::cli
