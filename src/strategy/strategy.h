// The strategy API: a strategy is written once against this header and runs unchanged in a
// backtest (backtest::Engine) and live (the IB runner). It reacts to callbacks, trades through
// broker() (broker/broker.h) and reads the bars seen so far through history() — there is no way
// to reach a bar after the current one.
//
//   class MyStrategy : public tandem::strategy::Strategy {
//    public:
//     using Strategy::Strategy;
//     void on_bar(const BarEvent& event) override {
//       if (event.history.size() >= 2 && event.bar.close > event.history.ago(1).close &&
//           broker().position(event.contract) == 0) {
//         broker().place_order(event.contract, tandem::market_order(tandem::Action::kBuy), 0.5);
//       }
//     }
//   };
//
// Register it with a StrategyRegistry (strategy/registry.h) to run it by name.
//
// Callbacks run one at a time on the runner's thread, in event order; a strategy never sees a
// thread or needs a lock. An exception thrown from a callback stops the run with that error.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "core/bar_series.h"
#include "core/domain.h"
#include "strategy/params.h"

namespace tandem::strategy {

// What a strategy instance is bound to.
struct StrategyConfig {
  std::string key;                  // order_ref and KEY of strategy_{KEY}_*; unique per account
  std::vector<Contract> contracts;  // the instruments it trades, in the order it gave them
  std::string bar_size = "1d";      // "1d", "1min", ...
  Params params;
};

// One new bar of one of the strategy's instruments.
struct BarEvent {
  std::size_t instrument = 0;  // index into contracts()
  const Contract& contract;
  const Bar& bar;
  BarHistory history;  // this instrument's bars up to and including `bar`
};

// The runner's side of a strategy: implemented by the backtest engine and the live runner.
class StrategyHost {
 public:
  virtual ~StrategyHost() = default;
  virtual broker::Broker& broker() = 0;
  // Bars of the strategy's instrument `instrument` up to and including the latest one delivered.
  virtual BarHistory history(std::size_t instrument) const = 0;
};

class Strategy {
 public:
  explicit Strategy(StrategyConfig config) : config_(std::move(config)) {}
  virtual ~Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;

  // Before the first bar; broker() is usable (e.g. to read equity()).
  virtual void on_start() {}
  // A bar closed. Orders placed here are handled after this call returns.
  virtual void on_bar(const BarEvent& event) = 0;
  // A status change of one of this strategy's orders (Submitted, Filled, Cancelled, Inactive).
  virtual void on_order_status(const Trade& /*trade*/) {}
  // An execution of one of this strategy's orders, with its commission; trade.state is current.
  virtual void on_fill(const Trade& /*trade*/, const Fill& /*fill*/) {}
  // After the last bar (or on shutdown live). Throwing here reports a failed run.
  virtual void on_stop() {}

  const std::string& key() const { return config_.key; }
  const std::vector<Contract>& contracts() const { return config_.contracts; }
  const std::string& bar_size() const { return config_.bar_size; }
  const Params& params() const { return config_.params; }

  // Called by the runner before on_start; the host outlives the run.
  void attach(StrategyHost& host) { host_ = &host; }

 protected:
  // The broker, from on_start to on_stop; throws tandem::Error outside a run.
  broker::Broker& broker() const {
    if (host_ == nullptr) throw Error("broker() used before the strategy was started", key());
    return host_->broker();
  }
  // Bars of instrument `instrument` seen so far (the current one included).
  BarHistory history(std::size_t instrument = 0) const {
    if (host_ == nullptr) throw Error("history() used before the strategy was started", key());
    return host_->history(instrument);
  }

 private:
  StrategyConfig config_;
  StrategyHost* host_ = nullptr;
};

}  // namespace tandem::strategy
