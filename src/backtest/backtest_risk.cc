// BacktestAccount's side of pre-trade risk (risk/risk.h): its ledger and marks handed to the
// core's check (the facts are the core's rule), and the halts of the run's own library.
#include <cmath>

#include "backtest/backtest_account.h"
#include "broker/order_rules.h"

namespace tandem::backtest {

void BacktestAccount::set_risk_limits(const risk::Limits& account,
                                      const std::vector<risk::Limits>& strategies,
                                      const std::string& limits_owner) {
  core_.set_risk_limits(account, strategies, limits_owner);
}

std::optional<risk::Refusal> BacktestAccount::check_risk(std::size_t strategy, std::size_t symbol,
                                                         const Order& order, double price) {
  const Contract& contract = market_.contract(symbol);
  return core_.check_risk(
      strategy, contract.symbol,
      risk::order_facts(order, market_.now(), price, contract.multiplier), ledger_.position(symbol),
      [this] { return ledger_.snapshot(market_); },
      [this](const std::string& name) { return holding_price(name); });
}

void BacktestAccount::apply_halts(Timestamp time) {
  while (halt_due(time)) {
    const risk::HaltRow& row = halts_[next_halt_++];
    core_.risk().set_halt(row);
    if (!row.halted) continue;
    if (row.cancel_open) {
      core_.orders().for_each([&](std::int64_t, OrderRecord& record) {
        if (!record.trade || record.trade->is_done()) return;
        // `time` is the market's now, the time the venue cancels at.
        if (record.submitted) venue_.cancel(record.trade->order.order_id);
        change_status(record, OrderStatus::kCancelled, time, "cancelled by the halt");
        venue_.deliver();  // children the exchange held go with their parent
      });
    }
    if (row.flatten) {
      // Market orders closing every strategy position, placed past the gate (the halt refuses
      // only the strategies' own orders); they fill as any market order does.
      for (std::size_t s = 0; s < core_.strategy_count(); ++s) {
        for (const HeldSymbol& held : caches_[s].held) {
          const double quantity = held.holding->quantity;
          if (quantity == 0) continue;
          auto trade = std::make_shared<Trade>();
          trade->contract = market_.contract(held.symbol);
          trade->order =
              market_order(quantity > 0 ? Action::kSell : Action::kBuy, std::abs(quantity));
          trade->order.order_id = venue_.next_order_id();
          trade->order.perm_id = trade->order.order_id;
          trade->order.order_ref = core_.key(s);
          trade->order.account = settings_.account_id;
          trade->state = OrderState{OrderStatus::kPendingSubmit, 0, std::abs(quantity), 0};
          trade->log.push_back({time, OrderStatus::kPendingSubmit, "flatten: the halt closes it"});
          if (core_.recording()) {
            core_.record(broker::make_order_event_row(time, *trade, "flatten: the halt closes it",
                                                      settings_.account_id));
          }
          core_.orders().add(trade->order.order_id,
                             OrderRecord{.trade = trade, .strategy = s, .instrument = held.symbol});
          core_.queue(trade->order.order_id);
        }
      }
    }
  }
}

}  // namespace tandem::backtest
