#include "broker/allocation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "broker/account_schema.h"
#include "core/error.h"

namespace tandem::broker {

std::vector<StrategyWeight> read_strategy_weights(const store::Store& store) {
  std::vector<StrategyWeight> latest;
  if (!store.has_library(kGeneralLibrary)) return latest;
  store::Library general = store.existing_library(kGeneralLibrary);
  if (!general.has_symbol(kStrategiesSymbol)) return latest;
  store::Table table = general.read(kStrategiesSymbol).table;
  std::string where = "general/strategies";
  auto names = table.strings("strategy");
  auto weights = table.float64s("target_weight");
  auto enabled = table.bools("enabled");
  const auto& index = table.index();
  // Later rows win; rows are in index order, and the store keeps append order for equal times.
  std::map<std::string, StrategyWeight> by_name;
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    by_name[names[i]] = StrategyWeight{names[i], weights[i], enabled[i] != 0, index[i]};
  }
  for (auto& [name, weight] : by_name) latest.push_back(std::move(weight));
  return latest;
}

void set_strategy_weight(store::Store& store, std::string_view key, double weight, bool enabled,
                         Timestamp now) {
  validate_strategy_key(key);
  if (!(weight >= 0 && weight <= 1)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("target weight must be in [0, 1], got {}", weight),
                "strategy " + std::string(key));
  }
  store::Table row({now});
  row.with(store::Column::of_string("strategy", {std::string(key)}))
      .with(store::Column::of_float64("target_weight", {weight}))
      .with(store::Column::of_bool("enabled", {static_cast<std::uint8_t>(enabled ? 1 : 0)}));
  store.library(kGeneralLibrary).append(kStrategiesSymbol, row, store::AppendMode::kAnyOrder);
}

std::optional<double> read_explicit_equity(const store::Store& store, std::string_view account,
                                           std::string_view key) {
  if (!store.has_library(account)) return std::nullopt;
  store::Library library = store.existing_library(account);
  std::string symbol = strategy_equity_symbol(key);
  if (!library.has_symbol(symbol)) return std::nullopt;
  store::ReadOptions options;
  options.columns = std::vector<std::string>{"equity"};
  options.tail = 1;
  store::Table table = library.read(symbol, options).table;
  if (table.num_rows() == 0) return std::nullopt;
  return table.float64s("equity").back();
}

void set_explicit_equity(store::Store& store, std::string_view account, std::string_view key,
                         double amount, Timestamp now) {
  validate_strategy_key(key);
  if (!(amount > 0) || !std::isfinite(amount)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("equity amount must be positive, got {}", amount),
                std::string(account) + "/" + strategy_equity_symbol(key));
  }
  store::Table row({now});
  row.with(store::Column::of_float64("equity", {amount}));
  store.library(account).append(strategy_equity_symbol(key), row, store::AppendMode::kAnyOrder);
}

EquityAllocation resolve_equity_allocation(const store::Store& store, std::string_view account,
                                           std::string_view key,
                                           const std::map<std::string, double>& weight_overrides,
                                           std::string_view remedy) {
  std::string explicit_place = std::string(account) + "/" + strategy_equity_symbol(key);
  if (std::optional<double> amount = read_explicit_equity(store, account, key)) {
    return EquityAllocation{EquityAllocation::Source::kExplicitEquity, *amount, 0, explicit_place};
  }
  if (auto it = weight_overrides.find(std::string(key)); it != weight_overrides.end()) {
    return EquityAllocation{
        EquityAllocation::Source::kTargetWeight, 0, it->second,
        "this run's weight " + std::string(key) + "=" + fmt::format("{}", it->second)};
  }
  std::string weight_state = "absent";
  for (const StrategyWeight& weight : read_strategy_weights(store)) {
    if (weight.strategy != key) continue;
    if (weight.enabled) {
      return EquityAllocation{EquityAllocation::Source::kTargetWeight, 0, weight.target_weight,
                              "general/strategies"};
    }
    weight_state = "present but disabled";
  }
  const std::string how = remedy.empty()
                              ? fmt::format(
                                    "set one with `tandem alloc equity {} {} AMOUNT` or `tandem "
                                    "alloc set {} WEIGHT`",
                                    account, key, key)
                              : std::string(remedy);
  throw Error(ErrorKind::NotFound,
              fmt::format("no equity allocation for strategy '{}': looked for an explicit equity "
                          "in {} (absent) and a target weight in general/strategies ({}); {}",
                          key, explicit_place, weight_state, how),
              "strategy " + std::string(key));
}

}  // namespace tandem::broker
