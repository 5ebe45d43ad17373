#include "backtest/shared_bars.h"

#include "backtest/replay_schedule.h"
#include "core/error.h"

namespace tandem::backtest {

SharedBars::SharedBars(const std::map<std::string, SharedBarSeries>& bars) {
  MarketState market;  // symbol order, as a run indexes its instruments
  std::vector<const BarSeries*> series_by_index;
  for (const auto& [symbol, series] : bars) {
    if (!series || series->empty()) {
      throw Error(ErrorKind::NotFound, "no bars of " + symbol + " to share", "backtest");
    }
    instruments_.emplace(symbol, Instrument{series});
    Contract contract;
    contract.symbol = symbol;
    market.add(std::move(contract), series);
    series_by_index.push_back(series.get());
  }
  auto schedule = std::make_shared<const std::vector<std::uint32_t>>(merge_schedule(market));
  auto rows = std::make_shared<std::vector<Bar>>();
  if (schedule->empty()) {  // one instrument (or none): its bars in their own order
    for (const BarSeries* series : series_by_index) {
      rows->reserve(series->size());
      for (std::size_t i = 0; i < series->size(); ++i) rows->push_back(series->at(i));
    }
  } else {
    rows->reserve(schedule->size());
    std::vector<std::size_t> next(series_by_index.size(), 0);
    for (std::uint32_t instrument : *schedule) {
      rows->push_back(series_by_index[instrument]->at(next[instrument]++));
    }
  }
  schedule_ = std::move(schedule);
  rows_ = std::move(rows);
}

}  // namespace tandem::backtest
