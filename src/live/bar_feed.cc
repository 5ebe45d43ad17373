#include "live/bar_feed.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.h"
#include "ib/ib_time.h"

namespace tandem::live {

BarLength parse_bar_length(std::string_view text, std::string_view where) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  const long count = digits == 0 ? 0 : std::stol(std::string(text.substr(0, digits)));
  auto fail = [&]() -> BarLength {
    throw Error(fmt::format("bar size '{}' is not one of 30s, 1min, 5min, 15min, 1h, 1d (or IB's "
                            "\"5 secs\", \"1 min\", \"1 hour\", \"1 day\")",
                            text),
                std::string(where));
  };
  if (count <= 0) return fail();
  Timestamp unit_ns = 0;
  std::string ib_unit;
  if (unit == "s" || unit == "sec" || unit == "secs") {
    unit_ns = kNanosPerSecond;
    ib_unit = "secs";
  } else if (unit == "min" || unit == "mins") {
    unit_ns = 60 * kNanosPerSecond;
    ib_unit = count == 1 ? "min" : "mins";
  } else if (unit == "h" || unit == "hour" || unit == "hours") {
    unit_ns = 3600 * kNanosPerSecond;
    ib_unit = count == 1 ? "hour" : "hours";
  } else if (unit == "d" || unit == "day") {
    if (count != 1) return fail();
    unit_ns = kNanosPerDay;
    ib_unit = "day";
  } else {
    return fail();
  }
  return BarLength{count * unit_ns, fmt::format("{} {}", count, ib_unit)};
}

std::string warmup_duration(const BarLength& length, int bars) {
  bars = std::max(bars, 1);
  if (length.daily()) {
    // Trading days → calendar days, with room for holidays.
    const long days = static_cast<long>(std::ceil(bars * 7.0 / 5.0)) + 5;
    if (days > 365) return fmt::format("{} Y", (days + 364) / 365);
    return fmt::format("{} D", days);
  }
  const long seconds = static_cast<long>(length.length / kNanosPerSecond) * bars;
  if (seconds <= 86'400) return fmt::format("{} S", seconds);
  // Intraday bars exist only in trading hours (about 6.5 h a day).
  return fmt::format("{} D", static_cast<long>(std::ceil(seconds / (6.5 * 3600))) + 1);
}

Timestamp ib_bar_time(const std::string& text, std::string_view default_zone) {
  return ib::parse_ib_time(text, default_zone);
}

Bar from_wire(const ib::BarData& bar, std::string_view default_zone) {
  return Bar{ib_bar_time(bar.date, default_zone),
             bar.open,
             bar.high,
             bar.low,
             bar.close,
             std::max(0.0, bar.volume)};
}

std::vector<Bar> BarBuilder::add(const Bar& source) {
  std::vector<Bar> done;
  const Timestamp bucket = bucket_of(source.time);
  if (current_ && current_->time != bucket) {
    if (bucket < current_->time) return done;  // older than the bar in progress: late, dropped
    done.push_back(*current_);
    current_.reset();
  }
  if (!current_) {
    current_ = Bar{bucket, source.open, source.high, source.low, source.close, source.volume};
  } else {
    current_->high = std::max(current_->high, source.high);
    current_->low = std::min(current_->low, source.low);
    current_->close = source.close;
    current_->volume += source.volume;
  }
  if (source.time + source_length_ >= bucket + bar_length_) {
    done.push_back(*current_);
    current_.reset();
  }
  return done;
}

void BarFeed::set_history(std::vector<Bar> bars) {
  series_ = BarSeries{};
  series_.reserve(bars.size());
  for (const Bar& bar : bars) add(bar);
}

bool BarFeed::add(const Bar& bar) {
  if (!series_.empty()) {
    const Timestamp last = series_.time.back();
    if (bar.time < last) return false;
    if (bar.time == last) {
      const std::size_t i = series_.size() - 1;
      series_.open[i] = bar.open;
      series_.high[i] = bar.high;
      series_.low[i] = bar.low;
      series_.close[i] = bar.close;
      series_.volume[i] = bar.volume;
      return true;
    }
  }
  series_.push_back(bar);
  return true;
}

std::optional<Bar> BarFeed::last() const {
  if (series_.empty()) return std::nullopt;
  return series_.at(series_.size() - 1);
}

}  // namespace tandem::live
