#include "broker/position_sizing.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace tandem::broker {
namespace {

void require_positive(double value, std::string_view what, std::string_view where) {
  if (!(value > 0) || !std::isfinite(value)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{} must be a positive number, got {}", what, value),
                std::string(where));
  }
}

void require_finite(double value, std::string_view what, std::string_view where) {
  if (!std::isfinite(value)) {
    throw Error(ErrorKind::InvalidArgument, fmt::format("{} must be a number, got {}", what, value),
                std::string(where));
  }
}

}  // namespace

double round_to_lots(double quantity, const SizingRules& rules, std::string_view where) {
  require_finite(quantity, "quantity", where);
  if (rules.fractional) return quantity;
  require_positive(rules.lot, "lot size", where);
  // A hair of tolerance: 0.1 × 30 / 0.03 is 99.99999999999999 in doubles, and means 100.
  const double lots = std::trunc(quantity / rules.lot + (quantity >= 0 ? 1e-9 : -1e-9));
  return lots * rules.lot + 0.0;  // + 0.0: never -0
}

double equity_fraction_quantity(double fraction, double equity, double price, double multiplier,
                                std::string_view where) {
  require_finite(fraction, "fraction of equity", where);
  require_positive(equity, "equity", where);
  require_positive(price, "price", where);
  require_positive(multiplier, "multiplier", where);
  return fraction * equity / (price * multiplier);
}

double target_percent_delta(double weight, double equity, double price, double multiplier,
                            double position, std::string_view where) {
  require_finite(position, "position", where);
  return equity_fraction_quantity(weight, equity, price, multiplier, where) - position;
}

double realized_volatility(std::span<const double> closes, double periods_per_year,
                           std::string_view where) {
  require_positive(periods_per_year, "periods per year", where);
  if (closes.size() < 3) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("realised volatility needs at least 3 closes, got {}", closes.size()),
                std::string(where));
  }
  const std::size_t n = closes.size() - 1;
  double sum = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    require_positive(closes[i - 1], "close", where);
    require_positive(closes[i], "close", where);
    sum += std::log(closes[i] / closes[i - 1]);
  }
  const double mean = sum / static_cast<double>(n);
  double squares = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    const double d = std::log(closes[i] / closes[i - 1]) - mean;
    squares += d * d;
  }
  return std::sqrt(squares / static_cast<double>(n - 1)) * std::sqrt(periods_per_year);
}

double volatility_target_quantity(std::span<const double> closes, double periods_per_year,
                                  double annual_target, double budget, double price,
                                  double multiplier, std::string_view where) {
  require_positive(annual_target, "volatility target", where);
  require_positive(budget, "risk budget", where);
  require_positive(price, "price", where);
  require_positive(multiplier, "multiplier", where);
  const double volatility = realized_volatility(closes, periods_per_year, where);
  if (!(volatility > 0)) {
    throw Error(ErrorKind::InvalidArgument,
                "the closes do not move (volatility 0): no position size targets a volatility",
                std::string(where));
  }
  return budget * annual_target / (volatility * price * multiplier);
}

double risk_per_trade_quantity(double risk_amount, double entry, double stop, double multiplier,
                               std::string_view where) {
  require_positive(risk_amount, "risk per trade", where);
  require_positive(entry, "entry price", where);
  require_positive(stop, "stop price", where);
  require_positive(multiplier, "multiplier", where);
  const double distance = std::abs(entry - stop);
  if (!(distance > 0)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("the stop {} equals the entry price: no distance to size from", stop),
                std::string(where));
  }
  return risk_amount / (distance * multiplier);
}

double cap_buy_to_funds(double signed_quantity, double price, double multiplier,
                        std::optional<double> funds) {
  if (!(signed_quantity > 0) || !funds) return signed_quantity;
  const double affordable = std::max(0.0, kSpendableFundsFraction * *funds / (price * multiplier));
  return std::min(signed_quantity, affordable);
}

}  // namespace tandem::broker
