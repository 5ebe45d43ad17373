// Routing preferences: the general/routing table, the algo syntax, the checks before storing,
// and how a preference changes an order (broker/routing.h).
#include "broker/routing.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "store/store.h"

namespace tandem::broker {
namespace {

Routing island_route() {
  Routing routing;
  routing.exchange = "ISLAND";
  routing.primary_exchange = "NASDAQ";
  routing.currency = "USD";
  routing.account = "U1234567";
  routing.order_type = OrderType::kLimit;
  routing.tif = TimeInForce::kGtc;
  routing.outside_rth = true;
  return routing;
}

ErrorKind kind_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::Internal;  // nothing thrown: no test expects this
}

TEST(Routing, TableRoundTripLatestRowWinsAndClearRemoves) {
  auto store = store::Store::open("mem://");
  EXPECT_TRUE(read_routings(*store).empty());
  EXPECT_TRUE(read_routing(*store, "TQQQ").empty());

  Routing first = island_route();
  set_routing(*store, "TQQQ", first, 1);
  Routing adaptive;
  adaptive.exchange = "SMART";
  adaptive.algo_strategy = "Adaptive";
  adaptive.algo_params = {{"adaptivePriority", "Patient"}};
  set_routing(*store, "SPY", adaptive, 2);
  EXPECT_EQ(read_routing(*store, "TQQQ"), first);
  EXPECT_EQ(read_routing(*store, "SPY"), adaptive);

  Routing second;
  second.exchange = "ARCA";
  set_routing(*store, "TQQQ", second, 3);  // replaces the whole preference
  EXPECT_EQ(read_routing(*store, "TQQQ"), second);

  clear_routing(*store, "TQQQ", 4);
  EXPECT_TRUE(read_routing(*store, "TQQQ").empty());
  std::vector<StoredRouting> all = read_routings(*store);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].strategy, "SPY");
  EXPECT_EQ(all[0].updated, 2);
  EXPECT_EQ(kind_of([&] { clear_routing(*store, "TQQQ", 5); }), ErrorKind::NotFound);

  set_routing(*store, "TQQQ", first, 6);  // set again after a clear
  EXPECT_EQ(read_routing(*store, "TQQQ"), first);
}

TEST(Routing, ParsesAlgosWithIbNamesAndRefusesUnknownOnes) {
  auto [name, params] = parse_algo("adaptive:priority=normal", "--algo");
  EXPECT_EQ(name, "Adaptive");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>{"adaptivePriority", "Normal"}));
  EXPECT_EQ(algo_text(name, params), "Adaptive:adaptivePriority=Normal");

  auto [vwap, vwap_params] = parse_algo("VWAP:maxPctVol=0.1, noTakeLiq=true", "--algo");
  EXPECT_EQ(vwap, "Vwap");
  EXPECT_EQ(algo_text(vwap, vwap_params), "Vwap:maxPctVol=0.1,noTakeLiq=1");
  EXPECT_EQ(parse_algo("Twap", "--algo").second.size(), 0u);

  for (const char* bad : {"Iceberg", "Adaptive:priority=Fast", "Adaptive:speed=1",
                          "Vwap:maxPctVol=0.9", "Adaptive:priority",
                          "Adaptive:priority=Normal,"
                          "adaptivePriority=Urgent"}) {
    EXPECT_EQ(kind_of([&] { parse_algo(bad, "--algo"); }), ErrorKind::InvalidArgument) << bad;
  }
}

TEST(Routing, RefusesAnAlgoOffSmartAndOrderTypesNeedingAStop) {
  Routing algo_on_venue;
  algo_on_venue.exchange = "ISLAND";
  algo_on_venue.algo_strategy = "Adaptive";
  try {
    validate_routing(algo_on_venue, "tandem alloc route TQQQ");
    FAIL() << "an algo on a directed route was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs exchange SMART"), std::string::npos) << e.what();
  }
  Routing stop;
  stop.order_type = OrderType::kStop;
  EXPECT_EQ(kind_of([&] { validate_routing(stop, "x"); }), ErrorKind::InvalidArgument);
  Routing lower;
  lower.exchange = "island";
  EXPECT_EQ(kind_of([&] { validate_routing(lower, "x"); }), ErrorKind::InvalidArgument);
  auto store = store::Store::open("mem://");
  EXPECT_EQ(kind_of([&] { set_routing(*store, "TQQQ", algo_on_venue, 1); }),
            ErrorKind::InvalidArgument);
  EXPECT_FALSE(store->has_library("general"));  // nothing stored
}

TEST(Routing, AppliesWhereTheOrderSaysNothing) {
  Routing routing = island_route();
  routing.exchange = "SMART";
  routing.algo_strategy = "Adaptive";
  routing.algo_params = {{"adaptivePriority", "Normal"}};

  Contract contract = stock("TQQQ");
  Order order = market_order(Action::kBuy, 10);
  ASSERT_TRUE(routing_prices_order(routing, order));
  apply_routing(routing, contract, order, 51.25);
  EXPECT_EQ(contract.exchange, "SMART");
  EXPECT_EQ(contract.primary_exchange, "NASDAQ");
  EXPECT_EQ(order.account, "U1234567");
  EXPECT_EQ(order.order_type, OrderType::kLimit);
  EXPECT_EQ(order.limit_price, 51.25);  // the last price
  EXPECT_EQ(order.tif, TimeInForce::kGtc);
  EXPECT_TRUE(order.outside_rth);
  EXPECT_EQ(order.algo_strategy, "Adaptive");
  EXPECT_EQ(order.algo_params, routing.algo_params);
}

TEST(Routing, TheOrderSaysOtherwise) {
  Routing routing = island_route();
  Contract contract = stock("TQQQ");
  contract.exchange = "ARCA";
  contract.primary_exchange = "NYSE";
  Order order = limit_order(Action::kSell, 60, 5);
  order.account = "U7654321";
  order.algo_strategy = "Vwap";
  EXPECT_FALSE(routing_prices_order(routing, order));
  apply_routing(routing, contract, order, 51.25);
  EXPECT_EQ(contract.exchange, "ARCA");
  EXPECT_EQ(contract.primary_exchange, "NYSE");
  EXPECT_EQ(order.account, "U7654321");
  EXPECT_EQ(order.limit_price, 60);
  EXPECT_EQ(order.algo_strategy, "Vwap");

  Contract plain = stock("TQQQ");
  Order opted_out = market_order(Action::kBuy, 1);
  opted_out.use_routing = false;
  apply_routing(routing, plain, opted_out, 51.25);
  EXPECT_EQ(plain.exchange, "SMART");
  EXPECT_EQ(opted_out.order_type, OrderType::kMarket);
  EXPECT_FALSE(opted_out.limit_price.has_value());
  EXPECT_EQ(opted_out.tif, TimeInForce::kDay);
  EXPECT_TRUE(opted_out.account.empty());
}

}  // namespace
}  // namespace tandem::broker
