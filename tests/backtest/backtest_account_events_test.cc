// A backtest's account handed the venue's events the simulated venue never sends: an execution
// to claim and a late commission are the account core's to handle, as live (no Internal error
// any more); account values and holdings are still refused (the account's funds are its own
// cash ledger).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "backtest/backtest_account.h"
#include "backtest/market_state.h"
#include "core/error.h"

namespace tandem::backtest {
namespace {

broker::EquityAllocation weight(double w) {
  broker::EquityAllocation allocation;
  allocation.target_weight = w;
  return allocation;
}

class BacktestAccountEventsTest : public ::testing::Test {
 protected:
  BacktestAccountEventsTest() {
    market_.add(stock("QQQ"), BarSeries{});
    market_.add(stock("SPY"), BarSeries{});
    AccountSettings settings;
    settings.account_id = "BT_20261203_180000";
    account_ = std::make_unique<BacktestAccount>(settings, market_, nullptr);
    account_->add_strategy("A", weight(1.0));
    account_->start();
  }

  MarketState market_;
  std::unique_ptr<BacktestAccount> account_;
};

TEST_F(BacktestAccountEventsTest, AnExecutionToClaimIsAttributedAndItsOrderAdopted) {
  broker::VenueEvents& events = *account_;
  Fill fill;
  fill.contract = stock("SPY");
  fill.execution.exec_id = "BT.77.1";
  fill.execution.order_id = 77;
  fill.execution.order_ref = "A";
  fill.execution.side = Action::kBuy;
  fill.execution.cum_qty = 3;
  EXPECT_TRUE(events.execution_arrived(fill));
  EXPECT_EQ(fill.execution.order_ref, "A");
  ASSERT_EQ(account_->open_trades(0).size(), 1u);  // order 77, adopted as live adopts it
  EXPECT_EQ(account_->open_trades(0)[0]->order.order_id, 77);
  EXPECT_EQ(account_->open_trades(0)[0]->order.total_quantity, 3);

  Fill other = fill;
  other.execution.order_id = 78;
  other.execution.order_ref = "another-program";
  EXPECT_FALSE(events.execution_arrived(other));  // not this account's
  EXPECT_EQ(account_->open_trades(0).size(), 1u);
}

TEST_F(BacktestAccountEventsTest, ALateCommissionFindsNoKeptExecutionAndIsIgnored) {
  broker::VenueEvents& events = *account_;
  CommissionReport report;
  report.exec_id = "BT.77.1";
  report.commission = 2;
  EXPECT_NO_THROW(events.late_commission(report));
  EXPECT_EQ(account_->commission_paid(), 0);
  EXPECT_EQ(account_->fills(), 0u);
}

TEST_F(BacktestAccountEventsTest, AccountValuesAndHoldingsAreStillRefused) {
  broker::VenueEvents& events = *account_;
  try {
    events.account_value(AccountValue{"BT_20261203_180000", "NetLiquidation", 1, "USD"});
    FAIL() << "a backtest account took an account value";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Internal);
  }
}

}  // namespace
}  // namespace tandem::backtest
