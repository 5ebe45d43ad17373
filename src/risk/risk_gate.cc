// RiskGate: the pre-trade checks, account limits first, then the strategy's.
#include <fmt/format.h>

#include <cmath>

#include "core/tolerance.h"
#include "risk/risk.h"

namespace tandem::risk {

OrderFacts order_facts(const Order& order, Timestamp time, double price, double multiplier) {
  OrderFacts facts;
  facts.time = time;
  facts.signed_quantity =
      order.action == Action::kBuy ? order.total_quantity : -order.total_quantity;
  facts.price = price;
  facts.multiplier = multiplier;
  facts.limit_price = order.limit_price;
  facts.stop_price = order.stop_price;
  return facts;
}
namespace {

constexpr Timestamp kMinute = 60'000'000'000;

// Whether the order makes the position larger in absolute size (opening or adding). Orders
// that only reduce a position are never refused by the position, leverage or loss limits: they
// lower the risk those limits bound, and a halted strategy must still be able to get out.
bool increases(double position, double signed_quantity) {
  return std::abs(position + signed_quantity) > std::abs(position) + kShareEpsilon;
}

std::string money(double value) { return fmt::format("{:.2f}", value); }

// Money is compared in whole cents, so float residue (0.1 + 0.2) never moves a boundary.
bool reaches_money(double value, double bound) {
  return std::llround(value * 100) >= std::llround(bound * 100);
}

}  // namespace

void RiskGate::set_account(std::string account, Limits limits, std::string limits_owner) {
  account_.label = "account " + (limits_owner.empty() ? account : limits_owner);
  account_id_ = std::move(account);
  account_.limits = std::move(limits);
  any_limits_ = any_limits_ || !account_.limits.empty();
}

std::size_t RiskGate::add_strategy(std::string key, Limits limits) {
  any_limits_ = any_limits_ || !limits.empty();
  strategies_.push_back(Scoped{"strategy " + key, std::move(limits), {}});
  return strategies_.size() - 1;
}

bool RiskGate::needs_figures(std::size_t strategy) const {
  const Limits& a = account_.limits;
  const Limits& s = strategies_[strategy].limits;
  return a.max_gross_leverage || a.max_daily_loss || s.max_gross_leverage || s.max_daily_loss;
}

Refusal RiskGate::halt_refusal() const {
  return Refusal{"halt",
                 fmt::format("refused: account {} is halted{} (tandem resume to trade again)",
                             account_id_, halt_->reason.empty() ? "" : " (" + halt_->reason + ")")};
}

std::optional<Refusal> RiskGate::check_with(std::size_t strategy, const OrderFacts& facts,
                                            const AccountFigures& figures) {
  Scoped& own = strategies_[strategy];
  if (auto refusal =
          check_scope(account_, facts, facts.account_position, figures, figures.account_day_pnl)) {
    return refusal;
  }
  if (auto refusal =
          check_scope(own, facts, facts.strategy_position, figures, figures.strategy_day_pnl)) {
    return refusal;
  }
  // Counted only once it passed every check: refused orders never leave.
  if (account_.limits.max_orders_per_minute) account_.sent.push_back(facts.time);
  if (own.limits.max_orders_per_minute) own.sent.push_back(facts.time);
  return std::nullopt;
}

std::optional<Refusal> RiskGate::check_scope(Scoped& scope, const OrderFacts& facts,
                                             double position, const AccountFigures& figures,
                                             double day_pnl) {
  const Limits& limits = scope.limits;
  auto refuse = [&](std::string_view limit, double bound, std::string figure) {
    return Refusal{std::string(limit), fmt::format("refused by risk limit {}={} of {}: {}", limit,
                                                   bound, scope.label, figure)};
  };
  const double quantity = std::abs(facts.signed_quantity);
  if (limits.max_order_value) {
    const double value = quantity * facts.price * facts.multiplier;
    if (reaches_money(value, *limits.max_order_value)) {
      return refuse(
          "max_order_value", *limits.max_order_value,
          fmt::format("order value {} ({} at {}) reaches it", money(value), quantity, facts.price));
    }
  }
  if (limits.price_band_pct) {
    for (const std::optional<double>& price : {facts.limit_price, facts.stop_price}) {
      if (!price) continue;
      const double off = std::abs(*price - facts.price) / facts.price * 100;
      // Compared in cents of the price, so 104.99 against 100 and 5 % passes exactly.
      if (std::round(off * 1e6) >= std::round(*limits.price_band_pct * 1e6)) {
        return refuse(
            "price_band_pct", *limits.price_band_pct,
            fmt::format("price {} is {:.4g} % from the last price {}", *price, off, facts.price));
      }
    }
  }
  if (limits.max_orders_per_minute) {
    while (!scope.sent.empty() && scope.sent.front() <= facts.time - kMinute) {
      scope.sent.pop_front();
    }
    if (static_cast<double>(scope.sent.size()) + 1 > *limits.max_orders_per_minute) {
      return refuse("max_orders_per_minute", *limits.max_orders_per_minute,
                    fmt::format("{} orders already left in the last 60 s", scope.sent.size()));
    }
  }
  if (!increases(position, facts.signed_quantity)) return std::nullopt;
  if (limits.max_position_value) {
    const double value =
        std::abs(position + facts.signed_quantity) * facts.price * facts.multiplier;
    if (reaches_money(value, *limits.max_position_value)) {
      return refuse("max_position_value", *limits.max_position_value,
                    fmt::format("position value after the order {} reaches it", money(value)));
    }
  }
  if (limits.max_gross_leverage) {
    // The gross value after the order: this contract's account position changes, others not.
    const double before = std::abs(facts.account_position) * facts.price * facts.multiplier;
    const double after =
        std::abs(facts.account_position + facts.signed_quantity) * facts.price * facts.multiplier;
    const double gross = figures.gross_position_value - before + after;
    const double leverage =
        figures.net_liquidation > 0 ? gross / figures.net_liquidation : INFINITY;
    if (leverage >= *limits.max_gross_leverage * (1 - 1e-12)) {
      return refuse("max_gross_leverage", *limits.max_gross_leverage,
                    fmt::format("gross position value after the order {} is {:.6g} x the net "
                                "liquidation {}",
                                money(gross), leverage, money(figures.net_liquidation)));
    }
  }
  if (limits.max_daily_loss && reaches_money(-day_pnl, *limits.max_daily_loss)) {
    return refuse("max_daily_loss", *limits.max_daily_loss,
                  fmt::format("today's loss {} reaches it", money(-day_pnl)));
  }
  return std::nullopt;
}

}  // namespace tandem::risk
