// Where market data lives in a store: the `market_data` library, one symbol per instrument and
// bar size named SYMBOL.BAR (TQQQ.1d, ES.5min). Every reader and writer of bars takes the names
// from here, so the layout is stated once (docs/data.md).
#pragma once

#include <string>
#include <string_view>

namespace tandem::market_data {

inline constexpr std::string_view kLibrary = "market_data";
// Pages of an unfinished download are staged here (market_data.h, download()).
inline constexpr std::string_view kStagingLibrary = "market_data_download";

// "TQQQ" + "1d" → "TQQQ.1d".
inline std::string bar_symbol(std::string_view symbol, std::string_view bar_size) {
  std::string name;
  name.reserve(symbol.size() + 1 + bar_size.size());
  name.append(symbol).append(".").append(bar_size);
  return name;
}

}  // namespace tandem::market_data
