// account::AccountCore::place, send_queued, send and cancel with each mode's PlacePolicy
// (account/order_placement.h): a backtest's ids at placement and queue until the slice ends
// (transmit false holds), live's ids at send, held while disconnected, never sent in a dry run;
// cancelling an order not yet sent; the checks and the risk gate before any of it.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "account/account_core.h"
#include "account/core_test_support.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::account {
namespace {

using test_support::batching;
using test_support::kBacktest;
using test_support::kLive;
using test_support::TestSide;
using test_support::weight;

class OrderPlacementTest : public ::testing::Test {
 protected:
  OrderPlacementTest() : store_(store::Store::open("mem://")), recorder_(store_->library("DU42")) {
    fresh();
  }

  // A new core with strategies A and B.
  void fresh() {
    core_ = std::make_unique<AccountCore>(batching(&recorder_));
    core_->add_strategy("A", weight(0.5));
    core_->add_strategy("B", weight(0.5));
  }

  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const broker::OrderEventRow& row : core_->rows().orders) {
      out.push_back(std::string(order_status_name(row.status)) + " " + row.message);
    }
    return out;
  }

  std::unique_ptr<store::Store> store_;
  broker::AccountRecorder recorder_;
  std::unique_ptr<AccountCore> core_;
};

TEST_F(OrderPlacementTest, BacktestPolicyTakesIdsAtPlacementAndQueuesUntilTransmit) {
  TestSide side(kBacktest);
  Order held_back = limit_order(Action::kBuy, 99, 5);
  held_back.transmit = false;
  broker::TradeHandle first =
      core_->place(0, stock("SPY"), std::move(held_back), std::nullopt, side);
  EXPECT_EQ(first->order.order_id, 1);
  EXPECT_EQ(first->order.perm_id, 1);
  EXPECT_EQ(first->order.order_ref, "A");
  EXPECT_EQ(first->order.account, "DU42");
  EXPECT_EQ(first->state.status, OrderStatus::kPendingSubmit);
  // transmit false: not even queued until the strategy places one with transmit true.
  EXPECT_FALSE(core_->has_queued());
  // By size: half of 10,000 at 100 is 50 shares; the second id.
  broker::TradeHandle second = core_->place(0, stock("SPY"), market_order(Action::kBuy), 0.5, side);
  EXPECT_EQ(second->order.order_id, 2);
  EXPECT_EQ(second->order.total_quantity, 50);
  EXPECT_TRUE(core_->has_queued());
  EXPECT_TRUE(side.sent.empty());
  EXPECT_EQ(core_->orders().find(2)->instrument, 3u);
  // A PendingSubmit row each at placement, no notice (the strategy knows what it placed).
  EXPECT_EQ(messages(), (std::vector<std::string>{"PendingSubmit ", "PendingSubmit "}));
  EXPECT_FALSE(core_->has_notices());

  core_->send_queued(side);
  EXPECT_EQ(side.sent, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(side.delivered, 2);  // the venue's decisions after each send
  EXPECT_TRUE(core_->orders().find(1)->submitted);
  EXPECT_FALSE(core_->has_queued());
  EXPECT_EQ(core_->rows().orders.size(), 2u);  // Submitted is the venue's to report
}

TEST_F(OrderPlacementTest, BacktestPolicyNeedsAPriceToPlaceAnyOrder) {
  TestSide side(kBacktest);
  side.last_price = std::nullopt;
  EXPECT_THROW(core_->place(0, stock("SPY"), limit_order(Action::kBuy, 99, 5), std::nullopt, side),
               Error);
  EXPECT_EQ(core_->orders().size(), 0u);
  // Live needs none for an order with its own quantity and prices.
  side.placing = kLive;
  broker::TradeHandle trade =
      core_->place(0, stock("SPY"), limit_order(Action::kBuy, 99, 5), std::nullopt, side);
  EXPECT_EQ(trade->order.order_id, 1);
  // An unknown instrument is refused before anything is filed.
  EXPECT_THROW(core_->place(0, stock("QQQ"), limit_order(Action::kBuy, 99, 5), std::nullopt, side),
               Error);
  EXPECT_EQ(core_->orders().size(), 1u);
}

TEST_F(OrderPlacementTest, LivePolicySendsAtOnceOrHoldsWhileDisconnected) {
  TestSide side(kLive);
  side.next_id = 40;
  broker::TradeHandle sent =
      core_->place(0, stock("SPY"), market_order(Action::kBuy, 5), std::nullopt, side);
  EXPECT_EQ(sent->order.order_id, 40);
  EXPECT_EQ(side.sent, (std::vector<std::int64_t>{40}));
  EXPECT_TRUE(core_->orders().find(40)->submitted);

  side.connected_ = false;
  broker::TradeHandle held =
      core_->place(1, stock("SPY"), market_order(Action::kSell, 2), std::nullopt, side);
  EXPECT_EQ(held->order.order_id, 0);  // no id until it is sent
  EXPECT_EQ(side.sent.size(), 1u);
  EXPECT_EQ(messages(), (std::vector<std::string>{"PendingSubmit sent",
                                                  "PendingSubmit held: not connected to its "
                                                  "venue"}));
  // Both changes reached their strategies.
  std::vector<broker::StrategyNotice> notices;
  core_->take_notices(notices);
  EXPECT_EQ(notices.size(), 2u);

  // The connection is back: the held order takes the next id when it is sent.
  side.connected_ = true;
  // Filed under -2 (the first order was held under -1 for the moment before it was sent).
  ASSERT_TRUE(core_->orders().find(-2) != nullptr);
  EXPECT_TRUE(core_->orders().find(-2)->held);
  core_->send(-2, side, "sent after the reconnect");
  EXPECT_EQ(held->order.order_id, 41);
  EXPECT_EQ(side.sent, (std::vector<std::int64_t>{40, 41}));
  EXPECT_EQ(core_->orders().find(41)->trade, held);
  EXPECT_FALSE(core_->orders().find(41)->held);
  EXPECT_EQ(messages().back(), "PendingSubmit sent after the reconnect");
}

TEST_F(OrderPlacementTest, ADryRunAndARefusalAreNeverSent) {
  TestSide side(kLive);
  side.placing.dry_run = true;
  broker::TradeHandle dry =
      core_->place(0, stock("SPY"), market_order(Action::kBuy, 5), std::nullopt, side);
  EXPECT_EQ(dry->state.status, OrderStatus::kApiCancelled);

  risk::Limits limits;
  limits.max_order_value = 100;
  core_->set_risk_limits(limits, {});
  side.placing = kBacktest;
  // The side's gate answers for the limits (the mode knows the facts).
  side.refusal = risk::Refusal{"max_order_value", "order value 500 is above the limit 100"};
  broker::TradeHandle refused =
      core_->place(0, stock("SPY"), market_order(Action::kBuy, 5), std::nullopt, side);
  EXPECT_EQ(refused->state.status, OrderStatus::kInactive);
  EXPECT_FALSE(core_->has_queued());
  core_->send_queued(side);
  EXPECT_TRUE(side.sent.empty());
  EXPECT_EQ(messages().back(), "Inactive order value 500 is above the limit 100");
}

TEST_F(OrderPlacementTest, AnOrderNotYetSentIsCancelledAtOnceInEitherMode) {
  for (const PlacePolicy& policy : {kBacktest, kLive}) {
    SCOPED_TRACE(policy.id_at_placement ? "backtest" : "live");
    fresh();
    TestSide side(policy);
    side.connected_ = policy.queue_until_sent;  // live: held while disconnected
    broker::TradeHandle parent =
        core_->place(0, stock("SPY"), limit_order(Action::kBuy, 99, 5), std::nullopt, side);
    const std::size_t rows_before = core_->rows().orders.size();
    core_->cancel(0, parent, side);
    EXPECT_EQ(parent->state.status, OrderStatus::kCancelled);
    EXPECT_EQ(core_->rows().orders.back().message, "cancelled before it was sent");
    EXPECT_EQ(core_->rows().orders.size(), rows_before + 1);  // no PendingCancel first
    EXPECT_TRUE(side.cancelled.empty());
    // Cancelling it again is harmless; it is never sent.
    core_->cancel(0, parent, side);
    side.connected_ = true;
    core_->send_queued(side);
    EXPECT_TRUE(side.sent.empty());
  }
}

TEST_F(OrderPlacementTest, AQueuedChildOfACancelledParentIsCancelledWhenTheQueueIsSent) {
  TestSide side(kBacktest);
  broker::TradeHandle parent =
      core_->place(0, stock("SPY"), limit_order(Action::kBuy, 99, 5), std::nullopt, side);
  Order take_profit = limit_order(Action::kSell, 110, 5);
  take_profit.parent_id = parent->order.order_id;
  broker::TradeHandle child =
      core_->place(0, stock("SPY"), std::move(take_profit), std::nullopt, side);
  core_->cancel(0, parent, side);
  core_->send_queued(side);
  EXPECT_TRUE(side.sent.empty());
  EXPECT_EQ(child->state.status, OrderStatus::kCancelled);
  EXPECT_EQ(core_->rows().orders.back().message, "parent order 1 ended without filling");
}

TEST_F(OrderPlacementTest, ASentOrdersCancelGoesToTheVenueAndItsEndIsThePolicys) {
  for (const PlacePolicy& policy : {kBacktest, kLive}) {
    SCOPED_TRACE(policy.id_at_placement ? "backtest" : "live");
    fresh();
    TestSide side(policy);
    broker::TradeHandle trade =
        core_->place(0, stock("SPY"), limit_order(Action::kBuy, 99, 5), std::nullopt, side);
    core_->send_queued(side);
    ASSERT_EQ(side.sent.size(), 1u);
    // Only the placing strategy may cancel it.
    EXPECT_THROW(core_->cancel(1, trade, side), Error);
    side.connected_ = false;
    if (!policy.queue_until_sent) {
      try {
        core_->cancel(0, trade, side);
        FAIL() << "a cancel was accepted without a connection";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
      }
    }
    side.connected_ = true;
    core_->cancel(0, trade, side);
    EXPECT_EQ(side.cancelled, (std::vector<std::int64_t>{trade->order.order_id}));
    // The simulated exchange confirms at once; live waits for the venue's Cancelled.
    EXPECT_EQ(trade->state.status, policy.cancel_confirmed_at_once ? OrderStatus::kCancelled
                                                                   : OrderStatus::kPendingCancel);
  }
}

}  // namespace
}  // namespace tandem::account
