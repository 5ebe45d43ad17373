#include "history_fixture.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/time.h"

namespace tandem::market_data::testing {
namespace {

bool weekday(Timestamp day) {
  const std::int64_t days = day / kNanosPerDay;  // 1970-01-01 was a Thursday
  const std::int64_t weekday = (days + 4) % 7;   // 0 = Sunday
  return weekday != 0 && weekday != 6;
}

Bar make_bar(Timestamp time, std::size_t i) {
  const double base =
      100 + 20 * std::sin(static_cast<double>(i) * 0.01) + static_cast<double>(i % 97) * 0.01;
  const double open = std::round(base * 100) / 100;
  const double close = std::round((base + 0.37 * std::cos(static_cast<double>(i))) * 100) / 100;
  Bar bar;
  bar.time = time;
  bar.open = open;
  bar.close = close;
  bar.high = std::max(open, close) + 0.25;
  bar.low = std::min(open, close) - 0.25;
  bar.volume = static_cast<double>(1000 + (i * 7919) % 5000);
  return bar;
}

}  // namespace

std::vector<Bar> weekday_daily_bars(Timestamp first_day, int count) {
  std::vector<Bar> bars;
  for (Timestamp day = first_day; static_cast<int>(bars.size()) < count; day += kNanosPerDay) {
    if (weekday(day)) bars.push_back(make_bar(day, bars.size()));
  }
  return bars;
}

std::vector<Bar> weekday_minute_bars(Timestamp first_day, int days) {
  std::vector<Bar> bars;
  int done = 0;
  for (Timestamp day = first_day; done < days; day += kNanosPerDay) {
    if (!weekday(day)) continue;
    ++done;
    const Timestamp open = day + (14 * 3600 + 30 * 60) * kNanosPerSecond;
    for (int minute = 0; minute < 390; ++minute) {
      bars.push_back(make_bar(open + minute * 60 * kNanosPerSecond, bars.size()));
    }
  }
  return bars;
}

store::Table bars_table(const std::vector<Bar>& bars) {
  std::vector<Timestamp> time;
  std::vector<double> open, high, low, close, volume;
  for (const Bar& bar : bars) {
    time.push_back(bar.time);
    open.push_back(bar.open);
    high.push_back(bar.high);
    low.push_back(bar.low);
    close.push_back(bar.close);
    volume.push_back(bar.volume);
  }
  store::Table table(std::move(time));
  table.with(store::Column::of_float64("open", std::move(open)))
      .with(store::Column::of_float64("high", std::move(high)))
      .with(store::Column::of_float64("low", std::move(low)))
      .with(store::Column::of_float64("close", std::move(close)))
      .with(store::Column::of_float64("volume", std::move(volume)));
  return table;
}

void write_bars(store::Store& store, const std::string& symbol, const std::string& suffix,
                const std::vector<Bar>& bars) {
  store.library("market_data").write(symbol + "." + suffix, bars_table(bars));
}

std::vector<Bar> read_bars(store::Store& store, const std::string& name) {
  std::vector<Bar> bars;
  if (!store.has_library("market_data")) return bars;
  store::Library library = store.library("market_data");
  if (!library.has_symbol(name)) return bars;
  const store::Table table = library.read(name).table;
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    Bar bar;
    bar.time = table.index()[i];
    bar.open = table.float64s("open")[i];
    bar.high = table.float64s("high")[i];
    bar.low = table.float64s("low")[i];
    bar.close = table.float64s("close")[i];
    bar.volume = table.float64s("volume")[i];
    bars.push_back(bar);
  }
  return bars;
}

Timestamp at(const char* text) { return parse_timestamp_or_throw(text, "test"); }

void expect_same_bars(const std::vector<Bar>& got, const std::vector<Bar>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].time, want[i].time) << i;
    ASSERT_EQ(got[i].open, want[i].open) << i;
    ASSERT_EQ(got[i].high, want[i].high) << i;
    ASSERT_EQ(got[i].low, want[i].low) << i;
    ASSERT_EQ(got[i].close, want[i].close) << i;
    ASSERT_EQ(got[i].volume, want[i].volume) << i;
  }
}

}  // namespace tandem::market_data::testing
