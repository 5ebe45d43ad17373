#include "backtest/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "backtest/account_id.h"
#include "backtest/market_state.h"
#include "backtest/run_info.h"
#include "backtest/time_slice_replay.h"
#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "core/error.h"
#include "market_data/bar_loader.h"

namespace tandem::backtest {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

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
                  "strategy");
    }
  }
  if (strategy->contracts().empty()) {
    throw Error("strategy trades no instrument", "strategy " + strategy->key());
  }
  slots_.push_back(std::make_unique<strategy::StrategySlot>(std::move(strategy), std::move(name)));
}

BacktestResult Engine::run() {
  if (ran_) throw Error("an Engine runs once", "backtest");
  ran_ = true;
  check_settings();
  order_strategies_by_key();

  const Clock::time_point load_start = Clock::now();
  // Bars first: nothing is created in the store if any are missing.
  MarketState market = load_market();
  // Routing preferences as live would read them when it starts (this run's own win).
  for (broker::StoredRouting& stored : broker::read_routings(store_)) {
    config_.routing.try_emplace(stored.strategy, std::move(stored.routing));
  }
  BacktestResult result;
  result.load_seconds = seconds_since(load_start);

  const Timestamp started_at = config_.started_at.value_or(now_utc());
  result.account_id =
      config_.account_id.empty() ? create_backtest_library(store_, started_at) : config_.account_id;
  RunInfo info;  // written with status "running" now, with the outcome at the end
  const std::vector<broker::EquityAllocation> allocations =
      create_account(result.account_id, started_at, market, info);

  broker::AccountRecorder recorder(account_library(result.account_id), config_.recorder);
  AccountSettings settings;
  settings.account_id = result.account_id;
  settings.initial_cash = config_.initial_cash;
  settings.fill_model = config_.fill_model;
  settings.commission = config_.commission;
  settings.slippage_bps = config_.slippage_bps;
  settings.fractional = config_.fractional;
  settings.exchange_time_zone = config_.exchange_time_zone;
  BacktestAccount account(settings, market, &recorder);
  bind_strategies(account, market, allocations);
  set_up_risk(account, result.account_id);
  account.start();

  TimeSliceReplay replay(market, account, slots_,
                         broker::TradingCalendar(config_.exchange_time_zone));
  result.initial_cash = config_.initial_cash;
  result.bars = replay.bar_count();
  result.first_bar = replay.first_bar();
  try {
    const Clock::time_point replay_start = Clock::now();
    result.last_bar = replay.run();
    account.hand_over_rows();
    result.replay_seconds = seconds_since(replay_start);
    const Clock::time_point flush_start = Clock::now();
    recorder.flush();
    result.flush_seconds = seconds_since(flush_start);
    result.trade_pnls = account.trade_pnls();
    // Last: only a run whose every row is stored is marked complete.
    info.status = RunStatus::kComplete;
    write_run_info(store_.existing_library(result.account_id), info);
  } catch (const std::exception& e) {
    std::string flush_problem;
    try {
      account.hand_over_rows();
      recorder.flush();
    } catch (const std::exception& flush_error) {
      flush_problem = std::string("; recording also failed: ") + flush_error.what();
    }
    try {
      info.status = RunStatus::kFailed;
      info.error = e.what() + flush_problem;
      write_run_info(store_.existing_library(result.account_id), info);
    } catch (const std::exception& status_error) {
      flush_problem += std::string("; marking the run failed also failed: ") + status_error.what();
    }
    const std::string where =
        "backtest " + result.account_id + " (its library holds what was recorded until then)";
    const auto* error = dynamic_cast<const Error*>(&e);
    throw Error(error != nullptr ? error->kind() : ErrorKind::Internal, e.what() + flush_problem,
                where);
  }
  return collect_results(account, allocations, std::move(result));
}

BacktestResult Engine::run_in_memory(const SharedBars& bars) {
  if (ran_) throw Error("an Engine runs once", "backtest");
  ran_ = true;
  check_settings();
  order_strategies_by_key();
  MarketState market = shared_market(bars);
  std::vector<broker::EquityAllocation> allocations;
  double weight_total = 0;
  for (const auto& slot : slots_) {
    auto weight = config_.weights.find(slot->key());
    if (weight == config_.weights.end()) {
      throw Error(ErrorKind::InvalidArgument,
                  "an in-memory run takes every allocation from its weights; none for '" +
                      slot->key() + "'",
                  "backtest");
    }
    weight_total += weight->second;
    allocations.push_back(broker::EquityAllocation{broker::EquityAllocation::Source::kTargetWeight,
                                                   0, weight->second, "weight"});
  }
  if (weight_total > 1 + 1e-9 && !config_.allow_leverage) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("the target weights add up to {:.6g}, more than the whole account",
                            weight_total),
                "weights");
  }
  AccountSettings settings;
  settings.account_id = "in-memory";
  settings.initial_cash = config_.initial_cash;
  settings.fill_model = config_.fill_model;
  settings.commission = config_.commission;
  settings.slippage_bps = config_.slippage_bps;
  settings.fractional = config_.fractional;
  settings.exchange_time_zone = config_.exchange_time_zone;
  BacktestAccount account(settings, market, nullptr);
  bind_strategies(account, market, allocations);
  account.start();
  TimeSliceReplay replay(market, account, slots_,
                         broker::TradingCalendar(config_.exchange_time_zone));
  BacktestResult result;
  result.initial_cash = config_.initial_cash;
  result.bars = replay.bar_count();
  result.first_bar = replay.first_bar();
  const Clock::time_point replay_start = Clock::now();
  result.last_bar = replay.run();
  account.hand_over_rows();
  result.replay_seconds = seconds_since(replay_start);
  result.trade_pnls = account.trade_pnls();
  return collect_results(account, allocations, std::move(result));
}

void Engine::check_settings() const {
  if (slots_.empty()) throw Error(ErrorKind::InvalidArgument, "no strategy to run", "backtest");
  if (config_.start && config_.end && *config_.start > *config_.end) {
    throw Error(ErrorKind::InvalidArgument,
                "setting start (" + format_timestamp(*config_.start) + ") is after setting end (" +
                    format_timestamp(*config_.end) + ")",
                "backtest");
  }
  if (!(config_.initial_cash > 0) || !std::isfinite(config_.initial_cash)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("initial cash must be positive, got {}", config_.initial_cash), "cash");
  }
  if (!(config_.slippage_bps >= 0 && config_.slippage_bps < 10'000)) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("slippage must be in [0, 10000) basis points, got {}", config_.slippage_bps),
        "slippage_bps");
  }
  std::set<std::string> keys;
  for (const auto& slot : slots_) keys.insert(slot->key());
  for (const auto* overrides : {&config_.weights, &config_.explicit_equity}) {
    for (const auto& [key, value] : *overrides) {
      if (keys.count(key) == 0) {
        throw Error(ErrorKind::InvalidArgument, "no strategy with key '" + key + "' in this run",
                    overrides == &config_.weights ? "weights" : "equity");
      }
    }
  }
  for (const auto& [key, weight] : config_.weights) {
    if (!(weight > 0 && weight <= 1)) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("weight of {} must be in (0, 1], got {}", key, weight), "weights");
    }
  }
}

// Strategies are called, registered with the account and reported in key order (keys are
// unique), so the order of --strategy flags changes nothing.
void Engine::order_strategies_by_key() {
  std::sort(slots_.begin(), slots_.end(),
            [](const auto& a, const auto& b) { return a->key() < b->key(); });
}

// Every instrument once, indexed in symbol order — the order of matching within a time slice
// and of every per-instrument loop of the account — read on two threads. When two strategies
// name one symbol, the contract of the first strategy in key order is used.
MarketState Engine::load_market() const {
  std::vector<Contract> contracts;
  std::set<std::string> seen;
  for (const auto& slot : slots_) {
    for (const Contract& contract : slot->strategy().contracts()) {
      if (seen.insert(contract.symbol).second) contracts.push_back(contract);
    }
  }
  std::sort(contracts.begin(), contracts.end(),
            [](const Contract& a, const Contract& b) { return a.symbol < b.symbol; });
  std::vector<std::string> symbols;
  for (const Contract& contract : contracts) symbols.push_back(contract.symbol);
  std::vector<BarSeries> bars =
      market_data::load_bars_of(store_, symbols, config_.bar_size, config_.start, config_.end, 2);
  MarketState market;
  for (std::size_t i = 0; i < contracts.size(); ++i) market.add(contracts[i], std::move(bars[i]));
  for (auto& slot : slots_) {
    for (const Contract& contract : slot->strategy().contracts()) {
      slot->instruments().push_back(*market.find(contract.symbol));
    }
  }
  return market;
}

// The shared bars of every instrument the strategies trade, indexed in symbol order as
// load_market() does; with the shared schedule when they trade every shared symbol.
MarketState Engine::shared_market(const SharedBars& bars) const {
  std::map<std::string, Contract> contracts;  // symbol order
  for (const auto& slot : slots_) {
    for (const Contract& contract : slot->strategy().contracts()) {
      contracts.emplace(contract.symbol, contract);
    }
  }
  MarketState market;
  for (const auto& [symbol, contract] : contracts) {
    auto shared = bars.instruments().find(symbol);
    if (shared == bars.instruments().end()) {
      throw Error(ErrorKind::NotFound, "no bars of " + symbol + " given to an in-memory run",
                  "backtest");
    }
    market.add(contract, shared->second.series);
  }
  // Both in symbol order: the same instruments have the same indices. A run of fewer symbols
  // merges its own schedule and reads the bars from the columns.
  if (contracts.size() == bars.instruments().size()) {
    market.set_schedule(bars.schedule(), bars.rows());
  }
  for (auto& slot : slots_) {
    for (const Contract& contract : slot->strategy().contracts()) {
      slot->instruments().push_back(*market.find(contract.symbol));
    }
  }
  return market;
}

// The run's explicit equities, each strategy's allocation and run_info, written into the new
// library `account_id`; on any error the library is deleted (no half-made account is left for a
// run that never started).
std::vector<broker::EquityAllocation> Engine::create_account(const std::string& account_id,
                                                             Timestamp started_at,
                                                             const MarketState& market,
                                                             RunInfo& info) {
  std::vector<broker::EquityAllocation> allocations;
  try {
    for (const auto& [key, amount] : config_.explicit_equity) {
      broker::set_explicit_equity(store_, account_id, key, amount, started_at);
    }
    double weight_total = 0;
    std::string weight_terms;
    for (auto& slot : slots_) {
      // The run's library is new, so no stored equity can be there: name the run's own settings.
      allocations.push_back(broker::resolve_equity_allocation(
          store_, account_id, slot->key(), config_.weights,
          fmt::format("give {0} an equity (setting equity) or a weight (setting weights) for this "
                      "run, or a target weight in general/strategies",
                      slot->key())));
      const broker::EquityAllocation& a = allocations.back();
      if (a.source == broker::EquityAllocation::Source::kTargetWeight) {
        weight_total += a.target_weight;
        weight_terms += fmt::format("{}{}={} ({})", weight_terms.empty() ? "" : ", ", slot->key(),
                                    a.target_weight, a.origin);
      }
    }
    if (weight_total > 1 + 1e-9 && !config_.allow_leverage) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("the target weights add up to {:.6g}, more than the whole account: "
                              "{}; lower them or allow leverage (setting allow_leverage)",
                              weight_total, weight_terms),
                  "weights");
    }
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
    try {
      store_.delete_library(account_id);
    } catch (const std::exception&) {
    }
    throw;
  }
  return allocations;
}

void Engine::set_up_risk(BacktestAccount& account, const std::string& account_id) {
  const std::vector<risk::LimitsRow> rows = risk::read_limits(store_);
  std::vector<risk::Limits> strategies;
  for (const auto& slot : slots_) {
    strategies.push_back(risk::find_limits(rows, risk::Scope::kStrategy, slot->key()));
  }
  account.set_risk_limits(
      config_.risk_account.empty()
          ? risk::Limits{}
          : risk::find_limits(rows, risk::Scope::kAccount, config_.risk_account),
      strategies, config_.risk_account);
  store::Library library = store_.existing_library(account_id);
  for (const risk::HaltRow& halt : config_.halts) risk::append_halt(library, halt);
  // The table, not the config: what the run honours is what its library holds.
  account.set_halts(risk::read_halts(library));
}

store::Library Engine::account_library(const std::string& account_id) const {
  store::Library library = store_.existing_library(account_id);
  if (store_.options().compression != store::Compression::kNone) {
    library = library.with_compression(config_.account_codec, config_.account_zstd_level);
  }
  return library;
}

// Registers each strategy with the account (its index there is its slot's) and binds its
// broker view.
void Engine::bind_strategies(BacktestAccount& account, const MarketState& market,
                             const std::vector<broker::EquityAllocation>& allocations) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const std::size_t index = account.add_strategy(slots_[i]->key(), allocations[i]);
    if (auto it = config_.routing.find(slots_[i]->key()); it != config_.routing.end()) {
      account.set_routing(index, it->second);
    }
    slots_[i]->bind(account, index, market);
  }
}

BacktestResult Engine::collect_results(const BacktestAccount& account,
                                       const std::vector<broker::EquityAllocation>& allocations,
                                       BacktestResult result) const {
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
