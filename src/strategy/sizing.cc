#include "strategy/sizing.h"

#include <string>

namespace tandem::strategy {
namespace {

broker::SizingRules rules_of(const SizingOptions& options) {
  return broker::SizingRules{options.lot, options.fractional, options.cap_to_funds};
}

// Caps (when asked), rounds, and places a market order for a signed quantity.
broker::TradeHandle place_signed(broker::Broker& broker, const Contract& contract,
                                 double signed_quantity, const SizingOptions& options,
                                 const std::string& where) {
  double quantity = signed_quantity;
  if (options.cap_to_funds) {
    quantity = broker::cap_buy_to_funds(quantity, broker.last_price(contract), contract.multiplier,
                                        broker.available_funds());
  }
  quantity = broker::round_to_lots(quantity, rules_of(options), where);
  if (quantity == 0) return nullptr;
  return broker.place_order(
      contract, market_order(quantity > 0 ? Action::kBuy : Action::kSell, std::abs(quantity)));
}

std::string where_of(const broker::Broker& broker, std::string_view helper) {
  return std::string(helper) + " (strategy " + broker.strategy_key() + ")";
}

}  // namespace

broker::TradeHandle order_quantity(broker::Broker& broker, const Contract& contract,
                                   double signed_quantity, const SizingOptions& options) {
  return place_signed(broker, contract, signed_quantity, options,
                      where_of(broker, "order_quantity"));
}

broker::TradeHandle order_percent(broker::Broker& broker, const Contract& contract, double fraction,
                                  const SizingOptions& options) {
  const std::string where = where_of(broker, "order_percent");
  return place_signed(
      broker, contract,
      broker::equity_fraction_quantity(fraction, broker.equity(), broker.last_price(contract),
                                       contract.multiplier, where),
      options, where);
}

broker::TradeHandle order_target_quantity(broker::Broker& broker, const Contract& contract,
                                          double target, const SizingOptions& options) {
  return place_signed(broker, contract, target - broker.position(contract), options,
                      where_of(broker, "order_target_quantity"));
}

broker::TradeHandle order_target_percent(broker::Broker& broker, const Contract& contract,
                                         double weight, const SizingOptions& options) {
  const std::string where = where_of(broker, "order_target_percent");
  const double position = broker.position(contract);
  // Rounded as a target (whole lots of the position wanted), so that repeating it with an
  // unchanged price orders nothing.
  const double target = broker::round_to_lots(
      broker::target_percent_delta(weight, broker.equity(), broker.last_price(contract),
                                   contract.multiplier, 0, where),
      rules_of(options), where);
  return place_signed(broker, contract, target - position, options, where);
}

broker::TradeHandle order_volatility_target(broker::Broker& broker, const Contract& contract,
                                            std::span<const double> closes, double annual_target,
                                            double budget_fraction, double periods_per_year,
                                            const SizingOptions& options) {
  const std::string where = where_of(broker, "order_volatility_target");
  const double target = broker::round_to_lots(
      broker::volatility_target_quantity(closes, periods_per_year, annual_target,
                                         budget_fraction * broker.equity(),
                                         broker.last_price(contract), contract.multiplier, where),
      rules_of(options), where);
  return place_signed(broker, contract, target - broker.position(contract), options, where);
}

broker::TradeHandle order_risk_per_trade(broker::Broker& broker, const Contract& contract,
                                         Action action, double risk_amount, double stop_price,
                                         const SizingOptions& options) {
  const std::string where = where_of(broker, "order_risk_per_trade");
  const double quantity = broker::risk_per_trade_quantity(risk_amount, broker.last_price(contract),
                                                          stop_price, contract.multiplier, where);
  return place_signed(broker, contract, action == Action::kBuy ? quantity : -quantity, options,
                      where);
}

}  // namespace tandem::strategy
