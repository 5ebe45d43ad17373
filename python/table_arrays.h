// Moving a store Table to numpy arrays and building one from numpy arrays: the C++ half of the
// DataFrame conversion (the pandas half is python/tandem/_frames.py; docs/python.md).
//
// Reading: each column's value buffer is moved into the array it becomes (no copy) for int64,
// float64, bool and timestamp columns; strings become Python str objects (a copy by nature).
// Writing: numpy buffers are copied into the Table (the store's Table owns std::vectors).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "store/table.h"

namespace tandem::python {

namespace py = pybind11;

// A read table as (index: int64 ns array, columns: list of (name, type name, values array,
// validity uint8 array or None)). Consumes `table`'s buffers. Needs the GIL.
py::tuple table_to_arrays(store::Table&& table);

// The table described by `index` (int64 ns, UTC) and `columns`, a list of (name, type name,
// values, validity uint8 array or None). Values per type: int64 / timestamp → int64 array
// (NaT = INT64_MIN in a timestamp column is a null), float64 → float64 array (NaN is a null),
// bool → bool or uint8 array, string → object array of str or None. Throws tandem::Error with
// kind InvalidArgument naming the column for a value that does not fit. Needs the GIL.
store::Table table_from_arrays(const py::array& index, const py::list& columns);

}  // namespace tandem::python
