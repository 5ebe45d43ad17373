// StrategySlot: one strategy of a run as its runner holds it, in both modes — the backtest's
// engine and replay (backtest/engine.h, backtest/time_slice_replay.h) and the live session
// (live/live.h). It holds the strategy, its registry name, the source index of each of its
// instruments, its broker view (broker::AccountView over the run's account) and the source of
// its bars, and is the strategy's StrategyHost (broker(), history()). Its guarded() runs one
// callback, so a strategy's failure reads the same in both modes (docs/strategies.md).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/account_view.h"
#include "core/bar_series.h"
#include "core/time.h"
#include "strategy/strategy.h"

namespace tandem::strategy {

// Where a run keeps every instrument's bars seen so far, by the run's own instrument index:
// the backtest's MarketState (its market index), the live session's bar feeds (its instrument
// index). history(i) is instrument i's bars up to and including the latest one delivered.
class HistorySource {
 public:
  virtual ~HistorySource() = default;
  virtual BarHistory history(std::size_t instrument) const = 0;

 protected:
  HistorySource() = default;
  HistorySource(const HistorySource&) = default;
  HistorySource& operator=(const HistorySource&) = default;
};

class StrategySlot final : public StrategyHost {
 public:
  StrategySlot(std::unique_ptr<Strategy> strategy, std::string name)
      : strategy_(std::move(strategy)), name_(std::move(name)) {}

  // The strategy's StrategyHost: its broker view and its instruments' bars. history() of an
  // instrument the strategy does not trade is an InvalidArgument error naming the strategy.
  broker::Broker& broker() override { return *broker_; }
  BarHistory history(std::size_t instrument) const override;

  Strategy& strategy() { return *strategy_; }
  const Strategy& strategy() const { return *strategy_; }
  const std::string& key() const { return strategy_->key(); }
  const std::string& name() const { return name_; }
  // The source index (HistorySource) of each of its instruments, in the strategy's own order;
  // the runner fills it before bind().
  std::vector<std::size_t>& instruments() { return instruments_; }
  const std::vector<std::size_t>& instruments() const { return instruments_; }

  // Binds the slot to the run: the account registered the strategy under `index`; `histories`
  // holds the bars of every instrument. Attaches the strategy to this slot.
  void bind(broker::TradingAccount& account, std::size_t index, const HistorySource& histories) {
    broker_.emplace(account, index);
    histories_ = &histories;
    strategy_->attach(*this);
  }

  // Runs one callback (`callback` is its name, `time` the run's time: the bar's in a backtest,
  // the slice's or the server clock's live). An exception leaves it as a tandem::Error whose
  // place is "strategy KEY (CALLBACK) at TIME" — an Error keeps its kind and its own place
  // after that one, any other std::exception becomes an Internal error with its what().
  template <typename Callback>
  void guarded(const char* callback, Timestamp time, Callback&& call) {
    try {
      call();
    } catch (const std::exception&) {
      rethrow_within(callback, time);
    }
  }

 private:
  // Rethrows the exception being handled as guarded() describes; out of line and cold, so a
  // callback's call stays small.
  [[noreturn]] void rethrow_within(const char* callback, Timestamp time) const;

  std::unique_ptr<Strategy> strategy_;
  std::string name_;
  std::vector<std::size_t> instruments_;
  std::optional<broker::AccountView> broker_;
  const HistorySource* histories_ = nullptr;
};

}  // namespace tandem::strategy
