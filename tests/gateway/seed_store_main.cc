// gateway_seed_store URI BARS.json: writes the e2e test's market data (TQQQ and SPY, daily) into
// the store at URI and the same bars as JSON, so the Node client can assert every value it
// receives against what the gateway was given.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "seed_bars.h"
#include "store/store.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: gateway_seed_store STORE_URI BARS_JSON\n";
    return 2;
  }
  try {
    auto store = tandem::store::Store::open(argv[1]);
    nlohmann::json out = nlohmann::json::object();
    const std::pair<const char*, double> symbols[] = {{"TQQQ", 40.0}, {"SPY", 400.0}};
    for (const auto& [symbol, base] : symbols) {
      auto bars = tandem::gateway::testing::synthetic_daily_bars(400, base);
      tandem::gateway::testing::write_daily_bars(
          *store, symbol, bars,
          std::string(symbol) == "TQQQ" ? R"({"primary_exchange":"NASDAQ","con_id":72539702})"
                                        : R"({"primary_exchange":"ARCA"})");
      nlohmann::json rows = nlohmann::json::array();
      for (const tandem::Bar& bar : bars) {
        rows.push_back({{"time", bar.time / tandem::kNanosPerSecond},
                        {"open", bar.open},
                        {"high", bar.high},
                        {"low", bar.low},
                        {"close", bar.close},
                        {"volume", bar.volume}});
      }
      out[symbol] = rows;
    }
    std::ofstream file(argv[2]);
    file << out.dump() << "\n";
    if (!file) throw tandem::Error("cannot write", argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "gateway_seed_store: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
