// LiveAccount: strategies' side (place, cancel, modify, equity, positions; placing, cancelling
// and the order events are the core's: account/account_core.h) and the account's values.
// Executions, commissions and the books are in live_account_fills.cc.
#include "live/live_account.h"

#include <memory>
#include <string>
#include <utility>

#include "core/error.h"

namespace tandem::live {
namespace {

account::CoreSettings core_settings(const LiveAccountSettings& settings,
                                    broker::AccountRecorder& recorder) {
  return account::CoreSettings{.account = settings.account,
                               .fractional = settings.fractional,
                               .recorder = &recorder,
                               .rows_per_hand_over = 0,  // each row at once
                               .record_orders = !settings.dry_run,
                               .log = settings.log};
}

}  // namespace

LiveAccount::LiveAccount(LiveAccountSettings settings, broker::AccountRecorder& recorder,
                         broker::Venue& venue)
    : settings_(std::move(settings)),
      venue_(venue),
      core_(core_settings(settings_, recorder)),
      funds_(settings_.account) {
  if (!settings_.clock) settings_.clock = now_utc;
}

void LiveAccount::log(std::string_view line) const { core_.log(line); }

std::size_t LiveAccount::add_strategy(std::string key, broker::EquityAllocation allocation,
                                      std::vector<Contract> contracts) {
  const std::size_t index = core_.add_strategy(std::move(key), std::move(allocation));
  contracts_.push_back(std::move(contracts));
  return index;
}

void LiveAccount::start() {
  core_.start(total_equity(), [this](const std::string& symbol) { return price_of(symbol); });
}

double LiveAccount::strategy_equity(std::size_t strategy) const {
  return core_.strategy_equity(strategy, total_equity());
}

const Contract& LiveAccount::contract_for(std::size_t strategy, const std::string& symbol) const {
  for (const Contract& contract : contracts_[strategy]) {
    if (contract.symbol == symbol) return contract;
  }
  static const Contract kUnknown;
  return kUnknown;
}

Contract LiveAccount::contract_or_stock(std::size_t strategy, const std::string& symbol) const {
  const Contract& own = contract_for(strategy, symbol);
  return own.symbol.empty() ? stock(symbol) : own;
}

double LiveAccount::last_price(const Contract& contract, std::string_view where) const {
  auto it = last_price_.find(contract.symbol);
  if (it == last_price_.end()) {
    throw Error("no price of " + contract.symbol + " has arrived yet", std::string(where));
  }
  return it->second;
}

broker::TradeHandle LiveAccount::place(std::size_t index, const Contract& contract, Order order,
                                       std::optional<double> size) {
  PlaceSide side{*this};
  broker::TradeHandle trade = core_.place(index, contract, std::move(order), size, side);
  ++orders_placed_;  // filed (place() throws before it files an order it refuses outright)
  return trade;
}

account::Instrument LiveAccount::PlaceSide::instrument(std::size_t strategy,
                                                       const Contract& contract,
                                                       std::string_view where) const {
  for (const Contract& own : account.contracts_[strategy]) {
    if (own.same_instrument(contract)) return {0, &contract};
  }
  throw Error(contract.symbol + " is not one of the strategy's instruments", std::string(where));
}

void LiveAccount::send_new_order(std::int64_t held_key, std::string message) {
  // The id is taken when the order is sent (an order held while disconnected gets one above
  // whatever the reconnected server says), and the record is filed under it.
  PlaceSide side{*this};
  core_.send(held_key, side, std::move(message));
}

std::size_t LiveAccount::resend_lost_orders() {
  PlaceSide side{*this};
  return core_.resend_lost_orders(side);
}

void LiveAccount::send_held_orders() {
  PlaceSide side{*this};
  core_.send_held_orders(side);
}

void LiveAccount::cancel(std::size_t strategy, const broker::TradeHandle& handle) {
  PlaceSide side{*this};
  core_.cancel(strategy, handle, side);
}

void LiveAccount::modify(std::size_t strategy, const broker::TradeHandle& handle,
                         const broker::OrderChanges& changes) {
  core_.modify(strategy, handle, changes, settings_.clock(), venue_);
}

void LiveAccount::order_open(const broker::VenueOrder& order) {
  core_.order_open(order, settings_.clock());
}

void LiveAccount::order_status(const broker::VenueStatus& status) {
  core_.order_status(status, settings_.clock());
}

void LiveAccount::order_completed(const broker::VenueCompleted& completed) {
  core_.order_completed(completed, settings_.clock());
}

void LiveAccount::order_error(const broker::VenueError& error) {
  core_.order_error(error, settings_.clock());
}

std::size_t LiveAccount::cancel_all_open(std::string_view why) {
  PlaceSide side{*this};
  return core_.cancel_all_open(why, side);
}

std::vector<Position> LiveAccount::positions(std::size_t strategy) const {
  return core_.positions(
      strategy, [&](const std::string& symbol) { return contract_or_stock(strategy, symbol); });
}

double LiveAccount::position(std::size_t strategy, const Contract& contract) const {
  return core_.strategy(strategy).book.quantity(contract.symbol);
}

std::vector<broker::TradeHandle> LiveAccount::open_trades(std::size_t strategy) const {
  return core_.open_trades(strategy);
}

std::vector<AccountValue> LiveAccount::account_values() const {
  return core_.account_values(funds_.snapshot(),
                              [this](const std::string& symbol) { return price_of(symbol); });
}

void LiveAccount::holding(const broker::VenueHolding& holding) {
  funds_.holding(holding);
  if (holding.market_price > 0) {
    last_price_.try_emplace(holding.contract.symbol, holding.market_price);
  }
}

void LiveAccount::take_notices(std::vector<AccountNotice>& out) { core_.take_notices(out); }

}  // namespace tandem::live
