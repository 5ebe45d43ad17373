// LiveAccount's side of pre-trade risk (risk/risk.h): IB's reported funds and the session's
// prices handed to the core's check (the facts are the core's rule), and the kill switch (the
// core's apply_halt).
#include <optional>
#include <utility>

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

account::AccountCore::HaltDone LiveAccount::apply_halt(std::optional<risk::HaltRow> row, bool act) {
  PlaceSide side{*this};
  return core_.apply_halt(std::move(row), act, side);
}

}  // namespace tandem::live
