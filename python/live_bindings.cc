// tandem._native._live: a live session of C++ (by registry name) and Python strategies against TWS,
// IB Gateway or tandem's paper gateway — the session `tandem live` runs (src/cli/live_commands.cc,
// live/live.h); tandem.live() in python/tandem/runs.py builds its arguments.
//
// The GIL is released for the session: the event loop runs on this thread without it, and each
// Python callback (the strategies' and the log's) takes it back. SIGINT and SIGTERM stop the
// session cleanly while it runs (Python's own handlers cannot: they only run between bytecodes
// of this thread, which is inside the session), and the handlers installed before are restored
// after it, so Ctrl-C is Python's KeyboardInterrupt again.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "live/live.h"
#include "run_instances.h"
#include "strategy_bindings.h"

namespace tandem::python {
namespace {

namespace py = pybind11;

// The previous SIGINT/SIGTERM dispositions, put back when the session ends.
class SavedSignalHandlers {
 public:
  SavedSignalHandlers() {
    ::sigaction(SIGINT, nullptr, &interrupt_);
    ::sigaction(SIGTERM, nullptr, &terminate_);
  }
  ~SavedSignalHandlers() {
    ::sigaction(SIGINT, &interrupt_, nullptr);
    ::sigaction(SIGTERM, &terminate_, nullptr);
  }
  SavedSignalHandlers(const SavedSignalHandlers&) = delete;
  SavedSignalHandlers& operator=(const SavedSignalHandlers&) = delete;

 private:
  struct sigaction interrupt_ {};
  struct sigaction terminate_ {};
};

// Stops `session` after `seconds` unless cancelled first (the session ended on its own).
class StopTimer {
 public:
  StopTimer(live::LiveSession& session, double seconds) {
    if (seconds <= 0) return;
    thread_ = std::thread([this, &session, seconds] {
      std::unique_lock lock(mutex_);
      if (!woken_.wait_for(lock, std::chrono::duration<double>(seconds),
                           [this] { return cancelled_; })) {
        session.stop();
      }
    });
  }
  ~StopTimer() {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    woken_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  StopTimer(const StopTimer&) = delete;
  StopTimer& operator=(const StopTimer&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable woken_;
  bool cancelled_ = false;
  std::thread thread_;
};

// The session's log lines go to a Python callable, with the GIL taken per line. The callable is
// held so that copies of the std::function (made on any thread) never touch its reference count
// without the GIL; an exception it raises is reported as unraisable, never into the event loop.
std::function<void(std::string_view)> python_log(const py::object& callable) {
  std::shared_ptr<py::object> held(new py::object(callable), [](py::object* object) {
    py::gil_scoped_acquire gil;
    delete object;
  });
  return [held](std::string_view line) {
    py::gil_scoped_acquire gil;
    try {
      (*held)(py::str(line.data(), line.size()));
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("tandem.live log");
    }
  };
}

py::dict run_live(store::Store& store, const py::list& instances, const py::dict& options) {
  live::LiveOptions config;
  config.client.host = options["host"].cast<std::string>();
  const int port = options["port"].cast<int>();
  if (port <= 0 || port > 65535) {
    throw Error(ErrorKind::InvalidArgument, std::to_string(port) + " is not a TCP port", "port");
  }
  config.client.port = static_cast<std::uint16_t>(port);
  config.client.client_id = options["client_id"].cast<int>();
  config.client.max_reconnect_attempts = options["reconnect_attempts"].cast<int>();
  config.client.connect_timeout =
      std::chrono::milliseconds(options["connect_timeout_ms"].cast<int>());
  config.account = options["account"].cast<std::string>();
  config.bar_size = options["bar_size"].cast<std::string>();
  config.realtime_bar_size = options["realtime_bar_size"].cast<std::string>();
  config.warmup_bars = options["warmup"].cast<int>();
  config.weights = options["weights"].cast<std::map<std::string, double>>();
  config.cancel_on_exit = options["cancel_on_exit"].cast<bool>();
  config.dry_run = options["dry_run"].cast<bool>();
  config.real_money = options["real_money"].cast<bool>();
  config.real_money_accounts = options["real_money_accounts"].cast<std::vector<std::string>>();
  config.fractional = options["fractional"].cast<bool>();
  config.handle_signals = true;
  config.log = python_log(options["log"]);
  const double duration = options["duration"].cast<double>();

  live::LiveSession session(store, config);
  for (RunStrategy& built : build_run_strategies(instances, config.bar_size)) {
    session.add_strategy(std::move(built.strategy), built.name);
  }
  live::LiveResult result;
  {
    SavedSignalHandlers saved;
    py::gil_scoped_release unlocked;
    StopTimer timer(session, duration);
    try {
      result = session.run();
    } catch (const live::RealMoneyRefused& e) {
      // Nothing was recorded or sent; the library's message does not know Python's words.
      throw Error(ErrorKind::InvalidArgument,
                  e.message() +
                      "; to trade it, pass real_money=True or list it in "
                      "real_money_accounts",
                  e.where());
    }
  }
  py::dict out;
  out["account"] = result.account;
  out["orders"] = result.orders;
  out["fills"] = result.fills;
  out["bars"] = result.bars;
  out["sessions"] = result.sessions;
  out["mismatches"] = result.mismatches;
  out["cancelled_on_exit"] = result.cancelled_on_exit;
  return out;
}

}  // namespace

void bind_live(py::module_& m) {
  m.def("_live", &run_live, py::arg("store"), py::arg("instances"), py::arg("options"));
}

}  // namespace tandem::python
