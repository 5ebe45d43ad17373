// The simulated exchange behind the venue interface (backtest/simulated_venue.h): decisions are
// queued until deliver(), come back as VenueEvents (status, fill with exec id and commission),
// and a refused fill cancels the children released with it at once.
#include "backtest/simulated_venue.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace tandem::backtest {
namespace {

// Records what the venue says, one line per event; a refusal hook for the fill test.
class Recorder final : public broker::VenueEvents {
 public:
  std::vector<std::string> said;
  std::vector<broker::VenueFill> fills;
  std::function<void(const broker::VenueFill&)> on_fill;

  void order_status(const broker::VenueStatus& s) override {
    said.push_back("status " + std::to_string(s.order_id) + " " +
                   std::string(order_status_name(*s.status)) + " @" + std::to_string(s.time) +
                   " remaining " + std::to_string(static_cast<int>(s.remaining)) + " " + s.why);
  }
  void fill(const broker::VenueFill& f) override {
    said.push_back("fill " + std::to_string(f.fill.execution.order_id));
    fills.push_back(f);
    if (on_fill) on_fill(f);
  }
  void order_reported(std::int64_t) override { said.push_back("unexpected order_reported"); }
  void order_open(const broker::VenueOrder&) override { said.push_back("unexpected order_open"); }
  void order_completed(const broker::VenueCompleted&) override {
    said.push_back("unexpected order_completed");
  }
  bool execution_arrived(Fill&) override {
    said.push_back("unexpected execution_arrived");
    return true;
  }
  void late_commission(const CommissionReport&) override {
    said.push_back("unexpected late_commission");
  }
  void order_error(const broker::VenueError&) override { said.push_back("unexpected order_error"); }
  void account_value(const AccountValue&) override { said.push_back("unexpected account_value"); }
  void holding(const broker::VenueHolding&) override { said.push_back("unexpected holding"); }
};

// One instrument, "AAA", with daily bars at t = 1, 2, 3 days (open, high, low, close).
MarketState one_instrument() {
  MarketState market;
  BarSeries bars;
  const double rows[3][4] = {{100, 101, 99, 100}, {102, 110, 101, 108}, {107, 109, 90, 95}};
  for (int i = 0; i < 3; ++i) {
    bars.time.push_back(static_cast<Timestamp>(i + 1) * 86'400'000'000'000LL);
    bars.open.push_back(rows[i][0]);
    bars.high.push_back(rows[i][1]);
    bars.low.push_back(rows[i][2]);
    bars.close.push_back(rows[i][3]);
    bars.volume.push_back(1000);
  }
  market.add(stock("AAA"), std::move(bars));
  return market;
}

SimulatedVenueSettings settings(exchange::FillModel model) {
  return SimulatedVenueSettings{model,     0,     exchange::CommissionModel::percent(1),
                                "BT_TEST", "USD", "America/New_York"};
}

// What every test starts from: a venue over one_instrument() with its first bar delivered and
// the clock at it, and the recorder that hears it (used as `auto& [market, events, venue]`).
struct AtFirstBar {
  explicit AtFirstBar(exchange::FillModel model) : venue(settings(model), market, events) {
    market.mark_delivered(0);
    market.set_now(market.current_bar(0).time);
  }
  MarketState market = one_instrument();
  Recorder events;
  SimulatedVenue venue;
};

// Delivers bar i of instrument 0 as the replay does: the clock, the bar, then matching.
void next_bar(MarketState& market, SimulatedVenue& venue) {
  market.mark_delivered(0);
  const Bar bar = market.current_bar(0);
  market.set_now(bar.time);
  venue.open_bar(0, bar);
  venue.deliver();
}

TEST(SimulatedVenue, AnOrderIsAcceptedThenFilledWithItsExecIdAndCommissionOnlyOnDeliver) {
  AtFirstBar at(exchange::FillModel::kClose);
  auto& [market, events, venue] = at;
  Order order = market_order(Action::kBuy, 10);
  order.order_id = venue.next_order_id();
  venue.place(market.contract(0), order);
  EXPECT_TRUE(events.said.empty()) << "nothing is delivered from inside a send";
  venue.deliver();
  const std::string day1 = std::to_string(86'400'000'000'000LL);
  ASSERT_EQ(events.said,
            (std::vector<std::string>{"status 1 Submitted @" + day1 + " remaining 10 ", "fill 1"}));
  const Fill& fill = events.fills[0].fill;
  EXPECT_EQ(fill.execution.exec_id, "BT_TEST.1.1");
  EXPECT_EQ(fill.commission_report.exec_id, "BT_TEST.1.1");
  EXPECT_EQ(fill.execution.account, "BT_TEST");
  EXPECT_EQ(fill.execution.exchange, "SIMULATED");
  EXPECT_EQ(fill.execution.side, Action::kBuy);
  EXPECT_DOUBLE_EQ(fill.execution.shares, 10);
  EXPECT_DOUBLE_EQ(fill.execution.price, 100);                // the close of the placing bar
  EXPECT_DOUBLE_EQ(fill.commission_report.commission, 10.0);  // 1 % of 1,000
  EXPECT_EQ(fill.commission_report.currency, "USD");
  EXPECT_EQ(fill.time, 86'400'000'000'000LL);
  EXPECT_EQ(events.fills[0].kind, broker::FillKind::kNew);
}

TEST(SimulatedVenue, CancellingAParentDeliversItsHeldChildsCancellation) {
  AtFirstBar at(exchange::FillModel::kNextOpen);
  auto& [market, events, venue] = at;
  Order parent = limit_order(Action::kBuy, 50, 10);  // never reached
  parent.order_id = venue.next_order_id();
  parent.tif = TimeInForce::kGtc;
  Order child = limit_order(Action::kSell, 200, 10);
  child.order_id = venue.next_order_id();
  child.parent_id = parent.order_id;
  child.tif = TimeInForce::kGtc;
  venue.place(0, market.contract(0), parent);
  venue.deliver();
  venue.place(0, market.contract(0), child);
  venue.deliver();
  ASSERT_EQ(events.said.size(), 2u);
  EXPECT_TRUE(venue.has_resting_orders(0));
  venue.cancel(parent.order_id);
  EXPECT_EQ(events.said.size(), 2u) << "nothing is delivered from inside a send";
  venue.deliver();
  ASSERT_EQ(events.said.size(), 3u);
  EXPECT_EQ(events.said[2], "status 2 Cancelled @" + std::to_string(86'400'000'000'000LL) +
                                " remaining 10 " +
                                exchange::SimulatedExchange::fmt_parent_cancelled(1));
  EXPECT_FALSE(venue.has_resting_orders(0));
}

TEST(SimulatedVenue, ARefusedFillCancelsTheChildrenReleasedWithItAtOnce) {
  AtFirstBar at(exchange::FillModel::kNextOpen);
  auto& [market, events, venue] = at;
  Order parent = market_order(Action::kBuy, 10);
  parent.order_id = venue.next_order_id();
  Order child = stop_order(Action::kSell, 50, 10);  // never reached
  child.order_id = venue.next_order_id();
  child.parent_id = parent.order_id;
  child.tif = TimeInForce::kGtc;
  venue.place(0, market.contract(0), parent);
  venue.deliver();
  venue.place(0, market.contract(0), child);
  venue.deliver();
  events.said.clear();
  // The account refuses the parent's fill (a cash account without the cash).
  events.on_fill = [&](const broker::VenueFill& f) {
    venue.refuse_fill(f.fill.execution.order_id, f.fill.time);
  };
  next_bar(market, venue);
  const std::string day2 = std::to_string(2 * 86'400'000'000'000LL);
  ASSERT_EQ(events.said, (std::vector<std::string>{
                             "fill 1", "status 2 Cancelled @" + day2 + " remaining 10 " +
                                           exchange::SimulatedExchange::fmt_parent_cancelled(1)}));
  EXPECT_DOUBLE_EQ(events.fills[0].fill.execution.price, 102);  // the next bar's open
  EXPECT_FALSE(venue.has_resting_orders(0));
}

TEST(SimulatedVenue, AnOcaReductionIsReportedAsItsStatusWithTheNewRemaining) {
  AtFirstBar at(exchange::FillModel::kNextOpen);
  auto& [market, events, venue] = at;
  Order fills = limit_order(Action::kBuy, 105, 4);    // bar 2 opens at 102: fills at the open
  Order reduced = limit_order(Action::kBuy, 50, 10);  // never reached
  for (Order* order : {&fills, &reduced}) {
    order->order_id = venue.next_order_id();
    order->oca_group = "G";
    order->oca_type = OcaType::kReduceWithBlock;
    order->tif = TimeInForce::kGtc;
    venue.place(0, market.contract(0), *order);
    venue.deliver();
  }
  events.said.clear();
  next_bar(market, venue);
  ASSERT_EQ(events.said.size(), 2u);
  EXPECT_EQ(events.said[0], "fill 1");
  EXPECT_EQ(
      events.said[1].rfind(
          "status 2 Submitted @" + std::to_string(2 * 86'400'000'000'000LL) + " remaining 6 ", 0),
      0u)
      << events.said[1];
}

TEST(SimulatedVenue, RefusesAnIdItDidNotGiveAndAContractItDoesNotTrade) {
  AtFirstBar at(exchange::FillModel::kClose);
  auto& [market, events, venue] = at;
  Order order = market_order(Action::kBuy, 1);
  order.order_id = 7;
  try {
    venue.place(market.contract(0), order);
    FAIL() << "an id the venue did not give was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("order id 7"), std::string::npos) << e.what();
  }
  order.order_id = venue.next_order_id();
  try {
    venue.place(stock("ZZZ"), order);
    FAIL() << "a contract of no instrument was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("'ZZZ'"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(events.said.empty());
}

}  // namespace
}  // namespace tandem::backtest
