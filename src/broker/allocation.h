// Equity allocation: how much of an account a strategy trades with (the two-tier rule of the
// broker contract), and the two places it is configured:
//   1. strategy_{KEY}_equity in the account's library — an explicit amount; the latest row's
//      `equity` wins (`tandem alloc equity ACCOUNT KEY AMOUNT` appends one);
//   2. general/strategies — strategy, target_weight, enabled; the latest row per strategy wins
//      (`tandem alloc set KEY WEIGHT` appends one); equity = target_weight × total equity.
// Neither → an error naming both places. Nothing here creates a library that is not there.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/store.h"

namespace tandem::broker {

inline constexpr std::string_view kGeneralLibrary = "general";
inline constexpr std::string_view kStrategiesSymbol = "strategies";

struct StrategyWeight {
  std::string strategy;
  double target_weight = 0;
  bool enabled = true;
  Timestamp updated = 0;
};

// The latest row per strategy of general/strategies, sorted by strategy; empty when the
// library or table is absent.
std::vector<StrategyWeight> read_strategy_weights(const store::Store& store);
// Appends a row to general/strategies (creating both if needed). weight in [0, 1].
void set_strategy_weight(store::Store& store, std::string_view key, double weight, bool enabled,
                         Timestamp now);

// The latest `equity` of strategy_{KEY}_equity in `account`'s library; nullopt when absent.
std::optional<double> read_explicit_equity(const store::Store& store, std::string_view account,
                                           std::string_view key);
// Appends an explicit equity row (amount > 0) to strategy_{KEY}_equity of `account`.
void set_explicit_equity(store::Store& store, std::string_view account, std::string_view key,
                         double amount, Timestamp now);

struct EquityAllocation {
  enum class Source { kExplicitEquity, kTargetWeight };
  Source source = Source::kTargetWeight;
  double explicit_equity = 0;  // kExplicitEquity
  double target_weight = 0;    // kTargetWeight
  std::string origin;          // where it came from, for messages and run metadata

  double equity(double total_equity) const {
    return source == Source::kExplicitEquity ? explicit_equity : target_weight * total_equity;
  }
};

// Resolves KEY's allocation in `account`: explicit equity first; then the weight, taken from
// `weight_overrides` (a run's --weight KEY=W) if it has KEY, else from general/strategies
// (a disabled strategy counts as absent). Throws tandem::Error (NotFound) naming both places
// otherwise, ending with `remedy` (how the caller sets one) or, when empty, the `tandem alloc`
// commands for `account`.
EquityAllocation resolve_equity_allocation(const store::Store& store, std::string_view account,
                                           std::string_view key,
                                           const std::map<std::string, double>& weight_overrides,
                                           std::string_view remedy = {});

}  // namespace tandem::broker
