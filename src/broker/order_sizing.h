// Order sizing shared by every broker: turning place_order's `size` (a fraction of the
// strategy's equity) into a share quantity, and the checks that refuse an order before anything
// is sent.
#pragma once

#include <string_view>

namespace tandem::broker {

// quantity = floor(size × equity / price), or unrounded when `fractional`. Throws tandem::Error
// (where = `where`) when size is outside (0, 1], equity or price is not positive and finite, or
// the quantity comes out 0.
double quantity_for_size(double size, double equity, double price, bool fractional,
                         std::string_view where);

// Checks an explicit order quantity: positive, finite, and whole unless `fractional`.
void check_explicit_quantity(double quantity, bool fractional, std::string_view where);

}  // namespace tandem::broker
