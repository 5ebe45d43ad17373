// TimestampParser's fast path agrees with parse_timestamp_value on every input.
#include "csv/timestamp_parser.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "csv/field_values.h"

namespace tandem::csv {
namespace {

void expect_same(TimestampParser& parser, const std::string& text) {
  Timestamp fast = -1, general = -1;
  const bool fast_ok = parser.parse(text, fast);
  const bool general_ok = parse_timestamp_value(text, general);
  ASSERT_EQ(fast_ok, general_ok) << text;
  if (fast_ok) {
    EXPECT_EQ(fast, general) << text;
  }
}

TEST(TimestampParser, AgreesOnEveryDayAndTimeFormOverCenturiesAndLeapYears) {
  TimestampParser parser;
  char text[64];
  for (int year : {1678, 1699, 1700, 1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 2261}) {
    for (int month = 0; month <= 13; ++month) {
      for (int day = 0; day <= 32; ++day) {
        std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
        expect_same(parser, text);
        std::snprintf(text, sizeof text, "%04d-%02d-%02dT23:59:59Z", year, month, day);
        expect_same(parser, text);
      }
    }
  }
}

TEST(TimestampParser, AgreesOnTimesEdgesAndOtherForms) {
  TimestampParser parser;
  const std::vector<std::string> texts = {
      "2024-01-31T00:00:00",
      "2024-01-31 09:30:00",
      "2024-01-31T09:30:00Z",
      "2024-01-31T24:00:00",
      "2024-01-31T23:60:00",
      "2024-01-31T23:59:60",
      "2024-01-31T23:59:60Z",
      "2024-01-31t09:30:00",
      "2024-01-31T09:30:00z",
      "2024-01-31T09:30:00+",
      "2024-01-31T9:30:00Z",
      "2024-01-31T09-30-00Z",
      "2024-01-31X09:30:00Z",
      "2024-1-31",
      "2024/01/31",
      "1677-12-31",
      "2262-01-01",
      "9999-12-31T00:00:00Z",
      "0000-01-01",
      "1234567890",
      "-123456789",
      "2024-01-31T09:30:00.5Z",
      "2024-01-31T09:30+01:00",
      "2024-01-31T09:30:00 +0100",
      "abcd-ef-gh",
      "2024-01-31T09:30:0aZ",
      "20a4-01-31",
  };
  for (const std::string& text : texts) expect_same(parser, text);
  // The cached date must not leak into the next, different date.
  for (const char* text : {"2024-02-28T10:00:00Z", "2024-02-29T10:00:00Z", "2023-02-29T10:00:00Z",
                           "2024-02-29", "2024-03-01"}) {
    expect_same(parser, text);
  }
}

}  // namespace
}  // namespace tandem::csv
