// A strategy plugin for plugin_test: "always_long" buys `size` of its equity on its first bar.
#include <memory>

#include "strategy/plugin.h"

namespace {

class AlwaysLong : public tandem::strategy::Strategy {
 public:
  using Strategy::Strategy;
  void on_bar(const tandem::strategy::BarEvent& event) override {
    if (placed_) return;
    placed_ = true;
    broker().place_order(event.contract, tandem::market_order(tandem::Action::kBuy),
                         params().real("size"));
  }

 private:
  bool placed_ = false;
};

void add_strategies(tandem::strategy::StrategyRegistry& registry) {
  registry.add({.name = "always_long",
                .description = "buys on its first bar and holds",
                .params = {{"size", tandem::strategy::ParamType::kDouble, 0.5, "fraction"}},
                .min_instruments = 1,
                .max_instruments = 1,
                .create = [](tandem::strategy::StrategyConfig config)
                    -> std::unique_ptr<tandem::strategy::Strategy> {
                  return std::make_unique<AlwaysLong>(std::move(config));
                }});
}

}  // namespace

TANDEM_STRATEGY_PLUGIN(add_strategies)
