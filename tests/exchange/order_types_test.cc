// The order types and times in force added by issue 18 (MOC, LOC, TRAIL, TRAIL LIMIT; IOC, FOK,
// GTD, good_after) and linked orders (parent/child, OCA 1-3), each on hand-built bars: gap up,
// gap down, touch, no touch, and a trail moving before it triggers. docs/backtest.md states the
// rules these check.
#include <gtest/gtest.h>

#include <string>

#include "exchange/simulated_exchange.h"

namespace tandem::exchange {
namespace {

constexpr Timestamp kDay1 = 19724LL * kNanosPerDay;  // 2024-01-02
constexpr Timestamp day(int n) { return kDay1 + n * kNanosPerDay; }

Bar bar(Timestamp t, double open, double high, double low, double close) {
  return Bar{t, open, high, low, close, 1000};
}

ExchangeOrder make(std::int64_t id, Action action, OrderType type,
                   TimeInForce tif = TimeInForce::kGtc) {
  ExchangeOrder o;
  o.order_id = id;
  o.action = action;
  o.type = type;
  o.quantity = 10;
  o.tif = tif;
  return o;
}

ExchangeOrder trail(std::int64_t id, Action action, double amount,
                    OrderType type = OrderType::kTrail) {
  ExchangeOrder o = make(id, action, type);
  o.trailing_amount = amount;
  if (type == OrderType::kTrailLimit) o.limit_offset = 1;
  return o;
}

struct Harness {
  explicit Harness(FillModel model = FillModel::kNextOpen) : exchange(model, 0, 2) {}
  std::vector<ExchangeEvent> submit(const ExchangeOrder& o, const Bar& current,
                                    std::size_t symbol = 0) {
    std::vector<ExchangeEvent> events;
    exchange.submit(symbol, o, current, events);
    return events;
  }
  std::vector<ExchangeEvent> next(const Bar& b, std::size_t symbol = 0) {
    std::vector<ExchangeEvent> events;
    exchange.on_bar(symbol, b, events);
    return events;
  }
  SimulatedExchange exchange;
};

const Bar kNow = bar(day(0), 100, 101, 99, 100);

// The one event of `events`, checked to be a fill of `id`; its price.
double fill_price(const std::vector<ExchangeEvent>& events, std::int64_t id) {
  EXPECT_EQ(events.size(), 1u);
  if (events.size() != 1) return -1;
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kFill);
  EXPECT_EQ(events[0].order_id, id);
  return events[0].price;
}

TEST(OrderTypes, MarketOnCloseFillsAtTheCloseOfItsBar) {
  Harness close(FillModel::kClose);
  EXPECT_EQ(fill_price(close.submit(make(1, Action::kBuy, OrderType::kMarketOnClose), kNow), 1),
            100);
  Harness h;  // next-open: the next bar's close, gap or not
  EXPECT_TRUE(h.submit(make(1, Action::kBuy, OrderType::kMarketOnClose), kNow).empty());
  EXPECT_EQ(fill_price(h.next(bar(day(1), 110, 112, 108, 111)), 1), 111);  // gap up
  h.submit(make(2, Action::kSell, OrderType::kMarketOnClose), kNow);
  EXPECT_EQ(fill_price(h.next(bar(day(2), 90, 92, 88, 89)), 2), 89);  // gap down
}

TEST(OrderTypes, OnCloseOrdersNeedDailyBars) {
  Harness h;
  const Bar intraday = bar(day(0) + 15 * 3600 * kNanosPerSecond, 100, 101, 99, 100);
  auto events = h.submit(make(1, Action::kBuy, OrderType::kMarketOnClose), intraday);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kRejected);
  EXPECT_NE(events[0].message.find("daily bars"), std::string::npos);
}

TEST(OrderTypes, LimitOnCloseFillsAtACloseWithinItsLimitElseIsCancelled) {
  Harness h;
  ExchangeOrder buy = make(1, Action::kBuy, OrderType::kLimitOnClose, TimeInForce::kDay);
  buy.limit_price = 100;
  h.submit(buy, kNow);
  // Touch: the low reaches the limit but the close does not — not filled, cancelled.
  auto events = h.next(bar(day(1), 101, 102, 99, 100.5));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kCancelled);
  EXPECT_NE(events[0].message.find("LOC"), std::string::npos);
  buy.order_id = 2;
  h.submit(buy, kNow);
  EXPECT_EQ(fill_price(h.next(bar(day(2), 103, 104, 98, 99.5)), 2), 99.5);  // close within
  Harness close(FillModel::kClose);
  buy.order_id = 3;
  EXPECT_EQ(fill_price(close.submit(buy, kNow), 3), 100);  // close model: at the placing close
  buy.limit_price = 99;
  buy.order_id = 4;
  EXPECT_EQ(close.submit(buy, kNow)[0].kind, ExchangeEvent::Kind::kCancelled);
}

TEST(OrderTypes, TrailingStopSellFollowsTheHighThenTriggers) {
  Harness h;
  h.submit(trail(1, Action::kSell, 5), kNow);  // stop 95 from the close 100
  EXPECT_EQ(h.exchange.trail_stop(0, 1), 95);
  EXPECT_TRUE(h.next(bar(day(1), 101, 104, 100, 103)).empty());  // no touch; moves to 99
  EXPECT_EQ(h.exchange.trail_stop(0, 1), 99);
  EXPECT_TRUE(h.next(bar(day(2), 103, 103.5, 99.5, 101)).empty());  // lower high: stays 99
  EXPECT_EQ(h.exchange.trail_stop(0, 1), 99);
  EXPECT_EQ(fill_price(h.next(bar(day(3), 100, 100.5, 97, 98)), 1), 99);  // touch: at the stop
  h.submit(trail(2, Action::kSell, 5), kNow);
  EXPECT_EQ(fill_price(h.next(bar(day(4), 90, 91, 88, 89)), 2), 90);  // gap down: at the open
  // A bar that first rises then falls below the moved stop: triggered at the moved stop.
  h.submit(trail(3, Action::kSell, 5), kNow);
  EXPECT_EQ(fill_price(h.next(bar(day(5), 100, 110, 99, 104)), 3), 105);
}

TEST(OrderTypes, TrailingStopBuyByPercentFollowsTheLow) {
  Harness h;
  ExchangeOrder buy = make(1, Action::kBuy, OrderType::kTrail);
  buy.trailing_percent = 10;
  h.submit(buy, kNow);  // stop 110
  EXPECT_NEAR(*h.exchange.trail_stop(0, 1), 110, 1e-9);
  EXPECT_TRUE(h.next(bar(day(1), 95, 96, 90, 95)).empty());  // low 90: stop 99
  EXPECT_NEAR(*h.exchange.trail_stop(0, 1), 99, 1e-9);
  EXPECT_NEAR(fill_price(h.next(bar(day(2), 103, 104, 102, 103)), 1), 103, 1e-9);  // gap up
}

TEST(OrderTypes, TrailingStopGivenAStartingStop) {
  Harness h(FillModel::kClose);
  ExchangeOrder sell = trail(1, Action::kSell, 5);
  sell.trail_stop_price = 101;  // above the close: triggers at the placing close
  EXPECT_EQ(fill_price(h.submit(sell, kNow), 1), 100);
  sell.order_id = 2;
  sell.trail_stop_price = 90;
  EXPECT_TRUE(h.submit(sell, kNow).empty());
  EXPECT_EQ(h.exchange.trail_stop(0, 2), 90);
}

TEST(OrderTypes, TrailingStopLimitBecomesALimitWhenTriggered) {
  Harness h;
  h.submit(trail(1, Action::kSell, 5, OrderType::kTrailLimit), kNow);  // stop 95, limit 94
  // Gap down below the limit: triggered, a limit at 94 the bar never reaches.
  EXPECT_TRUE(h.next(bar(day(1), 92, 93.5, 91, 92)).empty());
  EXPECT_EQ(fill_price(h.next(bar(day(2), 93, 95, 92, 94)), 1), 94);  // touch of the limit
  h.submit(trail(2, Action::kSell, 5, OrderType::kTrailLimit), kNow);
  EXPECT_EQ(fill_price(h.next(bar(day(3), 94.5, 96, 94, 95)), 2), 94.5);  // gap within the limit
  h.submit(trail(3, Action::kSell, 5, OrderType::kTrailLimit), kNow);
  EXPECT_EQ(fill_price(h.next(bar(day(4), 99, 100, 94, 96)), 3), 95);  // touch: at the stop
}

TEST(TimeInForce, IocAndFokAreCancelledWhenTheirFirstCheckMisses) {
  for (TimeInForce tif : {TimeInForce::kIoc, TimeInForce::kFok}) {
    Harness close(FillModel::kClose);
    ExchangeOrder o = make(1, Action::kBuy, OrderType::kLimit, tif);
    o.limit_price = 99;
    auto events = close.submit(o, kNow);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kCancelled);
    EXPECT_EQ(close.exchange.resting_count(0), 0u);
    o.limit_price = 100;
    o.order_id = 2;
    EXPECT_EQ(fill_price(close.submit(o, kNow), 2), 100);
    Harness h;  // next-open: the first check is the next bar, over its whole range
    o.limit_price = 99;
    h.submit(o, kNow);
    EXPECT_EQ(fill_price(h.next(bar(day(1), 100, 101, 98.5, 100)), 2), 99);  // touch
    o.order_id = 3;
    h.submit(o, kNow);
    events = h.next(bar(day(2), 100, 101, 99.5, 100));  // no touch
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kCancelled);
    EXPECT_TRUE(h.next(bar(day(3), 90, 91, 89, 90)).empty());  // gone
  }
}

TEST(TimeInForce, GoodAfterAndGoodTill) {
  Harness h;
  ExchangeOrder o = make(1, Action::kBuy, OrderType::kLimit, TimeInForce::kGtd);
  o.limit_price = 99;
  o.good_after = day(2);
  o.good_till = day(4);
  h.submit(o, kNow);
  EXPECT_TRUE(h.next(bar(day(1), 90, 91, 89, 90)).empty());  // before good_after: not checked
  EXPECT_TRUE(h.next(bar(day(2), 100, 101, 99.5, 100)).empty());
  EXPECT_TRUE(h.next(bar(day(3), 100, 101, 99.5, 100)).empty());
  auto events = h.next(bar(day(4), 90, 91, 89, 90));  // at good_till: cancelled, not filled
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kCancelled);
  EXPECT_NE(events[0].message.find("GTD"), std::string::npos);
  Harness close(FillModel::kClose);
  o.order_id = 2;
  o.limit_price = 101;
  EXPECT_TRUE(close.submit(o, kNow).empty());  // marketable, but not before good_after
  EXPECT_EQ(fill_price(close.next(bar(day(2), 100, 101, 99, 100)), 2), 100);
}

// A bracket as the account submits it: parent, stop-loss, take-profit (OCA type 1); with
// `oca_group` "" the children name no group, as IB's API sends a bracket.
void submit_bracket(Harness& h, std::int64_t parent, OrderType parent_type,
                    std::optional<double> parent_limit = std::nullopt,
                    const std::string& oca_group = "bracket") {
  ExchangeOrder p = make(parent, Action::kBuy, parent_type);
  p.limit_price = parent_limit;
  ExchangeOrder stop = make(parent + 1, Action::kSell, OrderType::kStop);
  stop.stop_price = 95;
  ExchangeOrder take = make(parent + 2, Action::kSell, OrderType::kLimit);
  take.limit_price = 105;
  for (ExchangeOrder* child : {&stop, &take}) {
    child->parent_id = parent;
    child->oca_group = oca_group;
    child->oca_type = oca_group.empty() ? OcaType::kNone : OcaType::kCancelWithBlock;
  }
  for (const ExchangeOrder& o : {p, stop, take}) EXPECT_TRUE(h.submit(o, kNow).empty());
}

TEST(LinkedOrders, BracketChildrenWaitForTheParentThenOneCancelsTheOther) {
  Harness h;
  submit_bracket(h, 1, OrderType::kLimit, 98);
  // The bar reaches the take-profit but not the parent's limit: the children are held.
  EXPECT_TRUE(h.next(bar(day(1), 100, 106, 99, 104)).empty());
  // The parent fills inside the bar at 98: the children start with the next bar.
  EXPECT_EQ(fill_price(h.next(bar(day(2), 100, 106, 97, 104)), 1), 98);
  auto events = h.next(bar(day(3), 104, 106, 103, 105));  // take-profit touched
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kFill);
  EXPECT_EQ(events[0].order_id, 3);
  EXPECT_EQ(events[0].price, 105);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kCancelled);
  EXPECT_EQ(events[1].order_id, 2);
  EXPECT_NE(events[1].message.find("OCA group bracket: order 3 filled"), std::string::npos);
  EXPECT_EQ(h.exchange.resting_count(0), 0u);
}

TEST(LinkedOrders, ChildrenWithoutAGroupAreOneCancelsOtherAsIbsAttachedOrders) {
  Harness h;
  submit_bracket(h, 1, OrderType::kMarket, std::nullopt, "");
  EXPECT_EQ(fill_price(h.next(bar(day(1), 100, 101, 99, 100)), 1), 100);
  auto events = h.next(bar(day(2), 100, 106, 99, 105));  // take-profit touched
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kFill);
  EXPECT_EQ(events[0].order_id, 3);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kCancelled);
  EXPECT_EQ(events[1].order_id, 2);
  EXPECT_EQ(events[1].message, "order 3, attached to the same parent 1, filled");
  EXPECT_EQ(h.exchange.resting_count(0), 0u);
  // A child in a group of its own is not its ungrouped siblings' OCA partner.
  Harness g;
  submit_bracket(g, 1, OrderType::kMarket, std::nullopt, "");
  ExchangeOrder other = make(4, Action::kSell, OrderType::kLimit);
  other.limit_price = 104;
  other.parent_id = 1;
  other.oca_group = "mine";
  other.oca_type = OcaType::kCancelWithBlock;
  EXPECT_TRUE(g.submit(other, kNow).empty());
  EXPECT_EQ(g.next(bar(day(1), 100, 101, 99, 100)).size(), 1u);  // the parent fills
  events = g.next(bar(day(2), 100, 106, 99, 105));
  ASSERT_EQ(events.size(), 3u);  // take-profit and order 4 fill; only the stop is cancelled
  EXPECT_EQ(events[0].order_id, 3);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kCancelled);
  EXPECT_EQ(events[1].order_id, 2);
  EXPECT_EQ(events[2].order_id, 4);
  EXPECT_EQ(events[2].kind, ExchangeEvent::Kind::kFill);
}

TEST(LinkedOrders, ParentFilledAtTheOpenLetsChildrenSeeTheRestOfTheBar) {
  Harness h;
  submit_bracket(h, 1, OrderType::kMarket);
  // Both exits are reached on the parent's bar: the stop-loss, placed first, fills.
  auto events = h.next(bar(day(1), 100, 106, 94, 100));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].order_id, 1);
  EXPECT_EQ(events[1].order_id, 2);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kFill);
  EXPECT_EQ(events[1].price, 95);
  EXPECT_EQ(events[2].order_id, 3);
  EXPECT_EQ(events[2].kind, ExchangeEvent::Kind::kCancelled);
}

TEST(LinkedOrders, AChildOfAParentFilledAtSubmissionWorksAtOnce) {
  Harness h(FillModel::kClose);
  EXPECT_EQ(fill_price(h.submit(make(1, Action::kBuy, OrderType::kMarket), kNow), 1), 100);
  ExchangeOrder stop = make(2, Action::kSell, OrderType::kStop);
  stop.stop_price = 95;
  stop.parent_id = 1;
  EXPECT_TRUE(h.submit(stop, kNow).empty());
  EXPECT_EQ(fill_price(h.next(bar(day(1), 97, 98, 94, 96)), 2), 95);
}

TEST(LinkedOrders, CancellingTheParentCancelsItsChildren) {
  Harness h;
  submit_bracket(h, 1, OrderType::kLimit, 90);
  std::vector<ExchangeEvent> events;
  EXPECT_TRUE(h.exchange.cancel(0, 1, day(1), events));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kCancelled);
  EXPECT_NE(events[0].message.find("parent order 1"), std::string::npos);
  EXPECT_EQ(h.exchange.resting_count(0), 0u);
}

TEST(LinkedOrders, OcaGroupsAcrossSymbolsCancelOrReduce) {
  // Type 1: a fill on symbol 0 cancels the member resting on symbol 1.
  Harness h;
  ExchangeOrder a = make(1, Action::kBuy, OrderType::kLimit);
  a.limit_price = 99;
  a.oca_group = "g";
  a.oca_type = OcaType::kCancelWithBlock;
  ExchangeOrder b = a;
  b.order_id = 2;
  h.submit(a, kNow, 0);
  h.submit(b, kNow, 1);
  auto events = h.next(bar(day(1), 100, 101, 98, 100), 0);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].order_id, 2);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kCancelled);
  EXPECT_EQ(h.exchange.resting_count(1), 0u);

  // Type 2 (with block): the second member on the same bar is reduced before it is matched.
  Harness reduce;
  a.oca_type = b.oca_type = OcaType::kReduceWithBlock;
  ExchangeOrder big = b;
  big.quantity = 25;
  reduce.submit(a, kNow);
  reduce.submit(big, kNow);
  events = reduce.next(bar(day(1), 100, 101, 98, 100));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kReduced);
  EXPECT_EQ(events[1].quantity, 15);
  EXPECT_EQ(events[2].kind, ExchangeEvent::Kind::kFill);  // its 15 fill on the same bar
  EXPECT_EQ(reduce.exchange.find(0, 2), nullptr);

  // Type 2, equal sizes: the reduction to 0 cancels the other member before it fills.
  Harness block;
  block.submit(a, kNow);
  block.submit(b, kNow);
  events = block.next(bar(day(1), 100, 101, 98, 100));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kCancelled);

  // Type 3 (no block): both members the bar reaches fill; the reduction comes after the bar.
  Harness overfill;
  a.oca_type = b.oca_type = OcaType::kReduceNoBlock;
  ExchangeOrder c = b;
  c.order_id = 3;
  c.limit_price = 90;  // not reached on this bar
  c.quantity = 30;
  overfill.submit(a, kNow);
  overfill.submit(b, kNow);
  overfill.submit(c, kNow);
  events = overfill.next(bar(day(1), 100, 101, 98, 100));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kFill);
  EXPECT_EQ(events[1].kind, ExchangeEvent::Kind::kFill);
  EXPECT_EQ(events[2].kind, ExchangeEvent::Kind::kReduced);  // 30 - 10
  EXPECT_EQ(events[2].quantity, 20);
  EXPECT_EQ(events[3].kind, ExchangeEvent::Kind::kReduced);  // - 10 more
  EXPECT_EQ(events[3].quantity, 10);
  EXPECT_EQ(overfill.exchange.find(0, 3)->quantity, 10);
}

}  // namespace
}  // namespace tandem::exchange
