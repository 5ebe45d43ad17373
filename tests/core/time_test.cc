#include "core/time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "core/error.h"

namespace tandem {
namespace {

// 2024-01-31 is day 19753 since the epoch: (2024-1970)*365 + 13 leap days (1972..2020) + 30.
constexpr Timestamp kJan31 = 19753LL * kNanosPerDay;

TEST(ParseTimestamp, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(parse_timestamp("2024-01-31"), kJan31);
  EXPECT_EQ(parse_timestamp("1970-01-01"), 0);
}

TEST(ParseTimestamp, DateTimeWithEitherSeparator) {
  Timestamp expected = kJan31 + (14 * 3600 + 30 * 60) * kNanosPerSecond;
  EXPECT_EQ(parse_timestamp("2024-01-31T14:30:00"), expected);
  EXPECT_EQ(parse_timestamp("2024-01-31 14:30:00"), expected);
  EXPECT_EQ(parse_timestamp("2024-01-31 14:30"), expected);
  EXPECT_EQ(parse_timestamp("2024-01-31T14:30:00Z"), expected);
}

TEST(ParseTimestamp, OffsetsConvertToUtc) {
  Timestamp utc_1430 = kJan31 + (14 * 3600 + 30 * 60) * kNanosPerSecond;
  EXPECT_EQ(parse_timestamp("2024-01-31T09:30:00-05:00"), utc_1430);
  EXPECT_EQ(parse_timestamp("2024-01-31T16:30:00+0200"), utc_1430);
  EXPECT_EQ(parse_timestamp("2024-01-31T15:30:00+01"), utc_1430);
}

TEST(ParseTimestamp, FractionalSeconds) {
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:01.5"), 1'500'000'000);
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00.000000001Z"), 1);
}

TEST(ParseTimestamp, IntegerNanoseconds) {
  EXPECT_EQ(parse_timestamp("1706659200000000000"), 1706659200000000000LL);
  EXPECT_EQ(parse_timestamp("-5"), -5);
}

TEST(ParseTimestamp, DatesOutsideTheInt64NanosecondSpanAreRefusedNotWrapped) {
  // int64 nanoseconds end at 2262-04-11T23:47:16.854775807Z and begin at
  // 1677-09-21T00:12:43.145224192Z; the fuzzer found year 4667 wrapping silently.
  EXPECT_EQ(parse_timestamp("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
  EXPECT_EQ(parse_timestamp("2262-04-11T23:47:16.854775808Z"), std::nullopt);
  EXPECT_EQ(parse_timestamp("2262-04-12"), std::nullopt);
  EXPECT_EQ(parse_timestamp("  4667-08-03"), std::nullopt);
  EXPECT_EQ(parse_timestamp("9999-12-31T23:59:59"), std::nullopt);
  EXPECT_EQ(parse_timestamp("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
  EXPECT_EQ(parse_timestamp("1677-09-21T00:12:43.145224191Z"), std::nullopt);
  EXPECT_EQ(parse_timestamp("0000-01-01"), std::nullopt);
  // The zone offset is the last step that can cross the edge.
  EXPECT_EQ(parse_timestamp("2262-04-11T23:00:00-01:00"), std::nullopt);
}

TEST(ParseTimestamp, RejectsGarbage) {
  for (const char* bad : {"", "2024-13-01", "2024-02-30", "2024-01-31X", "2024-01-31T25:00",
                          "31/01/2024", "2024-01-31T10:00+25:00", "abc", "2024-1-31"}) {
    EXPECT_EQ(parse_timestamp(bad), std::nullopt) << bad;
  }
}

TEST(ParseTimestamp, OrThrowNamesWhereAndText) {
  try {
    parse_timestamp_or_throw("nope", "prices.csv:3");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "prices.csv:3");
    EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos);
  }
}

TEST(FormatTimestamp, RoundTrips) {
  EXPECT_EQ(format_timestamp(kJan31), "2024-01-31T00:00:00Z");
  EXPECT_EQ(format_timestamp(kJan31 + 1'500'000'000), "2024-01-31T00:00:01.5Z");
  EXPECT_EQ(format_date(kJan31 + kNanosPerDay - 1), "2024-01-31");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999999Z");
  for (Timestamp t : {Timestamp{0}, kJan31 + 123, Timestamp{-86'400'000'000'001}}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t);
  }
}

}  // namespace
}  // namespace tandem
