#include "broker/order_sizing.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace tandem::broker {
namespace {

std::string error_of(double size, double equity, double price) {
  try {
    quantity_for_size(size, equity, price, false, "place_order (strategy X)");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(OrderSizing, FloorOfSizeTimesEquityOverPrice) {
  EXPECT_DOUBLE_EQ(quantity_for_size(0.95, 10'000, 13, false, "t"), 730);  // 730.77 → 730
  EXPECT_DOUBLE_EQ(quantity_for_size(1.0, 1'000, 10, false, "t"), 100);    // exact
  EXPECT_DOUBLE_EQ(quantity_for_size(0.5, 1'000, 3, false, "t"), 166);     // 166.67 → 166
}

TEST(OrderSizing, FractionalKeepsTheExactQuantity) {
  EXPECT_DOUBLE_EQ(quantity_for_size(0.5, 1'000, 3, true, "t"), 500.0 / 3.0);
}

TEST(OrderSizing, SizeOutsideZeroOneIsRefused) {
  for (double size : {0.0, -0.1, 1.0000001, 2.0, std::nan("")}) {
    EXPECT_NE(error_of(size, 10'000, 10).find("size must be in (0, 1]"), std::string::npos) << size;
  }
}

TEST(OrderSizing, ZeroQuantityIsRefused) {
  std::string message = error_of(0.01, 1'000, 150);  // 0.067 shares
  EXPECT_NE(message.find("place_order (strategy X)"), std::string::npos) << message;
  EXPECT_NE(message.find("buys 0 shares"), std::string::npos) << message;
}

TEST(OrderSizing, NonPositiveEquityOrPriceIsRefused) {
  EXPECT_NE(error_of(0.5, 0, 10).find("strategy equity is 0.00"), std::string::npos);
  EXPECT_NE(error_of(0.5, 1000, 0).find("price 0 is not a positive number"), std::string::npos);
}

TEST(OrderSizing, ExplicitQuantityChecks) {
  EXPECT_NO_THROW(check_explicit_quantity(5, false, "t"));
  EXPECT_THROW(check_explicit_quantity(0, false, "t"), Error);
  EXPECT_THROW(check_explicit_quantity(-3, false, "t"), Error);
  EXPECT_THROW(check_explicit_quantity(2.5, false, "t"), Error);
  EXPECT_NO_THROW(check_explicit_quantity(2.5, true, "t"));
}

}  // namespace
}  // namespace tandem::broker
