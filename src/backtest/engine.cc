#include "backtest/engine.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "backtest/account_id.h"
#include "backtest/backtest_broker.h"
#include "backtest/bar_loader.h"
#include "backtest/market_state.h"
#include "backtest/replay_schedule.h"
#include "backtest/run_info.h"
#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "core/error.h"

namespace tandem::backtest {

class Engine::StrategySlot : public strategy::StrategyHost {
 public:
  StrategySlot(std::unique_ptr<strategy::Strategy> strategy, std::string name)
      : strategy_(std::move(strategy)), name_(std::move(name)) {}

  broker::Broker& broker() override { return *broker_; }
  BarHistory history(std::size_t instrument) const override {
    if (instrument >= symbols_.size()) {
      throw Error(fmt::format("history({}) asked, but the strategy trades {} instrument(s)",
                              instrument, symbols_.size()),
                  "strategy " + strategy_->key());
    }
    return market_->history(symbols_[instrument]);
  }

  strategy::Strategy& strategy() { return *strategy_; }
  const std::string& key() const { return strategy_->key(); }
  const std::string& name() const { return name_; }
  std::vector<std::size_t>& symbols() { return symbols_; }

  void bind(BacktestAccount& account, const MarketState& market, std::size_t index) {
    market_ = &market;
    broker_ = std::make_unique<BacktestBroker>(account, market, index);
    strategy_->attach(*this);
  }

  // Runs one callback; an exception leaves it as a tandem::Error naming the strategy, the
  // callback and the replay time.
  template <typename Callback>
  void guarded(const char* callback, Timestamp time, Callback&& call) {
    try {
      call();
    } catch (const std::exception& e) {
      throw Error(e.what(),
                  fmt::format("strategy {} ({}) at {}", key(), callback, format_timestamp(time)));
    }
  }

 private:
  std::unique_ptr<strategy::Strategy> strategy_;
  std::string name_;
  std::vector<std::size_t> symbols_;  // market index of each of its instruments
  std::unique_ptr<BacktestBroker> broker_;
  const MarketState* market_ = nullptr;
};

namespace {}  // namespace

Engine::Engine(store::Store& store, BacktestConfig config)
    : store_(store), config_(std::move(config)) {}

Engine::~Engine() = default;

void Engine::add_strategy(std::unique_ptr<strategy::Strategy> strategy, std::string name) {
  if (!strategy) throw Error("no strategy given", "backtest");
  broker::validate_strategy_key(strategy->key());
  for (const auto& slot : slots_) {
    if (slot->key() == strategy->key()) {
      throw Error("two strategies share the key '" + strategy->key() +
                      "'; give one another key (NAME:SYMBOL@KEY)",
                  "--strategy");
    }
  }
  if (strategy->contracts().empty()) {
    throw Error("strategy trades no instrument", "strategy " + strategy->key());
  }
  slots_.push_back(std::make_unique<StrategySlot>(std::move(strategy), std::move(name)));
}

BacktestResult Engine::run() {
  if (ran_) throw Error("an Engine runs once", "backtest");
  ran_ = true;
  if (slots_.empty()) throw Error("no strategy to run", "backtest");
  if (config_.start && config_.end && *config_.start > *config_.end) {
    throw Error("--start " + format_timestamp(*config_.start) + " is after --end " +
                    format_timestamp(*config_.end),
                "backtest");
  }
  if (!(config_.initial_cash > 0) || !std::isfinite(config_.initial_cash)) {
    throw Error(fmt::format("initial cash must be positive, got {}", config_.initial_cash),
                "--cash");
  }
  if (!(config_.slippage_bps >= 0 && config_.slippage_bps < 10'000)) {
    throw Error(
        fmt::format("slippage must be in [0, 10000) basis points, got {}", config_.slippage_bps),
        "--slippage-bps");
  }
  std::set<std::string> keys;
  for (const auto& slot : slots_) keys.insert(slot->key());
  for (const auto* overrides : {&config_.weights, &config_.explicit_equity}) {
    for (const auto& [key, value] : *overrides) {
      if (keys.count(key) == 0) {
        throw Error("no strategy with key '" + key + "' in this run",
                    overrides == &config_.weights ? "--weight" : "--equity");
      }
    }
  }
  for (const auto& [key, weight] : config_.weights) {
    if (!(weight > 0 && weight <= 1)) {
      throw Error(fmt::format("weight of {} must be in (0, 1], got {}", key, weight), "--weight");
    }
  }

  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const Clock::time_point load_start = Clock::now();
  // Bars first: nothing is created in the store if any are missing.
  MarketState market;
  {
    // Every instrument once, in the order first named, read on two threads.
    std::vector<Contract> contracts;
    std::vector<std::string> symbols;
    std::set<std::string> seen;
    for (auto& slot : slots_) {
      for (const Contract& contract : slot->strategy().contracts()) {
        if (seen.insert(contract.symbol).second) {
          contracts.push_back(contract);
          symbols.push_back(contract.symbol);
        }
      }
    }
    std::vector<BarSeries> bars =
        load_bars_of(store_, symbols, config_.bar_size, config_.start, config_.end, 2);
    for (std::size_t i = 0; i < contracts.size(); ++i) market.add(contracts[i], std::move(bars[i]));
    for (auto& slot : slots_) {
      for (const Contract& contract : slot->strategy().contracts()) {
        slot->symbols().push_back(*market.find(contract.symbol));
      }
    }
  }

  const double load_seconds = seconds_since(load_start);
  const Timestamp started_at = config_.started_at.value_or(now_utc());
  const std::string account_id = create_backtest_library(store_, started_at);
  std::vector<broker::EquityAllocation> allocations;
  try {
    for (const auto& [key, amount] : config_.explicit_equity) {
      broker::set_explicit_equity(store_, account_id, key, amount, started_at);
    }
    for (auto& slot : slots_) {
      // The run's library is new, so `tandem alloc equity` cannot reach it: name the flags.
      allocations.push_back(broker::resolve_equity_allocation(
          store_, account_id, slot->key(), config_.weights,
          fmt::format("give one with --equity {0}=AMOUNT or --weight {0}=W (or `tandem alloc set "
                      "{0} WEIGHT` in general/strategies)",
                      slot->key())));
    }
    RunInfo info;
    info.account_id = account_id;
    info.started_at = started_at;
    info.config = &config_;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      RunInfo::Strategy entry;
      entry.key = slots_[i]->key();
      entry.name = slots_[i]->name();
      for (const Contract& contract : slots_[i]->strategy().contracts()) {
        entry.symbols.push_back(contract.symbol);
      }
      entry.params = &slots_[i]->strategy().params();
      entry.allocation = allocations[i];
      info.strategies.push_back(std::move(entry));
    }
    info.first_bar = INT64_MAX;
    info.last_bar = INT64_MIN;
    for (std::size_t i = 0; i < market.size(); ++i) {
      info.first_bar = std::min(info.first_bar, market.series(i).time.front());
      info.last_bar = std::max(info.last_bar, market.series(i).time.back());
    }
    write_run_info(store_.existing_library(account_id), info);
  } catch (...) {
    // Leave no half-made account behind for a run that never started.
    try {
      store_.delete_library(account_id);
    } catch (const std::exception&) {
    }
    throw;
  }

  store::Library account_library = store_.existing_library(account_id);
  if (store_.options().compression != store::Compression::kNone) {
    account_library =
        account_library.with_compression(config_.account_codec, config_.account_zstd_level);
  }
  broker::AccountRecorder recorder(std::move(account_library), config_.recorder);
  AccountSettings settings;
  settings.account_id = account_id;
  settings.initial_cash = config_.initial_cash;
  settings.fill_model = config_.fill_model;
  settings.commission = config_.commission;
  settings.slippage_bps = config_.slippage_bps;
  settings.fractional = config_.fractional;
  BacktestAccount account(settings, market, recorder);
  // Which strategies (slot, instrument) each market instrument feeds.
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> subscribers(market.size());
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    std::size_t index = account.add_strategy(slots_[i]->key(), allocations[i]);
    slots_[i]->bind(account, market, index);
    for (std::size_t instrument = 0; instrument < slots_[i]->symbols().size(); ++instrument) {
      subscribers[slots_[i]->symbols()[instrument]].emplace_back(i, instrument);
    }
  }
  const std::vector<std::uint32_t> schedule = merge_schedule(market);
  std::size_t event_count = schedule.size();
  if (market.size() == 1) event_count = market.series(0).size();
  // The instrument of the event-th bar of the replay.
  auto instrument_at = [&schedule](std::size_t event) -> std::size_t {
    return schedule.empty() ? 0 : schedule[event];
  };
  account.start();

  std::vector<StrategyNotice> notices;
  auto deliver_notices = [&] {
    while (account.has_notices()) {
      account.take_notices(notices);
      for (const StrategyNotice& notice : notices) {
        StrategySlot& slot = *slots_[notice.strategy];
        if (notice.fill_index) {
          slot.guarded("on_fill", market.now(), [&] {
            slot.strategy().on_fill(*notice.trade, notice.trade->fills[*notice.fill_index]);
          });
        } else {
          slot.guarded("on_order_status", market.now(),
                       [&] { slot.strategy().on_order_status(*notice.trade); });
        }
      }
    }
  };
  auto settle_step = [&] {
    while (account.has_new_orders() || account.has_notices()) {
      account.process_new_orders();
      deliver_notices();
    }
  };

  BacktestResult result;
  result.load_seconds = load_seconds;
  const Clock::time_point replay_start = Clock::now();
  result.account_id = account_id;
  result.initial_cash = config_.initial_cash;
  result.bars = event_count;
  result.first_bar = market.series(instrument_at(0)).time.front();
  try {
    market.set_now(result.first_bar);
    for (auto& slot : slots_) {
      slot->guarded("on_start", market.now(), [&] { slot->strategy().on_start(); });
    }
    settle_step();

    std::int64_t current_day = INT64_MIN;
    Timestamp last_time = result.first_bar;
    std::size_t event = 0;
    while (event < event_count) {
      const Timestamp time =
          market.series(instrument_at(event)).time[market.delivered(instrument_at(event))];
      const std::int64_t day = utc_day_number(time);
      if (day != current_day) {
        if (current_day != INT64_MIN) account.end_day(last_time);
        current_day = day;
      }
      market.set_now(time);
      do {
        const std::size_t symbol = instrument_at(event);
        const Bar bar = market.series(symbol).at(market.delivered(symbol));
        account.open_bar(symbol, bar);
        if (account.has_notices()) deliver_notices();
        market.mark_delivered(symbol);
        for (const auto& [slot_index, instrument] : subscribers[symbol]) {
          StrategySlot& slot = *slots_[slot_index];
          const strategy::BarEvent bar_event{instrument, market.contract(symbol), bar,
                                             market.history(symbol)};
          slot.guarded("on_bar", time, [&] { slot.strategy().on_bar(bar_event); });
        }
        ++event;
      } while (event < event_count &&
               market.series(instrument_at(event)).time[market.delivered(instrument_at(event))] ==
                   time);
      if (account.has_new_orders() || account.has_notices()) settle_step();
      last_time = time;
    }
    account.end_day(last_time);
    account.hand_over_rows();
    result.last_bar = last_time;
    for (auto& slot : slots_) {
      slot->guarded("on_stop", market.now(), [&] { slot->strategy().on_stop(); });
    }
    result.replay_seconds = seconds_since(replay_start);
    const Clock::time_point flush_start = Clock::now();
    recorder.flush();
    result.flush_seconds = seconds_since(flush_start);
  } catch (const std::exception& e) {
    std::string flush_problem;
    try {
      account.hand_over_rows();
      recorder.flush();
    } catch (const std::exception& flush_error) {
      flush_problem = std::string("; recording also failed: ") + flush_error.what();
    }
    throw Error(e.what() + flush_problem,
                "backtest " + account_id + " (its library holds what was recorded until then)");
  }

  result.final_cash = account.cash();
  result.orders = account.orders_placed();
  result.fills = account.fills();
  result.round_trips = account.round_trips();
  result.open_orders = account.open_order_count();
  result.filled_orders = account.orders_ended(OrderStatus::kFilled);
  result.rejected_orders = account.orders_ended(OrderStatus::kInactive);
  result.cancelled_orders = account.orders_ended(OrderStatus::kCancelled);
  result.commission = account.commission_paid();
  result.daily = account.daily_equity();
  result.summary = summarize(result.daily, config_.initial_cash, result.first_bar);
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    StrategyResult entry;
    entry.key = slots_[i]->key();
    entry.name = slots_[i]->name();
    entry.allocation_origin = allocations[i].origin;
    entry.capital = account.capital(i);
    entry.final_equity = account.performance_equity(i);
    entry.round_trips = account.round_trips(i);
    entry.commission = account.book(i).commission();
    result.strategies.push_back(std::move(entry));
  }
  return result;
}

}  // namespace tandem::backtest
