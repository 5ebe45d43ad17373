// LiveAccount's side of pre-trade risk (risk/risk.h): the facts the gate checks an order
// against, the daily-loss base, and the kill switch's flatten.
#include <fmt/format.h>

#include <cmath>

#include "live/live_account.h"

namespace tandem::live {

void LiveAccount::set_risk_limits(const risk::Limits& account,
                                  const std::vector<risk::Limits>& strategies) {
  risk::RiskGate gate;
  gate.set_account(settings_.account, account);
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    gate.add_strategy(strategies_[i].key, i < strategies.size() ? strategies[i] : risk::Limits{});
  }
  gate.set_halt(risk_.halt());
  risk_ = std::move(gate);
}

double LiveAccount::performance_equity(const StrategyAccount& strategy) const {
  double equity = strategy.capital + strategy.book.realized_pnl();
  for (const auto& [symbol, holding] : strategy.book.holdings()) {
    if (holding.quantity == 0) continue;
    auto price = last_price_.find(symbol);
    if (price != last_price_.end()) equity += holding.unrealized_pnl(price->second);
  }
  return equity;
}

void LiveAccount::note_day_start() {
  auto nlv = account_values_.find("NetLiquidation");
  if (nlv != account_values_.end()) account_day_start_ = nlv->second;
  strategy_day_start_.resize(strategies_.size());
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    strategy_day_start_[i] = performance_equity(strategies_[i]);
  }
}

std::optional<risk::Refusal> LiveAccount::check_risk(std::size_t strategy, const Contract& contract,
                                                     const Order& order, double price) {
  risk::OrderFacts facts = risk::order_facts(order, settings_.clock(), price, contract.multiplier);
  facts.strategy_position = strategies_[strategy].book.quantity(contract.symbol);
  // The account's position as IB reports it (manual trades included); before the first
  // portfolio update, the strategies' sum.
  if (auto it = portfolio_.find(contract.symbol); it != portfolio_.end()) {
    facts.account_position = it->second.position;
  } else {
    for (const StrategyAccount& s : strategies_)
      facts.account_position += s.book.quantity(contract.symbol);
  }
  return risk_.check(strategy, facts, [&] {
    auto value = [&](const char* tag) {
      auto it = account_values_.find(tag);
      return it == account_values_.end() ? 0.0 : it->second;
    };
    risk::AccountFigures figures;
    figures.gross_position_value = value("GrossPositionValue");
    figures.net_liquidation = value("NetLiquidation");
    if (!account_day_start_) note_day_start();  // NetLiquidation came after start()
    figures.account_day_pnl =
        account_day_start_ ? figures.net_liquidation - *account_day_start_ : 0.0;
    figures.strategy_day_pnl =
        strategy < strategy_day_start_.size()
            ? performance_equity(strategies_[strategy]) - strategy_day_start_[strategy]
            : 0.0;
    return figures;
  });
}

std::size_t LiveAccount::flatten_all() {
  std::size_t count = 0;
  for (std::size_t index = 0; index < strategies_.size(); ++index) {
    StrategyAccount& strategy = strategies_[index];
    for (const auto& [symbol, holding] : strategy.book.holdings()) {
      if (std::abs(holding.quantity) < 1e-9) continue;
      Contract contract = contract_for(strategy, symbol);
      if (contract.symbol.empty()) contract = stock(symbol);
      Order order = market_order(holding.quantity > 0 ? Action::kSell : Action::kBuy,
                                 std::abs(holding.quantity));
      order.order_ref = strategy.key;
      order.account = settings_.account;
      auto trade = std::make_shared<Trade>();
      trade->contract = contract;
      trade->order = std::move(order);
      trade->state.remaining = trade->order.total_quantity;
      const std::int64_t key = orders_.hold(OrderRecord{.trade = trade, .strategy = index});
      OrderRecord& record = *orders_.find(key);
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
