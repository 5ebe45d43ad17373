// tandem._native._backtest: one backtest run of C++ (by registry name) and Python strategies, the
// same engine and options as `tandem backtest` (src/cli/backtest_commands.cc); tandem.backtest()
// in python/tandem/runs.py builds its arguments. The GIL is released for the run; each Python
// callback takes it back (python_strategy.h).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <vector>

#include "backtest/engine.h"
#include "broker/account_schema.h"
#include "core/error.h"
#include "core/time.h"
#include "python_strategy.h"
#include "run_instances.h"
#include "store/testing.h"
#include "strategy/registry.h"
#include "strategy_bindings.h"

namespace tandem::python {
namespace {

std::optional<Timestamp> bound(const std::optional<std::string>& text, const char* option,
                               bool end_of_day) {
  if (!text || text->empty()) return std::nullopt;
  Timestamp t = parse_timestamp_or_throw(*text, option);
  // A bare date as the end means through the end of that day, as `tandem backtest --end`.
  bool date_only = text->size() == 10 && (*text)[4] == '-' && (*text)[7] == '-';
  return end_of_day && date_only ? t + kNanosPerDay - 1 : t;
}

py::dict result_dict(const backtest::BacktestResult& r) {
  py::dict out;
  out["account_id"] = r.account_id;
  out["bars"] = r.bars;
  out["first_bar"] = r.first_bar;
  out["last_bar"] = r.last_bar;
  out["initial_cash"] = r.initial_cash;
  out["final_cash"] = r.final_cash;
  out["orders"] = r.orders;
  out["fills"] = r.fills;
  out["round_trips"] = r.round_trips;
  out["filled_orders"] = r.filled_orders;
  out["rejected_orders"] = r.rejected_orders;
  out["cancelled_orders"] = r.cancelled_orders;
  out["open_orders"] = r.open_orders;
  out["commission"] = r.commission;
  out["initial_equity"] = r.summary.initial_equity;
  out["final_equity"] = r.summary.final_equity;
  out["total_return"] = r.summary.total_return;
  out["cagr"] = r.summary.cagr;
  out["max_drawdown"] = r.summary.max_drawdown;
  out["sharpe"] = r.summary.sharpe;
  out["days"] = r.summary.days;
  out["load_seconds"] = r.load_seconds;
  out["replay_seconds"] = r.replay_seconds;
  out["flush_seconds"] = r.flush_seconds;
  py::list strategies;
  for (const backtest::StrategyResult& s : r.strategies) {
    py::dict one;
    one["key"] = s.key;
    one["name"] = s.name;
    one["allocation_origin"] = s.allocation_origin;
    one["capital"] = s.capital;
    one["final_equity"] = s.final_equity;
    one["round_trips"] = s.round_trips;
    one["commission"] = s.commission;
    strategies.append(one);
  }
  out["strategies"] = strategies;
  return out;
}

}  // namespace

std::vector<RunStrategy> build_run_strategies(const py::list& instances,
                                              const std::string& bar_size) {
  strategy::StrategyRegistry registry = strategy::builtin_strategies();
  std::vector<RunStrategy> out;
  std::map<std::string, py::object> python_classes;  // registered here, by name
  for (py::handle instance : instances) {
    auto fields = instance.cast<py::tuple>();
    py::object strategy = fields[0];
    auto name = fields[1].cast<std::string>();
    auto key = fields[2].cast<std::string>();
    std::vector<Contract> contracts;
    for (const std::string& symbol : fields[3].cast<std::vector<std::string>>()) {
      contracts.push_back(stock(symbol));
    }
    strategy::RawParams raw;
    for (py::handle item : fields[4]) {
      auto pair = item.cast<py::tuple>();
      raw.emplace_back(pair[0].cast<std::string>(), param_text(pair[1]));
    }
    if (!py::isinstance<py::str>(strategy)) {
      auto added = python_classes.find(name);
      if (added == python_classes.end()) {
        if (registry.contains(name)) {
          throw Error(ErrorKind::InvalidArgument,
                      "the name '" + name + "' is taken by a C++ strategy; set `name = ...` " +
                          "on the class",
                      fields[5].cast<std::string>());
        }
        registry.add(python_definition(strategy, name, fields[5].cast<std::string>()));
        python_classes.emplace(name, strategy);
      } else if (!added->second.is(strategy)) {
        throw Error(ErrorKind::InvalidArgument,
                    "two strategy classes run under the name '" + name + "'; set `name = ...` " +
                        "on one of them",
                    fields[5].cast<std::string>());
      }
    }
    std::unique_ptr<strategy::Strategy> built;
    try {
      built = registry.create(name, key, std::move(contracts), bar_size, raw);
    } catch (const Error& e) {
      // Everything checked here is the caller's choice (parameters, instrument count, values
      // the strategy's __init__ refused): InvalidArgument, whatever kind the check used.
      throw Error(ErrorKind::InvalidArgument, e.message(), e.where());
    }
    out.push_back({std::move(built), name});
  }
  return out;
}

namespace {

// instances: as build_run_strategies (run_instances.h).
py::dict run_backtest(store::Store& store, const py::list& instances, const py::dict& options) {
  backtest::BacktestConfig config;
  config.bar_size = options["bar_size"].cast<std::string>();
  config.start = bound(options["start"].cast<std::optional<std::string>>(), "start", false);
  config.end = bound(options["end"].cast<std::optional<std::string>>(), "end", true);
  config.initial_cash = options["cash"].cast<double>();
  config.fill_model = exchange::parse_fill_model(options["fill"].cast<std::string>());
  config.commission = exchange::CommissionModel::parse(options["commission"].cast<std::string>());
  config.slippage_bps = options["slippage_bps"].cast<double>();
  config.fractional = options["fractional"].cast<bool>();
  config.allow_leverage = options["allow_leverage"].cast<bool>();
  config.weights = options["weights"].cast<std::map<std::string, double>>();
  config.explicit_equity = options["equity"].cast<std::map<std::string, double>>();
  config.command_line = options["command_line"].cast<std::string>();
  config.started_at =
      bound(options["started_at"].cast<std::optional<std::string>>(), "started_at", false);

  backtest::Engine engine(store, config);
  for (RunStrategy& built : build_run_strategies(instances, config.bar_size)) {
    engine.add_strategy(std::move(built.strategy), built.name);
  }
  backtest::BacktestResult result;
  {
    py::gil_scoped_release unlocked;
    result = engine.run();
  }
  return result_dict(result);
}

}  // namespace

void bind_runs(py::module_& m) {
  m.def("_backtest", &run_backtest, py::arg("store"), py::arg("instances"), py::arg("options"));
  // The digest of every table of an account library but run_info (tests/backtest/account_digest.h):
  // equal digests mean bit-identical account tables.
  m.def("_account_digest", [](store::Store& s, const std::string& account) {
    py::gil_scoped_release unlocked;
    return store::testing::library_digest(s.existing_library(account), broker::kRunInfoSymbol);
  });
}

}  // namespace tandem::python
