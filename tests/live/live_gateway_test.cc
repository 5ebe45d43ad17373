// LiveSession against the paper gateway over loopback: the broker_test integration test, each
// gateway fault, a restart with a lower nextValidId, a position mismatch, and backtest-vs-live
// parity on the same bars. After each: every fill exactly once and positions equal the
// gateway's.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backtest/engine.h"
#include "broker/venue.h"
#include "live_harness.h"

namespace tandem::live::testing {
namespace {

double gateway_position(LiveHarness& h, const std::string& symbol) {
  std::string status = h.gateway_status();
  EXPECT_EQ(status.substr(0, 3), "ok ");
  nlohmann::json j = nlohmann::json::parse(status.substr(3));
  return j["positions"].contains(symbol) ? j["positions"][symbol].get<double>() : 0.0;
}

// The fills table's effective executions (each exec key's latest revision), checking on the
// way that no exec id is stored twice.
std::map<std::string, std::pair<double, double>> effective_fills(const store::Table& fills) {
  std::set<std::string> ids;
  std::map<std::string, std::pair<double, double>> by_key;  // key → (signed shares, price)
  for (std::size_t i = 0; i < fills.num_rows(); ++i) {
    const std::string& id = fills.strings("exec_id")[i];
    EXPECT_TRUE(ids.insert(id).second) << "exec id stored twice: " << id;
    double sign = fills.strings("side")[i] == "BUY" ? 1.0 : -1.0;
    by_key[broker::exec_key(id)] = {sign * fills.float64s("shares")[i], fills.float64s("price")[i]};
  }
  return by_key;
}

double stored_position(LiveHarness& h) {
  store::Table positions = h.read("strategy_TQQQ_positions");
  if (positions.num_rows() == 0) return 0;
  return positions.float64s("position")[positions.num_rows() - 1];
}

// Every fill exactly once, the strategy's stored position = its fills = the gateway's.
void expect_books_agree(LiveHarness& h, std::size_t expected_fills) {
  auto fills = effective_fills(h.read("fills"));
  EXPECT_EQ(fills.size(), expected_fills) << h.log_text();
  double total = 0;
  for (const auto& [key, fill] : fills) total += fill.first;
  EXPECT_EQ(stored_position(h), total);
  EXPECT_EQ(gateway_position(h, "TQQQ"), total);
}

void run_broker_test(LiveHarness& h, LiveOptions options, const std::string& fault = "") {
  const std::size_t sessions_before = h.count_lines("streaming");
  h.start_session("broker_test", {}, options);
  ASSERT_TRUE(h.wait_for_lines("streaming", sessions_before + 1)) << h.log_text();
  if (!fault.empty()) {
    ASSERT_EQ(h.gateway().control("fault " + fault).substr(0, 2), "ok");
  }
  h.step_and_settle();
  EXPECT_EQ(h.stop_session(), "") << h.log_text();
}

TEST(LiveGatewayTest, BrokerTestPlacesTwoOrdersAndBothFillsArePersisted) {
  LiveHarness h;
  run_broker_test(h, h.options());
  expect_books_agree(h, 2);
  store::Table orders = h.read("orders");
  std::map<std::int64_t, std::vector<std::string>> statuses;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    statuses[orders.int64s("order_id")[i]].push_back(orders.strings("status")[i]);
  }
  ASSERT_EQ(statuses.size(), 2u);
  for (const auto& [id, list] : statuses) {
    EXPECT_EQ(list, (std::vector<std::string>{"PendingSubmit", "Submitted", "Filled"})) << id;
  }
  EXPECT_EQ(h.read("strategy_TQQQ_performance").num_rows(), 1u);  // the shutdown row
  EXPECT_EQ(h.read("account_summary").num_rows(), 1u);
  EXPECT_GE(h.read("portfolio").num_rows(), 1u);
  EXPECT_EQ(h.result().fills, 2u);
  EXPECT_EQ(h.result().account, kAccount);
}

struct FaultCase {
  std::string fault;
  std::size_t fill_rows;  // rows in `fills` (a correction is a row of its own)
  std::string log_mark;   // a line proving the fault happened
};

class LiveFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(LiveFaultTest, EveryFillExactlyOnceAndPositionsEqualTheGateways) {
  const FaultCase& c = GetParam();
  LiveHarness h;
  run_broker_test(h, h.options(), c.fault + " client=5");
  expect_books_agree(h, 2);
  EXPECT_EQ(h.read("fills").num_rows(), c.fill_rows) << h.log_text();
  EXPECT_GE(h.count_lines(c.log_mark), 1u) << h.log_text();
}

INSTANTIATE_TEST_SUITE_P(
    Faults, LiveFaultTest,
    ::testing::Values(
        // openOrder + orderStatus of the first order arrive, then the connection drops: the
        // fills come from the reconciliation after the reconnect.
        FaultCase{"drop-after 2", 2, "reconciled session 2"},
        FaultCase{"repeat-status 3", 2, "FILL new"}, FaultCase{"fill-without-status", 2, "Filled"},
        FaultCase{"exec-correction 0.05", 3, "CORRECTION"},
        FaultCase{"delay-commission 400", 2, "FILL new"}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      std::string name = info.param.fault.substr(0, info.param.fault.find(' '));
      std::erase(name, '-');
      return name;
    });

TEST(LiveGatewayTest, RepeatedStatusesLeaveOneRowPerStatusChange) {
  LiveHarness h;
  run_broker_test(h, h.options(), "repeat-status 3 client=5");
  store::Table orders = h.read("orders");
  EXPECT_EQ(orders.num_rows(), 6u);  // 2 orders × PendingSubmit, Submitted, Filled
}

TEST(LiveGatewayTest, CommissionDelayedPastItsExecutionIsStoredWithIt) {
  LiveHarness h;
  run_broker_test(h, h.options(), "delay-commission 400 client=5");
  store::Table fills = h.read("fills");
  ASSERT_EQ(fills.num_rows(), 2u);
  for (double commission : fills.float64s("commission")) EXPECT_GT(commission, 0.0);
}

TEST(LiveGatewayTest, AMissingExecDetailsEndIsReportedAndRetriedInsteadOfHanging) {
  LiveHarness h(60, 20, {"withhold-exec-end"});
  LiveOptions options = h.options();
  options.reconcile_timeout = std::chrono::milliseconds(300);
  run_broker_test(h, options);
  EXPECT_EQ(h.count_lines("reqExecutions failed (attempt 1 of 3)"), 1u) << h.log_text();
  expect_books_agree(h, 2);
}

TEST(LiveGatewayTest, AGatewayRestartWithALowerNextValidIdNeverMakesAnIdBeUsedTwice) {
  LiveHarness h;
  run_broker_test(h, h.options());
  ASSERT_EQ(h.gateway().control("restart next-valid-id=1").substr(0, 2), "ok");
  run_broker_test(h, h.options());
  store::Table orders = h.read("orders");
  std::set<std::int64_t> sent;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    if (orders.strings("message")[i] == "sent") {
      EXPECT_TRUE(sent.insert(orders.int64s("order_id")[i]).second)
          << "order id used twice: " << orders.int64s("order_id")[i];
    }
  }
  EXPECT_EQ(sent.size(), 4u);
  EXPECT_EQ(h.count_lines("IB error 103"), 0u) << h.log_text();
  expect_books_agree(h, 4);
  EXPECT_EQ(h.result().mismatches, 0u);
}

TEST(LiveGatewayTest, APositionTheStoreAndIbDisagreeOnIsRecordedAndReported) {
  LiveHarness h;
  // A fill the gateway never made: the store says 7 shares, IB says none.
  broker::FillRow row;
  row.time = h.bars()[10].time;
  row.exec_id = "feedface.00000001.01.01";
  row.order_id = 1;
  row.strategy = "TQQQ";
  row.symbol = "TQQQ";
  row.shares = 7;
  row.price = 40;
  row.cum_qty = 7;
  row.avg_price = 40;
  h.store().library(kAccount).append("fills", broker::to_table(std::vector<broker::FillRow>{row}),
                                     store::AppendMode::kAnyOrder);
  h.start_session("broker_test", {}, h.options());
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  EXPECT_EQ(h.count_lines("POSITION MISMATCH TQQQ: IB reports 0, this run's strategies hold 7"), 1u)
      << h.log_text();
  h.step_and_settle();
  h.stop_session();
  store::Table mismatches = h.read("reconciliation");
  ASSERT_EQ(mismatches.num_rows(), 1u);
  EXPECT_EQ(mismatches.float64s("ib_position")[0], 0);
  EXPECT_EQ(mismatches.float64s("store_position")[0], 7);
  EXPECT_EQ(h.result().mismatches, 1u);
}

// Buys 10 shares on its first bar, and 5 more when that first order fills.
class BuyOnFill : public strategy::Strategy {
 public:
  using Strategy::Strategy;
  void on_bar(const strategy::BarEvent& event) override {
    if (first_) return;
    first_ = broker().place_order(event.contract, market_order(Action::kBuy, 10));
  }
  void on_fill(const Trade& trade, const Fill&) override {
    if (trade.order.order_id == first_->order.order_id && !second_) {
      second_ = broker().place_order(trade.contract, market_order(Action::kBuy, 5));
    }
  }
  void on_stop() override {
    if (!second_ || second_->state.status != OrderStatus::kFilled) {
      throw Error("the order placed on the fill did not fill", "BuyOnFill");
    }
  }

 private:
  broker::TradeHandle first_;
  broker::TradeHandle second_;
};

// The connection drops after the first order's execution, before its commission: the fill is
// booked during the reconnect's reconciliation, the strategy places an order on it while the
// session is not yet trading again, and that order is held and sent afterwards — not dropped.
TEST(LiveGatewayTest, AnOrderPlacedWhileNotConnectedIsHeldAndSentAfterTheReconnect) {
  LiveHarness h;
  strategy::StrategyConfig config;
  config.key = "TQQQ";
  config.contracts = {stock("TQQQ")};
  h.start_session(std::make_unique<BuyOnFill>(config), "buy_on_fill", h.options());
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  // openOrder, orderStatus Submitted, execDetails — then the connection is closed.
  ASSERT_EQ(h.gateway().control("fault drop-after 3 client=5").substr(0, 2), "ok");
  ASSERT_EQ(h.gateway().control("step 1").substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("sending order held while disconnected")) << h.log_text();
  ASSERT_TRUE(h.wait_for_lines("Filled", 2)) << h.log_text();
  EXPECT_EQ(h.stop_session(), "") << h.log_text();
  EXPECT_EQ(h.count_lines("held: not connected to IB"), 1u) << h.log_text();
  expect_books_agree(h, 2);
  EXPECT_EQ(stored_position(h), 15);
}

// Asks for the bars of a second instrument it does not trade, on its first bar (whose time it
// keeps): the strategy slot's InvalidArgument error.
class AsksForAMissingInstrument : public strategy::Strategy {
 public:
  AsksForAMissingInstrument(strategy::StrategyConfig config, std::shared_ptr<Timestamp> bar_time)
      : Strategy(std::move(config)), bar_time_(std::move(bar_time)) {}
  void on_bar(const strategy::BarEvent& event) override {
    *bar_time_ = event.bar.time;
    history(1);
  }

 private:
  std::shared_ptr<Timestamp> bar_time_;  // read by the test after the session ended
};

// A strategy's failure live reads as in a backtest (strategy/strategy_slot.h): the strategy, the
// callback and the slice's time name it, and the error keeps its kind (the exit status's).
TEST(LiveGatewayTest, AStrategysFailureNamesItsCallbackAndBarTimeAndKeepsItsKind) {
  LiveHarness h;
  strategy::StrategyConfig config;
  config.key = "TQQQ";
  config.contracts = {stock("TQQQ")};
  auto bar_time = std::make_shared<Timestamp>(0);
  h.start_session(std::make_unique<AsksForAMissingInstrument>(config, bar_time), "asks",
                  h.options());
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  ASSERT_EQ(h.gateway().control("step 1").substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("ERROR strategy TQQQ (on_bar)")) << h.log_text();
  const std::string error = h.stop_session();
  ASSERT_NE(*bar_time, 0) << h.log_text();
  EXPECT_EQ(error, "tandem live: strategy TQQQ (on_bar) at " + format_timestamp(*bar_time) +
                       ": strategy TQQQ: history(1) asked, but the strategy trades 1 "
                       "instrument(s)")
      << h.log_text();
  EXPECT_EQ(h.error_kind(), ErrorKind::InvalidArgument);
}

// Records the time of every bar it is given.
class BarRecorder : public strategy::Strategy {
 public:
  BarRecorder(strategy::StrategyConfig config, std::shared_ptr<std::vector<Timestamp>> seen)
      : Strategy(std::move(config)), seen_(std::move(seen)) {}
  void on_bar(const strategy::BarEvent& event) override { seen_->push_back(event.bar.time); }

 private:
  std::shared_ptr<std::vector<Timestamp>> seen_;  // read by the test after the session ended
};

TEST(LiveGatewayTest, BarsMissedWhileDisconnectedAreBackFilledInOrderOnce) {
  LiveHarness h;
  strategy::StrategyConfig config;
  config.key = "TQQQ";
  config.contracts = {stock("TQQQ")};
  auto seen = std::make_shared<std::vector<Timestamp>>();
  LiveOptions options = h.options();
  // Long enough that the bars below are replayed before the client is back.
  options.client.reconnect_initial_delay = std::chrono::milliseconds(800);
  h.start_session(std::make_unique<BarRecorder>(config, seen), "bar_recorder", options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  for (int i = 0; i < 3; ++i) h.step_and_settle();  // bars 21..23, streamed
  ASSERT_EQ(h.gateway().control("drop").substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("DISCONNECTED")) << h.log_text();
  ASSERT_EQ(h.gateway().control("step 3").substr(0, 2), "ok");  // bars 24..26, missed
  ASSERT_TRUE(h.wait_for_lines("back-filled 3 bars of TQQQ")) << h.log_text();
  ASSERT_TRUE(h.wait_for_lines("streaming", 2)) << h.log_text();
  for (int i = 0; i < 2; ++i) h.step_and_settle();  // bars 27..28, streamed again
  ASSERT_EQ(h.stop_session(), "") << h.log_text();
  std::vector<Timestamp> expected;
  for (std::size_t bar = 21; bar <= 28; ++bar) expected.push_back(h.bars()[bar].time);
  EXPECT_EQ(*seen, expected) << h.log_text();
}

// A trading day is the market's: the bars' days (the gateway's replay clock), whatever the wall
// clock does meanwhile. Each day's rows are written when the next day's first bar arrives,
// stamped with the day's last bar time; the day in progress gets its rows at shutdown.
TEST(LiveGatewayTest, DailyRowsFollowTheMarketsDaysNotTheWallClock) {
  LiveHarness h;
  auto now = std::make_shared<std::atomic<Timestamp>>(*parse_timestamp("2024-02-02T12:00:00Z"));
  LiveOptions options = h.options();
  options.clock = [now] { return now->load(); };
  h.start_session("buy_and_hold", {}, options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  h.step_and_settle();
  // Three wall-clock midnights pass without market data: no rows for them.
  now->store(*parse_timestamp("2024-02-05T12:00:00Z"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the session ticks every 100 ms
  EXPECT_EQ(h.read("strategy_TQQQ_performance").num_rows(), 0u);
  h.step_and_settle();
  h.step_and_settle();
  ASSERT_EQ(h.stop_session(), "") << h.log_text();
  const std::vector<Timestamp> days = {h.bars()[21].time, h.bars()[22].time, h.bars()[23].time};
  EXPECT_EQ(h.read("strategy_TQQQ_performance").index(), days) << h.log_text();
  EXPECT_EQ(h.read("account_summary").index(), days) << h.log_text();
}

// Places one limit buy far below the market on its first bar: it stays working.
class RestingBuy : public strategy::Strategy {
 public:
  using Strategy::Strategy;
  void on_bar(const strategy::BarEvent& event) override {
    if (trade_) return;
    trade_ =
        broker().place_order(event.contract, limit_order(Action::kBuy, event.bar.close / 2, 10));
  }

 private:
  broker::TradeHandle trade_;
};

std::unique_ptr<strategy::Strategy> resting_buy() {
  strategy::StrategyConfig config;
  config.key = "TQQQ";
  config.contracts = {stock("TQQQ")};
  return std::make_unique<RestingBuy>(config);
}

std::vector<std::string> order_statuses(LiveHarness& h) {
  store::Table orders = h.read("orders");
  return {orders.strings("status").begin(), orders.strings("status").end()};
}

TEST(LiveGatewayTest, WorkingOrdersAreLeftAloneAtShutdownUnlessCancelOnExit) {
  LiveHarness h;
  h.start_session(resting_buy(), "resting_buy", h.options());
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  ASSERT_EQ(h.gateway().control("step 1").substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("Submitted")) << h.log_text();
  EXPECT_EQ(h.stop_session(), "");
  EXPECT_EQ(order_statuses(h), (std::vector<std::string>{"PendingSubmit", "Submitted"}));
  EXPECT_NE(h.gateway_status().find("\"open_orders\":1"), std::string::npos) << h.gateway_status();

  LiveOptions options = h.options();
  options.cancel_on_exit = true;
  const std::size_t sessions_before = h.count_lines("streaming");
  h.start_session(resting_buy(), "resting_buy", options);  // adopts the working order
  ASSERT_TRUE(h.wait_for_lines("streaming", sessions_before + 1)) << h.log_text();
  EXPECT_EQ(h.stop_session(), "");
  EXPECT_EQ(h.result().cancelled_on_exit, 1u);
  EXPECT_EQ(order_statuses(h).back(), "Cancelled") << h.log_text();
  EXPECT_NE(h.gateway_status().find("\"open_orders\":0"), std::string::npos) << h.gateway_status();
}

TEST(LiveGatewayTest, DryRunSendsAndRecordsNoOrder) {
  LiveHarness h;
  LiveOptions options = h.options();
  options.dry_run = true;
  h.start_session("buy_and_hold", {}, options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  ASSERT_EQ(h.gateway().control("step 1").substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("dry run: not sent")) << h.log_text();
  EXPECT_EQ(h.stop_session(), "");
  EXPECT_EQ(h.read("orders").num_rows(), 0u);
  EXPECT_EQ(gateway_position(h, "TQQQ"), 0.0);
  EXPECT_NE(h.gateway_status().find("\"orders\":0"), std::string::npos) << h.gateway_status();
}

// One strategy on the same bars: a backtest, and live against the gateway replaying them with
// the same fill model and commissions → the same fills and the same final position.
TEST(LiveGatewayTest, LiveAndBacktestOnTheSameBarsMakeTheSameFills) {
  LiveHarness h(160,
                20);  // the seeded closes are a sine: a buy near the trough, a sell after the peak
  const strategy::RawParams params = {{"fast", "2"}, {"slow", "3"}};
  LiveOptions options = h.options();
  options.warmup_bars = 1;  // sma_cross keeps its own averages from on_bar, as in the backtest
  h.start_session("sma_cross", params, options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  for (std::size_t bar = 21; bar < h.bars().size(); ++bar) h.step_and_settle();
  ASSERT_EQ(h.stop_session(), "") << h.log_text();

  const std::string bt =
      backtest_like_the_gateway(h, 21, sma_cross_on_tqqq(params), {{"TQQQ", 100'000}});

  expect_fills_like_backtest(h, bt);
  store::Table bt_positions = h.store().library(bt).read("strategy_TQQQ_positions").table;
  EXPECT_EQ(stored_position(h), bt_positions.float64s("position")[bt_positions.num_rows() - 1]);
  expect_books_agree(h, h.read("fills").num_rows());
}

}  // namespace
}  // namespace tandem::live::testing
