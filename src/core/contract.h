// Contract: what is traded. The fields mirror IB's Contract so that the live adapter maps them
// one to one; a backtest fills only symbol (and uses defaults for the rest).
#pragma once

#include <cstdint>
#include <string>

namespace tandem {

struct Contract {
  std::string symbol;            // "TQQQ"
  std::string sec_type = "STK";  // STK, ETF, FUT, CASH, ...
  std::string exchange = "SMART";
  std::string primary_exchange;  // "NASDAQ"; empty when unknown
  std::string currency = "USD";
  std::int64_t con_id = 0;  // IB's contract id; 0 when not qualified
  double multiplier = 1.0;  // price × multiplier × quantity = value

  // Two contracts are the same instrument when their con_ids match, or, when either is
  // unqualified (con_id 0), when symbol, sec_type and currency match.
  bool same_instrument(const Contract& other) const {
    if (con_id != 0 && other.con_id != 0) return con_id == other.con_id;
    return symbol == other.symbol && sec_type == other.sec_type && currency == other.currency;
  }
};

// A plain US stock routed SMART, priced in USD.
inline Contract stock(std::string symbol) {
  Contract contract;
  contract.symbol = std::move(symbol);
  return contract;
}

}  // namespace tandem
