#include "broker/order_sizing.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace tandem::broker {

double quantity_for_size(double size, double equity, double price, bool fractional,
                         std::string_view where) {
  if (!(size > 0 && size <= 1)) {
    throw Error(
        fmt::format("size must be in (0, 1] (a fraction of the strategy's equity), got {}", size),
        std::string(where));
  }
  if (!(equity > 0) || !std::isfinite(equity)) {
    throw Error(fmt::format("strategy equity is {:.2f}; nothing to size an order from", equity),
                std::string(where));
  }
  if (!(price > 0) || !std::isfinite(price)) {
    throw Error(fmt::format("price {} is not a positive number", price), std::string(where));
  }
  double raw = size * equity / price;
  double quantity = fractional ? raw : std::floor(raw);
  if (!(quantity > 0)) {
    throw Error(
        fmt::format("size {} of equity {:.2f} at price {} buys 0 shares", size, equity, price),
        std::string(where));
  }
  return quantity;
}

void check_explicit_quantity(double quantity, bool fractional, std::string_view where) {
  if (!(quantity > 0) || !std::isfinite(quantity)) {
    throw Error(fmt::format("order quantity must be positive, got {}", quantity),
                std::string(where));
  }
  if (!fractional && quantity != std::floor(quantity)) {
    throw Error(fmt::format("order quantity {} is fractional but fractional shares are not "
                            "enabled",
                            quantity),
                std::string(where));
  }
}

}  // namespace tandem::broker
