// account::AccountCore alone: the rules both modes' accounts now take from it — a status change
// and its row, modify with the terms kept until the venue confirms, what a booked fill makes,
// the mark rule of the performance equity, the day's performance row.
#include "account/account_core.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "account/core_test_support.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::account {
namespace {

using test_support::batching;
using test_support::weight;

// A venue that records what it was sent.
class RecordingVenue final : public broker::Venue {
 public:
  bool connected() const override { return connected_; }
  std::int64_t next_order_id() override { return next_id_++; }
  void place(const Contract&, const Order& order) override { placed.push_back(order); }
  void modify(const Contract&, const Order& order) override { modified.push_back(order); }
  void cancel(std::int64_t order_id) override { cancelled.push_back(order_id); }

  bool connected_ = true;
  std::int64_t next_id_ = 1;
  std::vector<Order> placed;
  std::vector<Order> modified;
  std::vector<std::int64_t> cancelled;
};

broker::OrderChanges price_change(double limit_price) {
  broker::OrderChanges changes;
  changes.limit_price = limit_price;
  return changes;
}

broker::OrderChanges quantity_change(double quantity) {
  broker::OrderChanges changes;
  changes.total_quantity = quantity;
  return changes;
}

class AccountCoreTest : public ::testing::Test {
 protected:
  AccountCoreTest()
      : store_(store::Store::open("mem://")),
        recorder_(store_->library("DU42")),
        core_(batching(&recorder_)) {
    core_.add_strategy("A", weight(0.5));
    core_.add_strategy("B", weight(0.25));
  }

  // An order of strategy `strategy` filed under `id`, handed to the venue when `sent`.
  broker::OrderEntry& file(std::size_t strategy, std::int64_t id, bool sent) {
    auto trade = std::make_shared<Trade>();
    trade->contract = stock("SPY");
    trade->order = limit_order(Action::kBuy, 400, 10);
    trade->order.order_id = id;
    trade->order.order_ref = core_.key(strategy);
    trade->state = OrderState{OrderStatus::kSubmitted, 0, 10, 0};
    return core_.orders().add(
        id, broker::OrderEntry{.trade = trade, .strategy = strategy, .submitted = sent});
  }

  std::unique_ptr<store::Store> store_;
  broker::AccountRecorder recorder_;
  AccountCore core_;
  RecordingVenue venue_;
};

TEST_F(AccountCoreTest, AKeyUsedTwiceOrNotAKeyIsRefused) {
  try {
    core_.add_strategy("A", weight(0.1));
    FAIL() << "a second strategy A was registered";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("two strategies share the key 'A'"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(core_.add_strategy("no/slash", weight(0.1)), Error);
  EXPECT_EQ(core_.strategy_count(), 2u);
}

TEST_F(AccountCoreTest, ANewOrderIsCheckedPricesThenQuantityThenParent) {
  int asked = 0;
  const auto equity = [&] {
    ++asked;
    return 10'000.0;
  };
  const auto price = [&] {
    ++asked;
    return 99.0;
  };
  // By size: half of 10,000 at 99 is 50 whole shares.
  Order by_size = market_order(Action::kBuy);
  core_.check_new_order(0, stock("SPY"), by_size, 0.5, equity, price);
  EXPECT_EQ(by_size.total_quantity, 50);
  EXPECT_EQ(asked, 2);
  // Its own quantity: neither the equity nor the price is asked (live may know neither yet).
  Order own = market_order(Action::kBuy, 3);
  core_.check_new_order(0, stock("SPY"), own, std::nullopt, equity, price);
  EXPECT_EQ(asked, 2);

  const auto error_of = [&](Order order, std::optional<double> size) {
    try {
      core_.check_new_order(0, stock("SPY"), order, size, equity, price);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error_of(market_order(Action::kBuy, 5), 0.5).find("must not also carry a quantity"),
            std::string::npos);
  // Prices are checked before the quantity.
  Order limit_without_price = market_order(Action::kBuy, 0);
  limit_without_price.order_type = OrderType::kLimit;
  EXPECT_NE(error_of(limit_without_price, std::nullopt).find("needs a limit price"),
            std::string::npos);
  // A parent must be a working order of the same strategy.
  file(1, 20, true);
  Order child = limit_order(Action::kSell, 410, 10);
  child.parent_id = 20;
  EXPECT_NE(
      error_of(child, std::nullopt).find("parent order 20 is not a working order of this strategy"),
      std::string::npos);
  child.parent_id = -1;  // a held order's key: no id a child could name
  EXPECT_NE(error_of(child, std::nullopt).find("parent_id -1 is negative"), std::string::npos);
  file(0, 21, true);
  child.parent_id = 21;
  EXPECT_EQ(error_of(child, std::nullopt), "accepted");
}

TEST_F(AccountCoreTest, AStatusChangeMakesItsRowLogEntryAndNoticeAndCountsAnEnd) {
  broker::OrderEntry& record = file(0, 7, true);
  core_.change_status(record, OrderStatus::kCancelled, 1'000, "cancelled by the strategy");
  EXPECT_EQ(record.trade->state.status, OrderStatus::kCancelled);
  ASSERT_EQ(record.trade->log.size(), 1u);
  EXPECT_EQ(record.trade->log[0].time, 1'000);
  ASSERT_EQ(core_.rows().orders.size(), 1u);
  const broker::OrderEventRow& row = core_.rows().orders[0];
  EXPECT_EQ(row.order_id, 7);
  EXPECT_EQ(row.strategy, "A");
  EXPECT_EQ(row.status, OrderStatus::kCancelled);
  EXPECT_EQ(row.message, "cancelled by the strategy");
  EXPECT_EQ(core_.orders_ended(OrderStatus::kCancelled), 1u);
  EXPECT_EQ(core_.orders_ended(), 1u);
  std::vector<broker::StrategyNotice> notices;
  core_.take_notices(notices);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].strategy, 0u);
  EXPECT_FALSE(notices[0].fill_index.has_value());
}

TEST_F(AccountCoreTest, ASentOrdersChangeGoesToTheVenueAndARefusalPutsTheOldTermsBack) {
  broker::OrderEntry& record = file(0, 3, true);
  core_.modify(0, record.trade, price_change(401.5), 2'000, venue_);
  ASSERT_EQ(venue_.modified.size(), 1u);
  EXPECT_EQ(venue_.modified[0].limit_price, 401.5);
  EXPECT_EQ(record.trade->order.limit_price, 401.5);
  ASSERT_TRUE(record.before_change);
  EXPECT_EQ(record.before_change->limit_price, 400);
  EXPECT_EQ(core_.rows().orders.back().message.rfind("modified:", 0), 0u);

  core_.refuse_change(record, 3'000, "IB error 104");
  EXPECT_EQ(record.trade->order.limit_price, 400);
  EXPECT_FALSE(record.before_change);
  EXPECT_EQ(record.trade->state.status, OrderStatus::kSubmitted);
  EXPECT_EQ(core_.rows().orders.back().message,
            "change refused, the order keeps its terms: IB error 104");
}

TEST_F(AccountCoreTest, AnUnsentOrderChangesWithoutTheVenueAndADisconnectedVenueRefuses) {
  broker::OrderEntry& queued = file(0, 4, false);
  core_.modify(0, queued.trade, quantity_change(5), 2'000, venue_);
  EXPECT_TRUE(venue_.modified.empty());
  EXPECT_FALSE(queued.before_change);
  EXPECT_EQ(queued.trade->order.total_quantity, 5);
  EXPECT_EQ(queued.trade->state.remaining, 5);

  broker::OrderEntry& sent = file(0, 5, true);
  venue_.connected_ = false;
  try {
    core_.modify(0, sent.trade, quantity_change(5), 2'000, venue_);
    FAIL() << "a change was accepted without a connection";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
  }
  EXPECT_EQ(sent.trade->order.total_quantity, 10);
  // Another strategy's order is not B's to change.
  EXPECT_THROW(core_.modify(1, sent.trade, quantity_change(5), 2'000, venue_), Error);
}

TEST_F(AccountCoreTest, ABookedFillMakesItsRowsNoticeAndFilled) {
  broker::OrderEntry& record = file(1, 9, true);
  Trade& trade = *record.trade;
  Fill& fill = trade.fills.emplace_back();
  fill.contract = trade.contract;
  fill.time = 5'000;
  fill.execution.exec_id = "e1.01";
  fill.execution.order_id = 9;
  fill.execution.side = Action::kBuy;
  fill.execution.shares = 10;
  fill.execution.price = 400;
  fill.commission_report.commission = 1.25;
  std::vector<broker::RoundTrip> trips;
  core_.strategy(1).book.apply_fill("SPY", Action::kBuy, 10, 400, 1.25, 1, 5'000, trips);
  core_.fill_booked(1, fill, core_.strategy(1).book.find("SPY"));
  trade.state.filled = 10;
  core_.fill_delivered(record, 0, 5'000);

  EXPECT_EQ(core_.fills_booked(), 1u);
  EXPECT_DOUBLE_EQ(core_.commission_paid(), 1.25);
  EXPECT_DOUBLE_EQ(core_.strategy(1).traded_value_today, 4'000);
  ASSERT_EQ(core_.rows().fills.size(), 1u);
  EXPECT_EQ(core_.rows().fills[0].strategy, "B");
  const auto& positions = core_.rows().strategy(core_.strategy(1).recorder_slot).positions;
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].position, 10);
  EXPECT_EQ(trade.state.status, OrderStatus::kFilled);
  std::vector<broker::StrategyNotice> notices;
  core_.take_notices(notices);
  ASSERT_EQ(notices.size(), 2u);  // on_fill, then the Filled status
  EXPECT_EQ(notices[0].fill_index, 0u);
  EXPECT_FALSE(notices[1].fill_index.has_value());
}

TEST_F(AccountCoreTest, AnUnpricedHoldingIsMarkedAtItsAverageCostInEquityAndTheDaysRow) {
  core_.start(100'000);
  EXPECT_DOUBLE_EQ(core_.strategy(0).capital, 50'000);
  std::vector<broker::RoundTrip> trips;
  core_.strategy(0).book.apply_fill("SPY", Action::kBuy, 10, 400, 0, 1, 1, trips);
  core_.strategy(0).book.apply_fill("QQQ", Action::kBuy, 4, 300, 0, 1, 1, trips);
  const auto price_of = [](const std::string& symbol) -> std::optional<double> {
    if (symbol == "SPY") return 410.0;
    return std::nullopt;  // QQQ: no price yet
  };
  // SPY +100; QQQ at its average cost: 0.
  EXPECT_DOUBLE_EQ(core_.performance_equity(0, price_of), 50'100);

  const broker::PerformanceRow row =
      core_.end_strategy_day(0, 86'400, 100'100, 0, [&](broker::PerformanceDay& day) {
        for (const auto& [symbol, holding] : core_.strategy(0).book.holdings()) {
          day.add(holding, price_of(symbol));
        }
      });
  EXPECT_DOUBLE_EQ(row.equity, 50'100);
  EXPECT_DOUBLE_EQ(row.position_value, 4'100 + 1'200);
  EXPECT_DOUBLE_EQ(row.allocation, 50'050);
  EXPECT_EQ(core_.rows().strategy(core_.strategy(0).recorder_slot).performance.size(), 1u);
}

}  // namespace
}  // namespace tandem::account
