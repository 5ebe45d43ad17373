// Place-to-filled round trip over loopback against the paper gateway: a client writes a
// placeOrder for a market order and waits for its orderStatus Filled (after openOrder,
// orderStatus Submitted and execDetails; the commission report follows). Orders alternate
// BUY/SELL so the cash account stays flat. Reports p50/p99 in microseconds (target p99 <= 200).
//
//   build-gw/bench/gateway/gateway_bench --benchmark_min_time=3
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gateway/gateway.h"
#include "raw_client.h"
#include "seed_bars.h"
#include "store/store.h"

namespace tandem::gateway {
namespace {

// A gateway over the mem:// store `uri` seeded with 300 daily TQQQ bars, with cash enough for
// any number of orders.
std::unique_ptr<Gateway> start_gateway(const std::string& uri) {
  auto store = store::Store::open(uri);
  testing::write_daily_bars(*store, "TQQQ", testing::synthetic_daily_bars(300, 40));
  GatewayOptions options;
  options.port = 0;
  options.store_uri = uri;
  options.cash = 1e12;
  return Gateway::start(options);
}

// A DAY market order for 10 TQQQ (order id and action set per order).
ib::PlaceOrder market_order() {
  ib::PlaceOrder place;
  place.contract.symbol = "TQQQ";
  place.contract.sec_type = "STK";
  place.contract.exchange = "SMART";
  place.contract.currency = "USD";
  place.order.total_quantity = 10;
  place.order.order_type = "MKT";
  place.order.tif = "DAY";
  return place;
}

void BM_PlaceToFilledRoundTrip(benchmark::State& state) {
  auto gateway = start_gateway("mem://gateway-bench");
  testing::RawClient client(gateway->port());
  int order_id = client.start(1);
  ib::PlaceOrder place = market_order();
  std::vector<double> micros;
  micros.reserve(1 << 20);
  bool buy = true;
  for (auto _ : state) {
    place.order.order_id = order_id++;
    place.order.action = buy ? "BUY" : "SELL";
    buy = !buy;
    const std::string bytes = ib::encode_request(place, client.version());
    const auto start = std::chrono::steady_clock::now();
    client.write_raw(bytes);
    while (true) {
      ib::Response r = client.receive();
      if (auto* s = std::get_if<ib::OrderStatus>(&r); s && s->status == "Filled") break;
    }
    const auto end = std::chrono::steady_clock::now();
    const double us = std::chrono::duration<double, std::micro>(end - start).count();
    micros.push_back(us);
    state.SetIterationTime(us / 1e6);
    client.receive_until<ib::CommissionReport>();  // drain the rest of this order's messages
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) {
    return micros.empty() ? 0.0 : micros[static_cast<std::size_t>(p * (micros.size() - 1))];
  };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["max_us"] = micros.empty() ? 0.0 : micros.back();
  gateway->stop();
}
BENCHMARK(BM_PlaceToFilledRoundTrip)->UseManualTime()->Unit(benchmark::kMicrosecond);

// A simulated restart (`restart` control command: connections closed, journal flushed, all
// state reloaded from the store) after N filled market orders: how the reload scales with the
// journal's length.
void BM_RestartAfterOrders(benchmark::State& state) {
  static int run = 0;
  auto gateway = start_gateway("mem://gateway-restart-bench-" + std::to_string(run++));
  {
    testing::RawClient client(gateway->port());
    int order_id = client.start(1);
    ib::PlaceOrder place = market_order();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      place.order.order_id = order_id++;
      place.order.action = i % 2 == 0 ? "BUY" : "SELL";
      client.write_raw(ib::encode_request(place, client.version()));
      client.receive_until<ib::CommissionReport>();
    }
  }
  for (auto _ : state) {
    const std::string reply = gateway->control("restart");
    if (reply.rfind("ok", 0) != 0) state.SkipWithError(reply.c_str());
  }
  gateway->stop();
}
BENCHMARK(BM_RestartAfterOrders)
    ->Arg(1'000)
    ->Arg(4'000)
    ->Arg(16'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
}  // namespace tandem::gateway

BENCHMARK_MAIN();
