// Shared setup of the backtest tests: a fresh store, hand-written bars in market_data, and
// readers for the account library a run produced.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backtest/engine.h"
#include "core/bar_series.h"
#include "market_data/bar_loader.h"
#include "store/store.h"
#include "strategy/registry.h"

namespace tandem::testing {

// 2024-01-01T00:00:00Z plus `n` days: daily bars are stamped at midnight UTC of their date.
inline Timestamp day(int n) { return (19723LL + n) * kNanosPerDay; }

inline void write_bars(store::Store& store, const std::string& symbol, const BarSeries& bars,
                       const std::string& bar_size = "1d") {
  store::Table table(bars.time);
  table.with(store::Column::of_float64("open", bars.open))
      .with(store::Column::of_float64("high", bars.high))
      .with(store::Column::of_float64("low", bars.low))
      .with(store::Column::of_float64("close", bars.close))
      .with(store::Column::of_float64("volume", bars.volume));
  store.library("market_data").write(market_data::bar_symbol(symbol, bar_size), table);
}

// Bars from (open, close) pairs on consecutive days starting at day(1); high and low half a
// unit outside the body.
inline BarSeries daily_bars(const std::vector<std::pair<double, double>>& open_close) {
  BarSeries bars;
  int n = 1;
  for (auto [open, close] : open_close) {
    bars.push_back(
        Bar{day(n++), open, std::max(open, close) + 0.5, std::min(open, close) - 0.5, close, 1000});
  }
  return bars;
}

class BacktestTest : public ::testing::Test {
 protected:
  std::unique_ptr<strategy::Strategy> make(const std::string& name, const std::string& key,
                                           std::vector<std::string> symbols,
                                           strategy::RawParams params = {}) {
    std::vector<Contract> contracts;
    for (auto& symbol : symbols) contracts.push_back(stock(symbol));
    return registry_.create(name, key, std::move(contracts), "1d", params);
  }

  store::Table read(const std::string& account, const std::string& symbol) {
    return store_->existing_library(account).read(symbol).table;
  }

  // The (status, message) sequence of one order in `orders`.
  std::vector<std::string> statuses(const std::string& account, std::int64_t order_id) {
    store::Table orders = read(account, "orders");
    std::vector<std::string> result;
    for (std::size_t i = 0; i < orders.num_rows(); ++i) {
      if (orders.int64s("order_id")[i] == order_id) {
        result.push_back(std::string(orders.strings("status")[i]));
      }
    }
    return result;
  }

  std::unique_ptr<store::Store> store_ = store::Store::open("mem://");
  strategy::StrategyRegistry registry_ = strategy::builtin_strategies();
};

}  // namespace tandem::testing
