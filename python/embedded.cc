// The entry point the tandem binary calls to run a Python strategy (src/cli/python_specs.h):
// it embeds the interpreter on first use, loads the class from its file and returns its
// StrategyDefinition (python_strategy.h). Exported by name from tandem/_native, which the binary
// dlopens after libpython; when the strategy's `import tandem` then loads tandem._native, Python
// gets this same shared object, so the classes and the adapter are one copy.
#include <dlfcn.h>
#include <pybind11/pybind11.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "python_strategy.h"

namespace py = pybind11;

namespace {

// The folder holding the tandem package: this object is tandem/_native*.so inside it.
std::string package_parent() {
  Dl_info info{};
  dladdr(reinterpret_cast<void*>(&package_parent), &info);
  return std::filesystem::path(info.dli_fname).parent_path().parent_path().string();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) bool tandem_python_strategy_definition(
    const char* file, const char* class_name, tandem::strategy::StrategyDefinition* out,
    std::string* error) {
  if (!Py_IsInitialized()) {
    Py_InitializeEx(0);  // no signal handlers: the command keeps its own
    // The run's callbacks take the GIL themselves, from whichever thread runs them.
    PyEval_SaveThread();
  }
  py::gil_scoped_acquire gil;
  std::string where = std::string(file) + ":" + class_name;
  try {
    py::module_ sys = py::module_::import("sys");
    py::list path = sys.attr("path");
    std::string parent = package_parent();
    if (!path.contains(parent)) path.insert(0, parent);
    std::string folder = std::filesystem::absolute(file).parent_path().string();
    if (!path.contains(folder)) path.insert(0, folder);  // the strategy's own imports
    py::module_::import("tandem");
    py::module_ util = py::module_::import("importlib.util");
    std::string module_name = std::filesystem::path(file).stem().string();
    py::object spec = util.attr("spec_from_file_location")(module_name, file);
    py::object module = util.attr("module_from_spec")(spec);
    sys.attr("modules")[py::str(module_name)] = module;
    spec.attr("loader").attr("exec_module")(module);
    if (!py::hasattr(module, class_name)) {
      py::list classes;
      py::object base = py::module_::import("tandem").attr("Strategy");
      for (py::handle name : py::module_::import("builtins").attr("dir")(module)) {
        py::object value = module.attr(name);
        if (py::isinstance<py::type>(value) && !value.is(base) &&
            PyObject_IsSubclass(value.ptr(), base.ptr()) == 1) {
          classes.append(name);
        }
      }
      *error = std::string(file) + " defines no class " + class_name +
               " (tandem.Strategy subclasses there: " +
               py::str(", ").attr("join")(classes).cast<std::string>() + ")";
      if (classes.empty()) *error = std::string(file) + " defines no class " + class_name;
      return false;
    }
    py::object cls = module.attr(class_name);
    std::string name =
        py::module_::import("tandem.strategy").attr("registry_name")(cls).cast<std::string>();
    *out = tandem::python::python_definition(cls, name, where);
    return true;
  } catch (py::error_already_set& e) {
    *error = tandem::python::python_error(e, where).what();
    return false;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
}
