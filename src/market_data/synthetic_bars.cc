#include "market_data/synthetic_bars.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "core/error.h"

namespace tandem::market_data {
namespace {

// Standard normal draws from a 64-bit Mersenne Twister (fully specified by the standard) with
// Box-Muller, so the stream is identical everywhere.
class NormalStream {
 public:
  explicit NormalStream(std::uint64_t seed) : engine_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    double u2 = uniform();
    while (u1 <= 0) u1 = uniform();
    double radius = std::sqrt(-2.0 * std::log(u1));
    double angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

double cents(double price) { return std::max(0.01, std::round(price * 100.0) / 100.0); }

bool is_weekend(Timestamp t) {
  // 1970-01-01 was a Thursday: day 0 → Thursday, day 2 → Saturday, day 3 → Sunday.
  std::int64_t day = t >= 0 ? t / kNanosPerDay : -((-t - 1) / kNanosPerDay) - 1;
  std::int64_t weekday = ((day % 7) + 7) % 7;  // 0 Thu, 1 Fri, 2 Sat, 3 Sun, ...
  return weekday == 2 || weekday == 3;
}

}  // namespace

BarSeries synthetic_bars(const SyntheticSpec& spec, Timestamp first_time, Timestamp step,
                         std::size_t count, bool weekdays_only) {
  if (!(spec.start_price > 0) || !(spec.annual_volatility >= 0) || step <= 0) {
    throw Error("invalid synthetic bar spec", spec.symbol);
  }
  const double session = 6.5 * 3600.0 * static_cast<double>(kNanosPerSecond);
  const double bars_per_year =
      step >= kNanosPerDay ? 252.0 : 252.0 * std::max(1.0, session / static_cast<double>(step));
  const double sigma = spec.annual_volatility / std::sqrt(bars_per_year);
  const double mu = spec.annual_drift / bars_per_year - 0.5 * sigma * sigma;

  NormalStream normal(spec.seed);
  BarSeries bars;
  bars.reserve(count);
  double close = spec.start_price;
  Timestamp time = first_time;
  while (bars.size() < count) {
    if (weekdays_only && is_weekend(time)) {
      time += step;
      continue;
    }
    double open = close * std::exp(0.25 * sigma * normal.next());
    double next_close = open * std::exp(mu + 0.95 * sigma * normal.next());
    double high = std::max(open, next_close) * std::exp(0.4 * sigma * std::abs(normal.next()));
    double low = std::min(open, next_close) * std::exp(-0.4 * sigma * std::abs(normal.next()));
    double volume = std::round(spec.average_volume * std::exp(0.35 * normal.next() - 0.06125));
    Bar bar{time, cents(open), cents(high), cents(low), cents(next_close), volume};
    // Rounding keeps the order (low <= open, close <= high) because it is monotonic.
    bars.push_back(bar);
    close = next_close;
    time += step;
  }
  return bars;
}

std::vector<SyntheticSpec> sample_universe() {
  return {
      {"TQQQ", 10.0, 0.30, 0.60, 3'000'000, 1001}, {"SPY", 200.0, 0.08, 0.17, 8'000'000, 1002},
      {"QQQ", 100.0, 0.12, 0.22, 5'000'000, 1003}, {"TLT", 120.0, 0.02, 0.14, 1'500'000, 1004},
      {"GLD", 115.0, 0.04, 0.15, 1'000'000, 1005},
  };
}

}  // namespace tandem::market_data
