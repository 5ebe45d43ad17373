#include "backtest/replay_schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <utility>

namespace tandem::backtest {
namespace {

// A market whose instrument i has bars at times[i] (strictly increasing).
MarketState market_of(const std::vector<std::vector<Timestamp>>& times) {
  MarketState market;
  for (std::size_t i = 0; i < times.size(); ++i) {
    BarSeries bars;
    for (Timestamp t : times[i]) {
      bars.time.push_back(t);
      for (auto* column : {&bars.open, &bars.high, &bars.low, &bars.close, &bars.volume}) {
        column->push_back(1.0);
      }
    }
    market.add(stock("S" + std::to_string(i)), std::move(bars));
  }
  return market;
}

// The order by definition: every bar's (time, instrument), sorted.
std::vector<std::uint32_t> sorted_order(const std::vector<std::vector<Timestamp>>& times) {
  std::vector<std::pair<Timestamp, std::uint32_t>> bars;
  for (std::uint32_t i = 0; i < times.size(); ++i) {
    for (Timestamp t : times[i]) bars.emplace_back(t, i);
  }
  std::sort(bars.begin(), bars.end());
  std::vector<std::uint32_t> order;
  for (const auto& bar : bars) order.push_back(bar.second);
  return order;
}

// Each instrument has a bar at a time with probability `density`, over `steps` times.
std::vector<std::vector<Timestamp>> random_calendars(std::size_t instruments, std::size_t steps,
                                                     double density, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution has_bar(density);
  std::vector<std::vector<Timestamp>> times(instruments);
  for (auto& series : times) {
    for (std::size_t step = 0; step < steps; ++step) {
      if (has_bar(rng)) series.push_back(static_cast<Timestamp>(step) * 60);
    }
    if (series.empty()) series.push_back(0);
  }
  return times;
}

TEST(ReplayScheduleTest, SingleInstrumentNeedsNoSchedule) {
  EXPECT_TRUE(merge_schedule(market_of({{1, 2, 3}})).empty());
}

TEST(ReplayScheduleTest, BarsOfOneTimeGoInInstrumentOrder) {
  std::vector<std::vector<Timestamp>> times{{10, 20, 30}, {5, 20}, {20, 25, 30, 40}};
  EXPECT_EQ(merge_schedule(market_of(times)),
            (std::vector<std::uint32_t>{1, 0, 0, 1, 2, 2, 0, 2, 2}));
}

TEST(ReplayScheduleTest, SharedCalendarsMatchTheSortedOrder) {
  // Daily bars of one market: nearly every instrument trades at every time.
  auto times = random_calendars(100, 600, 0.97, 1);
  EXPECT_EQ(merge_schedule(market_of(times)), sorted_order(times));
}

TEST(ReplayScheduleTest, SparseCalendarsMatchTheSortedOrder) {
  // Few instruments share a time: the schedule is built through the heap.
  for (std::uint64_t seed : {2, 3, 4}) {
    auto times = random_calendars(60, 3000, 0.02, seed);
    EXPECT_EQ(merge_schedule(market_of(times)), sorted_order(times)) << "seed " << seed;
  }
}

TEST(ReplayScheduleTest, CalendarsThatDivergeMidwayMatchTheSortedOrder) {
  // Shared times first, then staggered ones: the rounds hand over to the heap part-way.
  std::vector<std::vector<Timestamp>> times(50);
  for (std::size_t i = 0; i < times.size(); ++i) {
    for (Timestamp t = 0; t < 200; ++t) times[i].push_back(t * 100);
    for (Timestamp t = 0; t < 400; ++t) {
      times[i].push_back(20'000 + t * 100 + static_cast<Timestamp>(i));
    }
  }
  EXPECT_EQ(merge_schedule(market_of(times)), sorted_order(times));
}

}  // namespace
}  // namespace tandem::backtest
