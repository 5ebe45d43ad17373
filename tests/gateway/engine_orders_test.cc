// The engine's order handling, checked message by message against the seeded bars: fills by
// the backtest's rules, commissions, status sequences, cancel/modify, refusals.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "engine_fixture.h"

namespace tandem::gateway::testing {
namespace {

using ::testing::ElementsAre;

double ib_commission(double shares, double price) {
  return std::min(std::max(0.005 * shares, 1.0), 0.01 * shares * price);
}

class EngineOrders : public EngineFixture {};

TEST_F(EngineOrders, StartApiAnnouncesTheAccountAndTheNextOrderId) {
  SessionId s = connect(7);
  auto accounts = received<ib::ManagedAccts>(s);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].accounts_list, "DU1234567");
  auto ids = received<ib::NextValidId>(s);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].order_id, 1);
  EXPECT_TRUE(error_codes(s).empty());
}

TEST_F(EngineOrders, DuplicateClientIdIsRefusedWith326AndClosed) {
  SessionId first = connect(3);
  SessionId second = connect(3);
  EXPECT_THAT(error_codes(second), ElementsAre(326));
  EXPECT_TRUE(host_.closed.contains(second));
  EXPECT_FALSE(host_.closed.contains(first));
  // The first client goes on.
  request(first, ib::ReqCurrentTime{});
  EXPECT_EQ(received<ib::CurrentTime>(first).size(), 1u);
}

TEST_F(EngineOrders, ARequestBeforeStartApiIsRefusedAndTheClientClosed) {
  engine().on_connect(42, ib::kMaxServerVersion);
  request(42, ib::ReqCurrentTime{});
  EXPECT_THAT(error_codes(42), ElementsAre(321));
  EXPECT_TRUE(host_.closed.contains(42));
}

TEST_F(EngineOrders, MarketOrderFillsAtTheCurrentCloseWithIbCommission) {
  SessionId s = connect(1);
  clear();
  request(s, order(1, "TQQQ", "BUY", 100));
  const double close = tqqq_[kStartBar].close;
  EXPECT_THAT(names(s), ElementsAre("openOrder", "orderStatus", "execDetails", "orderStatus",
                                    "commissionReport"));
  auto open = received<ib::OpenOrder>(s);
  EXPECT_EQ(open[0].state.status, "Submitted");
  EXPECT_EQ(open[0].contract.symbol, "TQQQ");
  EXPECT_EQ(open[0].contract.con_id, 72539702);
  EXPECT_EQ(open[0].order.order_ref, "TQQQ");
  auto statuses = received<ib::OrderStatus>(s);
  EXPECT_EQ(statuses[0].status, "Submitted");
  EXPECT_EQ(statuses[0].remaining, 100);
  EXPECT_EQ(statuses[1].status, "Filled");
  EXPECT_EQ(statuses[1].filled, 100);
  EXPECT_EQ(statuses[1].remaining, 0);
  EXPECT_DOUBLE_EQ(statuses[1].avg_fill_price, close);
  EXPECT_EQ(statuses[1].client_id, 1);
  auto exec = received<ib::ExecutionData>(s);
  ASSERT_EQ(exec.size(), 1u);
  EXPECT_EQ(exec[0].req_id, -1);
  EXPECT_EQ(exec[0].execution.side, "BOT");
  EXPECT_EQ(exec[0].execution.shares, 100);
  EXPECT_DOUBLE_EQ(exec[0].execution.price, close);
  EXPECT_EQ(exec[0].execution.perm_id, statuses[1].perm_id);
  EXPECT_EQ(exec[0].execution.acct_number, "DU1234567");
  EXPECT_TRUE(exec[0].execution.exec_id.ends_with(".01"));
  auto commission = received<ib::CommissionReport>(s);
  ASSERT_EQ(commission.size(), 1u);
  EXPECT_EQ(commission[0].report.exec_id, exec[0].execution.exec_id);
  EXPECT_DOUBLE_EQ(commission[0].report.commission, ib_commission(100, close));
  EXPECT_FALSE(commission[0].report.realized_pnl.has_value());  // it opened a position
}

TEST_F(EngineOrders, ClosingFillReportsRealizedPnlNetOfBothCommissions) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 100));
  ASSERT_EQ(control("step 1").substr(0, 4), "ok 1");
  clear();
  request(s, order(2, "TQQQ", "SELL", 100));
  const double buy = tqqq_[kStartBar].close;
  const double sell = tqqq_[kStartBar + 1].close;
  auto commission = received<ib::CommissionReport>(s);
  ASSERT_EQ(commission.size(), 1u);
  ASSERT_TRUE(commission[0].report.realized_pnl.has_value());
  EXPECT_NEAR(*commission[0].report.realized_pnl,
              (sell - buy) * 100 - ib_commission(100, buy) - ib_commission(100, sell), 1e-9);
}

TEST_F(EngineOrders, LimitOrderRestsAndFillsWhenALaterBarReachesIt) {
  SessionId s = connect(1);
  // A buy limit just below every close so far fills on the first later bar whose low reaches it.
  const double limit = std::round((tqqq_[kStartBar].close - 0.3) * 100) / 100;
  request(s, order(1, "TQQQ", "BUY", 10, "LMT", limit, std::nullopt, "GTC"));
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
  int expected_bar = -1;
  double expected_price = 0;
  for (int i = kStartBar + 1; i < kBars; ++i) {
    if (tqqq_[i].open <= limit) {
      expected_bar = i;
      expected_price = tqqq_[i].open;
      break;
    }
    if (tqqq_[i].low <= limit) {
      expected_bar = i;
      expected_price = limit;
      break;
    }
  }
  ASSERT_GT(expected_bar, 0) << "the seeded bars should reach the limit";
  control("step " + std::to_string(expected_bar - kStartBar - 1));
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
  control("step 1");
  auto exec = received<ib::ExecutionData>(s);
  ASSERT_EQ(exec.size(), 1u);
  EXPECT_DOUBLE_EQ(exec[0].execution.price, expected_price);
  // Executions are stamped with the bar's time, spelled in the gateway's zone (US/Eastern).
  EXPECT_EQ(exec[0].execution.time, ib::format_ib_datetime(tqqq_[expected_bar].time, "US/Eastern"));
  EXPECT_EQ(ib::parse_ib_time(exec[0].execution.time), tqqq_[expected_bar].time);
}

TEST_F(EngineOrders, NextOpenModelFillsAMarketOrderAtTheNextOpen) {
  options_.fill_model = exchange::FillModel::kNextOpen;
  SessionId s = connect(1);
  request(s, order(1, "SPY", "BUY", 5));
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
  control("step");
  auto exec = received<ib::ExecutionData>(s);
  ASSERT_EQ(exec.size(), 1u);
  EXPECT_DOUBLE_EQ(exec[0].execution.price, spy_[kStartBar + 1].open);
}

TEST_F(EngineOrders, StopOrdersArePreSubmittedUntilTriggered) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 10, "STP", std::nullopt, 1000.0, "GTC"));
  auto statuses = received<ib::OrderStatus>(s);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].status, "PreSubmitted");
}

TEST_F(EngineOrders, CancelConfirmsWith202AndCancelled) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 10, "LMT", 1.0, std::nullopt, "GTC"));
  clear();
  request(s, cancel(1));
  EXPECT_THAT(error_codes(s), ElementsAre(202));
  auto statuses = received<ib::OrderStatus>(s);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].status, "Cancelled");
  clear();
  request(s, cancel(1));
  request(s, cancel(99));
  EXPECT_THAT(error_codes(s), ElementsAre(10148, 10147));
}

TEST_F(EngineOrders, OnlyTheOwningClientMayCancelAndHearsOfItsOrders) {
  SessionId owner = connect(1);
  SessionId other = connect(2);
  request(owner, order(1, "TQQQ", "BUY", 10, "LMT", 1.0, std::nullopt, "GTC"));
  EXPECT_TRUE(received<ib::OrderStatus>(other).empty());
  request(other, cancel(1));
  EXPECT_THAT(error_codes(other), ElementsAre(10147));
  clear();
  request(other, ib::ReqAllOpenOrders{});
  EXPECT_EQ(received<ib::OpenOrder>(other).size(), 1u);
  clear();
  request(other, ib::ReqOpenOrders{});
  EXPECT_TRUE(received<ib::OpenOrder>(other).empty());
  EXPECT_EQ(received<ib::OpenOrderEnd>(other).size(), 1u);
}

TEST_F(EngineOrders, PlaceOrderWithALiveIdModifiesIt) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 10, "LMT", 1.0, std::nullopt, "GTC"));
  clear();
  request(s, order(1, "TQQQ", "BUY", 20, "LMT", 2.0, std::nullopt, "GTC"));
  auto open = received<ib::OpenOrder>(s);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].order.total_quantity, 20);
  EXPECT_EQ(open[0].order.lmt_price, 2.0);
  // Made marketable, it fills at the next bar's open (the backtest's rule for a resting limit).
  clear();
  request(s, order(1, "TQQQ", "BUY", 20, "LMT", 1000.0, std::nullopt, "GTC"));
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
  control("step");
  auto exec = received<ib::ExecutionData>(s);
  ASSERT_EQ(exec.size(), 1u);
  EXPECT_DOUBLE_EQ(exec[0].execution.price, tqqq_[kStartBar + 1].open);
  EXPECT_EQ(exec[0].execution.shares, 20);
  // A finished order's id cannot be used again.
  clear();
  request(s, order(1, "TQQQ", "BUY", 5));
  EXPECT_THAT(error_codes(s), ElementsAre(103));
}

TEST_F(EngineOrders, ModifyCannotChangeTheSide) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 10, "LMT", 1.0, std::nullopt, "GTC"));
  clear();
  request(s, order(1, "TQQQ", "SELL", 10, "LMT", 1.0, std::nullopt, "GTC"));
  EXPECT_THAT(error_codes(s), ElementsAre(321));
}

TEST_F(EngineOrders, DayOrderExpiresAtTheNextDaysBar) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 10, "LMT", 1.0));
  clear();
  control("step");
  auto statuses = received<ib::OrderStatus>(s);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].status, "Cancelled");
  clear();
  request(s, ib::ReqCompletedOrders{});
  auto completed = received<ib::CompletedOrder>(s);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].state.status, "Cancelled");
  EXPECT_NE(completed[0].state.completed_status.find("expired"), std::string::npos);
}

TEST_F(EngineOrders, RefusalsAreError201AndInactive) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 10, "TRAIL"));
  request(s, order(2, "TQQQ", "BUY", 10, "LMT"));  // no limit price
  request(s, order(3, "TQQQ", "BUY", 1'000'000));  // more than the cash
  request(s, order(4, "TQQQ", "SELL", 10));        // nothing to sell (cash account)
  EXPECT_THAT(error_codes(s), ElementsAre(201, 201, 201, 201));
  // Types and prices are refused at once; the cash account's limits at fill time, as in the
  // backtest (here at once too: a market order in the close model fills when placed).
  std::map<int, std::string> last_status;
  for (const ib::OrderStatus& status : received<ib::OrderStatus>(s)) {
    last_status[status.order_id] = status.status;
  }
  EXPECT_EQ(last_status[1], "Inactive");
  EXPECT_EQ(last_status[2], "Inactive");
  EXPECT_EQ(last_status[3], "Inactive");
  EXPECT_EQ(last_status[4], "Inactive");
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
  auto errors = received<ib::ErrMsg>(s);
  bool named_cash = false;
  for (const auto& e : errors) named_cash |= e.message.find("available cash") != std::string::npos;
  EXPECT_TRUE(named_cash);
}

// IB's transmit and parentId: held orders send nothing until the client transmits one, then go
// in the order placed; a child waits (PreSubmitted) for its parent, names it in parentId, and
// is cancelled with it; a child of an unknown parent is refused.
TEST_F(EngineOrders, UntransmittedOrdersWaitAndChildrenFollowTheirParent) {
  SessionId s = connect(1);
  clear();
  const double close = tqqq_[kStartBar].close;
  auto parent =
      order(1, "TQQQ", "BUY", 10, "LMT", std::round(close * 50) / 100, std::nullopt, "GTC");
  parent.order.transmit = false;
  request(s, parent);
  EXPECT_TRUE(names(s).empty());
  auto child =
      order(2, "TQQQ", "SELL", 10, "LMT", std::round(close * 300) / 100, std::nullopt, "GTC");
  child.order.parent_id = 1;
  child.order.oca_group = "bracket";
  child.order.oca_type = 1;
  request(s, child);
  auto statuses = received<ib::OrderStatus>(s);
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].order_id, 1);
  EXPECT_EQ(statuses[0].status, "Submitted");
  EXPECT_EQ(statuses[1].order_id, 2);
  EXPECT_EQ(statuses[1].status, "PreSubmitted");
  EXPECT_EQ(statuses[1].parent_id, 1);
  auto open = received<ib::OpenOrder>(s);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[1].order.parent_id, 1);
  EXPECT_EQ(open[1].order.oca_group, "bracket");
  EXPECT_EQ(open[1].order.oca_type, 1);
  clear();
  request(s, cancel(1));
  std::map<int, std::string> last_status;
  for (const ib::OrderStatus& status : received<ib::OrderStatus>(s)) {
    last_status[status.order_id] = status.status;
  }
  EXPECT_EQ(last_status[1], "Cancelled");
  EXPECT_EQ(last_status[2], "Cancelled");
  clear();
  auto orphan = order(3, "TQQQ", "SELL", 10, "LMT", close * 2, std::nullopt, "GTC");
  orphan.order.parent_id = 99;
  request(s, orphan);
  EXPECT_THAT(error_codes(s), ElementsAre(201));
}

// A bracket as IB's API sends it (no ocaGroup), its parent marketable: the parent fills at the
// close when the last child transmits, the take-profit works at once (Submitted), the stop-loss
// waits for its trigger (PreSubmitted); every order's openOrder comes before its first
// orderStatus. The take-profit is the high of the first later bar above the close: that bar
// fills it and its sibling, the stop-loss, is cancelled by the gateway (IB's attached orders are
// one-cancels-other).
TEST_F(EngineOrders, ABracketWithAMarketableParentReportsIbsStatuses) {
  SessionId s = connect(1);
  const Bar& now = tqqq_[kStartBar];
  std::size_t above = kStartBar + 1;
  while (above < tqqq_.size() && tqqq_[above].high <= now.close) ++above;
  ASSERT_LT(above, tqqq_.size());
  const Bar& next = tqqq_[above];
  auto parent = order(1, "TQQQ", "BUY", 10, "LMT", now.close, std::nullopt, "GTC");
  parent.order.transmit = false;
  auto stop =
      order(2, "TQQQ", "SELL", 10, "STP", std::nullopt, std::round(now.close * 50) / 100, "GTC");
  stop.order.parent_id = 1;
  stop.order.transmit = false;
  auto take = order(3, "TQQQ", "SELL", 10, "LMT", next.high, std::nullopt, "GTC");
  take.order.parent_id = 1;
  clear();
  for (const auto& o : {parent, stop, take}) request(s, o);
  std::set<int> opened;
  for (const auto& [id, message] : host_.sent) {
    if (id != s) continue;
    if (const auto* open = std::get_if<ib::OpenOrder>(&message)) {
      opened.insert(open->order.order_id);
    } else if (const auto* status = std::get_if<ib::OrderStatus>(&message)) {
      EXPECT_TRUE(opened.contains(status->order_id))
          << "orderStatus " << status->status << " of order " << status->order_id
          << " before its openOrder";
    }
  }
  ASSERT_EQ(control(fmt::format("step {}", above - kStartBar)).substr(0, 2), "ok");
  std::map<int, std::vector<std::string>> seen;
  for (const ib::OrderStatus& status : received<ib::OrderStatus>(s)) {
    auto& list = seen[status.order_id];
    if (list.empty() || list.back() != status.status) list.push_back(status.status);
  }
  EXPECT_EQ(seen[1], (std::vector<std::string>{"Submitted", "Filled"}));
  EXPECT_EQ(seen[2], (std::vector<std::string>{"PreSubmitted", "Cancelled"}));
  EXPECT_EQ(seen[3], (std::vector<std::string>{"Submitted", "Filled"}));
  const auto errors = error_codes(s);
  EXPECT_EQ(std::count(errors.begin(), errors.end(), 202), 0) << "no 202: IB cancelled it";
}

TEST_F(EngineOrders, UnknownContractIsError200) {
  SessionId s = connect(1);
  request(s, order(1, "NOPE", "BUY", 10));
  EXPECT_THAT(error_codes(s), ElementsAre(200));
  EXPECT_TRUE(received<ib::OrderStatus>(s).empty());
}

TEST_F(EngineOrders, ReqExecutionsReplaysFillsWithCommissionsAndFilters) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 10));
  request(s, order(2, "SPY", "BUY", 1));
  clear();
  request(s, ib::ReqExecutions{.req_id = 5, .filter = {}});
  EXPECT_THAT(names(s), ElementsAre("execDetails", "commissionReport", "execDetails",
                                    "commissionReport", "execDetailsEnd"));
  EXPECT_EQ(received<ib::ExecutionData>(s)[0].req_id, 5);
  clear();
  ib::ExecutionFilter filter;
  filter.symbol = "SPY";
  request(s, ib::ReqExecutions{.req_id = 6, .filter = filter});
  auto execs = received<ib::ExecutionData>(s);
  ASSERT_EQ(execs.size(), 1u);
  EXPECT_EQ(execs[0].contract.symbol, "SPY");
  clear();
  filter = {};
  filter.client_id = 9;
  request(s, ib::ReqExecutions{.req_id = 7, .filter = filter});
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
  EXPECT_EQ(received<ib::ExecutionDataEnd>(s).size(), 1u);
}

}  // namespace
}  // namespace tandem::gateway::testing
