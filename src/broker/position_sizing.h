// Position sizing arithmetic (the strategy API's sizing helpers, strategy/sizing.h, place what
// these compute). Pure functions of prices, equity and positions, so both modes and both
// languages size alike and the numbers can be checked by hand (docs/strategies.md, "Sizing").
//
// Quantities are signed where a direction is implied (+ buy, - sell). Nothing is rounded until
// round_to_lots(); capping to funds is an option (cap_to_funds), never a silent rule.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace tandem::broker {

// Where sizing inputs are checked: each function throws tandem::Error (InvalidArgument, at
// `where`) for a price, equity or distance that is not positive and finite.
struct SizingRules {
  double lot = 1;             // round to whole multiples of this (100: round lots)
  bool fractional = false;    // no rounding at all (fractional shares)
  bool cap_to_funds = false;  // a buy never costs more than the spendable available funds
};

// The part of available funds a capped buy may spend; the rest pays commission and slippage
// (the cap strategy::buy_capped has always used).
inline constexpr double kSpendableFundsFraction = 0.99;

// Rounds toward zero to a whole multiple of rules.lot (unchanged when rules.fractional).
double round_to_lots(double quantity, const SizingRules& rules, std::string_view where);

// fraction × equity / (price × multiplier): a fraction of equity in shares.
double equity_fraction_quantity(double fraction, double equity, double price, double multiplier,
                                std::string_view where);

// The signed order that takes `position` to weight × equity in value: weight × equity /
// (price × multiplier) - position. A negative weight targets a short position.
double target_percent_delta(double weight, double equity, double price, double multiplier,
                            double position, std::string_view where);

// Annualised realised volatility of `closes`: the sample standard deviation of the N log
// returns of N + 1 closes, × sqrt(periods_per_year). Needs at least 3 closes.
double realized_volatility(std::span<const double> closes, double periods_per_year,
                           std::string_view where);

// The position (shares, unsigned) whose volatility is `annual_target` of `budget`:
// budget × annual_target / (realised volatility × price × multiplier).
double volatility_target_quantity(std::span<const double> closes, double periods_per_year,
                                  double annual_target, double budget, double price,
                                  double multiplier, std::string_view where);

// The quantity (unsigned) that loses `risk_amount` if the price moves from `entry` to `stop`:
// risk_amount / (|entry - stop| × multiplier).
double risk_per_trade_quantity(double risk_amount, double entry, double stop, double multiplier,
                               std::string_view where);

// A buy (signed_quantity > 0) capped so that quantity × price × multiplier stays within
// kSpendableFundsFraction × funds (no cap when funds is nullopt); sells are returned as they are.
double cap_buy_to_funds(double signed_quantity, double price, double multiplier,
                        std::optional<double> funds);

}  // namespace tandem::broker
