#include "core/time.h"

#include <date/date.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>

#include "core/error.h"

namespace tandem {
namespace {

// Reads exactly `n` digits at `pos`; advances pos. Returns -1 on failure.
int read_digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

std::optional<Timestamp> parse_integer_ns(std::string_view s) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  // A plain integer (optionally negative) that is not a date: nanoseconds since the epoch.
  if (s.size() != 10 || s[4] != '-') {
    bool all_digits = true;
    for (size_t i = (s[0] == '-' ? 1 : 0); i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') {
        all_digits = false;
        break;
      }
    }
    if (all_digits && s.size() > (s[0] == '-' ? 1u : 0u)) return parse_integer_ns(s);
  }
  size_t pos = 0;
  int year = read_digits(s, pos, 4);
  if (year < 0 || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  int month = read_digits(s, pos, 2);
  if (month < 0 || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  int day = read_digits(s, pos, 2);
  if (day < 0) return std::nullopt;
  date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                           date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  // int64 nanoseconds span only 1677-09-21T00:12:43.145224192 .. 2262-04-11T23:47:16.854775807,
  // and the first day of that span does not itself start inside it: the sum is taken in 128 bits
  // and refused if it leaves int64, instead of wrapping.
  __int128 total =
      static_cast<__int128>(date::sys_days{ymd}.time_since_epoch().count()) * kNanosPerDay;
  const auto checked = [&total]() -> std::optional<Timestamp> {
    if (total < std::numeric_limits<Timestamp>::min() ||
        total > std::numeric_limits<Timestamp>::max()) {
      return std::nullopt;
    }
    return static_cast<Timestamp>(total);
  };
  if (pos == s.size()) return checked();
  if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
  ++pos;
  int hour = read_digits(s, pos, 2);
  if (hour < 0 || hour > 23 || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  int minute = read_digits(s, pos, 2);
  if (minute < 0 || minute > 59) return std::nullopt;
  int second = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    second = read_digits(s, pos, 2);
    if (second < 0 || second > 60) return std::nullopt;
  }
  Timestamp fraction_ns = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    Timestamp scale = 100'000'000;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) fraction_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
  }
  total += (hour * 3600 + minute * 60 + second) * kNanosPerSecond + fraction_ns;
  if (pos == s.size()) return checked();
  // Zone: Z, +hh, +hh:mm, +hhmm (an optional space before it is tolerated).
  if (s[pos] == ' ') ++pos;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return checked();
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return std::nullopt;
  int sign = s[pos++] == '+' ? 1 : -1;
  int off_h = read_digits(s, pos, 2);
  if (off_h < 0 || off_h > 23) return std::nullopt;
  int off_m = 0;
  if (pos < s.size()) {
    if (s[pos] == ':') ++pos;
    off_m = read_digits(s, pos, 2);
    if (off_m < 0 || off_m > 59) return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // Local time = UTC + offset, so UTC = local - offset.
  total -= sign * (off_h * 3600 + off_m * 60) * kNanosPerSecond;
  return checked();
}

Timestamp parse_timestamp_or_throw(std::string_view text, std::string_view where) {
  if (auto t = parse_timestamp(text)) return *t;
  throw Error("not a timestamp: '" + std::string(text) +
                  "' (expected ISO-8601 date or date-time, or integer nanoseconds)",
              std::string(where));
}

Timestamp day_start(Timestamp t) {
  Timestamp days = t / kNanosPerDay;
  if (t % kNanosPerDay < 0) --days;
  return days * kNanosPerDay;
}

std::string format_date(Timestamp t) {
  Timestamp days = day_start(t) / kNanosPerDay;
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string format_timestamp(Timestamp t) {
  Timestamp day = day_start(t);
  Timestamp in_day = t - day;
  Timestamp secs = in_day / kNanosPerSecond;
  Timestamp frac = in_day % kNanosPerSecond;
  char buf[48];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out = format_date(t) + buf;
  if (frac != 0) {
    char fbuf[16];
    std::snprintf(fbuf, sizeof fbuf, ".%09lld", static_cast<long long>(frac));
    std::string f = fbuf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

Timestamp now_utc() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tandem
