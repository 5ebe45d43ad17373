// History paging: bar sizes and their largest durations, stepping back, and HistoryPager over
// pages that overlap, come back empty (weekends, holidays) or hold only their boundary bar.
#include "ib/history_pages.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::ib {
namespace {

constexpr Timestamp kDay = kNanosPerDay;
constexpr Timestamp kMinute = 60 * kNanosPerSecond;

Timestamp at(const char* text) { return parse_timestamp_or_throw(text, "test"); }

TEST(HistoryBarSizes, SuffixesAndIbSettingsWithLargestDurations) {
  auto daily = find_history_bar_size("1d");
  ASSERT_TRUE(daily);
  EXPECT_EQ(daily->ib_setting, "1 day");
  EXPECT_EQ(daily->max_duration, "1 Y");
  auto minute = find_history_bar_size("1 min");
  ASSERT_TRUE(minute);
  EXPECT_EQ(minute->suffix, "1min");
  EXPECT_EQ(minute->max_duration, "1 D");
  EXPECT_EQ(find_history_bar_size("5min")->max_duration, "1 W");
  EXPECT_EQ(find_history_bar_size("1h")->max_duration, "1 M");
  EXPECT_EQ(find_history_bar_size("1s")->max_duration, "1800 S");
  EXPECT_EQ(find_history_bar_size("30s")->length, std::chrono::seconds(30));
  EXPECT_FALSE(find_history_bar_size("7min"));
  EXPECT_FALSE(find_history_bar_size("1 sec"));
  EXPECT_NE(known_history_bar_sizes().find("1min"), std::string::npos);
}

TEST(HistoryStepBack, NeverFurtherThanTheDurationSpans) {
  const Timestamp end = at("2024-03-01");
  EXPECT_EQ(step_back(end, "1800 S"), end - 1800 * kNanosPerSecond);
  EXPECT_EQ(step_back(end, "2 D"), end - 2 * kDay);
  EXPECT_EQ(step_back(end, "1 W"), end - 7 * kDay);
  EXPECT_EQ(step_back(end, "1 M"), end - 28 * kDay);  // February is the shortest month
  EXPECT_EQ(step_back(end, "1 Y"), end - 365 * kDay);
  EXPECT_THROW(step_back(end, "1D"), Error);
  EXPECT_THROW(step_back(end, "0 D"), Error);
  EXPECT_THROW(step_back(end, "1 Q"), Error);
}

TEST(HistoryPager, EachPageEndsWhereThePreviousPageBegan) {
  const auto size = *find_history_bar_size("1d");
  HistoryPager pager(size, std::nullopt, at("2020-01-01") - 1, at("2024-06-01"));
  ASSERT_FALSE(pager.done());
  EXPECT_FALSE(pager.next().end.has_value());  // the first page ends now
  EXPECT_EQ(pager.next().duration, "1 Y");
  pager.received({at("2023-06-02"), at("2024-05-31"), at("2023-12-01")});
  ASSERT_FALSE(pager.done());
  EXPECT_EQ(pager.next().end, at("2023-06-02"));
  EXPECT_EQ(pager.reached(), at("2023-06-02"));
  pager.received({at("2022-06-02"), at("2023-06-02")});  // overlaps by the boundary bar
  EXPECT_EQ(pager.next().end, at("2022-06-02"));
  pager.received({at("2019-12-31"), at("2022-06-02")});  // reaches past the start
  EXPECT_TRUE(pager.done());
  EXPECT_EQ(pager.pages(), 3);
  EXPECT_DOUBLE_EQ(pager.fraction_done(), 1.0);
}

TEST(HistoryPager, EmptyPagesStepBackByTheDuration) {
  const auto size = *find_history_bar_size("1min");
  const Timestamp sunday = at("2024-03-10T12:00:00Z");
  HistoryPager pager(size, sunday, at("2024-03-07") - 1, sunday);
  pager.received({});  // Sunday: no data
  EXPECT_EQ(pager.next().end, sunday - kDay);
  pager.received({});  // Saturday
  EXPECT_EQ(pager.next().end, sunday - 2 * kDay);
  // Friday noon back to Thursday noon: Thursday's afternoon bars; the next page ends at the
  // first of them.
  pager.received({at("2024-03-07T14:30:00Z"), at("2024-03-07T20:59:00Z")});
  EXPECT_EQ(pager.next().end, at("2024-03-07T14:30:00Z"));
  EXPECT_GT(pager.fraction_done(), 0.5);
  EXPECT_FALSE(pager.done());
}

TEST(HistoryPager, APageWithOnlyItsBoundaryBarStillMovesBack) {
  const auto size = *find_history_bar_size("1min");
  const Timestamp end = at("2024-03-08T14:30:00Z");
  HistoryPager pager(size, end, end - 10 * kDay, end);
  pager.received({end});
  EXPECT_EQ(pager.next().end, end - kDay);
}

TEST(HistoryPager, APageReachingTheFirstWantedBarEndsThePaging) {
  const auto size = *find_history_bar_size("1d");
  const Timestamp head = at("2015-01-02");
  HistoryPager pager(size, std::nullopt, head - 1, at("2016-06-01"));
  pager.received({head, at("2015-12-31")});
  EXPECT_TRUE(pager.done());  // no bar can lie between head - 1 ns and head
}

TEST(HistoryPager, NothingToDoWhenTheEndIsNotAfterTheStart) {
  const auto size = *find_history_bar_size("1min");
  const Timestamp end = at("2024-03-08T14:30:00Z");
  HistoryPager pager(size, end, end, end);
  EXPECT_TRUE(pager.done());
  HistoryPager one_minute(size, end, end - kMinute, end);
  EXPECT_FALSE(one_minute.done());
}

}  // namespace
}  // namespace tandem::ib
