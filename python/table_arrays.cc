#include "table_arrays.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/buffer_cache.h"

namespace tandem::python {
namespace {

constexpr std::int64_t kNaT = std::numeric_limits<std::int64_t>::min();

// An array that owns `values`: the vector moves to the heap and a capsule frees it with the
// array, so the column's bytes are never copied. A large buffer goes back to the store's buffer
// cache when the array dies, as a C++ Table's would (src/store/buffer_cache.h says why: a
// repeated large read otherwise pays the kernel's page zeroing again).
template <class T>
py::array adopt(std::vector<T>&& values, const py::dtype& dtype) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule owner(owned, [](void* p) {
    auto* vector = static_cast<std::vector<T>*>(p);
    store::buffer_cache::donate(*vector);
    delete vector;
  });
  const std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(owned->size())};
  const std::vector<py::ssize_t> strides{static_cast<py::ssize_t>(sizeof(T))};
  return py::array(dtype, shape, strides, owned->data(), owner);
}

// Python str objects for a string column; None for nulls. Repeated values (symbols, sides,
// strategy keys) share one object: a fills log of 100,000 rows holds a handful of distinct
// values in most of its string columns, and making one str per row is most of such a read.
py::array strings_to_objects(const store::Column& column) {
  const std::vector<std::string>& values = column.strings();
  const std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(values.size())};
  py::array out(py::dtype("O"), shape);
  auto** slots = static_cast<PyObject**>(out.mutable_data());
  constexpr std::size_t kMaxShared = 4096;  // beyond this many distinct values, stop sharing
  std::unordered_map<std::string_view, PyObject*> shared;
  for (std::size_t r = 0; r < values.size(); ++r) {
    PyObject* value = nullptr;
    if (column.is_null(r)) {
      value = Py_None;
      Py_INCREF(value);
    } else {
      const std::string& s = values[r];
      auto it = shared.find(s);
      if (it != shared.end()) {
        value = it->second;
        Py_INCREF(value);
      } else {
        value = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
        if (value == nullptr) throw py::error_already_set();
        if (shared.size() < kMaxShared) shared.emplace(s, value);
      }
    }
    // numpy fills a new object array with None; replace it.
    Py_XDECREF(slots[r]);
    slots[r] = value;
  }
  return out;
}

py::object validity_array(store::Column& column) {
  if (!column.has_nulls()) return py::none();
  return adopt(std::move(column.mutable_validity()), py::dtype("bool"));
}

std::string column_where(const std::string& name) { return "column \"" + name + "\""; }

// The array as a 1-D, contiguous array of exactly `dtype` (a copy only when it is not one).
py::array as_contiguous(const py::handle& values, const char* dtype, const std::string& name) {
  py::array arr = py::array::ensure(values);
  if (!arr || arr.ndim() != 1) {
    throw Error(ErrorKind::InvalidArgument, "values must be a 1-D array", column_where(name));
  }
  py::dtype want(dtype);
  if (!arr.dtype().is(want) && !arr.dtype().equal(want)) {
    throw Error(ErrorKind::InvalidArgument,
                "values have dtype " + std::string(py::str(arr.dtype())) + ", expected " + dtype,
                column_where(name));
  }
  if (!(arr.flags() & py::array::c_style)) {
    arr = py::array::ensure(arr, py::array::c_style);
  }
  return arr;
}

// A copy of the array's values. Large buffers come from the store's buffer cache (parked by
// earlier reads and writes), so a write does not pay the kernel's zeroing of fresh pages
// (src/store/buffer_cache.h); assign() then copies without zeroing first.
template <class T>
std::vector<T> copy_values(const py::array& arr) {
  const auto n = static_cast<std::size_t>(arr.size());
  const T* begin = static_cast<const T*>(arr.data());
  std::vector<T> out;
  store::buffer_cache::reserve(out, n);
  out.assign(begin, begin + n);
  return out;
}

// The validity mask given with a column (bool or uint8 array, true = valid), or empty.
std::vector<std::uint8_t> given_validity(const py::handle& mask, std::size_t rows,
                                         const std::string& name) {
  if (mask.is_none()) return {};
  py::array arr = py::array::ensure(mask);
  if (!arr || arr.ndim() != 1 || arr.itemsize() != 1 ||
      static_cast<std::size_t>(arr.size()) != rows) {
    throw Error(ErrorKind::InvalidArgument,
                "validity mask must be a 1-D bool array of " + std::to_string(rows) + " entries",
                column_where(name));
  }
  arr = py::array::ensure(arr, py::array::c_style);
  std::vector<std::uint8_t> out = copy_values<std::uint8_t>(arr);
  for (auto& v : out) v = v != 0;
  bool any_null = false;
  for (auto v : out) any_null |= v == 0;
  if (!any_null) out.clear();
  return out;
}

store::Column string_column(const std::string& name, const py::handle& values, std::size_t rows) {
  py::array arr = as_contiguous(values, "O", name);
  if (static_cast<std::size_t>(arr.size()) != rows) {
    throw Error(
        ErrorKind::InvalidArgument,
        "has " + std::to_string(arr.size()) + " values for " + std::to_string(rows) + " index rows",
        column_where(name));
  }
  py::object pandas_na = py::module_::import("pandas").attr("NA");
  auto* const* objects = static_cast<PyObject* const*>(arr.data());
  std::vector<std::string> out(rows);
  std::vector<std::uint8_t> validity;
  for (std::size_t r = 0; r < rows; ++r) {
    PyObject* o = objects[r];
    if (PyUnicode_Check(o)) {
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(o, &size);
      if (utf8 == nullptr) {
        PyErr_Clear();
        throw Error(ErrorKind::InvalidArgument,
                    "row " + std::to_string(r) + " holds a string that is not valid Unicode",
                    column_where(name));
      }
      out[r].assign(utf8, static_cast<std::size_t>(size));
      continue;
    }
    const bool is_null = o == Py_None || o == pandas_na.ptr() ||
                         (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)));
    if (!is_null) {
      throw Error(ErrorKind::InvalidArgument,
                  "row " + std::to_string(r) + " holds a " + std::string(Py_TYPE(o)->tp_name) +
                      " in a column of strings; convert it with df[\"" + name +
                      "\"].astype(str) or store that column separately",
                  column_where(name));
    }
    if (validity.empty()) validity.assign(rows, 1);
    validity[r] = 0;
  }
  store::Column column = store::Column::of_string(name, std::move(out));
  if (!validity.empty()) column.set_validity(std::move(validity));
  return column;
}

store::Column column_from_array(const std::string& name, const std::string& type,
                                const py::handle& values, const py::handle& mask,
                                std::size_t rows) {
  if (type == "string") return string_column(name, values, rows);
  const char* dtype = type == "float64" ? "float64" : type == "bool" ? "bool" : "int64";
  if (type != "float64" && type != "bool" && type != "int64" && type != "timestamp") {
    throw Error(ErrorKind::InvalidArgument, "unknown column type \"" + type + "\"",
                column_where(name));
  }
  py::array arr = as_contiguous(values, dtype, name);
  if (static_cast<std::size_t>(arr.size()) != rows) {
    throw Error(
        ErrorKind::InvalidArgument,
        "has " + std::to_string(arr.size()) + " values for " + std::to_string(rows) + " index rows",
        column_where(name));
  }
  std::vector<std::uint8_t> validity = given_validity(mask, rows, name);
  store::Column column(name, store::ColumnType::kInt64);
  if (type == "float64") {
    std::vector<double> v = copy_values<double>(arr);
    // NaN is pandas' null for floats; the store marks it so every reader sees a null.
    for (std::size_t r = 0; r < v.size(); ++r) {
      if (std::isnan(v[r])) {
        if (validity.empty()) validity.assign(rows, 1);
        validity[r] = 0;
      }
    }
    column = store::Column::of_float64(name, std::move(v));
  } else if (type == "bool") {
    column = store::Column::of_bool(name, copy_values<std::uint8_t>(arr));
  } else if (type == "timestamp") {
    std::vector<std::int64_t> v = copy_values<std::int64_t>(arr);
    for (std::size_t r = 0; r < v.size(); ++r) {
      if (v[r] == kNaT) {
        if (validity.empty()) validity.assign(rows, 1);
        validity[r] = 0;
      }
    }
    column = store::Column::of_timestamp(name, std::move(v));
  } else {
    column = store::Column::of_int64(name, copy_values<std::int64_t>(arr));
  }
  if (!validity.empty()) column.set_validity(std::move(validity));
  return column;
}

}  // namespace

py::tuple table_to_arrays(store::Table&& table) {
  py::array index = adopt(std::move(table.mutable_index()), py::dtype("int64"));
  py::list columns;
  for (store::Column& c : table.mutable_columns()) {
    py::object values;
    switch (c.type()) {
      case store::ColumnType::kInt64:
      case store::ColumnType::kTimestamp:
        values = adopt(std::move(c.mutable_int64s()), py::dtype("int64"));
        break;
      case store::ColumnType::kFloat64:
        values = adopt(std::move(c.mutable_float64s()), py::dtype("float64"));
        break;
      case store::ColumnType::kBool:
        values = adopt(std::move(c.mutable_bools()), py::dtype("bool"));
        break;
      case store::ColumnType::kString:
        values = strings_to_objects(c);
        break;
    }
    py::object validity = validity_array(c);
    columns.append(
        py::make_tuple(c.name(), std::string(store::column_type_name(c.type())), values, validity));
  }
  return py::make_tuple(index, columns);
}

store::Table table_from_arrays(const py::array& index, const py::list& columns) {
  py::array idx = as_contiguous(index, "int64", "timestamp (the index)");
  store::Table table(copy_values<std::int64_t>(idx));
  const std::size_t rows = table.num_rows();
  for (const py::handle& item : columns) {
    auto spec = item.cast<py::tuple>();
    if (spec.size() != 4) {
      throw Error(ErrorKind::InvalidArgument, "a column is (name, type, values, validity)");
    }
    const auto name = spec[0].cast<std::string>();
    const auto type = spec[1].cast<std::string>();
    table.add_column(column_from_array(name, type, spec[2], spec[3], rows));
  }
  return table;
}

}  // namespace tandem::python
