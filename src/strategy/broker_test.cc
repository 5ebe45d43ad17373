// broker_test: the end-to-end check of a broker. It places two market orders on its first bar —
// one sized as a fraction of equity, one with an explicit quantity — and fails the run at the end
// unless both filled. Used by the backtest and live integration tests.
#include <string>

#include "strategy/examples.h"

namespace tandem::strategy {
namespace {

class BrokerTest : public Strategy {
 public:
  explicit BrokerTest(StrategyConfig config)
      : Strategy(std::move(config)),
        size_(params().real("size")),
        quantity_(params().integer("quantity")) {
    if (!(size_ > 0 && size_ <= 1)) {
      throw Error("size must be in (0, 1], got " + std::to_string(size_), "strategy broker_test");
    }
    if (quantity_ < 1) {
      throw Error("quantity must be at least 1, got " + std::to_string(quantity_),
                  "strategy broker_test");
    }
  }

  void on_bar(const BarEvent& event) override {
    if (placed_) return;
    placed_ = true;
    sized_ = broker().place_order(event.contract, market_order(Action::kBuy), size_);
    explicit_ = broker().place_order(event.contract,
                                     market_order(Action::kBuy, static_cast<double>(quantity_)));
  }

  void on_stop() override {
    if (!placed_) throw Error("no bar arrived, so no order was placed", "strategy broker_test");
    std::string problems;
    for (const broker::TradeHandle& trade : {sized_, explicit_}) {
      if (trade->state.status == OrderStatus::kFilled) continue;
      problems += (problems.empty() ? "" : "; ") + std::string("order ") +
                  std::to_string(trade->order.order_id) + " ended " +
                  std::string(order_status_name(trade->state.status));
      if (!trade->log.empty() && !trade->log.back().message.empty()) {
        problems += " (" + trade->log.back().message + ")";
      }
    }
    if (!problems.empty())
      throw Error("not both orders filled: " + problems, "strategy broker_test");
  }

 private:
  double size_;
  std::int64_t quantity_;
  bool placed_ = false;
  broker::TradeHandle sized_;
  broker::TradeHandle explicit_;
};

}  // namespace

StrategyDefinition broker_test_definition() {
  return StrategyDefinition{
      .name = "broker_test",
      .description = "places two market buys on its first bar and checks both fill",
      .params = {{"size", ParamType::kDouble, 0.1, "fraction of equity for the first order"},
                 {"quantity", ParamType::kInt, std::int64_t{1}, "shares of the second order"}},
      .min_instruments = 1,
      .max_instruments = 1,
      .create = [](StrategyConfig config) -> std::unique_ptr<Strategy> {
        return std::make_unique<BrokerTest>(std::move(config));
      },
  };
}

}  // namespace tandem::strategy
