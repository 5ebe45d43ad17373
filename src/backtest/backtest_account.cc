#include "backtest/backtest_account.h"

#include <algorithm>
#include <cmath>

#include "broker/daily_rows.h"
#include "broker/order_rules.h"
#include "broker/order_sizing.h"
#include "core/error.h"
#include "core/tolerance.h"
#include "exchange/cash_account.h"

namespace tandem::backtest {
namespace {

// Rows for the recorder are handed over in batches of about this many (one lock and a few
// recycled vectors per batch instead of per row or per day).
constexpr std::size_t kRowsPerHandOver = 4096;

// Gives `to` the buffer of `from` when that is the larger one (a heap buffer, where `to` has
// only its inline one); the contents of both are then unspecified. Strings that fit inline
// are left alone: swapping them would only copy bytes.
void take_buffer(std::string& to, std::string& from) {
  if (from.capacity() > to.capacity()) to.swap(from);
}

}  // namespace

BacktestAccount::BacktestAccount(AccountSettings settings, const MarketState& market,
                                 broker::AccountRecorder* recorder)
    : settings_(std::move(settings)),
      market_(market),
      core_(account::CoreSettings{.account = settings_.account_id,
                                  .fractional = settings_.fractional,
                                  .recorder = recorder,
                                  .rows_per_hand_over = kRowsPerHandOver,
                                  .record_orders = true,
                                  .log = {}}),
      venue_(SimulatedVenueSettings{settings_.fill_model, settings_.slippage_bps,
                                    settings_.commission, settings_.account_id, settings_.currency,
                                    settings_.exchange_time_zone},
             market, *this),
      ledger_(settings_.initial_cash, market.size(), settings_.currency) {}

std::size_t BacktestAccount::add_strategy(std::string key, broker::EquityAllocation allocation) {
  const std::size_t index = core_.add_strategy(std::move(key), std::move(allocation));
  caches_.emplace_back().holding_by_symbol.assign(market_.size(), nullptr);
  return index;
}

void BacktestAccount::start() {
  core_.start(total_equity(), [this](const std::string& symbol) { return holding_price(symbol); });
}

std::size_t BacktestAccount::symbol_index(const Contract& contract, std::string_view where) const {
  if (auto index = market_.find(contract)) return *index;
  std::string known;
  for (std::size_t i = 0; i < market_.size() && i < 20; ++i) {
    known += (i == 0 ? "" : ", ") + market_.contract(i).symbol;
  }
  throw Error("unknown contract '" + contract.symbol + "': not an instrument of this backtest (" +
                  known + ")",
              std::string(where));
}

double BacktestAccount::last_price(const Contract& contract, std::string_view where) const {
  std::size_t symbol = symbol_index(contract, where);
  if (!market_.has_price(symbol)) {
    throw Error("no price for '" + contract.symbol + "' yet: none of its bars has arrived",
                std::string(where));
  }
  return market_.last_close(symbol);
}

double BacktestAccount::strategy_equity(std::size_t strategy) const {
  return core_.strategy_equity(strategy, total_equity());
}

void BacktestAccount::match_resting(std::size_t symbol, const Bar& bar) {
  venue_.open_bar(symbol, bar);
  venue_.deliver();
}

void BacktestAccount::fill(const broker::VenueFill& fill) {
  FillSide side{*this};
  core_.book_fill(fill, side);
}

std::optional<std::string> BacktestAccount::FillSide::refusal(std::size_t strategy,
                                                              const broker::OrderEntry* entry,
                                                              const Fill& fill,
                                                              const Contract& contract) const {
  if (entry == nullptr) {
    throw Error(ErrorKind::Internal,
                "the simulated venue filled order " + std::to_string(fill.execution.order_id) +
                    ", which this account never placed",
                "backtest account");
  }
  // The book's quantity of the contract's symbol (the contract of entry->instrument).
  const broker::PositionBook::Holding* before =
      account.caches_[strategy].holding_by_symbol[entry->instrument];
  const exchange::CashAccountFill check = exchange::cash_account_fill(
      fill, contract, account.ledger_.cash(), before != nullptr ? before->quantity : 0.0,
      account.core_.key(strategy));
  if (!exchange::cash_account_refuses(check)) return std::nullopt;
  return exchange::cash_account_refusal(check);
}

const broker::PositionBook::Holding* BacktestAccount::FillSide::booked(
    std::size_t strategy, const broker::OrderEntry* entry, const Fill& fill,
    const Contract& contract) {
  const double sign = fill.execution.side == Action::kBuy ? 1.0 : -1.0;
  const double shares = fill.execution.shares;
  const double value = shares * fill.execution.price * contract.multiplier;
  account.ledger_.book(entry->instrument, sign * shares,
                       -(sign * value + fill.commission_report.commission));
  StrategyCaches& caches = account.caches_[strategy];
  const broker::PositionBook::Holding*& known = caches.holding_by_symbol[entry->instrument];
  if (known == nullptr) known = account.core_.strategy(strategy).book.find(contract.symbol);
  const broker::PositionBook::Holding* holding = known;
  if (account.ledger_.add_holder(entry->instrument, strategy, holding)) {
    // Kept in the book's order, so that sums over it add up exactly as over book.holdings().
    auto at = std::lower_bound(caches.held.begin(), caches.held.end(), contract.symbol,
                               [this](const HeldSymbol& h, const std::string& symbol) {
                                 return account.market_.contract(h.symbol).symbol < symbol;
                               });
    caches.held.insert(at, HeldSymbol{entry->instrument, holding});
  }
  return holding;
}

void BacktestAccount::FillSide::reuse_buffers(Fill& fill) {
  // The fill is made in place in its trade's fills (moving a Fill copies its eleven strings'
  // bytes), with the heap buffers of a released trade's fill (new_trade()) for its strings
  // longer than a std::string holds inline — exec ids, account, key, symbol — which are then
  // assigned without allocating.
  FillStrings& spare = account.spare_fill_strings_;
  take_buffer(fill.execution.exec_id, spare.exec_id);
  take_buffer(fill.commission_report.exec_id, spare.commission_exec_id);
  take_buffer(fill.execution.account, spare.account);
  take_buffer(fill.execution.order_ref, spare.order_ref);
  take_buffer(fill.contract.symbol, spare.symbol);
}

namespace {
[[noreturn]] void not_from_simulated_venue(const char* call) {
  throw Error(ErrorKind::Internal,
              std::string("the simulated venue reports no ") + call +
                  "; a backtest account's funds are its own cash ledger",
              "backtest account");
}
}  // namespace

// The core handles the venue's order events, executions to claim and late commissions for
// either mode; the simulated venue sends none of these, but a call is handled as live handles
// it.
void BacktestAccount::order_reported(std::int64_t order_id) { core_.order_reported(order_id); }
void BacktestAccount::order_open(const broker::VenueOrder& order) {
  core_.order_open(order, market_.now());
}
void BacktestAccount::order_completed(const broker::VenueCompleted& completed) {
  core_.order_completed(completed, market_.now());
}
bool BacktestAccount::execution_arrived(Fill& fill) {
  return core_.execution_arrived(
      fill, [this](std::size_t, const std::string& symbol) -> std::optional<account::Instrument> {
        const std::optional<std::size_t> index = market_.find(symbol);
        if (!index) return std::nullopt;
        return account::Instrument{*index, &market_.contract(*index)};
      });
}
void BacktestAccount::late_commission(const CommissionReport& report) {
  core_.late_commission(report, market_.now());
}
void BacktestAccount::order_error(const broker::VenueError& error) {
  core_.order_error(error, market_.now());
}
void BacktestAccount::account_value(const AccountValue&) {
  not_from_simulated_venue("account_value");
}
void BacktestAccount::holding(const broker::VenueHolding&) { not_from_simulated_venue("holding"); }

void BacktestAccount::take_notices(std::vector<StrategyNotice>& out) { core_.take_notices(out); }

std::optional<double> BacktestAccount::holding_price(const std::string& symbol) const {
  std::optional<std::size_t> index = market_.find(symbol);
  if (index && market_.has_price(*index)) return market_.last_close(*index);
  return std::nullopt;  // marked at its average cost (broker/daily_rows.h)
}

double BacktestAccount::performance_equity(std::size_t strategy) const {
  return core_.performance_equity(
      strategy, [this](const std::string& symbol) { return holding_price(symbol); });
}

std::vector<Position> BacktestAccount::positions(std::size_t strategy) const {
  return core_.positions(strategy, [this](const std::string& symbol) -> const Contract& {
    return market_.contract(*market_.find(symbol));
  });
}

double BacktestAccount::position(std::size_t strategy, const Contract& contract) const {
  // The book's quantity of contract.symbol: the symbol of the instrument found.
  const broker::PositionBook::Holding* holding =
      caches_[strategy]
          .holding_by_symbol[symbol_index(contract, core_.strategy(strategy).position_where)];
  return holding != nullptr ? holding->quantity : 0.0;
}

std::vector<broker::TradeHandle> BacktestAccount::open_trades(std::size_t strategy) const {
  return core_.open_trades(strategy);
}

std::size_t BacktestAccount::open_order_count() const {
  // Per strategy from the registry's lists of orders not yet known to be finished, rather than
  // over every order of the run: an order leaves its list only once done, and a backtest never
  // gives a finished order's entry a working trade again.
  std::size_t count = 0;
  for (std::size_t strategy = 0; strategy < core_.strategy_count(); ++strategy) {
    count += core_.orders().open_count(strategy);
  }
  return count;
}

std::vector<AccountValue> BacktestAccount::account_values() const {
  return core_.account_values(ledger_.snapshot(market_),
                              [this](const std::string& symbol) { return holding_price(symbol); });
}

void BacktestAccount::end_day(Timestamp time) {
  // In memory (a sweep's runs) no row is kept, so only the day's net liquidation — the
  // account_summary row's figure — is made.
  if (!core_.recording()) {
    daily_.push_back(DailyEquity{time, total_equity()});
    release_finished_trades();
    return;
  }
  // The snapshot's NetLiquidation is total_equity(): the day's equity taken from it, not
  // summed over the open positions a second time.
  const account::FundsSnapshot funds = ledger_.snapshot(market_);
  core_.end_day(
      time, funds, [&](auto&& add) { ledger_.portfolio_rows(time, market_, add); },
      [&](std::size_t index) { return core_.round_trips(index); },
      [&](std::size_t index, broker::PerformanceDay& day) {
        for (const HeldSymbol& held : caches_[index].held) {
          // What holding_price() gives, without looking the symbol up by name.
          day.add(*held.holding, market_.has_price(held.symbol)
                                     ? std::optional<double>(market_.last_close(held.symbol))
                                     : std::nullopt);
        }
      },
      [this](const std::string& symbol) { return holding_price(symbol); });
  daily_.push_back(DailyEquity{time, *funds.net_liquidation});
  release_finished_trades();
}

void BacktestAccount::hand_over_rows() { core_.hand_over_rows(); }

void BacktestAccount::release_finished_trades() {
  // A finished trade no strategy holds a handle to can never be asked about again: release it,
  // so memory stays flat over millions of bars. Its rows are already buffered (copies). Up to
  // kSpareTrades of them are kept for new_trade() to reuse.
  // Only orders that finished since the last prune have anything to release: the rest were
  // released then, or stay held by a strategy's handle and are no longer in the registry's
  // per-strategy lists. Most days of a daily-bar run finish none.
  const std::size_t ended = core_.orders_ended();
  if (ended == ended_at_last_prune_) return;
  ended_at_last_prune_ = ended;
  core_.orders().prune_finished(/*release=*/true, &spare_trades_);
  if (spare_trades_.size() > kSpareTrades) spare_trades_.resize(kSpareTrades);
}

std::shared_ptr<Trade> BacktestAccount::new_trade() {
  if (spare_trades_.empty()) {
    auto trade = std::make_shared<Trade>();
    trade->log.reserve(4);    // PendingSubmit, Submitted, Filled: one allocation
    trade->fills.reserve(1);  // the exchange fills an order whole
    return trade;
  }
  // A released trade nothing refers to any more: its log and fills keep their capacity, so an
  // order costs no allocation for them. place() sets every other field.
  std::shared_ptr<Trade> trade = std::move(spare_trades_.back());
  spare_trades_.pop_back();
  // Its fill's strings (exec ids, account, names) become the next fill's (apply_fill).
  if (!trade->fills.empty()) {
    Fill& old = trade->fills.back();
    take_buffer(spare_fill_strings_.exec_id, old.execution.exec_id);
    take_buffer(spare_fill_strings_.commission_exec_id, old.commission_report.exec_id);
    take_buffer(spare_fill_strings_.account, old.execution.account);
    take_buffer(spare_fill_strings_.order_ref, old.execution.order_ref);
    take_buffer(spare_fill_strings_.symbol, old.contract.symbol);
  }
  trade->fills.clear();
  trade->log.clear();
  return trade;
}

}  // namespace tandem::backtest
