#include "ib/history_pages.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/error.h"

namespace tandem::ib {
namespace {

using std::chrono::seconds;

struct KnownSize {
  const char* suffix;
  const char* ib_setting;
  std::int64_t seconds;
  const char* max_duration;
};

// IB's step-size table inverted (docs/ib-protocol.md §6): the largest duration per bar size.
constexpr std::array<KnownSize, 21> kSizes{{
    {"1s", "1 secs", 1, "1800 S"},         {"5s", "5 secs", 5, "3600 S"},
    {"10s", "10 secs", 10, "14400 S"},     {"15s", "15 secs", 15, "14400 S"},
    {"30s", "30 secs", 30, "28800 S"},     {"1min", "1 min", 60, "1 D"},
    {"2min", "2 mins", 120, "2 D"},        {"3min", "3 mins", 180, "1 W"},
    {"5min", "5 mins", 300, "1 W"},        {"10min", "10 mins", 600, "1 W"},
    {"15min", "15 mins", 900, "1 W"},      {"20min", "20 mins", 1200, "1 W"},
    {"30min", "30 mins", 1800, "1 M"},     {"1h", "1 hour", 3600, "1 M"},
    {"2h", "2 hours", 7200, "1 M"},        {"3h", "3 hours", 10800, "1 M"},
    {"4h", "4 hours", 14400, "1 M"},       {"8h", "8 hours", 28800, "1 M"},
    {"1d", "1 day", 86400, "1 Y"},         {"1w", "1 week", 7 * 86400, "1 Y"},
    {"1mo", "1 month", 31 * 86400, "1 Y"},
}};

}  // namespace

std::optional<HistoryBarSize> find_history_bar_size(std::string_view text) {
  for (const KnownSize& known : kSizes) {
    if (text == known.suffix || text == known.ib_setting) {
      return HistoryBarSize{known.suffix, known.ib_setting, seconds(known.seconds),
                            known.max_duration};
    }
  }
  return std::nullopt;
}

std::string known_history_bar_sizes() {
  std::string out;
  for (const KnownSize& known : kSizes) {
    if (!out.empty()) out += ", ";
    out += known.suffix;
  }
  return out;
}

Timestamp step_back(Timestamp end, std::string_view duration) {
  const auto space = duration.find(' ');
  std::int64_t count = 0;
  const char* first = duration.data();
  const char* last = duration.data() + (space == std::string_view::npos ? 0 : space);
  auto [ptr, ec] = std::from_chars(first, last, count);
  if (space == std::string_view::npos || ec != std::errc() || ptr != last || count <= 0 ||
      space + 2 != duration.size()) {
    throw Error("not an IB duration: '" + std::string(duration) + "' (expected e.g. '1 D')",
                "history paging");
  }
  std::int64_t seconds_back = 0;
  switch (duration.back()) {
    case 'S':
      seconds_back = count;
      break;
    case 'D':
      seconds_back = count * 86'400;
      break;
    case 'W':
      seconds_back = count * 7 * 86'400;
      break;
    case 'M':
      seconds_back = count * 28 * 86'400;
      break;
    case 'Y':
      seconds_back = count * 365 * 86'400;
      break;
    default:
      throw Error("not an IB duration unit in '" + std::string(duration) + "' (S, D, W, M, Y)",
                  "history paging");
  }
  return end - seconds_back * kNanosPerSecond;
}

HistoryPager::HistoryPager(const HistoryBarSize& size, std::optional<Timestamp> end,
                           Timestamp after, Timestamp now)
    : size_(size),
      next_end_(end),
      first_end_(end.value_or(now)),
      after_(after),
      reached_(first_end_),
      done_(first_end_ <= after) {}

HistoryPage HistoryPager::next() const { return HistoryPage{next_end_, size_.max_duration}; }

void HistoryPager::received(const std::vector<Timestamp>& times) {
  ++pages_;
  const Timestamp end = next_end_.value_or(first_end_);
  Timestamp next = step_back(end, size_.max_duration);
  if (!times.empty()) {
    const Timestamp earliest = *std::min_element(times.begin(), times.end());
    // A page holding only bars at its end says nothing about what lies before it: step back.
    if (earliest < end) next = earliest;
  }
  reached_ = std::min(reached_, next);
  next_end_ = next;
  // Done when no bar time is left in (after, next): times are whole nanoseconds.
  if (next <= after_ + 1) done_ = true;
}

double HistoryPager::fraction_done() const {
  if (done_ || first_end_ <= after_) return 1.0;
  return std::clamp(
      static_cast<double>(first_end_ - reached_) / static_cast<double>(first_end_ - after_), 0.0,
      1.0);
}

}  // namespace tandem::ib
