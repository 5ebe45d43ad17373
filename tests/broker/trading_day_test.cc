// The trading day of a market time (broker/trading_day.h): date stamps are their date, any other
// time its date in the exchange's zone, through daylight-saving changes, cached or not.
#include "broker/trading_day.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::broker {
namespace {

std::int64_t day(const char* date) { return *parse_timestamp(date) / kNanosPerDay; }
Timestamp at(const char* time) { return *parse_timestamp(time); }

TEST(TradingCalendarTest, ADateStampIsItsDateAndAnyOtherTimeItsExchangeDate) {
  TradingCalendar calendar("America/New_York");
  EXPECT_EQ(calendar.day_of(at("2024-01-09")), day("2024-01-09"));  // a daily bar
  EXPECT_EQ(calendar.day_of(at("2024-01-09T14:30:00Z")), day("2024-01-09"));
  // 20:00 in New York on the 8th, past midnight UTC: still the 8th's session.
  EXPECT_EQ(calendar.day_of(at("2024-01-09T01:00:00Z")), day("2024-01-08"));
  EXPECT_EQ(calendar.day_of(at("2024-07-09T03:30:00Z")), day("2024-07-08"));  // 23:30 EDT
  EXPECT_EQ(calendar.day_of(at("2024-07-09T04:00:01Z")), day("2024-07-09"));  // 00:00:01 EDT
}

TEST(TradingCalendarTest, TheMidnightInsideACachedDayIsStillADateStamp) {
  TradingCalendar calendar("US/Eastern");
  EXPECT_EQ(calendar.day_of(at("2024-01-08T23:00:00Z")), day("2024-01-08"));  // 18:00 EST
  EXPECT_EQ(calendar.day_of(at("2024-01-09T00:00:00Z")), day("2024-01-09"));  // a daily bar
  EXPECT_EQ(calendar.day_of(at("2024-01-09T01:00:00Z")), day("2024-01-08"));  // 20:00 EST
}

TEST(TradingCalendarTest, TheDaysOfADaylightSavingChangeAreWhole) {
  TradingCalendar calendar("US/Eastern");
  EXPECT_EQ(calendar.day_of(at("2024-03-10T04:30:00Z")), day("2024-03-09"));  // 23:30 EST
  EXPECT_EQ(calendar.day_of(at("2024-03-10T06:59:00Z")), day("2024-03-10"));  // 01:59 EST
  EXPECT_EQ(calendar.day_of(at("2024-03-10T07:00:00Z")), day("2024-03-10"));  // 03:00 EDT
  EXPECT_EQ(calendar.day_of(at("2024-03-11T03:59:00Z")), day("2024-03-10"));  // 23:59 EDT
  EXPECT_EQ(calendar.day_of(at("2024-03-11T04:00:01Z")), day("2024-03-11"));
}

TEST(TradingCalendarTest, TheCachedAnswerIsTheFreshOneForTimesInAnyOrder) {
  TradingCalendar shared("US/Eastern");
  // Every 17 minutes over three weeks around the autumn change, forwards then backwards.
  std::vector<Timestamp> times;
  for (Timestamp t = at("2024-10-20T00:07:00Z"); t < at("2024-11-10T00:00:00Z");
       t += 17 * 60 * kNanosPerSecond) {
    times.push_back(t);
  }
  const std::vector<Timestamp> forwards = times;
  times.insert(times.end(), forwards.rbegin(), forwards.rend());
  for (Timestamp t : times) {
    TradingCalendar fresh("US/Eastern");
    ASSERT_EQ(shared.day_of(t), fresh.day_of(t)) << format_timestamp(t);
  }
}

TEST(TradingCalendarTest, AnUnknownZoneIsAnInvalidArgumentNamingIt) {
  try {
    TradingCalendar calendar("Mars/Olympus");
    FAIL() << "an unknown zone was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Mars/Olympus"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tandem::broker
