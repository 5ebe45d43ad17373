#include "backtest/shared_bars.h"

#include "backtest/replay_schedule.h"
#include "core/error.h"

namespace tandem::backtest {

SharedBars::SharedBars(const std::map<std::string, SharedBarSeries>& bars) {
  MarketState market;  // symbol order, as a run indexes its instruments
  for (const auto& [symbol, series] : bars) {
    if (!series || series->empty()) {
      throw Error(ErrorKind::NotFound, "no bars of " + symbol + " to share", "backtest");
    }
    auto rows = std::make_shared<std::vector<Bar>>();
    rows->reserve(series->size());
    for (std::size_t i = 0; i < series->size(); ++i) rows->push_back(series->at(i));
    instruments_.emplace(symbol, Instrument{series, std::move(rows)});
    Contract contract;
    contract.symbol = symbol;
    market.add(std::move(contract), series);
  }
  schedule_ = std::make_shared<const std::vector<std::uint32_t>>(merge_schedule(market));
}

}  // namespace tandem::backtest
