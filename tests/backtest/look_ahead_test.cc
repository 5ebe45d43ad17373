// A strategy can never see a bar after the current one.
#include <gtest/gtest.h>

#include "backtest/backtest_fixture.h"
#include "market_data/synthetic_bars.h"

namespace tandem::testing {
namespace {

// Checks on every bar what its history exposes: exactly the bars delivered so far.
class HistoryProbe : public strategy::Strategy {
 public:
  using Strategy::Strategy;
  void on_bar(const strategy::BarEvent& event) override {
    seen_[event.instrument].push_back(event.bar.time);
    const std::vector<Timestamp>& seen = seen_[event.instrument];
    BarHistory own = event.history;
    EXPECT_EQ(own.size(), seen.size());
    EXPECT_EQ(own.back().time, event.bar.time);
    EXPECT_EQ(own.closes().back(), event.bar.close);
    EXPECT_EQ(own.times().size(), seen.size());
    EXPECT_THROW(own[own.size()], Error);  // the next bar is not reachable
    EXPECT_EQ(history(event.instrument).size(), own.size());
    // Other instruments: nothing later than now either.
    for (std::size_t i = 0; i < contracts().size(); ++i) {
      BarHistory other = history(i);
      if (!other.empty()) {
        EXPECT_LE(other.back().time, event.bar.time);
      }
    }
    EXPECT_THROW(history(contracts().size()), Error);
    ++calls_;
  }
  std::map<std::size_t, std::vector<Timestamp>> seen_;
  int calls_ = 0;
};

class LookAhead : public BacktestTest {};

TEST_F(LookAhead, HistoryEndsAtTheCurrentBarAcrossInstruments) {
  // B trades on every other day: the merged replay interleaves the two calendars.
  BarSeries a =
      market_data::synthetic_bars({"A", 20, 0, 0.3, 1e5, 1}, day(1), kNanosPerDay, 30, false);
  BarSeries b =
      market_data::synthetic_bars({"B", 40, 0, 0.3, 1e5, 2}, day(1), 2 * kNanosPerDay, 15, false);
  write_bars(*store_, "A", a);
  write_bars(*store_, "B", b);
  backtest::BacktestConfig config;
  config.weights = {{"AB", 1.0}};
  backtest::Engine engine(*store_, config);
  strategy::StrategyConfig strategy_config;
  strategy_config.key = "AB";
  strategy_config.contracts = {stock("A"), stock("B")};
  auto probe = std::make_unique<HistoryProbe>(std::move(strategy_config));
  HistoryProbe* observer = probe.get();
  engine.add_strategy(std::move(probe), "history_probe");
  engine.run();
  EXPECT_EQ(observer->calls_, 45);
  EXPECT_EQ(observer->seen_[0], a.time);
  EXPECT_EQ(observer->seen_[1], b.time);
}

TEST_F(LookAhead, ChangingTheFutureDoesNotChangeThePast) {
  // Two stores with the same first 150 days; afterwards the prices differ completely. Every
  // order decided up to day 150 must be the same in both runs.
  const std::size_t days = 300;
  const std::size_t common = 150;
  BarSeries original =
      market_data::synthetic_bars({"X", 30, 0.05, 0.5, 1e6, 11}, day(1), kNanosPerDay, days, false);
  BarSeries changed = original;
  BarSeries other =
      market_data::synthetic_bars({"X", 90, -0.2, 0.9, 1e6, 99}, day(1), kNanosPerDay, days, false);
  for (std::size_t i = common; i < days; ++i) {
    changed.open[i] = other.open[i];
    changed.high[i] = other.high[i];
    changed.low[i] = other.low[i];
    changed.close[i] = other.close[i];
  }
  auto run = [&](const BarSeries& bars, exchange::FillModel model) {
    auto store = store::Store::open("mem://");
    write_bars(*store, "X", bars);
    backtest::BacktestConfig config;
    config.weights = {{"X", 1.0}};
    config.fill_model = model;
    backtest::Engine engine(*store, config);
    engine.add_strategy(make("sma_cross", "X", {"X"}, {{"fast", "3"}, {"slow", "8"}}));
    std::string account = engine.run().account_id;
    store::ReadOptions until_common;
    until_common.end = original.time[common - 1];
    return std::make_pair(store->existing_library(account).read("orders", until_common).table,
                          store->existing_library(account).read("orders").table);
  };
  for (auto model : {exchange::FillModel::kClose, exchange::FillModel::kNextOpen}) {
    auto [past_a, all_a] = run(original, model);
    auto [past_b, all_b] = run(changed, model);
    EXPECT_GT(past_a.num_rows(), 6u) << "the common part must contain trades to compare";
    EXPECT_EQ(past_a, past_b) << exchange::fill_model_name(model);
    EXPECT_FALSE(all_a == all_b) << "the changed future must matter, or the test proves nothing";
  }
}

}  // namespace
}  // namespace tandem::testing
