// The order events both accounts share (broker/order_events.h): a status change's state, log
// and row; which orders may be modified; the notice queue's order.
#include "broker/order_events.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::broker {
namespace {

std::shared_ptr<Trade> limit_trade() {
  auto trade = std::make_shared<Trade>();
  trade->contract = stock("AAA");
  trade->order = limit_order(Action::kBuy, 9.5, 10);
  trade->order.order_id = 4;
  trade->order.order_ref = "S";
  trade->state = OrderState{OrderStatus::kPendingSubmit, 0, 10, 0};
  return trade;
}

TEST(OrderEventsTest, AStatusChangeSetsTheStateLogsItAndMakesItsRow) {
  auto trade = limit_trade();
  OrderEventRow row = change_order_status(*trade, OrderStatus::kSubmitted, 77, "sent");
  EXPECT_EQ(trade->state.status, OrderStatus::kSubmitted);
  ASSERT_EQ(trade->log.size(), 1u);
  EXPECT_EQ(trade->log[0].time, 77);
  EXPECT_EQ(trade->log[0].status, OrderStatus::kSubmitted);
  EXPECT_EQ(trade->log[0].message, "sent");
  EXPECT_EQ(row.time, 77);
  EXPECT_EQ(row.order_id, 4);
  EXPECT_EQ(row.strategy, "S");
  EXPECT_EQ(row.status, OrderStatus::kSubmitted);
  EXPECT_EQ(row.limit_price, 9.5);
  EXPECT_EQ(row.remaining, 10);
  EXPECT_EQ(row.message, "sent");
}

TEST(OrderEventsTest, DoneOrPendingCancelOrdersCannotBeModified) {
  auto trade = limit_trade();
  EXPECT_NO_THROW(check_modifiable(*trade, "here"));
  for (OrderStatus status :
       {OrderStatus::kPendingCancel, OrderStatus::kCancelled, OrderStatus::kFilled}) {
    trade->state.status = status;
    try {
      check_modifiable(*trade, "modify_order (strategy S)");
      ADD_FAILURE() << "modifiable while " << order_status_name(status);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      EXPECT_EQ(std::string(e.what()), "modify_order (strategy S): order 4 is " +
                                           std::string(order_status_name(status)) +
                                           "; it can no longer be modified");
    }
  }
}

TEST(OrderEventsTest, CancellingTwiceIsHarmlessCancellingAFinishedOrderIsNot) {
  auto trade = limit_trade();
  EXPECT_TRUE(cancel_needed(*trade, "here"));
  trade->state.status = OrderStatus::kSubmitted;
  EXPECT_TRUE(cancel_needed(*trade, "here"));
  for (OrderStatus status :
       {OrderStatus::kPendingCancel, OrderStatus::kCancelled, OrderStatus::kApiCancelled}) {
    trade->state.status = status;
    EXPECT_FALSE(cancel_needed(*trade, "here")) << order_status_name(status);
  }
  for (OrderStatus status : {OrderStatus::kFilled, OrderStatus::kInactive}) {
    trade->state.status = status;
    try {
      cancel_needed(*trade, "cancel_order (strategy S)");
      ADD_FAILURE() << "cancel of a " << order_status_name(status) << " order accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      EXPECT_EQ(std::string(e.what()), "cancel_order (strategy S): order 4 is already " +
                                           std::string(order_status_name(status)) +
                                           "; nothing to cancel");
    }
  }
}

TEST(OrderEventsTest, OnlyTheStrategyThatPlacedAnOrderMayTouchIt) {
  auto trade = limit_trade();
  EXPECT_NO_THROW(check_owner(trade, true, 2, "S", 2, "here"));
  auto message = [&](const TradeHandle& handle, bool found, std::size_t owner) {
    try {
      check_owner(handle, found, owner, "OWNER", 2, "modify_order (strategy T)");
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(message(nullptr, false, 2), "modify_order (strategy T): no trade given");
  EXPECT_EQ(message(trade, false, 2),
            "modify_order (strategy T): order 4 was not placed through this broker");
  EXPECT_EQ(message(trade, true, 0),
            "modify_order (strategy T): order 4 belongs to strategy OWNER");
}

TEST(OrderEventsTest, NoticesAreTakenOldestFirstAndOnlyOnce) {
  NoticeQueue queue;
  EXPECT_TRUE(queue.empty());
  auto trade = limit_trade();
  queue.order_status(1, trade);
  queue.fill(2, trade, 0);
  EXPECT_FALSE(queue.empty());
  std::vector<StrategyNotice> out{StrategyNotice{}};  // cleared by take()
  queue.take(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].strategy, 1u);
  EXPECT_FALSE(out[0].fill_index.has_value());
  EXPECT_EQ(out[1].strategy, 2u);
  EXPECT_EQ(out[1].fill_index, 0u);
  EXPECT_EQ(out[1].trade, trade);
  EXPECT_TRUE(queue.empty());
  queue.take(out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace tandem::broker
