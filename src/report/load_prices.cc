#include "report/load_prices.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "broker/account_schema.h"
#include "market_data/names.h"
#include "store/store.h"

namespace tandem::report {
namespace {

struct DeclaredLine {
  std::string label;
  std::size_t window = 0;
};

// The indicators a strategy declares, from its registry name and recorded params. One table,
// documented in docs/report.md (*Price charts*): sma_cross draws the two averages it trades on.
std::vector<DeclaredLine> declared_indicators(const std::string& key, const std::string& name,
                                              const nlohmann::json& params) {
  std::vector<DeclaredLine> out;
  if (name == "sma_cross") {
    for (const char* param : {"fast", "slow"}) {
      const auto it = params.find(param);
      if (it == params.end() || !it->is_number_integer()) continue;
      const auto window = it->get<std::int64_t>();
      if (window < 1 || window > 100'000) continue;
      out.push_back(
          {fmt::format("{} {} SMA({})", key, param, window), static_cast<std::size_t>(window)});
    }
  }
  return out;
}

std::vector<double> simple_moving_average(const std::vector<PriceBar>& bars, std::size_t window) {
  std::vector<double> out(bars.size(), std::numeric_limits<double>::quiet_NaN());
  double sum = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    sum += bars[i].close;
    if (i >= window) sum -= bars[i - window].close;
    if (i + 1 >= window) out[i] = sum / static_cast<double>(window);
  }
  return out;
}

std::optional<double> number(const store::Column* c, std::size_t row) {
  if (c == nullptr || c->is_null(row)) return std::nullopt;
  if (c->type() == store::ColumnType::kFloat64) {
    const double v = c->float64s()[row];
    return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
  }
  if (c->type() == store::ColumnType::kInt64) return static_cast<double>(c->int64s()[row]);
  return std::nullopt;
}

struct Plan {
  std::string bar_size = "1d";
  std::set<std::string> symbols;
  std::map<std::string, std::vector<DeclaredLine>> lines;  // by symbol
};

Plan plan_from(const store::Library& account, const AccountData& data) {
  Plan plan;
  for (const FillRow& fill : data.fills) {
    if (!fill.symbol.empty()) plan.symbols.insert(fill.symbol);
  }
  if (!account.has_symbol(broker::kRunInfoSymbol)) return plan;
  const nlohmann::json info = nlohmann::json::parse(
      account.read(std::string(broker::kRunInfoSymbol)).metadata, nullptr, false);
  if (!info.is_object()) return plan;
  if (auto it = info.find("bar_size"); it != info.end() && it->is_string()) {
    plan.bar_size = it->get<std::string>();
  }
  const auto strategies = info.find("strategies");
  if (strategies == info.end() || !strategies->is_array()) return plan;
  for (const nlohmann::json& s : *strategies) {
    const std::string key = s.value("key", "");
    const std::string name = s.value("name", "");
    const nlohmann::json params = s.value("params", nlohmann::json::object());
    const nlohmann::json symbols = s.value("symbols", nlohmann::json::array());
    for (const nlohmann::json& symbol : symbols) {
      if (!symbol.is_string()) continue;
      plan.symbols.insert(symbol.get<std::string>());
      for (DeclaredLine& line : declared_indicators(key, name, params)) {
        plan.lines[symbol.get<std::string>()].push_back(std::move(line));
      }
    }
  }
  return plan;
}

}  // namespace

void load_prices(store::Store& store, const store::Library& account, AccountData& data,
                 std::size_t max_bars) {
  const Plan plan = plan_from(account, data);
  if (plan.symbols.empty()) return;
  if (!store.has_library(std::string(market_data::kLibrary))) {
    data.load_notes.push_back("no market_data library: the report has no price charts");
    return;
  }
  const store::Library market = store.existing_library(std::string(market_data::kLibrary));
  // The account's period: its first and last recorded day (else every bar).
  Timestamp first = std::numeric_limits<Timestamp>::min();
  Timestamp last = std::numeric_limits<Timestamp>::max();
  if (!data.summary.empty()) {
    constexpr Timestamp kDay = 86'400LL * 1'000'000'000LL;
    first = data.summary.front().time - data.summary.front().time % kDay;  // its UTC day
    last = data.summary.back().time;
  }
  for (const std::string& symbol : plan.symbols) {
    const std::string name = market_data::bar_symbol(symbol, plan.bar_size);
    if (!market.has_symbol(name)) {
      data.load_notes.push_back("no market_data/" + name + ": no price chart for " + symbol);
      continue;
    }
    const store::Table table =
        market.read(name, {.columns = std::vector<std::string>{"open", "high", "low", "close"}})
            .table;
    const store::Column* open = table.find_column("open");
    const store::Column* high = table.find_column("high");
    const store::Column* low = table.find_column("low");
    const store::Column* close = table.find_column("close");
    std::vector<DeclaredLine> lines;
    if (auto it = plan.lines.find(symbol); it != plan.lines.end()) lines = it->second;
    std::size_t warm_up = 0;
    for (const DeclaredLine& line : lines) warm_up = std::max(warm_up, line.window - 1);

    std::vector<PriceBar> all;
    std::size_t period_start = 0;  // index in `all` of the period's first bar
    for (std::size_t row = 0; row < table.num_rows(); ++row) {
      const Timestamp time = table.index()[row];
      if (time > last) break;
      const auto c = number(close, row);
      if (!c) continue;
      if (time < first) period_start = all.size() + 1;
      all.push_back({time, number(open, row).value_or(*c), number(high, row).value_or(*c),
                     number(low, row).value_or(*c), *c});
    }
    InstrumentPrices prices{symbol, plan.bar_size, {}, {}, 0};
    const std::size_t in_period = all.size() - std::min(period_start, all.size());
    std::size_t keep_from = std::min(period_start, all.size());
    if (in_period > max_bars) {
      prices.bars_left_out = in_period - max_bars;
      keep_from = all.size() - max_bars;
    }
    // The averages are computed over the warm-up bars too, which are then dropped.
    const std::size_t compute_from = keep_from - std::min(keep_from, warm_up);
    const std::vector<PriceBar> window(all.begin() + static_cast<std::ptrdiff_t>(compute_from),
                                       all.end());
    for (const DeclaredLine& line : lines) {
      std::vector<double> values = simple_moving_average(window, line.window);
      values.erase(values.begin(),
                   values.begin() + static_cast<std::ptrdiff_t>(keep_from - compute_from));
      prices.indicators.push_back({line.label, std::move(values)});
    }
    prices.bars.assign(all.begin() + static_cast<std::ptrdiff_t>(keep_from), all.end());
    if (prices.bars_left_out > 0) {
      data.load_notes.push_back(
          fmt::format("the price chart of {} shows the latest {} of the period's {} bars", symbol,
                      prices.bars.size(), in_period));
    }
    data.prices.push_back(std::move(prices));
  }
}

}  // namespace tandem::report
