// A plugin adding a strategy under a built-in's name (sma_cross): the loader refuses it whole.
#include <memory>

#include "strategy/plugin.h"

namespace {

class Idle : public tandem::strategy::Strategy {
 public:
  using Strategy::Strategy;
  void on_bar(const tandem::strategy::BarEvent&) override {}
};

void add_strategies(tandem::strategy::StrategyRegistry& registry) {
  for (const char* name : {"idle", "sma_cross"}) {
    registry.add({.name = name,
                  .description = "does nothing",
                  .params = {},
                  .min_instruments = 1,
                  .max_instruments = 1,
                  .create = [](tandem::strategy::StrategyConfig config)
                      -> std::unique_ptr<tandem::strategy::Strategy> {
                    return std::make_unique<Idle>(std::move(config));
                  }});
  }
}

}  // namespace

TANDEM_STRATEGY_PLUGIN(add_strategies)
