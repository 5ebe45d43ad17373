#include "broker/position_book.h"

#include <gtest/gtest.h>

namespace tandem::broker {
namespace {

constexpr Timestamp kDay = kNanosPerDay;

TEST(PositionBook, BuyThenSellMakesOneRoundTripNetOfBothCommissions) {
  PositionBook book;
  std::vector<RoundTrip> trips;
  FillEffect open = book.apply_fill("A", Action::kBuy, 100, 10.0, 1.0, 1, 1 * kDay, trips);
  EXPECT_FALSE(open.closed_any);
  EXPECT_DOUBLE_EQ(open.position_after, 100);
  EXPECT_DOUBLE_EQ(book.find("A")->avg_cost(), 10.01);  // 10 + 1.00 / 100 shares
  FillEffect close = book.apply_fill("A", Action::kSell, 100, 12.0, 2.0, 1, 3 * kDay, trips);
  ASSERT_TRUE(close.closed_any);
  // (12 - 10) × 100 - 1.00 entry - 2.00 exit = 197
  EXPECT_DOUBLE_EQ(close.realized_pnl, 197.0);
  EXPECT_DOUBLE_EQ(close.position_after, 0);
  ASSERT_EQ(trips.size(), 1u);
  EXPECT_TRUE(trips[0].is_long);
  EXPECT_DOUBLE_EQ(trips[0].quantity, 100);
  EXPECT_EQ(trips[0].entry_time, 1 * kDay);
  EXPECT_EQ(trips[0].exit_time, 3 * kDay);
  EXPECT_DOUBLE_EQ(trips[0].entry_price, 10);
  EXPECT_DOUBLE_EQ(trips[0].exit_price, 12);
  EXPECT_DOUBLE_EQ(trips[0].commission, 3.0);
  EXPECT_DOUBLE_EQ(trips[0].pnl, 197.0);
  EXPECT_DOUBLE_EQ(book.realized_pnl(), 197.0);
  EXPECT_DOUBLE_EQ(book.commission(), 3.0);
}

TEST(PositionBook, FifoMatchesOldestLotsFirstAcrossPartialCloses) {
  PositionBook book;
  std::vector<RoundTrip> trips;
  book.apply_fill("A", Action::kBuy, 10, 100.0, 0, 1, 1 * kDay, trips);
  book.apply_fill("A", Action::kBuy, 20, 110.0, 0, 1, 2 * kDay, trips);
  // Average cost of 10 @ 100 and 20 @ 110 = 106.667
  EXPECT_NEAR(book.find("A")->avg_cost(), 3200.0 / 30.0, 1e-12);
  // Selling 15 closes all of lot 1 (10 @ 100) and 5 of lot 2 (@ 110).
  FillEffect effect = book.apply_fill("A", Action::kSell, 15, 120.0, 0, 1, 3 * kDay, trips);
  ASSERT_EQ(trips.size(), 2u);
  EXPECT_DOUBLE_EQ(trips[0].quantity, 10);
  EXPECT_DOUBLE_EQ(trips[0].entry_price, 100);
  EXPECT_DOUBLE_EQ(trips[0].pnl, 200);  // (120 - 100) × 10
  EXPECT_DOUBLE_EQ(trips[1].quantity, 5);
  EXPECT_DOUBLE_EQ(trips[1].entry_price, 110);
  EXPECT_DOUBLE_EQ(trips[1].pnl, 50);  // (120 - 110) × 5
  EXPECT_DOUBLE_EQ(effect.realized_pnl, 250);
  EXPECT_DOUBLE_EQ(book.quantity("A"), 15);
  EXPECT_DOUBLE_EQ(book.find("A")->avg_cost(), 110);             // what is left is lot 2
  EXPECT_DOUBLE_EQ(book.find("A")->unrealized_pnl(130.0), 300);  // (130 - 110) × 15
}

TEST(PositionBook, SellingThroughZeroOpensAShortLot) {
  PositionBook book;
  std::vector<RoundTrip> trips;
  book.apply_fill("A", Action::kBuy, 10, 50.0, 0, 1, 1 * kDay, trips);
  book.apply_fill("A", Action::kSell, 15, 60.0, 0, 1, 2 * kDay, trips);
  EXPECT_DOUBLE_EQ(book.quantity("A"), -5);
  ASSERT_EQ(trips.size(), 1u);
  EXPECT_DOUBLE_EQ(trips[0].pnl, 100);
  book.apply_fill("A", Action::kBuy, 5, 55.0, 0, 1, 3 * kDay, trips);
  ASSERT_EQ(trips.size(), 2u);
  EXPECT_FALSE(trips[1].is_long);
  EXPECT_DOUBLE_EQ(trips[1].pnl, 25);  // short 5 at 60, covered at 55
  EXPECT_DOUBLE_EQ(book.quantity("A"), 0);
}

TEST(PositionBook, MultiplierScalesValueAndPnl) {
  PositionBook book;
  std::vector<RoundTrip> trips;
  book.apply_fill("ES", Action::kBuy, 2, 5000.0, 0, 50, 1 * kDay, trips);
  EXPECT_DOUBLE_EQ(book.find("ES")->market_value(5010.0), 2 * 5010.0 * 50);
  book.apply_fill("ES", Action::kSell, 2, 5010.0, 0, 50, 2 * kDay, trips);
  EXPECT_DOUBLE_EQ(trips[0].pnl, 10.0 * 2 * 50);
}

}  // namespace
}  // namespace tandem::broker
