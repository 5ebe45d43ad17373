#include "backtest/account_id.h"

#include "core/error.h"

namespace tandem::backtest {

std::string backtest_account_id(Timestamp started_at) {
  // "2024-01-31T14:30:00Z" → "BT_20240131_143000"
  std::string text = format_timestamp(started_at - started_at % kNanosPerSecond);
  return "BT_" + text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2) + "_" +
         text.substr(11, 2) + text.substr(14, 2) + text.substr(17, 2);
}

std::string create_backtest_library(store::Store& store, Timestamp started_at) {
  const std::string base = backtest_account_id(started_at);
  for (int attempt = 1; attempt <= 1000; ++attempt) {
    std::string id = attempt == 1 ? base : base + "_" + std::to_string(attempt);
    if (store.has_library(id)) continue;
    try {
      store.create_library(id);
      return id;
    } catch (const Error&) {
      if (!store.has_library(id)) throw;  // a real failure, not a lost race
    }
  }
  throw Error("more than 1000 backtests started in the same second", base);
}

}  // namespace tandem::backtest
