// The sizing arithmetic on numbers checked by hand (docs/strategies.md, "Sizing").
#include "broker/position_sizing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"

namespace tandem::broker {
namespace {

constexpr const char* kWhere = "test";

TEST(PositionSizing, RoundsTowardZeroToWholeLots) {
  EXPECT_EQ(round_to_lots(123.7, {}, kWhere), 123);
  EXPECT_EQ(round_to_lots(-123.7, {}, kWhere), -123);
  EXPECT_EQ(round_to_lots(250, SizingRules{100, false, false}, kWhere), 200);
  EXPECT_EQ(round_to_lots(-250, SizingRules{100, false, false}, kWhere), -200);
  EXPECT_EQ(round_to_lots(99.9, SizingRules{100, false, false}, kWhere), 0);
  EXPECT_EQ(round_to_lots(123.7, SizingRules{1, true, false}, kWhere), 123.7);
  // 0.1 × 30 / 0.03 is 99.99999999999999 in doubles: it means 100 shares.
  EXPECT_EQ(round_to_lots(0.1 * 30 / 0.03, {}, kWhere), 100);
  EXPECT_THROW(round_to_lots(1, SizingRules{0, false, false}, kWhere), Error);
}

TEST(PositionSizing, FractionOfEquityAndTargetPercent) {
  // 25 % of 100,000 at 40 = 625 shares.
  EXPECT_DOUBLE_EQ(equity_fraction_quantity(0.25, 100'000, 40, 1, kWhere), 625);
  // A futures contract of multiplier 50 at 4,000: 200,000 a contract; 50 % of 1 M = 2.5.
  EXPECT_DOUBLE_EQ(equity_fraction_quantity(0.5, 1'000'000, 4'000, 50, kWhere), 2.5);
  // Holding 300 at 50 of a 100,000 strategy (15 %); 20 % is 400 shares: buy 100.
  EXPECT_DOUBLE_EQ(target_percent_delta(0.2, 100'000, 50, 1, 300, kWhere), 100);
  // 0 closes; -10 % targets a 200-share short from 300 long: sell 500.
  EXPECT_DOUBLE_EQ(target_percent_delta(0, 100'000, 50, 1, 300, kWhere), -300);
  EXPECT_DOUBLE_EQ(target_percent_delta(-0.1, 100'000, 50, 1, 300, kWhere), -500);
  EXPECT_THROW(equity_fraction_quantity(0.5, 100'000, 0, 1, kWhere), Error);
  EXPECT_THROW(equity_fraction_quantity(0.5, -1, 10, 1, kWhere), Error);
}

TEST(PositionSizing, VolatilityTarget) {
  // Closes alternating ×1.01 and ÷1.01: log returns ±ln 1.01, mean 0 over 4 returns; sample
  // standard deviation = ln(1.01) × sqrt(4/3) = 0.0114897; × sqrt(252) = 0.182393
  const double up = 1.01;
  const std::vector<double> closes{100, 100 * up, 100, 100 * up, 100};
  const double expected_vol = std::log(1.01) * std::sqrt(4.0 / 3.0) * std::sqrt(252.0);
  EXPECT_NEAR(realized_volatility(closes, 252, kWhere), expected_vol, 1e-12);
  EXPECT_NEAR(expected_vol, 0.182393, 1e-6);
  // 10 % of 100,000 at 100 a share with 18.2393 % volatility: 100,000 × 0.10 / (0.182393 ×
  // 100) = 548.268 shares.
  EXPECT_NEAR(volatility_target_quantity(closes, 252, 0.10, 100'000, 100, 1, kWhere), 548.268,
              1e-3);
  EXPECT_THROW(realized_volatility(std::vector<double>{1, 2}, 252, kWhere), Error);
  EXPECT_THROW(
      volatility_target_quantity(std::vector<double>{5, 5, 5}, 252, 0.1, 1e5, 5, 1, kWhere),
      Error);  // flat closes: no volatility to size from
}

TEST(PositionSizing, FixedRiskPerTrade) {
  // Risking 500 with a stop 2.50 below a 50 entry: 200 shares.
  EXPECT_DOUBLE_EQ(risk_per_trade_quantity(500, 50, 47.5, 1, kWhere), 200);
  // A short with its stop above; multiplier 100 (options): 500 / (2 × 100) = 2.5.
  EXPECT_DOUBLE_EQ(risk_per_trade_quantity(500, 50, 52, 100, kWhere), 2.5);
  EXPECT_THROW(risk_per_trade_quantity(500, 50, 50, 1, kWhere), Error);
}

TEST(PositionSizing, CapToFundsIsAnOption) {
  // 1,000 at 10 wanted, 5,000 available: 99 % of 5,000 / 10 = 495.
  EXPECT_DOUBLE_EQ(cap_buy_to_funds(1'000, 10, 1, 5'000.0), 495);
  EXPECT_DOUBLE_EQ(cap_buy_to_funds(100, 10, 1, 5'000.0), 100);        // affordable: unchanged
  EXPECT_DOUBLE_EQ(cap_buy_to_funds(-1'000, 10, 1, 5'000.0), -1'000);  // sells never capped
  EXPECT_DOUBLE_EQ(cap_buy_to_funds(1'000, 10, 1, std::nullopt), 1'000);
}

}  // namespace
}  // namespace tandem::broker
