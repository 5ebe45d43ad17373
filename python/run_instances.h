// The strategy instances of a run from Python (tandem.backtest and tandem.live build the list in
// python/tandem/runs.py): one parser for both modes, as the command line has (cli/run_spec.h).
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "strategy/strategy.h"

namespace tandem::python {

struct RunStrategy {
  std::unique_ptr<strategy::Strategy> strategy;
  std::string name;  // its registry name
};

// instances: [(strategy, name, key, [symbols], [(param, value)], where)]: strategy is a C++
// strategy's registry name (str) or a tandem.Strategy subclass registered under `name`; `where`
// names it in errors. Builds each instance with its parameters checked; throws tandem::Error
// (InvalidArgument) before anything runs. Call with the GIL held.
std::vector<RunStrategy> build_run_strategies(const pybind11::list& instances,
                                              const std::string& bar_size);

}  // namespace tandem::python
