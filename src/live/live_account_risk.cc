// LiveAccount's side of pre-trade risk (risk/risk.h): IB's reported funds and the session's
// prices handed to the core's check (the facts are the core's rule), and the kill switch's flatten.
#include <fmt/format.h>

#include <cmath>

#include "core/tolerance.h"
#include "live/live_account.h"

namespace tandem::live {

void LiveAccount::set_risk_limits(const risk::Limits& account,
                                  const std::vector<risk::Limits>& strategies) {
  core_.set_risk_limits(account, strategies);
}

std::optional<risk::Refusal> LiveAccount::check_risk(std::size_t strategy, const Contract& contract,
                                                     const Order& order, double price) {
  // The account's position as IB reports it (manual trades included); before the first
  // portfolio update, the strategies' sum (the core's rule).
  return core_.check_risk(
      strategy, contract.symbol,
      risk::order_facts(order, settings_.clock(), price, contract.multiplier),
      funds_.position(contract.symbol), [this] { return funds_.snapshot(); },
      [this](const std::string& symbol) { return price_of(symbol); });
}

std::size_t LiveAccount::flatten_all() {
  std::size_t count = 0;
  for (std::size_t index = 0; index < core_.strategy_count(); ++index) {
    const account::StrategyAccount& strategy = core_.strategy(index);
    for (const auto& [symbol, holding] : strategy.book.holdings()) {
      if (std::abs(holding.quantity) < kShareEpsilon) continue;
      Contract contract = contract_for(index, symbol);
      if (contract.symbol.empty()) contract = stock(symbol);
      Order order = market_order(holding.quantity > 0 ? Action::kSell : Action::kBuy,
                                 std::abs(holding.quantity));
      order.order_ref = strategy.key;
      order.account = settings_.account;
      auto trade = std::make_shared<Trade>();
      trade->contract = contract;
      trade->order = std::move(order);
      trade->state.remaining = trade->order.total_quantity;
      const std::int64_t key = core_.orders().hold(OrderRecord{.trade = trade, .strategy = index});
      OrderRecord& record = *core_.orders().find(key);
      ++count;
      if (settings_.dry_run) {
        record.held = false;
        change_status(record, OrderStatus::kApiCancelled, "dry run: flatten not sent");
      } else if (!venue_.connected()) {
        change_status(record, OrderStatus::kPendingSubmit,
                      "flatten (halt): held until the connection is back");
      } else {
        send_new_order(key, "flatten: the halt closes the position");
      }
    }
  }
  return count;
}

}  // namespace tandem::live
