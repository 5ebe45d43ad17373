#include "seed_bars.h"

#include <cmath>

#include "core/time.h"
#include "store/store.h"

namespace tandem::gateway::testing {

std::vector<Bar> synthetic_daily_bars(int count, double base) {
  std::vector<Bar> bars;
  Timestamp day = *parse_timestamp("2023-01-02");  // a Monday
  double previous_close = base;
  for (int i = 0; bars.size() < static_cast<std::size_t>(count); ++i, day += kNanosPerDay) {
    const int weekday = static_cast<int>((day / kNanosPerDay + 4) % 7);  // 0 = Sunday
    if (weekday == 0 || weekday == 6) continue;
    const double n = static_cast<double>(bars.size());
    Bar bar;
    bar.time = day;
    bar.open = std::round((previous_close + 0.25 * std::sin(n * 0.7)) * 100) / 100;
    bar.close = std::round((base * (1 + 0.15 * std::sin(n / 17.0)) + 0.02 * n) * 100) / 100;
    bar.high = std::max(bar.open, bar.close) + std::round(50 + 40 * std::sin(n)) / 100;
    bar.low = std::min(bar.open, bar.close) - std::round(50 + 40 * std::cos(n)) / 100;
    bar.volume = 1'000'000 + 1'000 * n;
    previous_close = bar.close;
    bars.push_back(bar);
  }
  return bars;
}

void write_daily_bars(store::Store& store, const std::string& symbol, const std::vector<Bar>& bars,
                      const std::string& metadata_json) {
  std::vector<Timestamp> times;
  std::vector<double> open, high, low, close, volume;
  for (const Bar& bar : bars) {
    times.push_back(bar.time);
    open.push_back(bar.open);
    high.push_back(bar.high);
    low.push_back(bar.low);
    close.push_back(bar.close);
    volume.push_back(bar.volume);
  }
  store::Table table(std::move(times));
  table.with(store::Column::of_float64("open", std::move(open)))
      .with(store::Column::of_float64("high", std::move(high)))
      .with(store::Column::of_float64("low", std::move(low)))
      .with(store::Column::of_float64("close", std::move(close)))
      .with(store::Column::of_float64("volume", std::move(volume)));
  std::optional<std::string> metadata;
  if (!metadata_json.empty()) metadata = metadata_json;
  store.library("market_data").write(symbol + ".1d", table, metadata);
}

}  // namespace tandem::gateway::testing
