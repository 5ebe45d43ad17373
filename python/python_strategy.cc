#include "python_strategy.h"

#include <utility>
#include <vector>

#include "core/error.h"

namespace tandem::python {
namespace {

ErrorKind kind_of(const py::handle& exception) {
  if (!py::hasattr(exception, "kind")) return ErrorKind::Internal;
  py::object kind = exception.attr("kind");
  if (!py::isinstance<py::str>(kind)) return ErrorKind::Internal;
  std::string name = kind.cast<std::string>();
  for (ErrorKind k : {ErrorKind::InvalidArgument, ErrorKind::NotFound, ErrorKind::Conflict,
                      ErrorKind::Corruption, ErrorKind::Unavailable, ErrorKind::Internal}) {
    if (error_kind_name(k) == name) return k;
  }
  return ErrorKind::Internal;
}

// Ends a callback's views (history windows) however the callback ends.
class CallbackScope {
 public:
  explicit CallbackScope(StrategyContext& context) : context_(context) {}
  ~CallbackScope() { context_.end_callback(); }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  StrategyContext& context_;
};

py::object param_value(const strategy::ParamValue& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

strategy::ParamType param_type(const std::string& name, const std::string& where) {
  if (name == "int") return strategy::ParamType::kInt;
  if (name == "double") return strategy::ParamType::kDouble;
  if (name == "bool") return strategy::ParamType::kBool;
  if (name == "string") return strategy::ParamType::kString;
  throw Error(ErrorKind::InvalidArgument, "unknown parameter type '" + name + "'", where);
}

strategy::ParamValue param_default(strategy::ParamType type, const py::handle& value) {
  switch (type) {
    case strategy::ParamType::kInt:
      return value.cast<std::int64_t>();
    case strategy::ParamType::kDouble:
      return value.cast<double>();
    case strategy::ParamType::kBool:
      return value.cast<bool>();
    case strategy::ParamType::kString:
      return value.cast<std::string>();
  }
  return value.cast<double>();
}

}  // namespace

namespace {

PyTypeObject* bar_type = nullptr;  // tandem.Bar; lives as long as the interpreter

PyStructSequence_Field bar_fields[] = {{"time", "bar time, ns since the epoch, UTC"},
                                       {"open", nullptr},
                                       {"high", nullptr},
                                       {"low", nullptr},
                                       {"close", nullptr},
                                       {"volume", nullptr},
                                       {"instrument", "index into the strategy's contracts"},
                                       {"contract", "the tandem.Contract"},
                                       {nullptr, nullptr}};
PyStructSequence_Desc bar_desc = {"tandem.Bar", "one bar of one instrument", bar_fields, 8};

}  // namespace

void init_bar_type(py::module_& m) {
  if (bar_type == nullptr) {
    bar_type = PyStructSequence_NewType(&bar_desc);
    if (bar_type == nullptr) throw py::error_already_set();
  }
  m.add_object("Bar", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(bar_type)));
}

py::object make_bar(const Bar& bar, std::size_t instrument, const py::object& contract) {
  PyObject* object = PyStructSequence_New(bar_type);
  if (object == nullptr) throw py::error_already_set();
  PyStructSequence_SetItem(object, 0, PyLong_FromLongLong(bar.time));
  PyStructSequence_SetItem(object, 1, PyFloat_FromDouble(bar.open));
  PyStructSequence_SetItem(object, 2, PyFloat_FromDouble(bar.high));
  PyStructSequence_SetItem(object, 3, PyFloat_FromDouble(bar.low));
  PyStructSequence_SetItem(object, 4, PyFloat_FromDouble(bar.close));
  PyStructSequence_SetItem(object, 5, PyFloat_FromDouble(bar.volume));
  PyStructSequence_SetItem(object, 6, PyLong_FromSize_t(instrument));
  PyStructSequence_SetItem(object, 7, contract.inc_ref().ptr());
  return py::reinterpret_steal<py::object>(object);
}

Error python_error(py::error_already_set& e, const std::string& where) {
  py::module_ traceback = py::module_::import("traceback");
  std::string message;
  for (py::handle line : traceback.attr("format_exception_only")(e.type(), e.value())) {
    message += line.cast<std::string>();
  }
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::string trace;
  for (py::handle line : traceback.attr("format_tb")(e.trace())) trace += line.cast<std::string>();
  while (!trace.empty() && trace.back() == '\n') trace.pop_back();
  if (!trace.empty()) message += "\nTraceback (most recent call last):\n" + trace;
  return Error(kind_of(e.value()), message, where);
}

std::string param_text(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::float_>(value)) {
    return py::repr(value).cast<std::string>();  // round-trips exactly
  }
  return py::str(value).cast<std::string>();
}

broker::Broker& StrategyContext::broker() const {
  if (owner_ == nullptr) {
    throw Error(ErrorKind::InvalidArgument, "the broker is only available during a run",
                "strategy " + key_);
  }
  return owner_->python_broker();
}

BarHistory StrategyContext::history(std::size_t instrument) const {
  if (owner_ == nullptr) {
    throw Error(ErrorKind::InvalidArgument, "history() is only available during a run",
                "strategy " + key_);
  }
  return owner_->python_history(instrument);
}

py::object StrategyContext::wrap(const broker::TradeHandle& handle) {
  auto found = trades_.find(handle->order.order_id);
  if (found != trades_.end() && found->second.cast<const PyTrade&>().handle == handle) {
    return found->second;
  }
  py::object trade = py::cast(PyTrade{handle});
  trades_[handle->order.order_id] = trade;
  return trade;
}

py::object StrategyContext::wrap_event(const Trade& trade) {
  // Order ids are unique within the account, and this map holds only this strategy's orders:
  // the event may carry a copy of the trade (the backtest hands out the state as of the event),
  // but the Python object is the one place_order returned, a view of the broker's handle.
  auto found = trades_.find(trade.order.order_id);
  if (found != trades_.end()) {
    found->second.cast<PyTrade&>().event = &trade;
    showing_event_.push_back(found->second);
    return found->second;
  }
  // An order this view did not place: a snapshot; cancel/modify find the broker's own handle
  // by order id.
  return py::cast(PyTrade{std::make_shared<const Trade>(trade)});
}

void StrategyContext::end_callback() {
  for (py::object& trade : showing_event_) trade.cast<PyTrade&>().event = nullptr;
  showing_event_.clear();
  ++epoch_;
}

const BarHistory& PyHistory::checked() const {
  if (context->epoch() != epoch) {
    throw Error(ErrorKind::InvalidArgument,
                "a history is only valid during the callback that asked for it; call "
                "self.history() again",
                "strategy " + context->key());
  }
  return bars;
}

PythonStrategy::PythonStrategy(strategy::StrategyConfig config, const py::object& cls,
                               std::string name)
    : Strategy(std::move(config)),
      name_(std::move(name)),
      context_(std::make_shared<StrategyContext>(key())) {
  py::gil_scoped_acquire gil;
  py::list contracts;
  for (const Contract& contract : this->contracts()) {
    contracts_.push_back(py::cast(contract));
    contracts.append(contracts_.back());
  }
  py::dict values;
  for (const auto& [param, value] : params().values()) values[py::str(param)] = param_value(value);
  py::object instantiate = py::module_::import("tandem.strategy").attr("_instantiate");
  try {
    instance_ = instantiate(cls, key(), contracts, values, py::cast(context_));
  } catch (py::error_already_set& e) {
    throw python_error(e, name_ + " (__init__)");
  }
  py::object base = py::module_::import("tandem.strategy").attr("Strategy");
  auto method = [&](const char* callback) -> py::object {
    // A callback the class does not override is not called at all.
    if (cls.attr(callback).is(base.attr(callback))) return py::object();
    return instance_.attr(callback);
  };
  on_start_ = method("on_start");
  on_bar_ = method("on_bar");
  on_order_status_ = method("on_order_status");
  on_fill_ = method("on_fill");
  on_stop_ = method("on_stop");
}

PythonStrategy::~PythonStrategy() {
  py::gil_scoped_acquire gil;
  context_->attach(nullptr);
  on_start_ = on_bar_ = on_order_status_ = on_fill_ = on_stop_ = py::object();
  instance_ = py::object();
  contracts_.clear();
  context_.reset();
}

void PythonStrategy::call(const py::object& method, const char* callback, const py::object& arg1,
                          const py::object& arg2) {
  if (!method) return;
  PyObject* result = nullptr;
  if (arg2) {
    result = PyObject_CallFunctionObjArgs(method.ptr(), arg1.ptr(), arg2.ptr(), nullptr);
  } else if (arg1) {
    result = PyObject_CallOneArg(method.ptr(), arg1.ptr());
  } else {
    result = PyObject_CallNoArgs(method.ptr());
  }
  if (result == nullptr) {
    py::error_already_set e;
    throw python_error(e, name_ + "." + callback);
  }
  Py_DECREF(result);
}

void PythonStrategy::on_start() {
  py::gil_scoped_acquire gil;
  context_->attach(this);
  CallbackScope scope(*context_);
  call(on_start_, "on_start");
}

void PythonStrategy::on_bar(const strategy::BarEvent& event) {
  // The plain C API on the hot path: pybind11's gil_scoped_acquire does the same with more
  // bookkeeping, once per bar.
  struct Gil {
    PyGILState_STATE state = PyGILState_Ensure();
    ~Gil() { PyGILState_Release(state); }
  } gil;
  CallbackScope scope(*context_);
  py::object bar = make_bar(event.bar, event.instrument, contracts_[event.instrument]);
  call(on_bar_, "on_bar", bar);
}

void PythonStrategy::on_order_status(const Trade& trade) {
  py::gil_scoped_acquire gil;
  CallbackScope scope(*context_);
  py::object wrapped = context_->wrap_event(trade);
  call(on_order_status_, "on_order_status", wrapped);
}

void PythonStrategy::on_fill(const Trade& trade, const Fill& fill) {
  py::gil_scoped_acquire gil;
  CallbackScope scope(*context_);
  if (!on_fill_) return;
  call(on_fill_, "on_fill", context_->wrap_event(trade), py::cast(fill));
}

void PythonStrategy::on_stop() {
  py::gil_scoped_acquire gil;
  CallbackScope scope(*context_);
  call(on_stop_, "on_stop");
}

strategy::StrategyDefinition python_definition(const py::object& cls, std::string name,
                                               const std::string& where) {
  py::object describe = py::module_::import("tandem.strategy").attr("_describe");
  // A malformed class raises its Python exception (TypeError, ValueError) as it is.
  py::tuple description = describe(cls);
  strategy::StrategyDefinition definition;
  definition.name = std::move(name);
  definition.description = description[0].cast<std::string>();
  for (py::handle spec : description[1]) {
    auto fields = spec.cast<py::tuple>();
    strategy::ParamSpec param;
    param.name = fields[0].cast<std::string>();
    param.type = param_type(fields[1].cast<std::string>(), where);
    param.default_value = param_default(param.type, fields[2]);
    param.description = fields[3].cast<std::string>();
    definition.params.push_back(std::move(param));
  }
  definition.min_instruments = description[2].cast<std::size_t>();
  definition.max_instruments = description[3].cast<std::size_t>();
  // The factory may outlive the GIL-holding scope that built it: the class is released with
  // the GIL held.
  std::shared_ptr<py::object> keep(new py::object(cls), [](py::object* object) {
    py::gil_scoped_acquire gil;
    delete object;
  });
  definition.create = [keep, where](strategy::StrategyConfig config) {
    return std::unique_ptr<strategy::Strategy>(
        std::make_unique<PythonStrategy>(std::move(config), *keep, where));
  };
  return definition;
}

}  // namespace tandem::python
