// Routing preferences live against the paper gateway (docs/routing.md): the preference stored
// in general/routing reaches the strategy, rides on its order over the wire, is recorded in
// `orders`, and is what the gateway received (its journal); an unknown venue comes back as IB's
// error 200 and an algo on a directed route as TWS's refusal, each leaving the order Inactive.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "broker/routing.h"
#include "live_harness.h"
#include "strategy/daily_config.h"

namespace tandem::live::testing {
namespace {

// Buys 10 shares with a plain market order on its first bar (on `exchange` when given).
class RoutedBuyer : public strategy::Strategy {
 public:
  RoutedBuyer(std::string exchange, broker::Routing* seen)
      : Strategy(config()), exchange_(std::move(exchange)), seen_(seen) {}
  void on_bar(const strategy::BarEvent& event) override {
    if (placed_) return;
    placed_ = true;
    *seen_ = broker().routing();
    Contract contract = event.contract;
    if (!exchange_.empty()) contract.exchange = exchange_;
    broker().place_order(contract, market_order(Action::kBuy, 10));
  }

 private:
  static strategy::StrategyConfig config() { return tandem::testing::daily_config("TQQQ"); }
  std::string exchange_;
  broker::Routing* seen_;
  bool placed_ = false;
};

struct Outcome {
  broker::Routing seen;
  store::Table orders;          // the account's orders rows
  store::Table gateway_orders;  // the gateway's journal: what it received
};

// Stores `routing`, runs one bar and returns what was recorded; `journaled`: the gateway keeps
// a row of the order (not for an order refused as an unknown contract).
Outcome trade_once(LiveHarness& h, const broker::Routing& routing, std::string exchange = "",
                   bool journaled = true) {
  broker::set_routing(h.store(), "TQQQ", routing, now_utc());
  Outcome outcome;
  h.start_session(std::make_unique<RoutedBuyer>(std::move(exchange), &outcome.seen), "routed",
                  h.options());
  EXPECT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  h.step_and_settle();
  EXPECT_EQ(h.stop_session(), "") << h.log_text();
  outcome.orders = h.read("orders");
  // The journal is written by the gateway's own thread; wait for its first orders row.
  for (int i = 0; journaled && i < 100 && outcome.gateway_orders.num_rows() == 0; ++i) {
    store::Library journal = h.store().library("gateway_" + std::string(kAccount));
    if (journal.has_symbol("orders")) outcome.gateway_orders = journal.read("orders").table;
    if (outcome.gateway_orders.num_rows() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return outcome;
}

std::string last(const store::Table& table, std::string_view column) {
  return std::string(table.strings(column)[table.num_rows() - 1]);
}

TEST(LiveRouting, TheRouteRidesOnTheOrderAndIsWhatTheGatewayReceived) {
  LiveHarness h;
  broker::Routing routing;
  routing.exchange = "ISLAND";
  routing.primary_exchange = "NASDAQ";
  routing.account = kAccount;
  routing.tif = TimeInForce::kGtc;
  routing.outside_rth = true;
  Outcome o = trade_once(h, routing);
  EXPECT_EQ(o.seen, routing);
  ASSERT_GT(o.orders.num_rows(), 0u);
  EXPECT_EQ(last(o.orders, "status"), "Filled") << h.log_text();
  EXPECT_EQ(last(o.orders, "exchange"), "ISLAND");
  EXPECT_EQ(last(o.orders, "primary_exchange"), "NASDAQ");
  EXPECT_EQ(last(o.orders, "account"), "");  // the route named the session's own account
  EXPECT_EQ(last(o.gateway_orders, "account"), kAccount);
  EXPECT_EQ(last(o.orders, "tif"), "GTC");
  EXPECT_EQ(o.orders.bools("outside_rth")[o.orders.num_rows() - 1], 1);
  ASSERT_GT(o.gateway_orders.num_rows(), 0u) << "the gateway journal has no orders";
  EXPECT_EQ(last(o.gateway_orders, "exchange"), "ISLAND");
  EXPECT_EQ(last(o.gateway_orders, "primary_exchange"), "NASDAQ");
  EXPECT_EQ(last(o.gateway_orders, "tif"), "GTC");
  EXPECT_EQ(o.gateway_orders.int64s("outside_rth")[o.gateway_orders.num_rows() - 1], 1);
  EXPECT_EQ(last(o.gateway_orders, "order_ref"), "TQQQ");
}

TEST(LiveRouting, AnAdaptiveAlgoOnSmartIsSentAndAccepted) {
  LiveHarness h;
  broker::Routing routing;
  routing.exchange = "SMART";
  routing.algo_strategy = "Adaptive";
  routing.algo_params = {{"adaptivePriority", "Normal"}};
  Outcome o = trade_once(h, routing);
  ASSERT_GT(o.orders.num_rows(), 0u);
  EXPECT_EQ(last(o.orders, "status"), "Filled") << h.log_text();
  EXPECT_EQ(last(o.orders, "algo"), "Adaptive:adaptivePriority=Normal");
  ASSERT_GT(o.gateway_orders.num_rows(), 0u);
  EXPECT_EQ(last(o.gateway_orders, "algo_strategy"), "Adaptive");
  EXPECT_EQ(last(o.gateway_orders, "algo_params"), "adaptivePriority=Normal");
  EXPECT_EQ(last(o.gateway_orders, "status"), "Filled");
}

TEST(LiveRouting, AnUnknownVenueIsIbError200AndTheOrderInactive) {
  LiveHarness h;
  broker::Routing routing;
  routing.exchange = "NOSUCHEX";
  Outcome o = trade_once(h, routing, "", false);
  ASSERT_GT(o.orders.num_rows(), 0u);
  EXPECT_EQ(last(o.orders, "status"), "Inactive") << h.log_text();
  EXPECT_NE(last(o.orders, "message").find("IB error 200"), std::string::npos)
      << last(o.orders, "message");
  EXPECT_EQ(last(o.orders, "exchange"), "NOSUCHEX");
}

TEST(LiveRouting, AnAlgoOnADirectedRouteIsRefusedAsTwsRefusesIt) {
  LiveHarness h;
  broker::Routing routing;
  routing.algo_strategy = "Vwap";
  routing.algo_params = {{"maxPctVol", "0.1"}};
  // The strategy routes this order to ISLAND itself; the preference's algo still applies.
  Outcome o = trade_once(h, routing, "ISLAND");
  ASSERT_GT(o.orders.num_rows(), 0u);
  EXPECT_EQ(last(o.orders, "status"), "Inactive") << h.log_text();
  EXPECT_NE(last(o.orders, "message").find("IB error 201"), std::string::npos);
  EXPECT_NE(last(o.orders, "message").find("SMART-routed orders only"), std::string::npos)
      << last(o.orders, "message");
  ASSERT_GT(o.gateway_orders.num_rows(), 0u);
  EXPECT_EQ(last(o.gateway_orders, "status"), "Inactive");
  EXPECT_EQ(last(o.gateway_orders, "exchange"), "ISLAND");
  EXPECT_EQ(last(o.gateway_orders, "algo_strategy"), "Vwap");
}

}  // namespace
}  // namespace tandem::live::testing
