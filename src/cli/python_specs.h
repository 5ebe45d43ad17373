// `--strategy path/to/file.py:Class[:SYMBOL|:A+B][@KEY]`: strategies written in Python
// (docs/strategies.md, "Python strategies") run by `tandem backtest` and `tandem live`.
//
// The tandem binary does not link libpython: a command without a Python strategy never loads
// it, so the binary starts where Python is not installed. When a spec names a .py file, the
// interpreter is embedded at run time — libpython (its soname fixed at build time, e.g.
// libpython3.11.so.1.0) is dlopen'ed with RTLD_GLOBAL, then the tandem Python module
// (tandem/_native*.so, which holds the C++ adapter, python/python_strategy.h) — and the class
// is loaded from the file and registered in `registry` like any C++ strategy. The module is
// looked up in $TANDEM_PYTHONPATH, then the build tree's python/ folder, then ../python next to
// the executable (an installed tree), then PREFIX/python of the installed tandem::cli.
#pragma once

#include <string>
#include <vector>

#include "strategy/registry.h"

namespace tandem::cli {

// Replaces each Python spec in `specs` by the registry name its class was registered under
// (keeping any :SYMBOL or @KEY suffix); specs naming C++ strategies are left as they are.
// Throws tandem::Error naming --strategy, before anything runs, for a missing file, a missing
// class, a class that is not a tandem.Strategy, or Python (or the module) not available.
void register_python_strategies(std::vector<std::string>& specs,
                                strategy::StrategyRegistry& registry);

}  // namespace tandem::cli
