// A strategy plugin for plugin_test: "always_long" buys `size` of its equity on its first bar
// (size > 1 is refused by its constructor, inside the plugin).
#include <memory>

#include "strategy/plugin.h"

namespace {

class AlwaysLong : public tandem::strategy::Strategy {
 public:
  explicit AlwaysLong(tandem::strategy::StrategyConfig config) : Strategy(std::move(config)) {
    // Thrown inside the plugin, caught by the command as its own error type.
    if (params().real("size") > 1) {
      throw tandem::Error(tandem::ErrorKind::InvalidArgument, "size must be at most 1",
                          "strategy always_long");
    }
  }
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
