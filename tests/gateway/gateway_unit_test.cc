// The gateway's small parts: bar sizes and durations, the replay clock, pacing, aggregation,
// the ledger.
#include <gtest/gtest.h>

#include "core/error.h"
#include "gateway/bar_size.h"
#include "gateway/ledger.h"
#include "gateway/market_data.h"
#include "gateway/pacing.h"
#include "gateway/replay_clock.h"

namespace tandem::gateway {
namespace {

Timestamp at(const char* text) { return *parse_timestamp(text); }

TEST(BarSize, IbSpellingsAndStoreSuffixes) {
  EXPECT_EQ(parse_ib_bar_size("1 day")->count, 86400);
  EXPECT_EQ(parse_ib_bar_size("5 mins")->count, 300);
  EXPECT_EQ(parse_ib_bar_size("1W")->unit, BarSize::Unit::kWeek);
  EXPECT_EQ(parse_ib_bar_size("1 month")->unit, BarSize::Unit::kMonth);
  EXPECT_FALSE(parse_ib_bar_size("1 sec"));
  EXPECT_FALSE(parse_ib_bar_size("7 mins"));
  EXPECT_EQ(parse_store_bar_size("1d")->count, 86400);
  EXPECT_EQ(parse_store_bar_size("1min")->count, 60);
  EXPECT_EQ(parse_store_bar_size("30s")->count, 30);
  EXPECT_EQ(parse_store_bar_size("1mo")->unit, BarSize::Unit::kMonth);
  EXPECT_FALSE(parse_store_bar_size("daily"));
  EXPECT_FALSE(parse_store_bar_size("0d"));
}

TEST(Duration, CalendarMonthsAndYearsStepBackInUtc) {
  auto year = parse_ib_duration("1 Y");
  ASSERT_TRUE(year);
  EXPECT_EQ(duration_start(at("2024-02-29T15:00:00Z"), *year), at("2023-02-28T15:00:00Z"));
  EXPECT_EQ(duration_start(at("2024-03-31"), *parse_ib_duration("1 M")), at("2024-02-29"));
  EXPECT_EQ(duration_start(at("2024-03-31"), *parse_ib_duration("30 D")), at("2024-03-01"));
  EXPECT_EQ(duration_start(at("2024-03-31"), *parse_ib_duration("1800 S")),
            at("2024-03-30T23:30:00Z"));
  EXPECT_FALSE(parse_ib_duration("1 X"));
  EXPECT_FALSE(parse_ib_duration("D"));
  EXPECT_FALSE(parse_ib_duration("-3 D"));
}

TEST(ReplayClock, RunsAtItsSpeedAndNeverBackwards) {
  auto wall = std::chrono::steady_clock::time_point{};
  ReplayClock clock(at("2024-01-02"), ReplaySpeed::parse("60"), [&] { return wall; });
  wall += std::chrono::seconds(10);
  EXPECT_EQ(clock.now(), at("2024-01-02T00:10:00Z"));
  EXPECT_EQ(clock.wall_delay_until(at("2024-01-02T00:20:00Z")), std::chrono::seconds(10));
  clock.set_now(at("2024-01-01"));  // earlier: ignored
  EXPECT_EQ(clock.now(), at("2024-01-02T00:10:00Z"));
  clock.set_speed(ReplaySpeed::parse("paused"));
  wall += std::chrono::hours(1);
  EXPECT_EQ(clock.now(), at("2024-01-02T00:10:00Z"));
  EXPECT_FALSE(clock.wall_delay_until(at("2024-01-03")).has_value());
  clock.set_speed(ReplaySpeed::parse("max"));
  EXPECT_EQ(clock.wall_delay_until(at("2030-01-01")), std::chrono::nanoseconds(0));
  EXPECT_THROW(ReplaySpeed::parse("fast"), Error);
  EXPECT_THROW(ReplaySpeed::parse("-2"), Error);
  EXPECT_EQ(ReplaySpeed::parse("2.5").describe(), "2.5");
}

TEST(HistoricalPacing, EnforcesIbsThreeRules) {
  using namespace std::chrono_literals;
  HistoricalPacing pacing;
  auto t = HistoricalPacing::Clock::time_point{} + 1h;
  HistoricalPacing::Request a{"A|1 day|1 Y", "A|SMART|TRADES", false};
  EXPECT_FALSE(pacing.admit(a, t));
  EXPECT_TRUE(pacing.admit(a, t + 14s));   // identical within 15 s
  EXPECT_FALSE(pacing.admit(a, t + 15s));  // not any more
  // Five different requests for one contract within 2 s pass; the sixth does not.
  HistoricalPacing burst;
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(burst.admit({"B" + std::to_string(i), "B|SMART|TRADES", false}, t));
  }
  EXPECT_TRUE(burst.admit({"B5", "B|SMART|TRADES", false}, t + 1s));
  EXPECT_FALSE(burst.admit({"B6", "B|SMART|TRADES", false}, t + 3s));
  // More than 60 in 10 minutes (BID_ASK counts twice).
  HistoricalPacing busy;
  for (int i = 0; i < 30; ++i) {
    EXPECT_FALSE(busy.admit({"C" + std::to_string(i), "C" + std::to_string(i), true},
                            t + std::chrono::seconds(3 * i)));
  }
  EXPECT_TRUE(busy.admit({"D", "D", false}, t + 100s));
  EXPECT_FALSE(busy.admit({"D", "D", false}, t + 601s));  // the oldest left the window
}

TEST(AggregateBars, WeeksStartOnMondayAndMonthsOnTheFirst) {
  std::vector<Bar> days;
  // Thu 2024-02-01 .. Tue 2024-03-05, business days.
  for (Timestamp t = at("2024-02-01"); t <= at("2024-03-05"); t += kNanosPerDay) {
    const int weekday = static_cast<int>((t / kNanosPerDay + 4) % 7);
    if (weekday == 0 || weekday == 6) continue;
    const double i = static_cast<double>(days.size());
    days.push_back({t, 10 + i, 20 + i, 5 + i, 11 + i, 100});
  }
  auto weeks = aggregate_bars(days, {BarSize::Unit::kWeek, 1});
  ASSERT_EQ(weeks.size(), 6u);
  EXPECT_EQ(weeks[0].time, at("2024-02-01"));  // Thu, Fri of the first week
  EXPECT_EQ(weeks[0].volume, 200);
  EXPECT_EQ(weeks[1].time, at("2024-02-05"));  // a Monday
  EXPECT_EQ(weeks[1].open, days[2].open);
  EXPECT_EQ(weeks[1].close, days[6].close);
  EXPECT_EQ(weeks[1].high, days[6].high);
  EXPECT_EQ(weeks[1].low, days[2].low);
  auto months = aggregate_bars(days, {BarSize::Unit::kMonth, 1});
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[1].time, at("2024-03-01"));
  EXPECT_EQ(bar_end(at("2024-02-01"), {BarSize::Unit::kMonth, 1}), at("2024-03-01"));
}

TEST(Ledger, CashAndPositionsFollowExecutionsAndRefusalsMatchTheBacktest) {
  Ledger ledger(10'000, exchange::CommissionModel::ib_fixed());
  EXPECT_TRUE(ledger.refuse("X", Action::kSell, 1, 10).has_value());    // no shorts
  EXPECT_TRUE(ledger.refuse("X", Action::kBuy, 1000, 10).has_value());  // 10,000 + 5 > cash
  EXPECT_FALSE(ledger.refuse("X", Action::kBuy, 900, 10).has_value());
  auto execution = [](std::string id, Action side, double shares, double price) {
    ExecutionRecord e;
    e.exec_id = std::move(id);
    e.symbol = "X";
    e.side = side;
    e.shares = shares;
    e.price = price;
    e.commission = 1;
    return e;
  };
  ExecutionRecord buy = execution("a.b.01.01", Action::kBuy, 100, 10);
  EXPECT_FALSE(ledger.apply(buy).has_value());
  EXPECT_DOUBLE_EQ(ledger.cash(), 10'000 - 1'000 - 1);
  ExecutionRecord sell = execution("a.b.02.01", Action::kSell, 40, 12);
  auto pnl = ledger.apply(sell);
  ASSERT_TRUE(pnl.has_value());
  EXPECT_NEAR(*pnl, 40 * 2 - 0.4 - 1, 1e-9);
  EXPECT_DOUBLE_EQ(ledger.position("X"), 60);
  auto f = ledger.figures([](const std::string&) { return 11.0; });
  EXPECT_DOUBLE_EQ(f.net_liquidation, ledger.cash() + 60 * 11);
  EXPECT_DOUBLE_EQ(f.gross_position_value, 660);
  EXPECT_EQ(buy.exec_key(), "a.b.01");
}

}  // namespace
}  // namespace tandem::gateway
