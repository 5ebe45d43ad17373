// StrategyRegistry: strategies by name, each with its declared parameters and a factory. The
// CLI (`tandem backtest --strategy sma_cross --param fast=10`) and the live runner create
// strategies through it. A registry is a plain object — no global list — so a program can hold
// its own set; builtin_strategies() returns one holding the examples shipped with tandem.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strategy/params.h"
#include "strategy/strategy.h"

namespace tandem::strategy {

struct StrategyDefinition {
  std::string name;  // [a-z0-9_]+, e.g. "sma_cross"
  std::string description;
  std::vector<ParamSpec> params;
  std::size_t min_instruments = 1;
  std::size_t max_instruments = 1;
  // Builds an instance; config.params already holds every declared parameter. May throw
  // tandem::Error for values out of range (e.g. fast >= slow).
  std::function<std::unique_ptr<Strategy>(StrategyConfig config)> create;
};

class StrategyRegistry {
 public:
  // Throws tandem::Error for an invalid or duplicate name, or a default of the wrong type.
  void add(StrategyDefinition definition);
  // Throws tandem::Error listing the registered names when `name` is unknown.
  const StrategyDefinition& find(std::string_view name) const;
  bool contains(std::string_view name) const;
  const std::vector<StrategyDefinition>& definitions() const { return definitions_; }
  // "sma_cross, buy_and_hold, ...": the registered names in registration order (for help text).
  std::string names() const;

  // Checks the instrument count and `raw` parameters against the definition, then builds it.
  std::unique_ptr<Strategy> create(std::string_view name, std::string key,
                                   std::vector<Contract> contracts, std::string bar_size,
                                   const RawParams& raw) const;

 private:
  std::vector<StrategyDefinition> definitions_;
};

// A registry holding sma_cross, buy_and_hold and broker_test.
StrategyRegistry builtin_strategies();

}  // namespace tandem::strategy
