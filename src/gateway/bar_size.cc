#include "gateway/bar_size.h"

#include <date/date.h>

#include <cctype>
#include <charconv>

namespace tandem::gateway {
namespace {

// Splits "<digits><rest>" (optionally with spaces between); false when there are no digits or
// the number is not positive.
bool split_count(std::string_view text, std::int64_t& count, std::string_view& unit) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (digits == 0 || digits > 9) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, count);
  if (ec != std::errc() || ptr != text.data() + digits || count <= 0) return false;
  unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return !unit.empty();
}

BarSize seconds(std::int64_t n) { return BarSize{BarSize::Unit::kSecond, n}; }

}  // namespace

std::string_view legal_ib_bar_sizes() {
  return "1 secs, 5 secs, 10 secs, 15 secs, 30 secs, 1 min, 2 mins, 3 mins, 5 mins, 10 mins, "
         "15 mins, 20 mins, 30 mins, 1 hour, 2 hours, 3 hours, 4 hours, 8 hours, 1 day, 1 week, "
         "1 month";
}

std::optional<BarSize> parse_ib_bar_size(std::string_view text) {
  struct Legal {
    std::string_view text;
    BarSize size;
  };
  static const Legal kLegal[] = {
      {"1 secs", seconds(1)},
      {"5 secs", seconds(5)},
      {"10 secs", seconds(10)},
      {"15 secs", seconds(15)},
      {"30 secs", seconds(30)},
      {"1 min", seconds(60)},
      {"2 mins", seconds(120)},
      {"3 mins", seconds(180)},
      {"5 mins", seconds(300)},
      {"10 mins", seconds(600)},
      {"15 mins", seconds(900)},
      {"20 mins", seconds(1200)},
      {"30 mins", seconds(1800)},
      {"1 hour", seconds(3600)},
      {"2 hours", seconds(7200)},
      {"3 hours", seconds(10800)},
      {"4 hours", seconds(14400)},
      {"8 hours", seconds(28800)},
      {"1 day", seconds(86400)},
      {"1 week", {BarSize::Unit::kWeek, 1}},
      {"1W", {BarSize::Unit::kWeek, 1}},
      {"1 month", {BarSize::Unit::kMonth, 1}},
      {"1M", {BarSize::Unit::kMonth, 1}},
  };
  for (const Legal& legal : kLegal) {
    if (legal.text == text) return legal.size;
  }
  return std::nullopt;
}

std::optional<BarSize> parse_store_bar_size(std::string_view text) {
  std::int64_t n = 0;
  std::string_view unit;
  if (!split_count(text, n, unit)) return std::nullopt;
  if (unit == "s" || unit == "sec" || unit == "secs") return seconds(n);
  if (unit == "min" || unit == "mins") return seconds(n * 60);
  if (unit == "h" || unit == "hour" || unit == "hours") return seconds(n * 3600);
  if (unit == "d" || unit == "day" || unit == "days") return seconds(n * 86400);
  if (unit == "w" || unit == "week" || unit == "weeks") return BarSize{BarSize::Unit::kWeek, n};
  if (unit == "mo" || unit == "month" || unit == "months") {
    return BarSize{BarSize::Unit::kMonth, n};
  }
  return std::nullopt;
}

std::optional<Duration> parse_ib_duration(std::string_view text) {
  std::int64_t n = 0;
  std::string_view unit;
  if (!split_count(text, n, unit) || unit.size() != 1) return std::nullopt;
  switch (unit[0]) {
    case 'S':
      return Duration{Duration::Unit::kSecond, n};
    case 'D':
      return Duration{Duration::Unit::kDay, n};
    case 'W':
      return Duration{Duration::Unit::kWeek, n};
    case 'M':
      return Duration{Duration::Unit::kMonth, n};
    case 'Y':
      return Duration{Duration::Unit::kYear, n};
    default:
      return std::nullopt;
  }
}

Timestamp duration_start(Timestamp end, const Duration& duration) {
  switch (duration.unit) {
    case Duration::Unit::kSecond:
      return end - duration.count * kNanosPerSecond;
    case Duration::Unit::kDay:
      return end - duration.count * kNanosPerDay;
    case Duration::Unit::kWeek:
      return end - duration.count * 7 * kNanosPerDay;
    case Duration::Unit::kMonth:
    case Duration::Unit::kYear: {
      const std::int64_t months =
          duration.unit == Duration::Unit::kYear ? duration.count * 12 : duration.count;
      const Timestamp midnight = day_start(end);
      const Timestamp time_of_day = end - midnight;
      date::sys_days day{date::days{midnight / kNanosPerDay}};
      date::year_month_day ymd{day};
      date::year_month target =
          date::year_month{ymd.year(), ymd.month()} - date::months{static_cast<int>(months)};
      date::day last =
          date::year_month_day_last{target.year(), date::month_day_last{target.month()}}.day();
      date::year_month_day start{target.year(), target.month(),
                                 ymd.day() > last ? last : ymd.day()};
      const std::int64_t start_days = date::sys_days{start}.time_since_epoch().count();
      return start_days * kNanosPerDay + time_of_day;
    }
  }
  return end;
}

}  // namespace tandem::gateway
