// buy_and_hold: buy once at the start, hold to the end — the benchmark every strategy must beat.
#include <string>
#include <vector>

#include "strategy/examples.h"
#include "strategy/sizing.h"

namespace tandem::strategy {
namespace {

class BuyAndHold : public Strategy {
 public:
  explicit BuyAndHold(StrategyConfig config)
      : Strategy(std::move(config)),
        size_(params().real("size")),
        attempted_(contracts().size(), false) {
    if (!(size_ > 0 && size_ <= 1)) {
      throw Error("size must be in (0, 1], got " + std::to_string(size_), "strategy buy_and_hold");
    }
  }

  void on_bar(const BarEvent& event) override {
    if (attempted_[event.instrument]) return;
    attempted_[event.instrument] = true;
    // One order per instrument, each for an equal share of `size` (capped at the available
    // funds); a rejected order is not retried, so the run shows the rejection.
    double share = size_ / static_cast<double>(contracts().size());
    buy_capped(broker(), event.contract, share, event.bar.close);
  }

 private:
  double size_;
  std::vector<bool> attempted_;
};

}  // namespace

StrategyDefinition buy_and_hold_definition() {
  return StrategyDefinition{
      .name = "buy_and_hold",
      .description = "buys on its first bar and holds to the end",
      .params = {{"size", ParamType::kDouble, 0.99,
                  "fraction of the strategy's equity to invest, split over its instruments"}},
      .min_instruments = 1,
      .max_instruments = 1000,
      .create = [](StrategyConfig config) -> std::unique_ptr<Strategy> {
        return std::make_unique<BuyAndHold>(std::move(config));
      },
  };
}

}  // namespace tandem::strategy
