// tandem._native: the store and the report as Python sees them, one call per C++ operation. The
// ArcticDB-named API, the DataFrame conversion and the exception classes are in
// python/tandem/*.py on top of it (docs/python.md). Every call that touches the store releases
// the GIL while the store works.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "report/report.h"
#include "store/store.h"
#include "store/testing.h"
#include "strategy_bindings.h"
#include "table_arrays.h"

namespace py = pybind11;
using tandem::Error;
using tandem::ErrorKind;
namespace store = tandem::store;

namespace {

// The Python exception class for each ErrorKind, set by tandem/__init__.py (tandem/errors.py).
// Kept for the process's life on purpose: they must outlive every translated exception.
std::array<PyObject*, 6>& error_classes() {
  static std::array<PyObject*, 6> classes{};
  return classes;
}

void set_error_classes(const py::dict& by_kind) {
  const std::array<std::pair<ErrorKind, const char*>, 6> kinds{{
      {ErrorKind::InvalidArgument, "InvalidArgument"},
      {ErrorKind::NotFound, "NotFound"},
      {ErrorKind::Conflict, "Conflict"},
      {ErrorKind::Corruption, "Corruption"},
      {ErrorKind::Unavailable, "Unavailable"},
      {ErrorKind::Internal, "Internal"},
  }};
  for (const auto& [kind, name] : kinds) {
    py::object cls = by_kind[name];
    PyObject*& slot = error_classes()[static_cast<std::size_t>(kind)];
    Py_XDECREF(slot);
    slot = cls.release().ptr();
  }
}

void raise_store_error(const Error& e) {
  PyObject* cls = error_classes()[static_cast<std::size_t>(e.kind())];
  if (cls == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
    return;
  }
  py::object error = py::reinterpret_borrow<py::object>(cls)(e.what());
  error.attr("kind") = std::string(tandem::error_kind_name(e.kind()));
  error.attr("where") = e.where();
  error.attr("message") = e.message();
  PyErr_SetObject(cls, error.ptr());
}

store::AsOf make_as_of(const std::string& kind, const py::object& value) {
  if (kind == "latest") return store::AsOf::latest();
  if (kind == "version") return store::AsOf::version(value.cast<std::uint64_t>());
  if (kind == "snapshot") return store::AsOf::snapshot(value.cast<std::string>());
  if (kind == "time") return store::AsOf::time(value.cast<std::int64_t>());
  throw Error(ErrorKind::InvalidArgument, "unknown as_of kind \"" + kind + "\"");
}

py::tuple version_tuple(const store::VersionInfo& v) {
  return py::make_tuple(v.version, std::string(store::version_kind_name(v.kind)), v.written_at,
                        v.rows, v.rows_added, v.metadata);
}

using Metadata = std::optional<std::string>;

void bind_library(py::module_& m) {
  py::class_<store::Library>(m, "Library")
      .def_property_readonly("name", &store::Library::name)
      .def(
          "write",
          [](store::Library& lib, const std::string& symbol, const py::array& index,
             const py::list& columns, const Metadata& metadata) {
            store::Table table = tandem::python::table_from_arrays(index, columns);
            py::gil_scoped_release unlocked;
            return lib.write(symbol, table, metadata);
          },
          py::arg("symbol"), py::arg("index"), py::arg("columns"), py::arg("metadata"))
      .def(
          "append",
          [](store::Library& lib, const std::string& symbol, const py::array& index,
             const py::list& columns, const Metadata& metadata) {
            store::Table table = tandem::python::table_from_arrays(index, columns);
            py::gil_scoped_release unlocked;
            return lib.append(symbol, table, store::AppendMode::kStrict, metadata);
          },
          py::arg("symbol"), py::arg("index"), py::arg("columns"), py::arg("metadata"))
      .def(
          "update",
          [](store::Library& lib, const std::string& symbol, const py::array& index,
             const py::list& columns, const Metadata& metadata) {
            store::Table table = tandem::python::table_from_arrays(index, columns);
            py::gil_scoped_release unlocked;
            return lib.update(symbol, table, metadata);
          },
          py::arg("symbol"), py::arg("index"), py::arg("columns"), py::arg("metadata"))
      .def(
          "delete_range",
          [](store::Library& lib, const std::string& symbol, std::int64_t start, std::int64_t end,
             const Metadata& metadata) {
            py::gil_scoped_release unlocked;
            return lib.delete_range(symbol, start, end, metadata);
          },
          py::arg("symbol"), py::arg("start"), py::arg("end"), py::arg("metadata"))
      .def(
          "read",
          [](const store::Library& lib, const std::string& symbol, const std::string& as_of_kind,
             const py::object& as_of_value, std::optional<std::int64_t> start,
             std::optional<std::int64_t> end, std::optional<std::vector<std::string>> columns,
             std::optional<std::size_t> head, std::optional<std::size_t> tail) {
            store::ReadOptions options{.as_of = make_as_of(as_of_kind, as_of_value),
                                       .start = start,
                                       .end = end,
                                       .columns = std::move(columns),
                                       .head = head,
                                       .tail = tail};
            store::ReadResult result;
            {
              py::gil_scoped_release unlocked;
              result = lib.read(symbol, options);
            }
            py::tuple arrays = tandem::python::table_to_arrays(std::move(result.table));
            return py::make_tuple(arrays[0], arrays[1], result.version, result.metadata,
                                  result.written_at);
          },
          py::arg("symbol"), py::arg("as_of_kind"), py::arg("as_of_value"), py::arg("start"),
          py::arg("end"), py::arg("columns"), py::arg("head"), py::arg("tail"))
      .def("list_symbols", &store::Library::list_symbols, py::call_guard<py::gil_scoped_release>())
      .def("has_symbol", &store::Library::has_symbol, py::call_guard<py::gil_scoped_release>())
      .def("delete_symbol", &store::Library::delete_symbol,
           py::call_guard<py::gil_scoped_release>())
      .def("list_versions",
           [](const store::Library& lib, const std::string& symbol) {
             std::vector<store::VersionInfo> all;
             {
               py::gil_scoped_release unlocked;
               constexpr std::size_t kPage = 1000;
               std::optional<std::uint64_t> before;
               for (;;) {
                 auto page = lib.list_versions(symbol, kPage, before);
                 all.insert(all.end(), page.begin(), page.end());
                 if (page.size() < kPage || page.back().version == 0) break;
                 before = page.back().version;
               }
             }
             py::list out;
             for (const auto& v : all) out.append(version_tuple(v));
             return out;
           })
      .def("snapshot", &store::Library::snapshot, py::arg("name"), py::arg("metadata"),
           py::call_guard<py::gil_scoped_release>())
      .def("list_snapshots",
           [](const store::Library& lib) {
             std::vector<store::SnapshotInfo> all;
             {
               py::gil_scoped_release unlocked;
               all = lib.list_snapshots();
             }
             py::list out;
             for (const auto& s : all) {
               out.append(py::make_tuple(s.name, s.created_at, s.symbols, s.metadata));
             }
             return out;
           })
      .def("snapshot_versions", &store::Library::snapshot_versions,
           py::call_guard<py::gil_scoped_release>())
      .def("delete_snapshot", &store::Library::delete_snapshot,
           py::call_guard<py::gil_scoped_release>())
      .def(
          "prune_previous_versions",
          [](store::Library& lib, const std::string& symbol) {
            py::gil_scoped_release unlocked;
            return lib.prune_previous_versions(symbol).versions_removed;
          },
          py::arg("symbol"));
}

void bind_store(py::module_& m) {
  py::class_<store::Store, std::shared_ptr<store::Store>>(m, "Store")
      .def(py::init([](const std::string& uri) {
             py::gil_scoped_release unlocked;
             return std::shared_ptr<store::Store>(store::Store::open(uri));
           }),
           py::arg("uri"))
      .def_property_readonly("uri", &store::Store::uri)
      .def("list_libraries", &store::Store::list_libraries,
           py::call_guard<py::gil_scoped_release>())
      .def("has_library", &store::Store::has_library, py::call_guard<py::gil_scoped_release>())
      .def("create_library", &store::Store::create_library,
           py::call_guard<py::gil_scoped_release>())
      .def("library", &store::Store::library, py::call_guard<py::gil_scoped_release>())
      .def("existing_library", &store::Store::existing_library,
           py::call_guard<py::gil_scoped_release>())
      .def("delete_library", &store::Store::delete_library,
           py::call_guard<py::gil_scoped_release>());
}

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "tandem's store and report, one call per C++ operation (see the tandem package)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      raise_store_error(e);
    }
  });
  m.def("_set_error_classes", &set_error_classes);
  bind_library(m);
  bind_store(m);
  tandem::python::bind_strategy_api(m);
  tandem::python::bind_runs(m);
  tandem::python::bind_live(m);
  // For bench/python only: one C++ full read of the symbol, without any conversion, timed the
  // way bench/store/store_bench.cc times it; (seconds, bytes of decoded column data).
  m.def("_bench_cpp_full_read",
        [](store::Store& s, const std::string& library, const std::string& symbol) {
          py::gil_scoped_release unlocked;
          const auto start = std::chrono::steady_clock::now();
          std::uint64_t bytes = 0;
          {
            store::ReadResult result = s.existing_library(library).read(symbol);
            bytes = result.table.num_rows() * sizeof(tandem::Timestamp);
            for (const store::Column& c : result.table.columns()) {
              bytes += c.type() == store::ColumnType::kBool ? c.size() : c.size() * 8;
            }
          }
          const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
          return std::make_pair(seconds.count(), bytes);
        });
  // For bench/python only: the C++ write of the same columns, the table built before the clock
  // starts; wall seconds.
  m.def("_bench_cpp_write",
        [](store::Store& s, const std::string& library, const std::string& symbol,
           const py::array& index, const py::list& columns) {
          store::Table table = tandem::python::table_from_arrays(index, columns);
          py::gil_scoped_release unlocked;
          const auto start = std::chrono::steady_clock::now();
          s.existing_library(library).write(symbol, table);
          const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
          return seconds.count();
        });
  // For the tests only: damage one stored byte of a symbol's first segment (store/testing.h).
  m.def("_testing_corrupt_first_segment",
        [](store::Store& s, const std::string& library, const std::string& symbol) {
          const auto keys = store::testing::latest_segment_keys(s, library, symbol);
          if (keys.empty()) throw Error(ErrorKind::NotFound, "no segment", library + "/" + symbol);
          store::testing::corrupt_value(s, keys.front(), 60);
        });
  // The figures of `tandem report --format json`, computed the same way
  // (src/cli/report_commands.cc).
  m.def(
      "report_json",
      [](store::Store& s, const std::string& account, std::optional<std::string> benchmark,
         double risk_free_rate) {
        py::gil_scoped_release unlocked;
        tandem::report::LoadOptions load{
            .benchmark = std::move(benchmark), .latest_orders = 0, .latest_fills = 0};
        tandem::report::AccountData data = tandem::report::load_account(s, account, load);
        return tandem::report::render_json(
            tandem::report::analyze(data, {.risk_free_rate = risk_free_rate}));
      },
      py::arg("store"), py::arg("account"), py::arg("benchmark"), py::arg("risk_free_rate"));
}
