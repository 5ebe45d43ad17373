// In-memory runs over SharedBars (a sweep's runs) against the recorded backtest of the same
// strategies and bars: the replay reads the shared rows in replay order when the run trades
// every shared symbol, and the columns when it trades fewer — either way the same results,
// whether every symbol has a bar at every time or the calendars differ.
#include "backtest/shared_bars.h"

#include <gtest/gtest.h>

#include <map>

#include "backtest/backtest_fixture.h"
#include "market_data/synthetic_bars.h"

namespace tandem::testing {
namespace {

// Bars of three symbols on different calendars: weekdays only, every day from a later start,
// and every other day ending early — so most time slices hold one or two of the three.
std::map<std::string, BarSeries> uneven_bars() {
  std::map<std::string, BarSeries> bars;
  auto make = [](const std::string& symbol, std::uint64_t seed, int first_day, Timestamp step,
                 std::size_t count, bool weekdays) {
    market_data::SyntheticSpec spec;
    spec.symbol = symbol;
    spec.seed = seed;
    spec.annual_volatility = 0.35;  // enough crosses for many trades
    return market_data::synthetic_bars(spec, day(first_day), step, count, weekdays);
  };
  bars["AAA"] = make("AAA", 7, 0, kNanosPerDay, 420, true);
  bars["BBB"] = make("BBB", 8, 20, kNanosPerDay, 380, false);
  bars["CCC"] = make("CCC", 9, 5, 2 * kNanosPerDay, 160, false);
  return bars;
}

void expect_same_run(const backtest::BacktestResult& recorded,
                     const backtest::BacktestResult& in_memory) {
  EXPECT_EQ(in_memory.bars, recorded.bars);
  EXPECT_EQ(in_memory.first_bar, recorded.first_bar);
  EXPECT_EQ(in_memory.last_bar, recorded.last_bar);
  EXPECT_EQ(in_memory.orders, recorded.orders);
  EXPECT_EQ(in_memory.fills, recorded.fills);
  EXPECT_EQ(in_memory.round_trips, recorded.round_trips);
  EXPECT_EQ(in_memory.final_cash, recorded.final_cash);
  EXPECT_EQ(in_memory.commission, recorded.commission);
  EXPECT_EQ(in_memory.trade_pnls, recorded.trade_pnls);
  ASSERT_EQ(in_memory.daily.size(), recorded.daily.size());
  for (std::size_t d = 0; d < recorded.daily.size(); ++d) {
    EXPECT_EQ(in_memory.daily[d].time, recorded.daily[d].time) << "day " << d;
    EXPECT_EQ(in_memory.daily[d].equity, recorded.daily[d].equity) << "day " << d;
  }
}

class SharedBarsTest : public ::testing::TestWithParam<exchange::FillModel> {
 protected:
  // One sma_cross per symbol in `traded`, equal weights, recorded and in memory over `shared`.
  void compare(const std::vector<std::string>& traded, const backtest::SharedBars& shared) {
    backtest::BacktestConfig config;
    config.fill_model = GetParam();
    config.commission = exchange::CommissionModel::ib_fixed();
    config.started_at = day(1000);
    for (const std::string& symbol : traded) {
      config.weights[symbol] = 1.0 / static_cast<double>(traded.size());
    }
    auto add = [&](backtest::Engine& engine) {
      for (const std::string& symbol : traded) {
        engine.add_strategy(registry_.create("sma_cross", symbol, {stock(symbol)}, "1d",
                                             {{"fast", "3"}, {"slow", "12"}}),
                            "sma_cross");
      }
    };
    backtest::Engine recorded_engine(*store_, config);
    add(recorded_engine);
    const backtest::BacktestResult recorded = recorded_engine.run();
    backtest::Engine memory_engine(*store_, config);
    add(memory_engine);
    const backtest::BacktestResult in_memory = memory_engine.run_in_memory(shared);
    // The comparison proves little without trades on every symbol.
    EXPECT_GE(recorded.round_trips, 10 * traded.size());
    expect_same_run(recorded, in_memory);
  }

  std::unique_ptr<store::Store> store_ = store::Store::open("mem://");
  strategy::StrategyRegistry registry_ = strategy::builtin_strategies();
};

TEST_P(SharedBarsTest, RunsOverEveryOrSomeSharedSymbolsMatchTheRecordedBacktest) {
  std::map<std::string, backtest::SharedBarSeries> all;
  for (auto& [symbol, bars] : uneven_bars()) {
    write_bars(*store_, symbol, bars);
    all.emplace(symbol, std::make_shared<const BarSeries>(std::move(bars)));
  }
  const backtest::SharedBars shared(all);
  // Every bar once in the rows, in (time, symbol) order.
  ASSERT_EQ(shared.rows()->size(), 420u + 380u + 160u);
  ASSERT_EQ(shared.schedule()->size(), shared.rows()->size());
  for (std::size_t p = 1; p < shared.rows()->size(); ++p) {
    const Bar& a = (*shared.rows())[p - 1];
    const Bar& b = (*shared.rows())[p];
    ASSERT_TRUE(a.time < b.time ||
                (a.time == b.time && (*shared.schedule())[p - 1] < (*shared.schedule())[p]))
        << "position " << p;
  }
  {
    SCOPED_TRACE("every shared symbol: the replay rows");
    compare({"AAA", "BBB", "CCC"}, shared);
  }
  {
    SCOPED_TRACE("two of the three: the columns");
    compare({"AAA", "CCC"}, shared);
  }
}

TEST_P(SharedBarsTest, ASingleSymbolRunMatchesTheRecordedBacktest) {
  BarSeries bars = uneven_bars().at("BBB");
  write_bars(*store_, "BBB", bars);
  const backtest::SharedBars shared({{"BBB", std::make_shared<const BarSeries>(bars)}});
  EXPECT_TRUE(shared.schedule()->empty());
  ASSERT_EQ(shared.rows()->size(), bars.size());
  EXPECT_EQ((*shared.rows())[17].close, bars.close[17]);
  compare({"BBB"}, shared);
}

INSTANTIATE_TEST_SUITE_P(FillModels, SharedBarsTest,
                         ::testing::Values(exchange::FillModel::kClose,
                                           exchange::FillModel::kNextOpen));

}  // namespace
}  // namespace tandem::testing
