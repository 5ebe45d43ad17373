#include "backtest/run_info.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "backtest/engine.h"
#include "broker/account_schema.h"
#include "core/redact.h"

namespace tandem::backtest {
namespace {

std::string strategies_text(const RunInfo& info) {
  std::string text;
  for (const RunInfo::Strategy& strategy : info.strategies) {
    if (!text.empty()) text += "; ";
    text += strategy.name.empty() ? "?" : strategy.name;
    text += ":";
    for (std::size_t i = 0; i < strategy.symbols.size(); ++i) {
      text += (i == 0 ? "" : "+") + strategy.symbols[i];
    }
    text += "@" + strategy.key;
    if (strategy.params != nullptr && !strategy.params->values().empty()) {
      text += "(";
      bool first = true;
      for (const auto& [name, value] : strategy.params->values()) {
        text += (first ? "" : ",") + name + "=" + strategy::format_param_value(value);
        first = false;
      }
      text += ")";
    }
  }
  return text;
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

// The last row's value of a string column; empty when absent or null.
std::string string_cell(const store::Table& table, std::string_view column) {
  const store::Column* c = table.find_column(column);
  if (c == nullptr || c->type() != store::ColumnType::kString || table.num_rows() == 0 ||
      c->is_null(table.num_rows() - 1)) {
    return "";
  }
  return c->strings()[table.num_rows() - 1];
}

}  // namespace

std::string_view run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kComplete:
      return "complete";
    case RunStatus::kFailed:
      return "failed";
  }
  return "running";
}

bool RunState::still_running_here() const {
  if (status != "running" || pid <= 0 || host != this_host()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::optional<RunState> read_run_state(const store::Library& library) {
  if (!library.has_symbol(broker::kRunInfoSymbol)) return std::nullopt;
  const store::Table row = library.read(broker::kRunInfoSymbol).table;
  if (row.num_rows() == 0 || !row.has_column("status")) return std::nullopt;
  RunState state;
  state.status = string_cell(row, "status");
  state.error = string_cell(row, "error");
  state.host = string_cell(row, "host");
  state.started_at = row.index()[row.num_rows() - 1];
  const store::Column* pid = row.find_column("pid");
  if (pid != nullptr && pid->type() == store::ColumnType::kInt64 &&
      !pid->is_null(row.num_rows() - 1)) {
    state.pid = pid->int64s()[row.num_rows() - 1];
  }
  return state;
}

std::string incomplete_run_banner(const std::string& account_id, const RunState& state) {
  if (state.status == "failed") {
    return fmt::format("INCOMPLETE: backtest {} failed: {} (its figures stop where it failed)",
                       account_id, state.error.empty() ? "no error recorded" : state.error);
  }
  if (state.still_running_here()) {
    return fmt::format("INCOMPLETE: backtest {} is still running (process {}); its figures so far",
                       account_id, state.pid);
  }
  return fmt::format(
      "INCOMPLETE: backtest {} was cut short (started {}, process {} on {} ended without "
      "finishing it); its figures stop where it was stopped. The backtest command "
      "lists and deletes such runs (cleanup-incomplete, docs/backtest.md)",
      account_id, format_timestamp(state.started_at), state.pid,
      state.host.empty() ? "?" : state.host);
}

std::string run_info_json(const RunInfo& info) {
  const BacktestConfig& config = *info.config;
  nlohmann::json doc;
  doc["account"] = info.account_id;
  doc["started_at"] = format_timestamp(info.started_at);
  doc["bar_size"] = config.bar_size;
  doc["start"] = config.start ? nlohmann::json(format_timestamp(*config.start)) : nullptr;
  doc["end"] = config.end ? nlohmann::json(format_timestamp(*config.end)) : nullptr;
  doc["first_bar"] = format_timestamp(info.first_bar);
  doc["last_bar"] = format_timestamp(info.last_bar);
  doc["initial_cash"] = config.initial_cash;
  doc["fill_model"] = std::string(exchange::fill_model_name(config.fill_model));
  doc["commission"] = config.commission.describe();
  doc["slippage_bps"] = config.slippage_bps;
  doc["fractional"] = config.fractional;
  doc["weights"] = nlohmann::json::object();
  for (const auto& [key, weight] : config.weights) doc["weights"][key] = weight;
  doc["explicit_equity"] = nlohmann::json::object();
  for (const auto& [key, amount] : config.explicit_equity) doc["explicit_equity"][key] = amount;
  doc["command"] = redact_text(config.command_line);
  doc["status"] = std::string(run_status_name(info.status));
  if (!info.error.empty()) doc["error"] = redact_text(info.error);
  doc["strategies"] = nlohmann::json::array();
  for (const RunInfo::Strategy& strategy : info.strategies) {
    nlohmann::json entry;
    entry["key"] = strategy.key;
    entry["name"] = strategy.name;
    entry["symbols"] = strategy.symbols;
    entry["params"] = nlohmann::json::object();
    if (strategy.params != nullptr) {
      for (const auto& [name, value] : strategy.params->values()) {
        std::visit([&](const auto& v) { entry["params"][name] = v; }, value);
      }
    }
    bool is_explicit =
        strategy.allocation.source == broker::EquityAllocation::Source::kExplicitEquity;
    entry["allocation"] = {
        {"source", is_explicit ? "explicit_equity" : "target_weight"},
        {"value",
         is_explicit ? strategy.allocation.explicit_equity : strategy.allocation.target_weight},
        {"from", strategy.allocation.origin},
    };
    doc["strategies"].push_back(std::move(entry));
  }
  return doc.dump();
}

void write_run_info(store::Library library, const RunInfo& info) {
  const BacktestConfig& config = *info.config;
  nlohmann::json weights = nlohmann::json::object();
  for (const auto& [key, weight] : config.weights) weights[key] = weight;
  using store::Column;
  store::Table row({info.started_at});
  row.with(Column::of_string("bar_size", {config.bar_size}))
      .with(Column::of_timestamp("first_bar", {info.first_bar}))
      .with(Column::of_timestamp("last_bar", {info.last_bar}))
      .with(Column::of_float64("initial_cash", {config.initial_cash}))
      .with(Column::of_string("fill_model",
                              {std::string(exchange::fill_model_name(config.fill_model))}))
      .with(Column::of_string("commission", {config.commission.describe()}))
      .with(Column::of_float64("slippage_bps", {config.slippage_bps}))
      .with(Column::of_bool("fractional", {static_cast<std::uint8_t>(config.fractional)}))
      .with(Column::of_string("strategies", {strategies_text(info)}))
      .with(Column::of_string("weights", {weights.dump()}))
      .with(Column::of_string("command", {redact_text(config.command_line)}))
      .with(Column::of_string("status", {std::string(run_status_name(info.status))}))
      .with(Column::of_string("error", {redact_text(info.error)}))
      .with(Column::of_int64("pid", {static_cast<std::int64_t>(::getpid())}))
      .with(Column::of_string("host", {this_host()}));
  library.write(broker::kRunInfoSymbol, row, run_info_json(info));
}

}  // namespace tandem::backtest
