#include "ib/ib_time.h"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>

#include "core/error.h"

namespace tandem::ib {
namespace {

constexpr std::string_view kWhere = "IB time";
constexpr std::string_view kForms =
    "expected yyyymmdd, 'yyyymmdd hh:mm:ss <zone>', 'yyyymmdd  hh:mm:ss', "
    "'yyyymmdd-hh:mm:ss' (UTC) or epoch seconds";

[[noreturn]] void bad_time(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 64));
  for (char& c : shown) {
    if (c < 0x20 || c >= 0x7f) c = '?';
  }
  throw Error("cannot read '" + shown + "': " + std::string(why), std::string(kWhere));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int digits_value(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Zone abbreviations TWS users meet, as fixed offsets from UTC in minutes. Only the US ones:
// elsewhere abbreviations are ambiguous (CST is also China Standard Time), so those zones must
// be given by IANA name.
struct FixedZone {
  std::string_view name;
  int offset_minutes;
};
constexpr std::array<FixedZone, 11> kFixedZones{{{"UTC", 0},
                                                 {"GMT", 0},
                                                 {"Z", 0},
                                                 {"EST", -300},
                                                 {"EDT", -240},
                                                 {"CST", -360},
                                                 {"CDT", -300},
                                                 {"MST", -420},
                                                 {"MDT", -360},
                                                 {"PST", -480},
                                                 {"PDT", -420}}};

std::optional<int> fixed_offset_minutes(std::string_view zone) {
  for (const FixedZone& z : kFixedZones) {
    if (z.name == zone) return z.offset_minutes;
  }
  return std::nullopt;
}

const date::time_zone* find_zone(std::string_view zone) {
  try {
    return date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Nanoseconds in an int64 span 1677-09-21 .. 2262-04-11; IB text outside that is refused.
constexpr Timestamp kMaxSeconds = std::numeric_limits<Timestamp>::max() / kNanosPerSecond;

Timestamp to_ns(date::sys_seconds t, std::string_view whole) {
  auto seconds = static_cast<Timestamp>(t.time_since_epoch().count());
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) {
    bad_time(whole, "outside the representable range (years 1678 to 2261)");
  }
  return seconds * kNanosPerSecond;
}

// Reads "yyyymmdd" from the start of `text`.
date::year_month_day read_date(std::string_view text, std::string_view whole) {
  if (text.size() < 8 || !all_digits(text.substr(0, 8))) {
    bad_time(whole, "it does not start with a yyyymmdd date; " + std::string(kForms));
  }
  date::year_month_day ymd{date::year{digits_value(text.substr(0, 4))},
                           date::month{static_cast<unsigned>(digits_value(text.substr(4, 2)))},
                           date::day{static_cast<unsigned>(digits_value(text.substr(6, 2)))}};
  if (!ymd.ok()) bad_time(whole, "no such calendar date");
  return ymd;
}

// Reads "hh:mm" or "hh:mm:ss" at the start of `text`; returns seconds into the day and sets
// `used` to the characters consumed.
int read_clock(std::string_view text, std::string_view whole, std::size_t& used) {
  auto two = [&](std::size_t at) -> int {
    if (at + 2 > text.size() || !all_digits(text.substr(at, 2))) {
      bad_time(whole, "the time of day must be hh:mm:ss");
    }
    return digits_value(text.substr(at, 2));
  };
  int hours = two(0);
  if (text.size() < 3 || text[2] != ':') bad_time(whole, "the time of day must be hh:mm:ss");
  int minutes = two(3);
  int seconds = 0;
  used = 5;
  if (text.size() > 5 && text[5] == ':') {
    seconds = two(6);
    used = 8;
  }
  if (hours > 23 || minutes > 59 || seconds > 60) bad_time(whole, "time of day out of range");
  return hours * 3600 + minutes * 60 + seconds;
}

Timestamp local_to_utc(date::local_seconds local, std::string_view zone, std::string_view whole) {
  if (auto offset = fixed_offset_minutes(zone)) {
    return to_ns(date::sys_seconds{local.time_since_epoch()} - std::chrono::minutes{*offset},
                 whole);
  }
  const date::time_zone* tz = find_zone(zone);
  if (tz == nullptr) {
    bad_time(whole, "unknown time zone '" + std::string(zone) +
                        "' (use an IANA name such as US/Eastern or America/New_York)");
  }
  date::local_info info = tz->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    bad_time(whole, "that local time does not exist in " + std::string(zone) +
                        " (skipped by a daylight-saving change)");
  }
  // unique, or ambiguous: the first offset is the earlier occurrence.
  return to_ns(date::sys_seconds{local.time_since_epoch()} - info.first.offset, whole);
}

}  // namespace

Timestamp parse_ib_date(std::string_view text) {
  std::string_view s = trim(text);
  if (s.size() != 8) bad_time(text, "a date must be exactly yyyymmdd");
  return to_ns(date::sys_days{read_date(s, text)}, text);
}

Timestamp parse_ib_epoch_seconds(std::string_view text) {
  std::string_view s = trim(text);
  bool negative = !s.empty() && s.front() == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  if (!all_digits(digits) || digits.size() > 10) bad_time(text, "not epoch seconds");
  Timestamp seconds = 0;
  for (char c : digits) seconds = seconds * 10 + (c - '0');
  if (seconds > kMaxSeconds) bad_time(text, "epoch seconds beyond the year 2262");
  return (negative ? -seconds : seconds) * kNanosPerSecond;
}

Timestamp parse_ib_datetime(std::string_view text, std::string_view default_zone) {
  std::string_view s = trim(text);
  date::year_month_day ymd = read_date(s, text);
  if (s.size() == 8) bad_time(text, "a time of day is missing");
  date::sys_days day{ymd};
  if (s[8] == '-') {
    std::size_t used = 0;
    int seconds = read_clock(s.substr(9), text, used);
    if (9 + used != s.size()) bad_time(text, "nothing may follow the UTC form yyyymmdd-hh:mm:ss");
    return to_ns(date::sys_seconds{day} + std::chrono::seconds{seconds}, text);
  }
  if (s[8] != ' ') bad_time(text, std::string(kForms));
  std::size_t pos = 8;
  while (pos < s.size() && s[pos] == ' ') ++pos;  // one space, or two in the zone-less form
  std::size_t used = 0;
  int seconds = read_clock(s.substr(pos), text, used);
  pos += used;
  std::string_view zone = trim(s.substr(pos));
  if (pos < s.size() && s[pos] != ' ') bad_time(text, "a space must separate the time and zone");
  if (zone.empty()) zone = trim(default_zone);
  if (zone.empty()) {
    bad_time(text, "it names no time zone and no default zone (TWS's login zone) was given");
  }
  date::local_seconds local{date::local_days{ymd}.time_since_epoch() +
                            std::chrono::seconds{seconds}};
  return local_to_utc(local, zone, text);
}

Timestamp parse_ib_time(std::string_view text, std::string_view default_zone) {
  std::string_view s = trim(text);
  if (s.size() == 8 && all_digits(s)) return parse_ib_date(s);
  if (all_digits(s) || (s.size() > 1 && s.front() == '-' && all_digits(s.substr(1)))) {
    return parse_ib_epoch_seconds(s);
  }
  return parse_ib_datetime(s, default_zone);
}

bool is_known_ib_zone(std::string_view zone) {
  return fixed_offset_minutes(zone).has_value() || find_zone(zone) != nullptr;
}

std::string format_ib_utc(Timestamp t) {
  date::sys_seconds seconds{
      std::chrono::seconds{(t >= 0 ? t : t - (kNanosPerSecond - 1)) / kNanosPerSecond}};
  return date::format("%Y%m%d-%H:%M:%S", seconds);
}

std::string format_ib_datetime(Timestamp t, std::string_view zone) {
  date::sys_seconds seconds{
      std::chrono::seconds{(t >= 0 ? t : t - (kNanosPerSecond - 1)) / kNanosPerSecond}};
  date::local_seconds local;
  if (auto offset = fixed_offset_minutes(zone)) {
    local = date::local_seconds{seconds.time_since_epoch() + std::chrono::minutes{*offset}};
  } else {
    const date::time_zone* tz = find_zone(zone);
    if (tz == nullptr) {
      throw Error("unknown time zone '" + std::string(zone) + "'", std::string(kWhere));
    }
    local = tz->to_local(seconds);
  }
  return date::format("%Y%m%d %H:%M:%S ", local) + std::string(zone);
}

std::string format_ib_date(Timestamp t) {
  Timestamp days = day_start(t) / kNanosPerDay;
  return date::format("%Y%m%d", date::sys_days{date::days{days}});
}

}  // namespace tandem::ib
