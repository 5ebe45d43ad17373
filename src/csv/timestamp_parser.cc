#include "csv/timestamp_parser.h"

#include <cstdint>
#include <cstring>

#include "csv/field_values.h"

namespace tandem::csv {
namespace {

bool two_digits(const char* p, int& value) {
  if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return false;
  value = (p[0] - '0') * 10 + (p[1] - '0');
  return true;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

}  // namespace

bool TimestampParser::parse_date(const char* text, Timestamp& day_start) {
  if (cache_valid_ && std::memcmp(text, cached_date_, 10) == 0) {
    day_start = cached_day_start_;
    return true;
  }
  int century = 0, year_in_century = 0, month = 0, day = 0;
  if (!two_digits(text, century) || !two_digits(text + 2, year_in_century) || text[4] != '-' ||
      !two_digits(text + 5, month) || text[7] != '-' || !two_digits(text + 8, day)) {
    return false;
  }
  const int year = century * 100 + year_in_century;
  // parse_timestamp_value's range: whole years 1678..2261.
  if (year < 1678 || year > 2261 || month < 1 || month > 12 || day < 1 ||
      day > days_in_month(year, month)) {
    return false;
  }
  day_start = days_from_civil(year, month, day) * kNanosPerDay;
  std::memcpy(cached_date_, text, 10);
  cached_day_start_ = day_start;
  cache_valid_ = true;
  return true;
}

bool TimestampParser::parse(std::string_view text, Timestamp& out) {
  const std::size_t n = text.size();
  const char* p = text.data();
  const bool fixed_width =
      n == 10 || ((n == 19 || (n == 20 && p[19] == 'Z')) && (p[10] == 'T' || p[10] == ' ') &&
                  p[13] == ':' && p[16] == ':');
  Timestamp day_start = 0;
  if (fixed_width && parse_date(p, day_start)) {
    if (n == 10) {
      out = day_start;
      return true;
    }
    int hour = 0, minute = 0, second = 0;
    // A leap second (:60) and anything unusual take the general path.
    if (two_digits(p + 11, hour) && two_digits(p + 14, minute) && two_digits(p + 17, second) &&
        hour <= 23 && minute <= 59 && second <= 59) {
      out = day_start + (hour * 3600 + minute * 60 + second) * kNanosPerSecond;
      return true;
    }
  }
  return parse_timestamp_value(text, out);
}

}  // namespace tandem::csv
