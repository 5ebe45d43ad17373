#include "gateway/market_data.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "market_data/bar_loader.h"
#include "store/store.h"

namespace tandem::gateway {
namespace {

// A stable, positive con_id for a symbol without one in its metadata (FNV-1a, 31 bits), so that
// clients caching con_ids see the same value across gateway restarts.
int derived_con_id(std::string_view symbol) {
  std::uint32_t hash = 2166136261u;
  for (char c : symbol) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  int id = static_cast<int>(hash & 0x3fffffffu);
  return id < 1000 ? id + 1000 : id;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void apply_metadata(const std::string& metadata_text, Instrument& instrument,
                    const std::string& where) {
  if (metadata_text.empty()) return;
  nlohmann::json metadata = nlohmann::json::parse(metadata_text, nullptr, false);
  if (!metadata.is_object()) return;  // metadata of another tool; not a contract description
  ib::ContractDetails& d = instrument.details;
  auto text = [&](const char* key, std::string& out) {
    if (auto it = metadata.find(key); it != metadata.end()) {
      if (!it->is_string()) throw Error(fmt::format("metadata '{}' must be a string", key), where);
      out = it->get<std::string>();
    }
  };
  if (auto it = metadata.find("con_id"); it != metadata.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0 ||
        it->get<std::int64_t>() > 0x7fffffff) {
      throw Error("metadata 'con_id' must be a positive 32-bit integer", where);
    }
    d.contract.con_id = it->get<int>();
  }
  text("sec_type", d.contract.sec_type);
  text("exchange", d.contract.exchange);
  text("primary_exchange", d.contract.primary_exchange);
  text("currency", d.contract.currency);
  text("long_name", d.long_name);
  text("time_zone_id", d.time_zone_id);
  text("industry", d.industry);
  text("category", d.category);
  if (auto it = metadata.find("min_tick"); it != metadata.end()) {
    if (!it->is_number() || !(it->get<double>() > 0)) {
      throw Error("metadata 'min_tick' must be a positive number", where);
    }
    d.min_tick = it->get<double>();
  }
}

Instrument make_instrument(std::string symbol) {
  Instrument instrument;
  instrument.symbol = symbol;
  ib::ContractDetails& d = instrument.details;
  d.contract.symbol = symbol;
  d.contract.sec_type = "STK";
  d.contract.exchange = "SMART";
  d.contract.currency = "USD";
  d.contract.local_symbol = symbol;
  d.contract.trading_class = symbol;
  d.contract.con_id = derived_con_id(symbol);
  d.market_name = symbol;
  d.min_tick = 0.01;
  d.order_types = "LMT,MKT,STP,STP LMT";
  d.valid_exchanges = "SMART";
  d.price_magnifier = 1;
  d.long_name = symbol;
  d.time_zone_id = "US/Eastern";
  d.stock_type = "COMMON";
  d.min_size = 0.0001;
  d.size_increment = 0.0001;
  d.suggested_size_increment = 100;
  return instrument;
}

// The venues a US stock can be routed to directly besides SMART (as IB lists them in a US
// stock's validExchanges); an order routed anywhere else is error 200.
constexpr std::string_view kUsStockVenues =
    "AMEX,ARCA,BATS,BEX,BYX,CBOE,CHX,DRCTEDGE,EDGEA,EDGX,IBEOS,IEX,ISE,ISLAND,LTSE,MEMX,NYSE,"
    "NYSENAT,PEARL,PHLX,PSX,TPLUS1";

// True when `venue` is one of the comma-separated `valid_exchanges`.
bool routes_to(std::string_view valid_exchanges, std::string_view venue) {
  while (!valid_exchanges.empty()) {
    const std::size_t comma = valid_exchanges.find(',');
    if (valid_exchanges.substr(0, comma) == venue) return true;
    valid_exchanges =
        comma == std::string_view::npos ? std::string_view{} : valid_exchanges.substr(comma + 1);
  }
  return false;
}

void finish_contract(Instrument& instrument) {
  ib::ContractDetails& d = instrument.details;
  d.contract.multiplier = "";
  if (d.contract.primary_exchange.empty() && d.contract.exchange != "SMART") {
    d.contract.primary_exchange = d.contract.exchange;
  }
  d.valid_exchanges = d.contract.exchange;
  if (d.contract.sec_type == "STK" && d.contract.currency == "USD") {
    d.valid_exchanges += "," + std::string(kUsStockVenues);
  }
  if (!d.contract.primary_exchange.empty() &&
      !routes_to(d.valid_exchanges, d.contract.primary_exchange)) {
    d.valid_exchanges += "," + d.contract.primary_exchange;
  }
  Contract& c = instrument.contract;
  c.symbol = instrument.symbol;
  c.sec_type = d.contract.sec_type;
  c.exchange = d.contract.exchange;
  c.primary_exchange = d.contract.primary_exchange;
  c.currency = d.contract.currency;
  c.con_id = d.contract.con_id;
  c.multiplier = 1.0;
}

std::vector<Bar> slice(const BarSeries& series, Timestamp start, Timestamp end, std::size_t limit) {
  auto first = std::upper_bound(series.time.begin(), series.time.begin() + limit, start);
  auto last = std::upper_bound(series.time.begin(), series.time.begin() + limit, end);
  std::vector<Bar> bars;
  for (auto it = first; it < last; ++it) {
    bars.push_back(series.at(static_cast<std::size_t>(it - series.time.begin())));
  }
  return bars;
}

}  // namespace

Timestamp bar_end(Timestamp time, const BarSize& size) {
  if (size.unit == BarSize::Unit::kSecond) return time + size.nanos();
  date::sys_days day{date::days{day_start(time) / kNanosPerDay}};
  if (size.unit == BarSize::Unit::kWeek) {
    return time + size.count * 7 * kNanosPerDay;
  }
  date::year_month_day ymd{day};
  date::year_month next =
      date::year_month{ymd.year(), ymd.month()} + date::months{static_cast<int>(size.count)};
  date::sys_days next_day{date::year_month_day{next.year(), next.month(), date::day{1}}};
  return next_day.time_since_epoch().count() * kNanosPerDay;
}

std::vector<Bar> aggregate_bars(const std::vector<Bar>& bars, const BarSize& size) {
  auto floor_div = [](std::int64_t a, std::int64_t b) {
    return a >= 0 ? a / b : -((-a - 1) / b) - 1;
  };
  auto bucket_of = [&](Timestamp t) -> std::int64_t {
    if (size.unit == BarSize::Unit::kSecond) return floor_div(t, size.nanos());
    date::sys_days day{date::days{floor_div(t, kNanosPerDay)}};
    if (size.unit == BarSize::Unit::kWeek) {
      // Whole weeks since Monday 1970-01-05 (day 4), then groups of size.count weeks.
      return floor_div(floor_div(day.time_since_epoch().count() - 4, 7), size.count);
    }
    date::year_month_day ymd{day};
    const std::int64_t months =
        static_cast<int>(ymd.year()) * 12LL + static_cast<unsigned>(ymd.month()) - 1;
    return floor_div(months, size.count);
  };
  std::vector<Bar> out;
  std::int64_t current_bucket = 0;
  for (const Bar& bar : bars) {
    const std::int64_t bucket = bucket_of(bar.time);
    if (out.empty() || bucket != current_bucket) {
      out.push_back(bar);
      current_bucket = bucket;
      continue;
    }
    Bar& agg = out.back();
    agg.high = std::max(agg.high, bar.high);
    agg.low = std::min(agg.low, bar.low);
    agg.close = bar.close;
    agg.volume += bar.volume;
  }
  return out;
}

MarketData MarketData::load(store::Store& store, std::string_view replay_bar_size) {
  MarketData data;
  auto replay_size = parse_store_bar_size(replay_bar_size);
  if (!replay_size) {
    throw Error(fmt::format("unknown bar size '{}'; expected e.g. 1d, 1h, 5min, 30s, 1w, 1mo",
                            replay_bar_size),
                "bar_size");
  }
  data.replay_size_ = *replay_size;
  data.replay_suffix_ = std::string(replay_bar_size);
  if (!store.has_library(market_data::kLibrary)) return data;
  store::Library library = store.existing_library(market_data::kLibrary);

  // SYMBOL → {suffix → size}, for every symbol whose suffix is a bar size.
  std::map<std::string, std::map<std::string, BarSize>> sizes_by_symbol;
  for (const std::string& name : library.list_symbols()) {
    const std::size_t dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) continue;
    if (auto size = parse_store_bar_size(std::string_view(name).substr(dot + 1))) {
      sizes_by_symbol[name.substr(0, dot)][name.substr(dot + 1)] = *size;
    }
  }
  std::map<int, std::string> symbol_by_con_id;
  for (auto& [symbol, sizes] : sizes_by_symbol) {
    if (!sizes.contains(data.replay_suffix_)) continue;
    const std::string name = market_data::bar_symbol(symbol, data.replay_suffix_);
    const std::string where = std::string(market_data::kLibrary) + "/" + name;
    Instrument instrument = make_instrument(symbol);
    store::ReadOptions head_only;
    head_only.head = 1;
    apply_metadata(library.read(name, head_only).metadata, instrument, where);
    finish_contract(instrument);
    auto [it, inserted] = symbol_by_con_id.emplace(instrument.details.contract.con_id, symbol);
    if (!inserted) {
      throw Error(fmt::format("con_id {} is used by both {} and {}; set a distinct con_id in the "
                              "symbols' metadata",
                              it->first, it->second, symbol),
                  where);
    }
    instrument.bars =
        market_data::load_bars(store, symbol, data.replay_suffix_, std::nullopt, std::nullopt);
    for (std::size_t row = 0; row < instrument.bars.size(); ++row) {
      const Bar bar = instrument.bars.at(row);
      if (!(std::isfinite(bar.open) && std::isfinite(bar.high) && std::isfinite(bar.low) &&
            std::isfinite(bar.close) && bar.low <= bar.high) ||
          !(bar.volume >= 0)) {
        throw Error(fmt::format("bar {} at {} is not a valid OHLCV bar (o={} h={} l={} c={} v={})",
                                row, format_timestamp(bar.time), bar.open, bar.high, bar.low,
                                bar.close, bar.volume),
                    where);
      }
    }
    instrument.stored_sizes = sizes;
    data.by_symbol_.emplace(symbol, data.instruments_.size());
    data.instruments_.push_back(std::move(instrument));
  }
  return data;
}

std::optional<std::size_t> MarketData::find_symbol(std::string_view symbol) const {
  auto it = by_symbol_.find(upper(symbol));
  if (it == by_symbol_.end()) it = by_symbol_.find(symbol);
  if (it == by_symbol_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> MarketData::find(const ib::Contract& contract) const {
  std::optional<std::size_t> found;
  if (contract.con_id != 0) {
    for (std::size_t i = 0; i < instruments_.size(); ++i) {
      if (instruments_[i].details.contract.con_id == contract.con_id) found = i;
    }
    if (!found) return std::nullopt;
    if (!contract.symbol.empty() && upper(contract.symbol) != instruments_[*found].symbol) {
      return std::nullopt;
    }
  } else {
    if (contract.symbol.empty()) return std::nullopt;
    found = find_symbol(contract.symbol);
    if (!found) return std::nullopt;
  }
  const ib::Contract& known = instruments_[*found].details.contract;
  if (!contract.sec_type.empty() && upper(contract.sec_type) != known.sec_type) return std::nullopt;
  if (!contract.currency.empty() && upper(contract.currency) != known.currency) return std::nullopt;
  if (!contract.exchange.empty()) {
    const std::string exchange = upper(contract.exchange);
    if (exchange != "SMART" && !routes_to(instruments_[*found].details.valid_exchanges, exchange)) {
      return std::nullopt;  // a venue the instrument is not traded on
    }
  }
  // A primary exchange that contradicts the known one names another instrument.
  if (!contract.primary_exchange.empty() && !known.primary_exchange.empty() &&
      upper(contract.primary_exchange) != known.primary_exchange) {
    return std::nullopt;
  }
  if (!contract.local_symbol.empty() && upper(contract.local_symbol) != known.local_symbol) {
    return std::nullopt;
  }
  if (!contract.last_trade_date_or_contract_month.empty() || !contract.right.empty() ||
      contract.strike != 0) {
    return std::nullopt;  // derivatives of the symbol are not part of the data
  }
  return found;
}

void MarketData::rewind_to(Timestamp t) {
  for (Instrument& instrument : instruments_) {
    const auto& times = instrument.bars.time;
    instrument.delivered =
        static_cast<std::size_t>(std::upper_bound(times.begin(), times.end(), t) - times.begin());
  }
}

std::optional<Timestamp> MarketData::next_bar_time() const {
  std::optional<Timestamp> next;
  for (const Instrument& instrument : instruments_) {
    if (instrument.delivered < instrument.bars.size()) {
      const Timestamp t = instrument.bars.time[instrument.delivered];
      if (!next || t < *next) next = t;
    }
  }
  return next;
}

void MarketData::deliver(Timestamp t, std::vector<std::size_t>& delivered) {
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    Instrument& instrument = instruments_[i];
    if (instrument.delivered < instrument.bars.size() &&
        instrument.bars.time[instrument.delivered] == t) {
      ++instrument.delivered;
      delivered.push_back(i);
    }
  }
}

std::optional<Timestamp> MarketData::first_bar_time() const {
  std::optional<Timestamp> first;
  for (const Instrument& instrument : instruments_) {
    if (!instrument.bars.empty() && (!first || instrument.bars.time.front() < *first)) {
      first = instrument.bars.time.front();
    }
  }
  return first;
}

std::optional<Timestamp> MarketData::last_bar_time() const {
  std::optional<Timestamp> last;
  for (const Instrument& instrument : instruments_) {
    if (!instrument.bars.empty() && (!last || instrument.bars.time.back() > *last)) {
      last = instrument.bars.time.back();
    }
  }
  return last;
}

std::optional<Timestamp> MarketData::current_time() const {
  std::optional<Timestamp> current;
  for (const Instrument& instrument : instruments_) {
    if (instrument.has_price()) {
      const Timestamp t = instrument.bars.time[instrument.delivered - 1];
      if (!current || t > *current) current = t;
    }
  }
  return current;
}

std::optional<std::vector<Bar>> MarketData::history(std::size_t i, const BarSize& size,
                                                    Timestamp start, Timestamp end,
                                                    store::Store& store) {
  const Instrument& instrument = instruments_[i];
  if (size == replay_size_) return slice(instrument.bars, start, end, instrument.delivered);
  // Everything the replay has revealed ends with the current replay bar.
  std::optional<Timestamp> current = current_time();
  if (!current) return std::vector<Bar>{};
  const Timestamp horizon = bar_end(*current, replay_size_);
  for (const auto& [suffix, stored] : instrument.stored_sizes) {
    if (!(stored == size)) continue;
    const std::string name = market_data::bar_symbol(instrument.symbol, suffix);
    auto it = other_sizes_.find(name);
    if (it == other_sizes_.end()) {
      it = other_sizes_
               .emplace(name, market_data::load_bars(store, instrument.symbol, suffix, std::nullopt,
                                                     std::nullopt))
               .first;
    }
    const BarSeries& series = it->second;
    std::size_t known = 0;
    while (known < series.size() && bar_end(series.time[known], size) <= horizon) ++known;
    return slice(series, start, end, known);
  }
  // Build from the replay bars: whole multiples of the replay size, or weeks/months of days.
  const bool replay_daily =
      replay_size_.unit == BarSize::Unit::kSecond && replay_size_.count == 86'400;
  const bool buildable =
      (size.unit == BarSize::Unit::kSecond && replay_size_.unit == BarSize::Unit::kSecond &&
       size.count > replay_size_.count && size.count % replay_size_.count == 0) ||
      (size.unit != BarSize::Unit::kSecond && replay_daily);
  if (!buildable) return std::nullopt;
  std::vector<Bar> source =
      slice(instrument.bars, std::numeric_limits<Timestamp>::min(), end, instrument.delivered);
  std::vector<Bar> built = aggregate_bars(source, size);
  std::erase_if(built, [&](const Bar& bar) { return bar.time <= start; });
  return built;
}

Timestamp MarketData::head_timestamp(std::size_t i) const {
  const Instrument& instrument = instruments_[i];
  return instrument.bars.empty() ? 0 : instrument.bars.time.front();
}

}  // namespace tandem::gateway
