#include "momentum.h"

#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "strategy/strategy.h"

namespace {

using tandem::Action;
using tandem::Error;
using tandem::ErrorKind;

class Momentum : public tandem::strategy::Strategy {
 public:
  explicit Momentum(tandem::strategy::StrategyConfig config)
      : Strategy(std::move(config)),
        lookback_(params().integer("lookback")),
        size_(params().real("size")) {
    if (lookback_ < 1) {
      throw Error(ErrorKind::InvalidArgument,
                  "lookback must be at least 1, got " + std::to_string(lookback_),
                  "strategy momentum");
    }
    if (!(size_ > 0 && size_ <= 1)) {
      throw Error(ErrorKind::InvalidArgument,
                  "size must be in (0, 1], got " + std::to_string(size_), "strategy momentum");
    }
  }

  void on_bar(const tandem::strategy::BarEvent& event) override {
    const auto lookback = static_cast<std::size_t>(lookback_);
    if (event.history.size() <= lookback || !broker().open_trades().empty()) return;
    const double then = event.history.ago(lookback).close;
    const double held = broker().position(event.contract);
    if (held == 0 && event.bar.close > then) {
      broker().place_order(event.contract, tandem::market_order(Action::kBuy), size_);
    } else if (held > 0 && event.bar.close < then) {
      broker().place_order(event.contract, tandem::market_order(Action::kSell, held));
    }
  }

 private:
  std::int64_t lookback_;
  double size_;
};

}  // namespace

tandem::strategy::StrategyDefinition momentum_definition() {
  using tandem::strategy::ParamType;
  return {
      .name = "momentum",
      .description = "long while the close is above the close `lookback` bars earlier",
      .params = {{"lookback", ParamType::kInt, std::int64_t{20}, "bars back to compare with"},
                 {"size", ParamType::kDouble, 0.9, "fraction of the strategy's equity to buy"}},
      .min_instruments = 1,
      .max_instruments = 1,
      .create = [](tandem::strategy::StrategyConfig config)
          -> std::unique_ptr<tandem::strategy::Strategy> {
        return std::make_unique<Momentum>(std::move(config));
      },
  };
}
