#include "broker/trading_day.h"

#include <date/tz.h>

#include <chrono>

#include "core/error.h"

namespace tandem::broker {
namespace {

std::int64_t floor_div(Timestamp a, Timestamp b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

}  // namespace

TradingCalendar::TradingCalendar(std::string_view zone) : zone_name_(zone) {
  try {
    zone_ = date::locate_zone(zone_name_);
  } catch (const std::exception&) {
    throw Error(ErrorKind::InvalidArgument,
                "unknown time zone '" + zone_name_ + "' (an IANA name such as America/New_York)",
                "trading calendar");
  }
}

std::int64_t TradingCalendar::look_up(Timestamp t) {
  if (t % kNanosPerDay == 0) return t / kNanosPerDay;  // a date stamp
  using namespace std::chrono;
  const sys_time<nanoseconds> utc{nanoseconds(t)};
  const auto info = zone_->get_info(floor<seconds>(utc));
  const Timestamp offset = duration_cast<nanoseconds>(info.offset).count();
  const Timestamp local = t + offset;
  const std::int64_t day = floor_div(local, kNanosPerDay);
  // The local day's bounds in UTC; kept only when one offset holds for the whole day (a day
  // with a daylight-saving change is looked up for each time, two days a year).
  const Timestamp start = day * kNanosPerDay - offset;
  const Timestamp end = start + kNanosPerDay;
  auto offset_at = [&](Timestamp when) {
    return zone_->get_info(floor<seconds>(sys_time<nanoseconds>{nanoseconds(when)})).offset;
  };
  if (offset_at(start) != info.offset || offset_at(end - 1) != info.offset) return day;
  cached_start_ = start;
  cached_midnight_ = floor_div(start + kNanosPerDay - 1, kNanosPerDay) * kNanosPerDay;
  cached_end_ = end;
  cached_day_ = day;
  return day;
}

}  // namespace tandem::broker
