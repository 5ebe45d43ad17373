#include "exchange/simulated_exchange.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "exchange/commission.h"

namespace tandem::exchange {
namespace {

constexpr Timestamp kDay1 = 19724LL * kNanosPerDay;  // 2024-01-02
constexpr Timestamp kDay2 = kDay1 + kNanosPerDay;
constexpr Timestamp kDay3 = kDay2 + kNanosPerDay;

Bar bar(Timestamp t, double open, double high, double low, double close) {
  return Bar{t, open, high, low, close, 1000};
}

ExchangeOrder order(std::int64_t id, Action action, OrderType type,
                    std::optional<double> limit = std::nullopt,
                    std::optional<double> stop = std::nullopt,
                    TimeInForce tif = TimeInForce::kGtc) {
  return ExchangeOrder{id, action, type, 10, limit, stop, tif};
}

struct Harness {
  explicit Harness(FillModel model, double slippage_bps = 0) : exchange(model, slippage_bps, 1) {}
  // Submits during `current`; returns the fill price if it filled at once.
  std::optional<double> submit(const ExchangeOrder& o, const Bar& current) {
    events.clear();
    exchange.submit(0, o, current, events);
    if (events.empty()) return std::nullopt;
    return events[0].price;
  }
  // The events of the next bar.
  std::vector<ExchangeEvent> next(const Bar& b) {
    events.clear();
    exchange.on_bar(0, b, events);
    return events;
  }
  SimulatedExchange exchange;
  std::vector<ExchangeEvent> events;
};

const Bar kNow = bar(kDay1, 100, 101, 99, 100);

TEST(SimulatedExchange, CloseModelFillsMarketOrdersAtTheClose) {
  Harness h(FillModel::kClose);
  EXPECT_EQ(h.submit(order(1, Action::kBuy, OrderType::kMarket), kNow), 100);
}

TEST(SimulatedExchange, CloseModelLimitAndStopAtTheClose) {
  Harness h(FillModel::kClose);
  EXPECT_EQ(h.submit(order(1, Action::kBuy, OrderType::kLimit, 100.5), kNow), 100);  // marketable
  EXPECT_EQ(h.submit(order(2, Action::kBuy, OrderType::kLimit, 99.5), kNow), std::nullopt);
  EXPECT_EQ(h.submit(order(3, Action::kSell, OrderType::kStop, std::nullopt, 100.5), kNow), 100);
  EXPECT_EQ(h.submit(order(4, Action::kSell, OrderType::kStop, std::nullopt, 99), kNow),
            std::nullopt);
  EXPECT_EQ(h.exchange.resting_count(0), 2u);
}

TEST(SimulatedExchange, NextOpenFillsMarketOrdersAtTheNextOpen) {
  Harness h(FillModel::kNextOpen);
  EXPECT_EQ(h.submit(order(1, Action::kBuy, OrderType::kMarket), kNow), std::nullopt);
  auto events = h.next(bar(kDay2, 103, 104, 102, 103.5));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kFill);
  EXPECT_EQ(events[0].price, 103);
  EXPECT_EQ(events[0].time, kDay2);
}

TEST(SimulatedExchange, LimitOrdersFillAtTheOpenWhenItGapsThroughElseAtTheLimit) {
  Harness h(FillModel::kNextOpen);
  h.submit(order(1, Action::kBuy, OrderType::kLimit, 98), kNow);
  h.submit(order(2, Action::kBuy, OrderType::kLimit, 95), kNow);
  h.submit(order(3, Action::kSell, OrderType::kLimit, 101), kNow);
  h.submit(order(4, Action::kSell, OrderType::kLimit, 90), kNow);
  // Opens at 97 (below the buy limit 98 → fill at the open), low 94 reaches 95 → at 95; the
  // high 99 never reaches the sell at 101; the sell at 90 is below the open → at the open.
  auto events = h.next(bar(kDay2, 97, 99, 94, 96));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].order_id, 1);
  EXPECT_EQ(events[0].price, 97);
  EXPECT_EQ(events[1].order_id, 2);
  EXPECT_EQ(events[1].price, 95);
  EXPECT_EQ(events[2].order_id, 4);
  EXPECT_EQ(events[2].price, 97);
  events = h.next(bar(kDay3, 100, 102, 99, 101));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].order_id, 3);
  EXPECT_EQ(events[0].price, 101);
}

TEST(SimulatedExchange, StopOrdersFillAtTheOpenOnAGapElseAtTheStop) {
  Harness h(FillModel::kNextOpen);
  h.submit(order(1, Action::kBuy, OrderType::kStop, std::nullopt, 102), kNow);
  h.submit(order(2, Action::kSell, OrderType::kStop, std::nullopt, 97), kNow);
  h.submit(order(3, Action::kBuy, OrderType::kStop, std::nullopt, 110), kNow);
  // Gap up to 103 through the buy stop 102 → at the open; low 96 reaches the sell stop 97.
  auto events = h.next(bar(kDay2, 103, 105, 96, 100));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].price, 103);
  EXPECT_EQ(events[1].price, 97);
  EXPECT_TRUE(h.next(bar(kDay3, 100, 109.99, 99, 101)).empty());
}

TEST(SimulatedExchange, StopLimitTriggersThenActsAsALimit) {
  Harness h(FillModel::kNextOpen);
  // Buy stop 102 limit 103: the high 104 triggers at 102, within the limit → fills at 102.
  h.submit(order(1, Action::kBuy, OrderType::kStopLimit, 103, 102), kNow);
  // Buy stop 102 limit 101: triggered intrabar above its limit → waits for later bars.
  h.submit(order(2, Action::kBuy, OrderType::kStopLimit, 101, 102), kNow);
  auto events = h.next(bar(kDay2, 100, 104, 99.5, 103));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].order_id, 1);
  EXPECT_EQ(events[0].price, 102);
  // Next bar: order 2 is a working limit at 101; the low 100.5 reaches it.
  events = h.next(bar(kDay3, 102, 102.5, 100.5, 101.5));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].order_id, 2);
  EXPECT_EQ(events[0].price, 101);
}

TEST(SimulatedExchange, StopLimitTriggeredAtTheOpenAboveItsLimitFillsIfPriceComesBack) {
  Harness h(FillModel::kNextOpen);
  h.submit(order(1, Action::kBuy, OrderType::kStopLimit, 104, 102), kNow);
  // Opens at 106 (triggered, above the limit 104), trades down to 103 → fills at the limit.
  auto events = h.next(bar(kDay2, 106, 107, 103, 105));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].price, 104);
}

TEST(SimulatedExchange, DayOrdersExpireAtTheNextSessionGtcStays) {
  Harness h(FillModel::kClose);
  h.submit(order(1, Action::kBuy, OrderType::kLimit, 90, std::nullopt, TimeInForce::kDay), kNow);
  h.submit(order(2, Action::kBuy, OrderType::kLimit, 90, std::nullopt, TimeInForce::kGtc), kNow);
  // Another bar on the same day: nothing happens.
  EXPECT_TRUE(h.next(bar(kDay1 + 3600 * kNanosPerSecond, 100, 100, 99, 99)).empty());
  auto events = h.next(bar(kDay2, 100, 101, 95, 99));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kExpired);
  EXPECT_EQ(events[0].order_id, 1);
  events = h.next(bar(kDay3, 91, 92, 89, 90));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].order_id, 2);
  EXPECT_EQ(events[0].price, 90);
}

TEST(SimulatedExchange, NextOpenDayOrderIsValidForTheNextSession) {
  Harness h(FillModel::kNextOpen);
  h.submit(order(1, Action::kBuy, OrderType::kLimit, 95, std::nullopt, TimeInForce::kDay), kNow);
  EXPECT_TRUE(h.next(bar(kDay2, 100, 101, 96, 99)).empty());  // its session: not reached
  auto events = h.next(bar(kDay3, 94, 95, 93, 94));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ExchangeEvent::Kind::kExpired);
}

TEST(SimulatedExchange, SlippageMovesMarketAndStopFillsAgainstTheTaker) {
  Harness h(FillModel::kClose, 10);  // 10 bps
  EXPECT_NEAR(*h.submit(order(1, Action::kBuy, OrderType::kMarket), kNow), 100.1, 1e-12);
  EXPECT_NEAR(*h.submit(order(2, Action::kSell, OrderType::kMarket), kNow), 99.9, 1e-12);
  // A limit fill is never worse than its limit: no slippage.
  EXPECT_EQ(h.submit(order(3, Action::kBuy, OrderType::kLimit, 100), kNow), 100);
}

TEST(SimulatedExchange, CancelAndFind) {
  Harness h(FillModel::kNextOpen);
  h.submit(order(7, Action::kBuy, OrderType::kLimit, 50), kNow);
  ASSERT_NE(h.exchange.find(0, 7), nullptr);
  h.exchange.find(0, 7)->limit_price = 200;  // modified: now marketable
  EXPECT_EQ(h.next(bar(kDay2, 100, 101, 99, 100)).size(), 1u);
  std::vector<ExchangeEvent> events;
  EXPECT_FALSE(h.exchange.cancel(0, 7, kDay2, events));  // already filled
  h.submit(order(8, Action::kBuy, OrderType::kLimit, 50), kNow);
  EXPECT_TRUE(h.exchange.cancel(0, 8, kDay2, events));
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(h.next(bar(kDay3, 40, 41, 39, 40)).empty());
}

TEST(SimulatedExchange, BadSettingsAreRefused) {
  EXPECT_THROW(SimulatedExchange(FillModel::kClose, -1, 1), Error);
  EXPECT_THROW(parse_fill_model("open"), Error);
  EXPECT_EQ(parse_fill_model("next-open"), FillModel::kNextOpen);
}

TEST(CommissionModel, IbFixedPerShareWithMinimumAndMaximum) {
  CommissionModel ib = CommissionModel::ib_fixed();
  EXPECT_NEAR(ib.commission(1000, 50), 5.0, 1e-12);   // 1000 × 0.005
  EXPECT_NEAR(ib.commission(100, 50), 1.0, 1e-12);    // 0.50 → the 1.00 minimum
  EXPECT_NEAR(ib.commission(1000, 0.2), 2.0, 1e-12);  // 5.00 capped at 1 % of 200
  EXPECT_NEAR(ib.commission(10, 5), 0.5, 1e-12);      // minimum 1.00 > 1 % of 50 → 0.50
}

TEST(CommissionModel, PercentAndNone) {
  EXPECT_NEAR(CommissionModel::parse("percent:0.1").commission(100, 50), 5.0, 1e-12);
  EXPECT_EQ(CommissionModel::parse("none").commission(100, 50), 0.0);
  EXPECT_EQ(CommissionModel::parse("ib").describe(), "ib");
  EXPECT_EQ(CommissionModel::parse("percent:0.25").describe(), "percent:0.25");
  EXPECT_THROW(CommissionModel::parse("percent:"), Error);
  EXPECT_THROW(CommissionModel::parse("percent:-1"), Error);
  EXPECT_THROW(CommissionModel::parse("flat"), Error);
}

}  // namespace
}  // namespace tandem::exchange
