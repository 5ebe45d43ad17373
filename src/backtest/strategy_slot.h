// StrategySlot: one strategy of a backtest as the engine holds it — the strategy, its registry
// name, the market index of each of its instruments, and its broker view. It is the strategy's
// StrategyHost (broker(), history()).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backtest/backtest_account.h"
#include "backtest/backtest_broker.h"
#include "backtest/market_state.h"
#include "core/error.h"
#include "strategy/strategy.h"

namespace tandem::backtest {

class StrategySlot : public strategy::StrategyHost {
 public:
  StrategySlot(std::unique_ptr<strategy::Strategy> strategy, std::string name)
      : strategy_(std::move(strategy)), name_(std::move(name)) {}

  broker::Broker& broker() override { return *broker_; }
  BarHistory history(std::size_t instrument) const override {
    if (instrument >= symbols_.size()) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("history({}) asked, but the strategy trades {} instrument(s)",
                              instrument, symbols_.size()),
                  "strategy " + strategy_->key());
    }
    return market_->history(symbols_[instrument]);
  }

  strategy::Strategy& strategy() { return *strategy_; }
  const std::string& key() const { return strategy_->key(); }
  const std::string& name() const { return name_; }
  // The market index of each of its instruments, in the strategy's own order.
  std::vector<std::size_t>& symbols() { return symbols_; }
  const std::vector<std::size_t>& symbols() const { return symbols_; }

  void bind(BacktestAccount& account, const MarketState& market, std::size_t index) {
    market_ = &market;
    broker_ = std::make_unique<BacktestBroker>(account, market, index);
    strategy_->attach(*this);
  }

  // Runs one callback; an exception leaves it as a tandem::Error naming the strategy, the
  // callback and the replay time (an Error keeps its kind).
  template <typename Callback>
  void guarded(const char* callback, Timestamp time, Callback&& call) {
    try {
      call();
    } catch (const Error& e) {
      throw e.within(
          fmt::format("strategy {} ({}) at {}", key(), callback, format_timestamp(time)));
    } catch (const std::exception& e) {
      throw Error(ErrorKind::Internal, e.what(),
                  fmt::format("strategy {} ({}) at {}", key(), callback, format_timestamp(time)));
    }
  }

 private:
  std::unique_ptr<strategy::Strategy> strategy_;
  std::string name_;
  std::vector<std::size_t> symbols_;
  std::unique_ptr<BacktestBroker> broker_;
  const MarketState* market_ = nullptr;
};

}  // namespace tandem::backtest
