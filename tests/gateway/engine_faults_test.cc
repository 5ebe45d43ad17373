// Fault injection and state across restarts.
#include <cmath>
#include <filesystem>

#include "engine_fixture.h"
#include "gateway/faults.h"

namespace tandem::gateway::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class EngineFaults : public EngineFixture {};

TEST(FaultSpec, ParsesEveryKindAndRefusesNonsense) {
  EXPECT_EQ(parse_fault("drop-after 3 client=2", "t").describe(), "drop-after 3 client=2 count=1");
  EXPECT_EQ(parse_fault("partial-fill 0.25 count=always", "t").describe(),
            "partial-fill 0.25 count=always");
  EXPECT_EQ(parse_fault("reject reason=no shorting today", "t").reason, "no shorting today");
  EXPECT_EQ(parse_fault("delay-commission ms=250", "t").value, 250);
  EXPECT_THROW(parse_fault("drop-after", "t"), Error);
  EXPECT_THROW(parse_fault("partial-fill 1.5", "t"), Error);
  EXPECT_THROW(parse_fault("explode", "t"), Error);
  EXPECT_THROW(parse_fault("repeat-status client=x", "t"), Error);
  try {
    parse_fault("explode", "fault");
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("fault: "));
    EXPECT_THAT(e.what(), HasSubstr("drop-after"));  // lists the known faults
  }
}

TEST_F(EngineFaults, DropAfterClosesTheClientAfterNMessages) {
  SessionId s = connect(1);
  ASSERT_EQ(control("fault drop-after 2 client=1").substr(0, 2), "ok");
  clear();
  request(s, order(1, "TQQQ", "BUY", 10));
  EXPECT_THAT(names(s), ElementsAre("openOrder", "orderStatus"));  // no fill reached it
  EXPECT_TRUE(host_.closed.contains(s));
  // The order filled anyway; a reconnecting client finds the execution.
  engine().on_disconnect(s);
  SessionId again = connect(1);
  request(again, ib::ReqExecutions{.req_id = 1, .filter = {}});
  EXPECT_EQ(received<ib::ExecutionData>(again).size(), 1u);
}

TEST_F(EngineFaults, RepeatStatusDuplicatesEveryOrderStatusOfTheOrder) {
  SessionId s = connect(1);
  control("fault repeat-status 1");
  clear();
  request(s, order(1, "TQQQ", "BUY", 10));
  auto statuses = received<ib::OrderStatus>(s);
  ASSERT_EQ(statuses.size(), 4u);
  EXPECT_EQ(statuses[0], statuses[1]);
  EXPECT_EQ(statuses[2], statuses[3]);
  EXPECT_EQ(statuses[3].status, "Filled");
}

TEST_F(EngineFaults, FillWithoutStatusSendsOnlyTheExecution) {
  SessionId s = connect(1);
  control("fault fill-without-status");
  clear();
  request(s, order(1, "TQQQ", "BUY", 10));
  EXPECT_TRUE(received<ib::OrderStatus>(s).empty());
  EXPECT_EQ(received<ib::ExecutionData>(s).size(), 1u);
  EXPECT_EQ(received<ib::CommissionReport>(s).size(), 1u);
  clear();
  request(s, order(2, "TQQQ", "BUY", 10));  // the fault was used up
  EXPECT_EQ(received<ib::OrderStatus>(s).size(), 2u);
}

TEST_F(EngineFaults, DelayCommissionSendsTheReportLater) {
  SessionId s = connect(1);
  control("fault delay-commission 300");
  clear();
  request(s, order(1, "TQQQ", "BUY", 10));
  EXPECT_TRUE(received<ib::CommissionReport>(s).empty());
  ASSERT_EQ(host_.tasks.size(), 1u);
  EXPECT_EQ(host_.tasks[0].first, std::chrono::milliseconds(300));
  host_.run_tasks();
  auto reports = received<ib::CommissionReport>(s);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].report.exec_id, received<ib::ExecutionData>(s)[0].execution.exec_id);
  // The report came after the Filled status.
  auto n = names(s);
  EXPECT_EQ(n.back(), "commissionReport");
}

TEST_F(EngineFaults, ExecCorrectionReplacesTheExecutionAndItsFiguresWin) {
  SessionId s = connect(1);
  control("fault exec-correction 0.5");
  clear();
  request(s, order(1, "TQQQ", "BUY", 100));
  auto execs = received<ib::ExecutionData>(s);
  ASSERT_EQ(execs.size(), 2u);
  const std::string& first = execs[0].execution.exec_id;
  const std::string& second = execs[1].execution.exec_id;
  EXPECT_TRUE(first.ends_with(".01"));
  EXPECT_EQ(second, first.substr(0, first.size() - 3) + ".02");
  const double corrected = tqqq_[kStartBar].close + 0.5;
  EXPECT_DOUBLE_EQ(execs[1].execution.price, corrected);
  EXPECT_EQ(received<ib::CommissionReport>(s).size(), 2u);
  clear();
  request(s, ib::ReqPositions{});
  auto positions = received<ib::PositionData>(s);
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].position, 100);
  EXPECT_NEAR(positions[0].avg_cost, corrected + 1.0 / 100, 1e-9);
  request(s, ib::ReqAccountSummary{.req_id = 1, .group = "All", .tags = "TotalCashValue"});
  EXPECT_EQ(received<ib::AccountSummary>(s)[0].value,
            fmt::format("{:.2f}", 1'000'000 - 100 * corrected - 1.0));
}

TEST_F(EngineFaults, RejectRefusesTheNextOrder) {
  SessionId s = connect(1);
  control("fault reject reason=simulated risk check");
  clear();
  request(s, order(1, "TQQQ", "BUY", 10));
  EXPECT_THAT(error_codes(s), ElementsAre(201));
  EXPECT_THAT(received<ib::ErrMsg>(s).back().message, HasSubstr("simulated risk check"));
  EXPECT_EQ(received<ib::OrderStatus>(s).back().status, "Inactive");
}

TEST_F(EngineFaults, PartialFillLeavesTheRestWorkingUntilALaterBar) {
  SessionId s = connect(1);
  control("fault partial-fill 0.3");
  clear();
  request(s, order(1, "TQQQ", "BUY", 100, "MKT", std::nullopt, std::nullopt, "GTC"));
  auto execs = received<ib::ExecutionData>(s);
  ASSERT_EQ(execs.size(), 1u);
  EXPECT_EQ(execs[0].execution.shares, 30);
  auto statuses = received<ib::OrderStatus>(s);
  EXPECT_EQ(statuses.back().status, "Submitted");
  EXPECT_EQ(statuses.back().filled, 30);
  EXPECT_EQ(statuses.back().remaining, 70);
  clear();
  control("step");
  execs = received<ib::ExecutionData>(s);
  ASSERT_EQ(execs.size(), 1u);
  EXPECT_EQ(execs[0].execution.shares, 70);
  EXPECT_EQ(execs[0].execution.cum_qty, 100);
  EXPECT_DOUBLE_EQ(execs[0].execution.price, tqqq_[kStartBar + 1].open);  // a resting MKT
  EXPECT_NEAR(execs[0].execution.avg_price,
              (30 * tqqq_[kStartBar].close + 70 * tqqq_[kStartBar + 1].open) / 100, 1e-9);
  EXPECT_EQ(received<ib::OrderStatus>(s).back().status, "Filled");
}

TEST_F(EngineFaults, PartialFillOfADayOrderLeavesARemainderThatExpiresWithItsDay) {
  SessionId s = connect(1);
  control("fault partial-fill 0.5");
  request(s, order(1, "TQQQ", "BUY", 100));
  clear();
  control("step");  // daily bars: the next bar is a later day
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
  auto statuses = received<ib::OrderStatus>(s);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].status, "Cancelled");
  EXPECT_EQ(statuses[0].filled, 50);
  request(s, ib::ReqPositions{});
  EXPECT_EQ(received<ib::PositionData>(s).back().position, 50);
}

TEST_F(EngineFaults, PacingViolationAndWithheldExecEnd) {
  SessionId s = connect(1);
  control("fault pacing-violation");
  control("fault withhold-exec-end");
  ib::ReqHistoricalData r;
  r.req_id = 9;
  r.contract = stock("TQQQ");
  r.bar_size_setting = "1 day";
  r.duration_str = "1 M";
  r.what_to_show = "TRADES";
  request(s, r);
  EXPECT_THAT(error_codes(s), ElementsAre(162));
  EXPECT_THAT(received<ib::ErrMsg>(s).back().message, HasSubstr("pacing violation"));
  request(s, ib::ReqExecutions{.req_id = 10, .filter = {}});
  EXPECT_TRUE(received<ib::ExecutionDataEnd>(s).empty());
  request(s, ib::ReqExecutions{.req_id = 11, .filter = {}});
  EXPECT_EQ(received<ib::ExecutionDataEnd>(s).size(), 1u);
}

TEST_F(EngineFaults, RestartKeepsTheBooksAndCanHandOutALowerNextValidId) {
  SessionId s = connect(1);
  request(s, order(5, "TQQQ", "BUY", 100));
  request(s, order(6, "TQQQ", "BUY", 10, "LMT", 1.0, std::nullopt, "GTC"));
  const std::string before = control("status");
  std::string reply = control("restart next-valid-id=2");
  EXPECT_THAT(reply, HasSubstr("2 orders, 1 executions, nextValidId 2"));
  EXPECT_TRUE(host_.closed_all);
  engine().on_disconnect(s);
  SessionId again = connect(1);
  EXPECT_EQ(received<ib::NextValidId>(again).back().order_id, 2);
  request(again, ib::ReqPositions{});
  EXPECT_EQ(received<ib::PositionData>(again).back().position, 100);
  request(again, ib::ReqOpenOrders{});
  auto open = received<ib::OpenOrder>(again);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].order.order_id, 6);
  // Reusing the id of the filled order is refused, as by TWS.
  request(again, order(5, "TQQQ", "BUY", 1));
  EXPECT_THAT(error_codes(again), ElementsAre(103));
}

TEST_F(EngineFaults, StateSurvivesANewEngineOnAPersistentStore) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tandem-gateway-" + std::to_string(::getpid()) + "-persist");
  std::filesystem::remove_all(dir);
  const std::string uri = "lmdb://" + dir.string();
  {
    auto lmdb = store::Store::open(uri);
    write_daily_bars(*lmdb, "TQQQ", tqqq_);
    options_.store_uri = uri;
    FakeHost host;
    Engine first(options_, *lmdb, host);
    first.on_connect(1, ib::kMaxServerVersion);
    first.on_request(1, ib::StartApi{.client_id = 1, .optional_capabilities = ""});
    first.on_request(1, order(1, "TQQQ", "BUY", 100));
    first.on_request(1, order(2, "TQQQ", "SELL", 10, "LMT", 1000.0, std::nullopt, "GTC"));
    first.control("step 2");
    // The engine's destructor flushes the journal.
  }
  auto lmdb = store::Store::open(uri);
  FakeHost host;
  options_.start.reset();  // continue where the last run stopped
  Engine second(options_, *lmdb, host);
  EXPECT_EQ(second.now(), tqqq_[kStartBar + 2].time);
  second.on_connect(1, ib::kMaxServerVersion);
  second.on_request(1, ib::StartApi{.client_id = 1, .optional_capabilities = ""});
  second.on_request(1, ib::ReqPositions{});
  second.on_request(1, ib::ReqExecutions{.req_id = 3, .filter = {}});
  second.on_request(1, ib::ReqOpenOrders{});
  std::vector<double> positions;
  std::vector<std::string> exec_ids;
  int open_orders = 0;
  int next_id = 0;
  for (const SentMessage& m : host.sent) {
    if (auto* p = std::get_if<ib::PositionData>(&m.message)) positions.push_back(p->position);
    if (auto* e = std::get_if<ib::ExecutionData>(&m.message))
      exec_ids.push_back(e->execution.exec_id);
    if (std::holds_alternative<ib::OpenOrder>(m.message)) ++open_orders;
    if (auto* n = std::get_if<ib::NextValidId>(&m.message)) next_id = n->order_id;
  }
  EXPECT_THAT(positions, ElementsAre(100));
  EXPECT_EQ(exec_ids.size(), 1u);
  EXPECT_EQ(open_orders, 1);
  EXPECT_EQ(next_id, 3);
  // The restored limit order still works: it fills when a bar reaches 1000? Never; cancel it.
  second.on_request(1, cancel(2));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tandem::gateway::testing
