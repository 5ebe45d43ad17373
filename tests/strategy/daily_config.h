// The configuration most strategy tests use: one stock traded on daily bars, keyed by its symbol.
#pragma once

#include <string>

#include "core/contract.h"
#include "strategy/strategy.h"

namespace tandem::testing {

inline strategy::StrategyConfig daily_config(const std::string& symbol) {
  strategy::StrategyConfig config;
  config.key = symbol;
  config.contracts = {stock(symbol)};
  config.bar_size = "1d";
  return config;
}

}  // namespace tandem::testing
