// Every time form IB uses, converted to UTC nanoseconds.
#include "ib/ib_time.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::ib {
namespace {

// 2024-01-31T14:30:00Z = 1706711400 s (January: US/Eastern is UTC-5, so 09:30 local).
constexpr Timestamp kJan31_1430Z = 1706711400LL * kNanosPerSecond;
// 2024-07-01T13:30:00Z = 1719840600 s (July: US/Eastern is UTC-4, so 09:30 local).
constexpr Timestamp kJul01_1330Z = 1719840600LL * kNanosPerSecond;

TEST(IbTime, DailyBarDateIsMidnightUtcOfThatDate) {
  EXPECT_EQ(parse_ib_date("20240131"), 1706659200LL * kNanosPerSecond);
  EXPECT_EQ(parse_ib_time("20240131"), 1706659200LL * kNanosPerSecond);
  EXPECT_EQ(parse_ib_date("19700101"), 0);
  EXPECT_THROW(parse_ib_date("20240230"), Error);  // no such day
  EXPECT_THROW(parse_ib_date("2024013"), Error);
  EXPECT_THROW(parse_ib_date("2024-01-31"), Error);
  EXPECT_THROW(parse_ib_date("99991231"), Error);  // beyond int64 nanoseconds
  EXPECT_THROW(parse_ib_datetime("00010101 00:00:00 UTC"), Error);
}

TEST(IbTime, ZonedIntradayBarsHonourDaylightSaving) {
  EXPECT_EQ(parse_ib_datetime("20240131 09:30:00 US/Eastern"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240701 09:30:00 US/Eastern"), kJul01_1330Z);
  EXPECT_EQ(parse_ib_datetime("20240131 09:30:00 America/New_York"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240131 15:30:00 Europe/Berlin"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240131 14:30:00 UTC"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240131 14:30:00 GMT"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_time("20240131 09:30:00 US/Eastern"), kJan31_1430Z);
}

TEST(IbTime, UsAbbreviationsAreFixedOffsets) {
  EXPECT_EQ(parse_ib_datetime("20240131 09:30:00 EST"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240701 09:30:00 EDT"), kJul01_1330Z);
  EXPECT_EQ(parse_ib_datetime("20240131 08:30:00 CST"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240131 06:30:00 PST"), kJan31_1430Z);
}

TEST(IbTime, ZonelessExecutionTimesUseTheGivenTwsZone) {
  // Execution times: "yyyymmdd  hh:mm:ss" with two spaces, in TWS's login zone.
  EXPECT_EQ(parse_ib_datetime("20240131  09:30:00", "US/Eastern"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240131 09:30:00", "US/Eastern"), kJan31_1430Z);
  // A zone in the text wins over the default.
  EXPECT_EQ(parse_ib_datetime("20240131  14:30:00 UTC", "US/Eastern"), kJan31_1430Z);
  try {
    parse_ib_datetime("20240131  09:30:00");
    FAIL() << "a zone-less time needs a zone";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no time zone"), std::string::npos) << e.what();
  }
}

TEST(IbTime, DashFormIsUtc) {
  EXPECT_EQ(parse_ib_datetime("20240131-14:30:00"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20240131-14:30:00", "US/Eastern"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_datetime("20030702-14:55"), 1057157700LL * kNanosPerSecond);
  EXPECT_THROW(parse_ib_datetime("20240131-14:30:00 UTC"), Error);
}

TEST(IbTime, EpochSeconds) {
  EXPECT_EQ(parse_ib_epoch_seconds("1706711400"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_time("1706711400"), kJan31_1430Z);
  EXPECT_EQ(parse_ib_time("0"), 0);
  EXPECT_THROW(parse_ib_epoch_seconds("17067114.5"), Error);
  EXPECT_THROW(parse_ib_epoch_seconds("999999999999999999"), Error);  // overflows ns
  EXPECT_THROW(parse_ib_epoch_seconds("88888888886"), Error);         // found by fuzz_ib_codec
  EXPECT_THROW(parse_ib_epoch_seconds("9223372037"), Error);          // first second past int64 ns
  EXPECT_EQ(parse_ib_epoch_seconds("9223372036"), 9223372036LL * kNanosPerSecond);
}

TEST(IbTime, DaylightSavingEdges) {
  // 2024-03-10 02:30 does not exist in New York (clocks jump 02:00 -> 03:00).
  EXPECT_THROW(parse_ib_datetime("20240310 02:30:00 America/New_York"), Error);
  // 2024-11-03 01:30 happens twice; the first (EDT, UTC-4) is taken: 05:30Z.
  EXPECT_EQ(parse_ib_datetime("20241103 01:30:00 America/New_York"),
            1730611800LL * kNanosPerSecond);
}

TEST(IbTime, ErrorsQuoteTheTextAndTheForms) {
  for (const char* bad :
       {"", "yesterday", "20240131 9:30", "20240131 25:00:00 UTC", "20240131 09:30:00 Mars/Olympus",
        "20240131T09:30:00", "20240131 09:30:00UTC"}) {
    try {
      parse_ib_time(bad, "US/Eastern");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.where(), "IB time");
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(IbTime, Formatting) {
  EXPECT_EQ(format_ib_utc(kJan31_1430Z), "20240131-14:30:00");
  EXPECT_EQ(format_ib_utc(kJan31_1430Z + 999'999'999), "20240131-14:30:00");
  EXPECT_EQ(format_ib_datetime(kJan31_1430Z, "US/Eastern"), "20240131 09:30:00 US/Eastern");
  EXPECT_EQ(format_ib_datetime(kJul01_1330Z, "America/New_York"),
            "20240701 09:30:00 America/New_York");
  EXPECT_EQ(format_ib_datetime(kJan31_1430Z, "UTC"), "20240131 14:30:00 UTC");
  EXPECT_EQ(format_ib_date(kJan31_1430Z), "20240131");
  EXPECT_THROW(format_ib_datetime(0, "Nowhere/Special"), Error);
  // Formatting and parsing agree.
  for (Timestamp t : {kJan31_1430Z, kJul01_1330Z, Timestamp{0}}) {
    EXPECT_EQ(parse_ib_datetime(format_ib_utc(t)), t);
    EXPECT_EQ(parse_ib_datetime(format_ib_datetime(t, "Asia/Tokyo")), t);
  }
  EXPECT_TRUE(is_known_ib_zone("US/Eastern"));
  EXPECT_TRUE(is_known_ib_zone("EST"));
  EXPECT_FALSE(is_known_ib_zone("Mars/Olympus"));
}

}  // namespace
}  // namespace tandem::ib
