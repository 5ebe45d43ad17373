// sma_cross: the classic moving-average crossover, long only.
//
// Rules (exact, relied on by tests/backtest/sma_cross_hand_checked_test.cc):
// - On every bar, push the close into the fast and slow simple moving averages.
// - A cross needs the averages on this bar and on the previous bar: no trade before both exist.
// - Cross above: previous fast <= previous slow and fast > slow. If the strategy is flat and has
//   no order working, buy `size` of its equity at market — capped at what 99 % of the account's
//   available funds buy (strategy/sizing.h), and skipped when that is not even one share.
// - Cross below: previous fast >= previous slow and fast < slow. If it holds shares and has no
//   order working, sell the whole position at market.
#include <string>

#include "strategy/examples.h"
#include "strategy/moving_average.h"
#include "strategy/sizing.h"

namespace tandem::strategy {
namespace {

class SmaCross : public Strategy {
 public:
  explicit SmaCross(StrategyConfig config)
      : Strategy(std::move(config)),
        fast_(checked_window("fast")),
        slow_(checked_window("slow")),
        size_(params().real("size")) {
    if (fast_.window() >= slow_.window()) {
      throw Error("fast (" + std::to_string(fast_.window()) + ") must be shorter than slow (" +
                      std::to_string(slow_.window()) + ")",
                  "strategy sma_cross");
    }
    if (!(size_ > 0 && size_ <= 1)) {
      throw Error("size must be in (0, 1], got " + std::to_string(size_), "strategy sma_cross");
    }
  }

  void on_bar(const BarEvent& event) override {
    const double close = event.bar.close;
    fast_.push(close);
    // Each average is read right after its own push. Read after both, the two sums were loaded
    // as one 16-byte vector over the two 8-byte stores just made — a load the CPU cannot
    // forward from those stores, which stalled every bar (a third of this function's time).
    const double fast = fast_.value();
    slow_.push(close);
    if (!slow_.ready()) return;  // the slow window is the longer one: fast is ready too
    const double slow = slow_.value();
    // The crosses are decided before any broker call, without a branch on the averages: a
    // sweep runs one instance per symbol in turn, so a branch on whether fast <= slow sees the
    // symbols' unrelated trends one after another and was mispredicted on about every other bar
    // (valgrind --branch-sim, BENCHMARKS.md "Sweeps"). The comparisons are combined with & so
    // the only branch left is the rare cross. The previous bar is kept as the results of its
    // two comparisons (all the rules read of it; both false before the first bar, like NaN).
    const bool above = was_at_or_below_ & (fast > slow);
    const bool below = was_at_or_above_ & (fast < slow);
    was_at_or_below_ = fast <= slow;
    was_at_or_above_ = fast >= slow;
    if (!(above | below) || order_working_) return;
    trade(event, above);
  }

  void on_order_status(const Trade& trade) override {
    if (trade.is_done()) order_working_ = false;
  }

 private:
  // A cross with no order working: buy when flat (above), sell the position (below). Out of
  // line, so that on_bar — every bar, a cross on a few in a hundred — saves no registers and
  // keeps no stack frame for the broker calls.
  [[gnu::noinline]] void trade(const BarEvent& event, bool above) {
    if (above) {
      if (broker().position(event.contract) == 0) {
        order_working_ = buy_capped(broker(), event.contract, size_, event.bar.close) != nullptr;
      }
    } else {
      double held = broker().position(event.contract);
      if (held > 0) {
        broker().place_order(event.contract, market_order(Action::kSell, held));
        order_working_ = true;
      }
    }
  }

  std::size_t checked_window(std::string_view name) const {
    std::int64_t window = params().integer(name);
    if (window < 1 || window > 1'000'000) {
      throw Error(std::string(name) + " must be in [1, 1000000], got " + std::to_string(window),
                  "strategy sma_cross");
    }
    return static_cast<std::size_t>(window);
  }

  SimpleMovingAverage fast_;
  SimpleMovingAverage slow_;
  double size_;
  // previous fast <= previous slow, and >=: false before the first pair of averages.
  bool was_at_or_below_ = false;
  bool was_at_or_above_ = false;
  bool order_working_ = false;
};

}  // namespace

StrategyDefinition sma_cross_definition() {
  return StrategyDefinition{
      .name = "sma_cross",
      .description =
          "long when the fast SMA of closes crosses above the slow one, flat when it "
          "crosses below",
      .params = {{"fast", ParamType::kInt, std::int64_t{10}, "bars in the fast average"},
                 {"slow", ParamType::kInt, std::int64_t{30}, "bars in the slow average"},
                 {"size", ParamType::kDouble, 0.95, "fraction of the strategy's equity to buy"}},
      .min_instruments = 1,
      .max_instruments = 1,
      .create = [](StrategyConfig config) -> std::unique_ptr<Strategy> {
        return std::make_unique<SmaCross>(std::move(config));
      },
  };
}

}  // namespace tandem::strategy
