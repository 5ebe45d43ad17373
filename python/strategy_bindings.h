// Binds the strategy API (strategy_bindings.cc) and the runs (run_bindings.cc: backtests;
// live_bindings.cc: live sessions) into tandem._native.
#pragma once

#include <pybind11/pybind11.h>

namespace tandem::python {

void bind_strategy_api(pybind11::module_& m);
void bind_runs(pybind11::module_& m);
void bind_live(pybind11::module_& m);

}  // namespace tandem::python
