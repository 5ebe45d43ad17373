#include "strategy/registry.h"

#include "core/error.h"
#include "strategy/examples.h"

namespace tandem::strategy {
namespace {

bool is_valid_strategy_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool holds_type(const ParamValue& value, ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return std::holds_alternative<std::int64_t>(value);
    case ParamType::kDouble:
      return std::holds_alternative<double>(value);
    case ParamType::kBool:
      return std::holds_alternative<bool>(value);
    case ParamType::kString:
      return std::holds_alternative<std::string>(value);
  }
  return false;
}

}  // namespace

void StrategyRegistry::add(StrategyDefinition definition) {
  if (!is_valid_strategy_name(definition.name)) {
    throw Error("strategy name '" + definition.name + "' must be 1-64 of [a-z0-9_]",
                "StrategyRegistry");
  }
  if (contains(definition.name)) {
    throw Error("strategy '" + definition.name + "' is already registered", "StrategyRegistry");
  }
  if (!definition.create) {
    throw Error("strategy '" + definition.name + "' has no factory", "StrategyRegistry");
  }
  if (definition.min_instruments == 0 || definition.max_instruments < definition.min_instruments) {
    throw Error("strategy '" + definition.name + "' has an invalid instrument range",
                "StrategyRegistry");
  }
  for (const ParamSpec& spec : definition.params) {
    if (!holds_type(spec.default_value, spec.type)) {
      throw Error("default of parameter '" + spec.name + "' is not of type " +
                      std::string(param_type_name(spec.type)),
                  "strategy " + definition.name);
    }
  }
  definitions_.push_back(std::move(definition));
}

std::string StrategyRegistry::names() const {
  std::string text;
  for (const StrategyDefinition& definition : definitions_) {
    text += (text.empty() ? "" : ", ") + definition.name;
  }
  return text;
}

bool StrategyRegistry::contains(std::string_view name) const {
  for (const StrategyDefinition& definition : definitions_) {
    if (definition.name == name) return true;
  }
  return false;
}

const StrategyDefinition& StrategyRegistry::find(std::string_view name) const {
  for (const StrategyDefinition& definition : definitions_) {
    if (definition.name == name) return definition;
  }
  std::string known;
  for (const StrategyDefinition& definition : definitions_) {
    known += (known.empty() ? "" : ", ") + definition.name;
  }
  throw Error(ErrorKind::InvalidArgument,
              "unknown strategy '" + std::string(name) + "'; registered: " + known, "strategy");
}

std::unique_ptr<Strategy> StrategyRegistry::create(std::string_view name, std::string key,
                                                   std::vector<Contract> contracts,
                                                   std::string bar_size,
                                                   const RawParams& raw) const {
  const StrategyDefinition& definition = find(name);
  std::string where = "strategy " + definition.name;
  if (key.empty()) throw Error(ErrorKind::InvalidArgument, "empty strategy key", where);
  if (contracts.size() < definition.min_instruments ||
      contracts.size() > definition.max_instruments) {
    std::string expected = definition.min_instruments == definition.max_instruments
                               ? std::to_string(definition.min_instruments)
                               : std::to_string(definition.min_instruments) + " to " +
                                     std::to_string(definition.max_instruments);
    throw Error(ErrorKind::InvalidArgument,
                "trades " + expected + " instrument(s), got " + std::to_string(contracts.size()),
                where);
  }
  StrategyConfig config;
  config.key = std::move(key);
  config.contracts = std::move(contracts);
  config.bar_size = std::move(bar_size);
  config.params = parse_params(definition.params, raw, where);
  return definition.create(std::move(config));
}

StrategyRegistry builtin_strategies() {
  StrategyRegistry registry;
  registry.add(sma_cross_definition());
  registry.add(buy_and_hold_definition());
  registry.add(broker_test_definition());
  return registry;
}

}  // namespace tandem::strategy
