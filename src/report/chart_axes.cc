#include "report/chart_axes.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace tandem::report {
namespace {

double nice_step(double raw) {
  if (!(raw > 0)) return 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

Timestamp to_timestamp(date::sys_days day) {
  return static_cast<Timestamp>(day.time_since_epoch().count()) * kNanosPerDay;
}

date::year_month_day civil(Timestamp t) {
  return date::year_month_day{date::sys_days{date::days{day_start(t) / kNanosPerDay}}};
}

const std::array<const char*, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "2.0x" -> "2x", "1.50M" -> "1.5M": log ticks mix 1.5 and 2 on one axis.
std::string trim_decimal_zeros(std::string label) {
  std::size_t dot = label.find('.');
  if (dot == std::string::npos) return label;
  std::size_t end = dot + 1;
  while (end < label.size() && label[end] >= '0' && label[end] <= '9') ++end;
  std::size_t keep = end;
  while (keep > dot + 1 && label[keep - 1] == '0') --keep;
  if (keep == dot + 1) keep = dot;
  return label.erase(keep, end - keep);
}

}  // namespace

ValueScale::ValueScale(double lo, double hi, double pixel_lo, double pixel_hi, bool log)
    : lo_(log ? std::log10(lo) : lo),
      hi_(log ? std::log10(hi) : hi),
      pixel_lo_(pixel_lo),
      pixel_hi_(pixel_hi),
      log_(log) {
  if (!(hi_ > lo_)) hi_ = lo_ + 1;  // a flat series still gets a usable axis
}

double ValueScale::operator()(double value) const {
  double v = log_ ? std::log10(value) : value;
  return pixel_lo_ + (v - lo_) / (hi_ - lo_) * (pixel_hi_ - pixel_lo_);
}

std::string value_label(double value, YAxis kind, double step) {
  if (std::abs(value) < step * 1e-6) value = 0;
  if (kind == YAxis::kPercent) {
    int decimals = step * 100 >= 1 ? 0 : (step * 100 >= 0.1 ? 1 : 2);
    return fmt::format("{:.{}f}%", value * 100, decimals);
  }
  if (kind == YAxis::kGrowth) {
    int decimals = step >= 1 ? 0 : (step >= 0.1 ? 1 : 2);
    return fmt::format("{:.{}f}x", value, decimals);
  }
  double a = std::abs(value);
  auto scaled = [&](double unit, const char* suffix) {
    double s = step / unit;
    int decimals = s >= 1 ? 0 : (s >= 0.1 ? 1 : 2);
    return fmt::format("{:.{}f}{}", value / unit, decimals, suffix);
  };
  if (a >= 1e9) return scaled(1e9, "B");
  if (a >= 1e6) return scaled(1e6, "M");
  if (a >= 1e4) return scaled(1e3, "k");
  return scaled(1, "");
}

std::vector<Tick> value_ticks(double lo, double hi, bool log, YAxis kind, int target) {
  if (log) {
    auto decade_ticks = [&](std::initializer_list<double> mantissas) {
      std::vector<Tick> out;
      for (double decade = std::floor(std::log10(lo)); decade <= std::ceil(std::log10(hi));
           ++decade) {
        for (double m : mantissas) {
          double v = m * std::pow(10.0, decade);
          if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) {
            out.push_back({v, trim_decimal_zeros(value_label(v, kind, v / 10))});
          }
        }
      }
      return out;
    };
    // 1-2-5 per decade; only powers of ten over a very wide range; denser steps over a narrow
    // one (0.5x to 4x would otherwise get three ticks); linear ticks if even those are too few.
    std::vector<Tick> ticks = decade_ticks({1, 2, 5});
    if (ticks.size() > 10) return decade_ticks({1});
    if (ticks.size() >= 4) return ticks;
    ticks = decade_ticks({1, 1.5, 2, 3, 4, 5, 7});
    if (ticks.size() >= 3) return ticks;
  }
  std::vector<Tick> ticks;
  double step = nice_step((hi - lo) / target);
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push_back({v, value_label(v, kind, step)});
  }
  return ticks;
}

std::vector<Tick> time_ticks(Timestamp from, Timestamp to, int target) {
  std::vector<Tick> ticks;
  double span_days = static_cast<double>(to - from) / static_cast<double>(kNanosPerDay);
  date::year_month_day first = civil(from), last = civil(to);
  if (span_days > 3 * 365) {
    int years = static_cast<int>(last.year()) - static_cast<int>(first.year()) + 1;
    int every = 1;
    for (int candidate : {1, 2, 5, 10, 20, 50}) {
      every = candidate;
      if (years / candidate <= target) break;
    }
    for (int y = static_cast<int>(first.year()); y <= static_cast<int>(last.year()); ++y) {
      if (y % every != 0) continue;
      Timestamp t = to_timestamp(date::sys_days{date::year{y} / date::January / 1});
      if (t >= from && t <= to) ticks.push_back({static_cast<double>(t), std::to_string(y)});
    }
  } else if (span_days > 60) {
    int months = static_cast<int>(span_days / 30.4) + 1;
    unsigned every = 1;
    for (unsigned candidate : {1u, 2u, 3u, 6u, 12u}) {
      every = candidate;
      if (months / static_cast<int>(candidate) <= target) break;
    }
    date::year_month ym = first.year() / first.month();
    date::year_month end = last.year() / last.month();
    for (; ym <= end; ym += date::months{1}) {
      unsigned month = static_cast<unsigned>(ym.month());
      if ((month - 1) % every != 0) continue;
      Timestamp t = to_timestamp(date::sys_days{ym / 1});
      if (t < from || t > to) continue;
      std::string label = month == 1 ? std::to_string(static_cast<int>(ym.year()))
                                     : std::string(kMonthNames[month - 1]);
      ticks.push_back({static_cast<double>(t), label});
    }
  } else {
    std::int64_t days = static_cast<std::int64_t>(span_days) + 1;
    std::int64_t every = 1;
    for (std::int64_t candidate : {1, 2, 7, 14}) {
      every = candidate;
      if (days / candidate <= target) break;
    }
    for (Timestamp t = day_start(from); t <= to; t += every * kNanosPerDay) {
      if (t < from) continue;
      date::year_month_day d = civil(t);
      ticks.push_back({static_cast<double>(t),
                       fmt::format("{} {}", kMonthNames[static_cast<unsigned>(d.month()) - 1],
                                   static_cast<unsigned>(d.day()))});
    }
  }
  return ticks;
}

}  // namespace tandem::report
