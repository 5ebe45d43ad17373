// MarketData: the instruments the gateway knows (one per market_data symbol at the replay bar
// size), their contract definitions, the replay cursor over their bars, and the bars a
// historical request may see — never one later than the replay has reached.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bar_series.h"
#include "core/contract.h"
#include "gateway/bar_size.h"
#include "ib/types.h"

namespace tandem::store {
class Store;
}

namespace tandem::gateway {

struct Instrument {
  std::string symbol;
  ib::ContractDetails details;  // what reqContractDetails answers
  Contract contract;            // the same, in tandem's terms
  BarSeries bars;               // at the replay bar size, oldest first
  std::size_t delivered = 0;    // bars replayed so far (the current one included)
  // Every bar size stored for the symbol: market_data symbol suffix → size.
  std::map<std::string, BarSize> stored_sizes;

  bool has_price() const { return delivered > 0; }
  Bar current_bar() const { return bars.at(delivered - 1); }
  // The bar before the current one, if any (for the CLOSE tick).
  std::optional<Bar> previous_bar() const {
    if (delivered < 2) return std::nullopt;
    return bars.at(delivered - 2);
  }
};

class MarketData {
 public:
  MarketData() = default;

  // Every market_data symbol named SYMBOL.<replay_bar_size>. Contract fields come from the
  // symbol's metadata when present (con_id, sec_type, exchange, primary_exchange, currency,
  // long_name, min_tick, time_zone_id), else a US stock on SMART in USD with a con_id derived
  // from the symbol. An empty or missing library is not an error: no instruments.
  static MarketData load(store::Store& store, std::string_view replay_bar_size);

  std::size_t size() const { return instruments_.size(); }
  const Instrument& instrument(std::size_t i) const { return instruments_[i]; }
  const BarSize& replay_bar_size() const { return replay_size_; }

  // The instrument an IB contract describes: by con_id when it is set, else by symbol with
  // sec_type, currency, exchange and local symbol checked when given. nullopt = error 200.
  std::optional<std::size_t> find(const ib::Contract& contract) const;
  std::optional<std::size_t> find_symbol(std::string_view symbol) const;

  // --- replay ---
  // Positions every instrument on its last bar at or before `t`.
  void rewind_to(Timestamp t);
  // Time of the next bar not yet replayed in any instrument.
  std::optional<Timestamp> next_bar_time() const;
  // Replays every bar with time == t (call with t == next_bar_time()); appends the
  // instruments that got a new bar.
  void deliver(Timestamp t, std::vector<std::size_t>& delivered);
  std::optional<Timestamp> first_bar_time() const;
  std::optional<Timestamp> last_bar_time() const;
  // Time of the most recent replayed bar of any instrument (nullopt before the first).
  std::optional<Timestamp> current_time() const;

  // --- history ---
  // Bars of instrument i at bar size `size` with start < time <= end that the replay has
  // reached: a stored series of that size when there is one (bars whose whole interval lies
  // before the end of the current replay bar), else the replay bars aggregated (a multiple of
  // the replay size, or weeks/months of daily bars; the last bucket may be partial, like IB's
  // bar in progress). nullopt when `size` can be neither served nor built.
  std::optional<std::vector<Bar>> history(std::size_t i, const BarSize& size, Timestamp start,
                                          Timestamp end, store::Store& store);
  // The earliest bar time of instrument i at any stored size.
  Timestamp head_timestamp(std::size_t i) const;

 private:
  BarSize replay_size_;
  std::string replay_suffix_;
  std::vector<Instrument> instruments_;
  std::map<std::string, std::size_t, std::less<>> by_symbol_;
  // Other bar sizes, loaded on first use: "SYMBOL.SUFFIX" → bars.
  std::map<std::string, BarSeries, std::less<>> other_sizes_;
};

// Aggregates `bars` (oldest first) into bars of `size`: buckets of `size` seconds aligned on
// the Unix epoch, or calendar weeks (Monday first) / months in UTC. Each output bar has the
// time of its first input bar.
std::vector<Bar> aggregate_bars(const std::vector<Bar>& bars, const BarSize& size);

// The end of the interval of a bar of `size` starting at `time`.
Timestamp bar_end(Timestamp time, const BarSize& size);

}  // namespace tandem::gateway
