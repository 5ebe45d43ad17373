// PythonStrategy: a strategy::Strategy whose callbacks are a Python object's methods (a subclass
// of tandem.Strategy, python/tandem/strategy.py). It is registered with a run like any C++
// strategy (python_definition() makes a StrategyDefinition from the class), so the backtest
// engine and the live runner drive it through strategy.h and it trades through broker::Broker.
//
// The interpreter is entered once per callback: the bar, trade or fill is converted to one Python
// object, the bound method (looked up once) is called, and nothing calls back into C++ unless the
// strategy asks the broker something. Callbacks take the GIL themselves, so a run may release it
// (tandem.backtest does, so other Python threads keep running between callbacks).
//
// A Python exception leaving a callback becomes a tandem::Error carrying the exception and its
// traceback (file, line, function); the runner adds the strategy, the callback and the bar time.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "strategy/registry.h"
#include "strategy/strategy.h"

namespace tandem::python {

namespace py = pybind11;

class PythonStrategy;

// What a Python strategy sees as self.broker: broker::Broker with the names IB users know
// (bound in strategy_bindings.cc). Valid from on_start to on_stop of its strategy; a call outside
// that (or after the run) is an error naming the strategy.
class StrategyContext {
 public:
  explicit StrategyContext(std::string key) : key_(std::move(key)) {}

  broker::Broker& broker() const;
  BarHistory history(std::size_t instrument) const;
  const std::string& key() const { return key_; }

  // The Python Trade for `handle`: the same object for every event of one order, so a strategy
  // can keep the trade place_order returned and compare it with `is`.
  py::object wrap(const broker::TradeHandle& handle);
  // The Python Trade for an order the broker reports in a callback.
  py::object wrap_event(const Trade& trade);

  // A callback's views (history, a trade's event state) are valid only during that callback.
  std::uint64_t epoch() const { return epoch_; }
  void end_callback();

  void attach(PythonStrategy* owner) { owner_ = owner; }

 private:
  PythonStrategy* owner_ = nullptr;
  std::string key_;
  // By order_id, for the run's life: a done order may still have events queued (Submitted and
  // Filled are delivered together after a fill), each of which must get the same object.
  std::map<std::int64_t, py::object> trades_;
  std::vector<py::object> showing_event_;  // trades whose `event` this callback set
  std::uint64_t epoch_ = 0;
};

// A Python Trade: a live view of the broker's trade (status and fills update as events arrive).
// During an on_order_status / on_fill callback about it, it shows the trade as of that event
// (what a C++ strategy gets), then the live state again.
struct PyTrade {
  broker::TradeHandle handle;
  const Trade* event = nullptr;  // set only during a callback about this trade
  const Trade& view() const { return event != nullptr ? *event : *handle; }
};

// tandem.Bar: a struct sequence (a named tuple at C speed: attribute reads are slot reads, not
// pybind11 calls, which matters at one bar per callback) with time (ns UTC), open, high, low,
// close, volume, instrument and contract. Created in bind_strategy_api.
void init_bar_type(py::module_& m);
py::object make_bar(const Bar& bar, std::size_t instrument, const py::object& contract);

// A window on the bars seen so far; usable only during the callback that asked for it.
struct PyHistory {
  BarHistory bars;
  std::size_t instrument = 0;
  std::shared_ptr<StrategyContext> context;
  std::uint64_t epoch = 0;
  const BarHistory& checked() const;
};

class PythonStrategy : public strategy::Strategy {
 public:
  // `cls` is the tandem.Strategy subclass; `name` names it in errors ("file.py:Class").
  // Builds the instance (runs its __init__) with the GIL taken here.
  PythonStrategy(strategy::StrategyConfig config, const py::object& cls, std::string name);
  ~PythonStrategy() override;

  void on_start() override;
  void on_bar(const strategy::BarEvent& event) override;
  void on_order_status(const Trade& trade) override;
  void on_fill(const Trade& trade, const Fill& fill) override;
  void on_stop() override;

  broker::Broker& python_broker() const { return broker(); }
  BarHistory python_history(std::size_t instrument) const { return history(instrument); }

 private:
  // Calls `method` (a bound method, or None when the class does not define it) and turns a
  // Python exception into a tandem::Error naming the strategy class and the callback.
  void call(const py::object& method, const char* callback, const py::object& arg1 = {},
            const py::object& arg2 = {});

  std::string name_;
  std::shared_ptr<StrategyContext> context_;
  py::object instance_;
  std::vector<py::object> contracts_;  // the Python Contract of each instrument, built once
  py::object on_start_, on_bar_, on_order_status_, on_fill_, on_stop_;
};

// The definition of a Python strategy class: its declared parameters (the class's `params`, a
// sequence of tandem.Param), its instrument range (min_instruments, max_instruments) and a
// factory building a PythonStrategy. `name` is the registry name ([a-z0-9_]+); `where` names the
// class in errors. Throws tandem::Error (InvalidArgument) for a malformed declaration.
strategy::StrategyDefinition python_definition(const py::object& cls, std::string name,
                                               const std::string& where);

// The text form of a Python parameter value, as --param would give it ("true", "10", "0.5").
std::string param_text(const py::handle& value);

// Turns the Python exception being handled into a tandem::Error: type, message and traceback,
// under `where`; a tandem exception keeps its kind.
Error python_error(py::error_already_set& e, const std::string& where);

}  // namespace tandem::python
