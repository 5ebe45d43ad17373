// live_bench: the live broker's three figures (BENCHMARKS.md, "Live").
//
//   bar → order bytes   a realtimeBar payload is decoded, aggregated into the strategy's bar,
//                       added to its history, and the order the strategy places on it is sized,
//                       tagged and encoded into placeOrder bytes ready for the socket (the
//                       socket write itself is not included);
//   execution → durable an execDetails + commissionReport pair is decoded and booked (fill,
//                       position, order status), and the AccountRecorder's writer has appended
//                       its rows to an LMDB store (sync on) — one event at a time, 5 ms apart;
//   executions/s        execDetails + commissionReport pairs booked back to back, the recorder
//                       writing them to LMDB meanwhile, until the last row is stored.
//
// Usage: live_bench [runs=5] [events=200000]. Prints the median over runs of each figure.
//        live_bench [runs=5] [events] risk: bar → order bytes without and with every pre-trade
//        risk limit set (none refusing), alternating in one session (BENCHMARKS.md, "Pre-trade
//        risk").
//        live_bench [runs=5] bar-only   bar → order bytes only, unrouted and with a full routing
//                                       preference (docs/routing.md), the runs interleaved.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "broker/account_recorder.h"
#include "ib/codec.h"
#include "live/bar_feed.h"
#include "live/ib_venue.h"
#include "live/live_account.h"
#include "risk/risk.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace tandem;

class EncodingChannel : public live::OrderChannel {
 public:
  bool connected() const override { return true; }
  int next_order_id() override { return next_id_++; }
  void send(const ib::Request& request) override {
    bytes_.clear();
    ib::encode_request(request, ib::kMaxServerVersion, bytes_);
  }
  std::size_t last_size() const { return bytes_.size(); }

 private:
  int next_id_ = 1;
  std::string bytes_;
};

broker::EquityAllocation explicit_equity(double amount) {
  broker::EquityAllocation allocation;
  allocation.source = broker::EquityAllocation::Source::kExplicitEquity;
  allocation.explicit_equity = amount;
  return allocation;
}

// The session's pair: the IB adapter and the account behind it.
struct Live {
  Live(broker::AccountRecorder& recorder, live::OrderChannel& channel)
      : venue(venue_settings(), channel), account(account_settings(), recorder, venue) {
    venue.bind(account);
  }
  static live::IbVenueSettings venue_settings() {
    live::IbVenueSettings settings;
    settings.account = "DU1";
    settings.commission_wait = std::chrono::milliseconds(60'000);
    return settings;
  }
  static live::LiveAccountSettings account_settings() {
    live::LiveAccountSettings settings;
    settings.account = "DU1";
    return settings;
  }
  live::IbVenue venue;
  live::LiveAccount account;
};

std::unique_ptr<Live> make_account(broker::AccountRecorder& recorder, live::OrderChannel& channel) {
  auto stack = std::make_unique<Live>(recorder, channel);
  stack->account.add_strategy("TQQQ", explicit_equity(1e9), {stock("TQQQ")});
  stack->venue.on_account_value({"NetLiquidation", "1000000000", "USD", "DU1"});
  stack->account.on_price("TQQQ", 50);
  stack->account.start();
  return stack;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

double median(std::vector<double> values) { return percentile(std::move(values), 0.5); }

std::string execution_payload(int order_id, int n, bool buy) {
  ib::ExecutionData e;
  e.contract.symbol = "TQQQ";
  e.contract.sec_type = "STK";
  e.contract.currency = "USD";
  e.contract.exchange = "SMART";
  e.execution.order_id = order_id;
  e.execution.exec_id = fmt::format("0000beef.{:08x}.01.01", n);
  e.execution.time = "20240131 09:30:00 US/Eastern";
  e.execution.acct_number = "DU1";
  e.execution.exchange = "SMART";
  e.execution.side = buy ? "BOT" : "SLD";
  e.execution.shares = 1;
  e.execution.price = 50.0 + (n % 100) * 0.01;
  e.execution.cum_qty = 1;
  e.execution.avg_price = e.execution.price;
  e.execution.order_ref = "TQQQ";
  std::string framed = ib::encode_response(ib::Response(e), ib::kMaxServerVersion);
  return framed.substr(4);  // the payload, as the client's frame decoder hands it over
}

std::string commission_payload(int n) {
  ib::CommissionReport c;
  c.report.exec_id = fmt::format("0000beef.{:08x}.01.01", n);
  c.report.commission = 1.0;
  c.report.currency = "USD";
  std::string framed = ib::encode_response(ib::Response(c), ib::kMaxServerVersion);
  return framed.substr(4);
}

// As the session does: decode, hand to the IB adapter (which books through the account), take
// the strategy notices the account queued.
void dispatch(Live& stack, std::string_view payload) {
  static std::vector<live::AccountNotice> notices;
  ib::Response message = ib::decode_response(payload, ib::kMaxServerVersion);
  if (auto* e = std::get_if<ib::ExecutionData>(&message)) stack.venue.on_execution(*e);
  if (auto* c = std::get_if<ib::CommissionReport>(&message)) stack.venue.on_commission(c->report);
  stack.account.take_notices(notices);
}

// Every limit set, on the account and the strategy, far from refusing: each check runs.
void set_every_limit(live::LiveAccount& account) {
  risk::Limits limits;
  limits.max_order_value = 1e12;
  limits.max_position_value = 1e15;
  limits.max_gross_leverage = 1e6;
  limits.max_orders_per_minute = 1e9;
  limits.price_band_pct = 50;
  limits.max_daily_loss = 1e12;
  account.set_risk_limits(limits, {limits});
}

// A full routing preference (docs/routing.md): every field set, so each order is rewritten
// (market → limit at the last price, GTC, outside RTH, account, primary exchange) and carries an
// Adaptive algo on the wire.
broker::Routing full_routing() {
  broker::Routing routing;
  routing.exchange = "SMART";
  routing.primary_exchange = "NASDAQ";
  routing.currency = "USD";
  routing.account = "DU1";
  routing.order_type = OrderType::kLimit;
  routing.tif = TimeInForce::kGtc;
  routing.outside_rth = true;
  routing.algo_strategy = "Adaptive";
  routing.algo_params = {{"adaptivePriority", "Normal"}};
  return routing;
}

// bar → order bytes: p50 and p99 in µs over `count` bars (`with_risk`: every limit set), the
// strategy routed by `routing`.
std::pair<double, double> bar_to_order(int count, bool with_risk = false,
                                       const broker::Routing& routing = {}) {
  auto store = store::Store::open("mem://");
  broker::AccountRecorder recorder(store->library("DU1"));
  EncodingChannel channel;
  auto stack = make_account(recorder, channel);
  live::LiveAccount* account = &stack->account;
  if (with_risk) set_every_limit(*account);
  account->set_routing(0, routing);
  live::BarBuilder builder(kNanosPerDay, kNanosPerDay);
  live::BarFeed feed;
  std::vector<std::string> payloads;
  for (int i = 0; i < count; ++i) {
    ib::RealTimeBars bar;
    bar.req_id = 1'000'000'000;
    bar.time = 1'700'000'000 + static_cast<std::int64_t>(i) * 86'400;
    bar.open = bar.high = bar.low = bar.close = 50 + (i % 10);
    bar.volume = 1000;
    payloads.push_back(ib::encode_response(ib::Response(bar), ib::kMaxServerVersion).substr(4));
  }
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(count));
  for (const std::string& payload : payloads) {
    const auto start = Clock::now();
    ib::Response message = ib::decode_response(payload, ib::kMaxServerVersion);
    const auto& rt = std::get<ib::RealTimeBars>(message);
    Bar source{rt.time * kNanosPerSecond, rt.open, rt.high, rt.low, rt.close, rt.volume};
    for (const Bar& bar : builder.add(source)) {
      feed.add(bar);
      account->on_price("TQQQ", bar.close);
      BarHistory history = feed.history();  // what the strategy reads
      account->place(0, stock("TQQQ"), market_order(Action::kBuy), 0.001 * (history.size() > 0));
    }
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (channel.last_size() == 0) throw Error("no order bytes", "live_bench");
  }
  recorder.flush();
  return {percentile(micros, 0.5), percentile(micros, 0.99)};
}

std::string lmdb_uri(const std::filesystem::path& dir) { return "lmdb://" + dir.string(); }

// execution → durable in LMDB: p50 and p99 in ms over `count` events, `interval` group commit.
std::pair<double, double> execution_to_durable(int count, std::chrono::milliseconds interval,
                                               const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  auto store = store::Store::open(lmdb_uri(dir));
  broker::AccountRecorder recorder(store->library("DU1"),
                                   broker::RecorderOptions{interval, 50'000, 0});
  EncodingChannel channel;
  auto stack = make_account(recorder, channel);
  live::LiveAccount* account = &stack->account;
  std::vector<std::string> executions;
  std::vector<std::string> commissions;
  for (int i = 0; i < count; ++i) {
    auto trade = account->place(0, stock("TQQQ"), market_order(Action::kBuy, 1), std::nullopt);
    executions.push_back(execution_payload(static_cast<int>(trade->order.order_id), i, true));
    commissions.push_back(commission_payload(i));
  }
  recorder.flush();
  std::vector<double> millis;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t before = recorder.stats().rows_written;
    const auto start = Clock::now();
    dispatch(*stack, executions[static_cast<std::size_t>(i)]);
    dispatch(*stack, commissions[static_cast<std::size_t>(i)]);
    // fill + strategy position + order status (Filled) rows.
    while (recorder.stats().rows_written < before + 3) std::this_thread::yield();
    millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {percentile(millis, 0.5), percentile(millis, 0.99)};
}

// Execution events (execDetails + commissionReport) per second, until all rows are stored.
double executions_per_second(int count, const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  auto store = store::Store::open(lmdb_uri(dir));
  broker::AccountRecorder recorder(
      store->library("DU1"), broker::RecorderOptions{std::chrono::milliseconds(50), 50'000, 0});
  EncodingChannel channel;
  auto stack = make_account(recorder, channel);
  live::LiveAccount* account = &stack->account;
  std::vector<std::string> executions;
  std::vector<std::string> commissions;
  for (int i = 0; i < count; ++i) {
    auto trade = account->place(
        0, stock("TQQQ"), market_order(i % 2 ? Action::kSell : Action::kBuy, 1), std::nullopt);
    executions.push_back(execution_payload(static_cast<int>(trade->order.order_id), i, i % 2 == 0));
    commissions.push_back(commission_payload(i));
  }
  recorder.flush();
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    dispatch(*stack, executions[static_cast<std::size_t>(i)]);
    dispatch(*stack, commissions[static_cast<std::size_t>(i)]);
  }
  const double booking = std::chrono::duration<double>(Clock::now() - start).count();
  recorder.flush();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cerr << fmt::format("  {} executions: booked in {:.3f} s, stored by {:.3f} s\n", count,
                           booking, seconds);
  if (account->fills_booked() != static_cast<std::size_t>(count)) {
    throw Error("not every execution was booked", "live_bench");
  }
  return count / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int runs = argc > 1 ? std::stoi(argv[1]) : 5;
    const bool bar_only = argc > 2 && std::string(argv[2]) == "bar-only";
    const int events = argc > 2 && !bar_only ? std::stoi(argv[2]) : 200'000;
    if (argc > 3 && std::string(argv[3]) == "risk") {
      std::vector<double> off50, off99, on50, on99;
      for (int run = 0; run < runs; ++run) {
        auto [a50, a99] = bar_to_order(20'000, false);
        auto [b50, b99] = bar_to_order(20'000, true);
        off50.push_back(a50);
        off99.push_back(a99);
        on50.push_back(b50);
        on99.push_back(b99);
        std::cerr << fmt::format(
            "run {}: bar→order without limits p50 {:.2f} µs p99 {:.2f} µs; with every limit "
            "p50 {:.2f} µs p99 {:.2f} µs\n",
            run + 1, a50, a99, b50, b99);
      }
      std::cout << fmt::format("median of {} runs (alternating)\n", runs);
      std::cout << fmt::format("bar -> order, no limits      p50 {:.2f} us   p99 {:.2f} us\n",
                               median(off50), median(off99));
      std::cout << fmt::format("bar -> order, every limit    p50 {:.2f} us   p99 {:.2f} us\n",
                               median(on50), median(on99));
      std::cout << fmt::format("added by the risk checks     p50 {:+.2f} us   p99 {:+.2f} us\n",
                               median(on50) - median(off50), median(on99) - median(off99));
      return 0;
    }
    if (bar_only) {  // routing's cost, the runs interleaved
      std::vector<double> plain50, plain99, routed50, routed99;
      for (int run = 0; run < runs; ++run) {
        auto [p50, p99] = bar_to_order(20'000);
        auto [r50, r99] = bar_to_order(20'000, false, full_routing());
        plain50.push_back(p50);
        plain99.push_back(p99);
        routed50.push_back(r50);
        routed99.push_back(r99);
        std::cerr << fmt::format(
            "run {}: bar→order p50 {:.2f} µs p99 {:.2f} µs; routed p50 {:.2f} µs p99 {:.2f} µs\n",
            run + 1, p50, p99, r50, r99);
      }
      std::cout << fmt::format("median of {} runs\n", runs);
      std::cout << fmt::format("bar -> order bytes            p50 {:.2f} us   p99 {:.2f} us\n",
                               median(plain50), median(plain99));
      std::cout << fmt::format("bar -> order bytes (routed)   p50 {:.2f} us   p99 {:.2f} us\n",
                               median(routed50), median(routed99));
      return 0;
    }
    if (argc > 3 && std::string(argv[3]) == "rate-only") {  // for profiling the booking path
      const auto dir = std::filesystem::temp_directory_path() / "tandem-live-bench-rate";
      std::cout << fmt::format("{:.0f} executions/s\n", executions_per_second(events, dir));
      std::filesystem::remove_all(dir);
      return 0;
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("tandem-live-bench-" + std::to_string(::getpid()));
    std::vector<double> bar50, bar99, dur50, dur99, fast50, fast99, rate;
    for (int run = 0; run < runs; ++run) {
      auto [b50, b99] = bar_to_order(20'000);
      bar50.push_back(b50);
      bar99.push_back(b99);
      auto [d50, d99] = execution_to_durable(200, std::chrono::milliseconds(50), dir);
      dur50.push_back(d50);
      dur99.push_back(d99);
      auto [f50, f99] = execution_to_durable(200, std::chrono::milliseconds(1), dir);
      fast50.push_back(f50);
      fast99.push_back(f99);
      rate.push_back(executions_per_second(events, dir));
      std::cerr << fmt::format(
          "run {}: bar→order p50 {:.2f} µs p99 {:.2f} µs; exec→durable "
          "(50 ms commit) p50 {:.1f} ms p99 {:.1f} ms, (1 ms) p50 {:.2f} ms "
          "p99 {:.2f} ms; {:.0f} executions/s\n",
          run + 1, b50, b99, d50, d99, f50, f99, rate.back());
    }
    std::filesystem::remove_all(dir);
    std::cout << fmt::format("median of {} runs\n", runs);
    std::cout << fmt::format("bar -> order bytes           p50 {:.2f} us   p99 {:.2f} us\n",
                             median(bar50), median(bar99));
    std::cout << fmt::format("execution -> durable (50 ms)  p50 {:.1f} ms   p99 {:.1f} ms\n",
                             median(dur50), median(dur99));
    std::cout << fmt::format("execution -> durable (1 ms)   p50 {:.2f} ms   p99 {:.2f} ms\n",
                             median(fast50), median(fast99));
    std::cout << fmt::format("executions booked and stored  {:.0f} /s ({} events)\n", median(rate),
                             events);
  } catch (const std::exception& e) {
    std::cerr << "live_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
