// account::AccountCore's handling of the venue's order events (account/venue_orders.cc), one for
// both modes: statuses (a repeat, a reduction, Filled before its executions, the venue's time),
// an open order adopted or confirming a change, a completed order found by its terms, errors,
// and a reconciliation that finds a lost order and sends it again.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "account/account_core.h"
#include "account/core_test_support.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::account {
namespace {

using test_support::batching;
using test_support::weight;

// A live-like side: orders sent at once under the venue's next id, to a venue named `venue`.
struct LiveSide {
  std::int64_t next_id = 100;
  std::vector<std::int64_t> sent;
  Contract spy = stock("SPY");
  const char* venue = "IB";

  PlacePolicy policy() const {
    PlacePolicy policy;
    policy.venue = venue;
    return policy;
  }
  Instrument instrument(std::size_t, const Contract&, std::string_view) const { return {0, &spy}; }
  double price(const Instrument&, std::string_view) const { return 100; }
  double strategy_equity(std::size_t) const { return 10'000; }
  std::shared_ptr<Trade> new_trade() const { return std::make_shared<Trade>(); }
  std::optional<risk::Refusal> check_risk(std::size_t, const Instrument&, const Order&, double) {
    return std::nullopt;
  }
  Timestamp now() const { return 5'000; }
  bool connected() const { return true; }
  std::int64_t next_order_id() { return next_id++; }
  void send(broker::OrderEntry& entry) { sent.push_back(entry.trade->order.order_id); }
  void cancel(broker::OrderEntry&) {}
  void deliver() {}
};

// The venue a change goes to (modify takes the venue itself).
class ModifyVenue final : public broker::Venue {
 public:
  bool connected() const override { return true; }
  std::int64_t next_order_id() override { return 0; }
  void place(const Contract&, const Order&) override {}
  void modify(const Contract&, const Order& order) override { modified.push_back(order); }
  void cancel(std::int64_t) override {}
  std::vector<Order> modified;
};

broker::VenueStatus status_of(std::int64_t id, OrderStatus status, double filled, double remaining,
                              Timestamp time = 0) {
  broker::VenueStatus message;
  message.order_id = id;
  message.status = status;
  message.filled = filled;
  message.remaining = remaining;
  message.time = time;
  return message;
}

class VenueOrdersTest : public ::testing::Test {
 protected:
  VenueOrdersTest()
      : store_(store::Store::open("mem://")),
        recorder_(store_->library("DU42")),
        core_(batching(&recorder_)) {
    core_.add_strategy("A", weight(0.5));
  }

  // Strategy A's limit order for 10 SPY, sent under id 100.
  broker::TradeHandle place() {
    return core_.place(0, stock("SPY"), limit_order(Action::kBuy, 99, 10), std::nullopt, side_);
  }

  std::unique_ptr<store::Store> store_;
  broker::AccountRecorder recorder_;
  AccountCore core_;
  LiveSide side_;
};

TEST_F(VenueOrdersTest, AStatusMovesTheOrderAtTheVenuesTimeOrNowAndARepeatIsIgnored) {
  broker::TradeHandle trade = place();
  const std::size_t rows = core_.rows().orders.size();
  core_.order_status(status_of(100, OrderStatus::kSubmitted, 0, 10, /*time=*/1'234), 9'999);
  EXPECT_EQ(trade->state.status, OrderStatus::kSubmitted);
  EXPECT_EQ(trade->log.back().time, 1'234);  // the venue's (the simulated exchange's bar time)
  core_.order_status(status_of(100, OrderStatus::kSubmitted, 0, 10), 9'999);  // a repeat
  EXPECT_EQ(core_.rows().orders.size(), rows + 1);
  // Filled before its executions: Submitted, waiting for them.
  core_.order_status(status_of(100, OrderStatus::kFilled, 10, 0), 9'999);
  EXPECT_EQ(trade->state.status, OrderStatus::kSubmitted);
  EXPECT_EQ(core_.rows().orders.size(), rows + 1);
  // A status of an order nobody placed is ignored.
  core_.order_status(status_of(555, OrderStatus::kCancelled, 0, 0), 9'999);
  core_.order_status(status_of(100, OrderStatus::kCancelled, 0, 10), 10'000);
  EXPECT_EQ(trade->state.status, OrderStatus::kCancelled);
  EXPECT_EQ(trade->log.back().time, 10'000);  // no time from the venue: now
  // A finished order never goes back.
  core_.order_status(status_of(100, OrderStatus::kSubmitted, 0, 10), 11'000);
  EXPECT_EQ(trade->state.status, OrderStatus::kCancelled);
}

TEST_F(VenueOrdersTest, TheSameStatusWithLessHeldIsAReductionUnlessItIsTheTermsBeforeAChange) {
  broker::TradeHandle trade = place();
  core_.order_status(status_of(100, OrderStatus::kSubmitted, 0, 10), 6'000);
  // A report without quantities is a repeat, not a reduction to nothing.
  core_.order_status(status_of(100, OrderStatus::kSubmitted, 0, 0), 6'500);
  EXPECT_EQ(trade->order.total_quantity, 10);
  // An OCA group's reduction, as the simulated venue (and IB) report one.
  broker::VenueStatus reduced = status_of(100, OrderStatus::kSubmitted, 0, 6);
  reduced.why = "OCA group g: reduced";
  core_.order_status(reduced, 7'000);
  EXPECT_EQ(trade->order.total_quantity, 6);
  EXPECT_EQ(trade->state.remaining, 6);
  EXPECT_EQ(core_.rows().orders.back().message, "OCA group g: reduced");

  // A change 6 -> 12 in flight: the venue still holding 6 is a repeat of the old terms.
  broker::OrderChanges changes;
  changes.total_quantity = 12;
  ModifyVenue venue;
  core_.modify(0, trade, changes, 8'000, venue);
  ASSERT_EQ(venue.modified.size(), 1u);
  core_.order_status(status_of(100, OrderStatus::kSubmitted, 0, 6), 9'000);
  EXPECT_EQ(trade->order.total_quantity, 12);
  // The venue confirms the change (openOrder with the terms last sent); then refuses nothing.
  broker::VenueOrder open;
  open.order_id = 100;
  open.order_ref = "A";
  open.contract = stock("SPY");
  open.quantity = 12;
  open.confirms_last_sent = true;
  open.status = OrderStatus::kSubmitted;
  core_.order_open(open, 9'500);
  EXPECT_FALSE(core_.orders().find(100)->before_change);
}

TEST_F(VenueOrdersTest, AnErrorRefusesTheChangeInFlightOrTheOrder) {
  broker::TradeHandle trade = place();
  core_.order_status(status_of(100, OrderStatus::kSubmitted, 0, 10), 6'000);  // acknowledged
  broker::OrderChanges changes;
  changes.limit_price = 98;
  ModifyVenue venue;
  core_.modify(0, trade, changes, 7'000, venue);
  broker::VenueError refusal;
  refusal.order_id = 100;
  refusal.effect = broker::VenueError::Effect::kRefused;
  refusal.refuses_change = true;
  refusal.message = "IB error 104: cannot modify a filled order";
  core_.order_error(refusal, 8'000);
  EXPECT_EQ(trade->order.limit_price, 99);  // its terms back
  EXPECT_EQ(trade->state.status, OrderStatus::kSubmitted);
  // Without a change in flight the same error refuses the order.
  core_.order_error(refusal, 9'000);
  EXPECT_EQ(trade->state.status, OrderStatus::kInactive);
  EXPECT_EQ(core_.rows().orders.back().message, "IB error 104: cannot modify a filled order");
}

TEST_F(VenueOrdersTest, AnUnknownOpenOrderOfAStrategyIsAdoptedAndACompletedOneFoundByItsTerms) {
  broker::VenueOrder open;
  open.order_id = 7;
  open.perm_id = 700;
  open.order_ref = "A";
  open.contract = stock("SPY");
  open.order = limit_order(Action::kSell, 120, 3);
  open.order->order_id = 7;
  open.order->perm_id = 700;
  open.order->order_ref = "A";
  open.status = OrderStatus::kSubmitted;
  core_.order_open(open, 1'000);
  broker::OrderEntry* adopted = core_.orders().find(7);
  ASSERT_NE(adopted, nullptr);
  EXPECT_TRUE(adopted->adopted);
  EXPECT_TRUE(adopted->submitted);
  EXPECT_EQ(core_.open_trades(0).size(), 1u);
  // Another program's order (no strategy's key) is left alone.
  open.order_id = 8;
  open.order_ref = "someone else";
  core_.order_open(open, 1'000);
  EXPECT_EQ(core_.orders().find(8), nullptr);

  // completedOrder carries no order id: found by its permId.
  broker::VenueCompleted completed;
  completed.perm_id = 700;
  completed.status = OrderStatus::kCancelled;
  core_.order_completed(completed, 2'000);
  EXPECT_EQ(adopted->trade->state.status, OrderStatus::kCancelled);
  EXPECT_EQ(core_.rows().orders.back().message, "reported by completedOrder");
}

TEST_F(VenueOrdersTest, AReconciliationSendsAgainAnOrderTheVenueNeverReported) {
  broker::TradeHandle lost = place();   // id 100, never reported
  broker::TradeHandle known = place();  // id 101
  core_.begin_reconcile();
  core_.order_status(status_of(101, OrderStatus::kSubmitted, 0, 10), 3'000);
  EXPECT_EQ(core_.resend_lost_orders(side_), 1u);
  EXPECT_EQ(lost->order.order_id, 102);  // a new id
  EXPECT_EQ(known->order.order_id, 101);
  EXPECT_EQ(side_.sent, (std::vector<std::int64_t>{100, 101, 102}));
  EXPECT_EQ(core_.rows().orders.back().message,
            "sent again: order 100 never reached IB, it was lost with the connection");
}

TEST_F(VenueOrdersTest, ALostOrdersRowsNameItsVenue) {
  side_.venue = "the simulated exchange";
  broker::TradeHandle lost = place();  // id 100, never reported
  broker::VenueOrder open;
  open.order_id = 7;
  open.order_ref = "A";
  open.contract = stock("SPY");
  open.order = limit_order(Action::kSell, 120, 3);
  open.order->order_id = 7;
  open.order->order_ref = "A";
  core_.order_open(open, 1'000);  // adopted, then not reported by the reconciliation
  core_.begin_reconcile();
  EXPECT_EQ(core_.resend_lost_orders(side_), 2u);
  const broker::TradeHandle adopted = core_.orders().find(7)->trade;
  EXPECT_EQ(adopted->state.status, OrderStatus::kInactive);
  EXPECT_EQ(adopted->log.back().message,
            "the simulated exchange does not know this order: it was lost before it reached the "
            "simulated exchange");
  EXPECT_EQ(lost->order.order_id, 101);
  EXPECT_EQ(core_.rows().orders.back().message,
            "sent again: order 100 never reached the simulated exchange, it was lost with the "
            "connection");
}

}  // namespace
}  // namespace tandem::account
