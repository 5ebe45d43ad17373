// The IB adapter alone (live/ib_venue.h): IB messages in, the venue's events (broker/venue.h)
// out to a recording account, requests out to a fake channel. Each execution delivered once, a
// correction marked as one, commissions joined whichever comes first, an overdue fill delivered
// without one and its late report after, order ids IB cannot carry refused.
#include "live/ib_venue.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "core/error.h"
#include "live/ib_test_messages.h"

namespace tandem::live {
namespace {

class FakeChannel : public OrderChannel {
 public:
  bool connected() const override { return true; }
  int next_order_id() override { return next_id_++; }
  void send(const ib::Request& request) override { sent.push_back(request); }

  int next_id_ = 100;
  std::vector<ib::Request> sent;
};

// What the account would hear; `ours` decides which executions it claims.
class RecordingAccount : public broker::VenueEvents {
 public:
  void order_reported(std::int64_t order_id) override { reported.push_back(order_id); }
  void order_open(const broker::VenueOrder& order) override { opens.push_back(order); }
  void order_status(const broker::VenueStatus& status) override { statuses.push_back(status); }
  void order_completed(const broker::VenueCompleted& completed) override {
    completions.push_back(completed);
  }
  bool execution_arrived(Fill& fill) override {
    arrived.push_back(fill.execution.exec_id);
    return fill.execution.order_ref == "S1";
  }
  void fill(const broker::VenueFill& fill) override { fills.push_back(fill); }
  void late_commission(const CommissionReport& report) override { late.push_back(report); }
  void order_error(const broker::VenueError& error) override { errors.push_back(error); }
  void account_value(const AccountValue& value) override { values.push_back(value); }
  void holding(const broker::VenueHolding& holding) override { holdings.push_back(holding); }

  std::vector<std::int64_t> reported;
  std::vector<broker::VenueOrder> opens;
  std::vector<broker::VenueStatus> statuses;
  std::vector<broker::VenueCompleted> completions;
  std::vector<std::string> arrived;
  std::vector<broker::VenueFill> fills;
  std::vector<CommissionReport> late;
  std::vector<broker::VenueError> errors;
  std::vector<AccountValue> values;
  std::vector<broker::VenueHolding> holdings;
};

class IbVenueTest : public ::testing::Test {
 protected:
  void SetUp() override { open(std::chrono::milliseconds(60'000)); }
  void open(std::chrono::milliseconds commission_wait) {
    IbVenueSettings settings;
    settings.account = "DU1";
    settings.commission_wait = commission_wait;
    settings.clock = [] { return Timestamp{1'700'000'000} * kNanosPerSecond; };
    settings.log = [this](std::string_view line) { log_ += std::string(line) + "\n"; };
    venue_ = std::make_unique<IbVenue>(settings, channel_);
    venue_->bind(account_);
  }

  // The adapter carries IB's contract id into the fill: the test's execution has one.
  static ib::ExecutionData execution(int order_id, std::string exec_id, double shares, double price,
                                     std::string order_ref = "S1") {
    ib::ExecutionData e =
        testing::tqqq_execution(order_id, std::move(exec_id), shares, price, std::move(order_ref));
    e.contract.con_id = 72539702;
    return e;
  }
  static ib::CommissionReportData commission(std::string exec_id, double amount) {
    return testing::usd_commission(std::move(exec_id), amount);
  }

  FakeChannel channel_;
  RecordingAccount account_;
  std::unique_ptr<IbVenue> venue_;
  std::string log_;
};

TEST_F(IbVenueTest, AnExecutionSentAgainIsDeliveredOnceWithItsCommission) {
  const auto e = execution(100, "0001.0002.01.01", 10, 50.5);
  venue_->on_execution(e);
  venue_->on_execution(e);  // a repeat before its commission: still waiting, not twice
  EXPECT_TRUE(account_.fills.empty());
  EXPECT_EQ(venue_->fills_awaiting_commission(), 1u);
  venue_->on_commission(commission("0001.0002.01.01", 1.25));
  venue_->on_execution(e);  // reconciliation sends it again
  venue_->on_commission(commission("0001.0002.01.01", 1.25));
  ASSERT_EQ(account_.fills.size(), 1u);
  const broker::VenueFill& delivered = account_.fills[0];
  EXPECT_EQ(delivered.kind, broker::FillKind::kNew);
  EXPECT_EQ(delivered.fill.execution.exec_id, "0001.0002.01.01");
  EXPECT_EQ(delivered.fill.execution.side, Action::kBuy);
  EXPECT_EQ(delivered.fill.execution.shares, 10);
  EXPECT_EQ(delivered.fill.execution.price, 50.5);
  EXPECT_EQ(delivered.fill.contract.con_id, 72539702);
  EXPECT_EQ(delivered.fill.commission_report.commission, 1.25);
  // 09:30 in New York in January is 14:30 UTC.
  EXPECT_EQ(delivered.fill.time, Timestamp{1'706'711'400} * kNanosPerSecond);
  EXPECT_EQ(account_.arrived.size(), 1u);  // the account was asked once
  EXPECT_EQ(account_.reported, (std::vector<std::int64_t>{100, 100, 100}));
  EXPECT_TRUE(account_.late.empty());
  EXPECT_EQ(venue_->fills_awaiting_commission(), 0u);
}

TEST_F(IbVenueTest, AnExecutionTheStoreHoldsIsNeverDeliveredAgain) {
  StoredState stored;
  broker::FillRow row;
  row.exec_id = "0001.0004.01.01";
  row.strategy = "S1";
  row.commission = 1.0;
  stored.fills.push_back(row);
  broker::FillRow other = row;  // another run's strategy: not this run's to know
  other.exec_id = "0001.0005.01.01";
  other.strategy = "S2";
  stored.fills.push_back(other);
  venue_->load(stored, {"S1"});
  venue_->on_execution(execution(100, "0001.0004.01.01", 10, 50.0));
  venue_->on_commission(commission("0001.0004.01.01", 1.0));
  EXPECT_TRUE(account_.fills.empty());
  EXPECT_TRUE(account_.late.empty());
  // A correction of the stored execution is one.
  venue_->on_execution(execution(100, "0001.0004.01.02", 10, 50.2));
  venue_->on_commission(commission("0001.0004.01.02", 1.0));
  ASSERT_EQ(account_.fills.size(), 1u);
  EXPECT_EQ(account_.fills[0].kind, broker::FillKind::kCorrection);
}

TEST_F(IbVenueTest, ACorrectionIsDeliveredAsOneAndAnOlderRevisionAfterItAsSuperseded) {
  venue_->on_execution(execution(100, "0001.0003.01.01", 10, 50.0));
  venue_->on_commission(commission("0001.0003.01.01", 1.0));
  venue_->on_execution(execution(100, "0001.0003.01.02", 10, 50.1));
  venue_->on_commission(commission("0001.0003.01.02", 1.0));
  ASSERT_EQ(account_.fills.size(), 2u);
  EXPECT_EQ(account_.fills[0].kind, broker::FillKind::kNew);
  EXPECT_EQ(account_.fills[1].kind, broker::FillKind::kCorrection);
  EXPECT_EQ(account_.fills[1].fill.execution.price, 50.1);
  EXPECT_EQ(broker::exec_key(account_.fills[1].fill.execution.exec_id), "0001.0003.01");
  // Revision .03 arrives before .02 of another execution: .02 is then superseded.
  venue_->on_execution(execution(101, "0001.0006.01.01", 5, 40.0));
  venue_->on_commission(commission("0001.0006.01.01", 0.5));
  venue_->on_execution(execution(101, "0001.0006.01.03", 5, 40.3));
  venue_->on_commission(commission("0001.0006.01.03", 0.5));
  venue_->on_execution(execution(101, "0001.0006.01.02", 5, 40.2));
  venue_->on_commission(commission("0001.0006.01.02", 0.5));
  ASSERT_EQ(account_.fills.size(), 5u);
  EXPECT_EQ(account_.fills[3].kind, broker::FillKind::kCorrection);
  EXPECT_EQ(account_.fills[4].kind, broker::FillKind::kSuperseded);
  EXPECT_EQ(account_.fills[4].fill.execution.exec_id, "0001.0006.01.02");
  // A further correction replaces the latest revision, .03.
  venue_->on_execution(execution(101, "0001.0006.01.04", 5, 40.4));
  venue_->on_commission(commission("0001.0006.01.04", 0.5));
  ASSERT_EQ(account_.fills.size(), 6u);
  EXPECT_EQ(account_.fills[5].kind, broker::FillKind::kCorrection);
}

TEST_F(IbVenueTest, ACommissionIsJoinedWhetherItComesBeforeOrAfterItsExecution) {
  venue_->on_commission(commission("0001.0009.01.01", 2.5));  // first
  EXPECT_EQ(venue_->commissions_awaiting_execution(), 1u);
  EXPECT_TRUE(account_.fills.empty());
  venue_->on_execution(execution(100, "0001.0009.01.01", 10, 50.0));
  ASSERT_EQ(account_.fills.size(), 1u);
  EXPECT_EQ(account_.fills[0].fill.commission_report.commission, 2.5);
  EXPECT_EQ(venue_->commissions_awaiting_execution(), 0u);
  venue_->on_execution(execution(101, "0001.000a.01.01", 5, 51.0));  // then after
  EXPECT_EQ(account_.fills.size(), 1u);
  ib::CommissionReportData report = commission("0001.000a.01.01", 1.5);
  report.realized_pnl = 12.0;
  venue_->on_commission(report);
  ASSERT_EQ(account_.fills.size(), 2u);
  EXPECT_EQ(account_.fills[1].fill.commission_report.commission, 1.5);
  EXPECT_EQ(account_.fills[1].fill.commission_report.realized_pnl, 12.0);
  EXPECT_EQ(account_.fills[1].fill.commission_report.exec_id, "0001.000a.01.01");
  EXPECT_TRUE(account_.late.empty());
}

TEST_F(IbVenueTest, AnOverdueFillIsDeliveredWithoutItsCommissionAndTheLateReportOnce) {
  open(std::chrono::milliseconds(0));
  venue_->on_execution(execution(100, "0001.0005.01.01", 10, 50.0));
  venue_->on_execution(execution(100, "0001.0005.02.01", 10, 49.0));
  venue_->book_overdue_fills(false);  // commission_wait (0) is over
  ASSERT_EQ(account_.fills.size(), 2u);
  EXPECT_EQ(account_.fills[0].fill.commission_report.commission, 0.0);
  EXPECT_EQ(account_.fills[0].kind, broker::FillKind::kNew);
  EXPECT_EQ(venue_->fills_awaiting_commission(), 0u);
  EXPECT_NE(log_.find("0001.0005.01.01: no commission report within 0 ms; booked without one"),
            std::string::npos)
      << log_;
  venue_->on_commission(commission("0001.0005.01.01", 1.0));
  venue_->on_commission(commission("0001.0005.01.01", 1.0));  // a repeat: nothing more
  ASSERT_EQ(account_.late.size(), 1u);
  EXPECT_EQ(account_.late[0].exec_id, "0001.0005.01.01");
  EXPECT_EQ(account_.late[0].commission, 1.0);
  EXPECT_EQ(account_.fills.size(), 2u);  // never delivered again
  // At shutdown every fill still waiting is delivered, whatever its deadline.
  open(std::chrono::milliseconds(60'000));
  venue_->on_execution(execution(102, "0001.0007.01.01", 1, 10.0));
  venue_->book_overdue_fills(false);
  EXPECT_EQ(account_.fills.size(), 2u);
  venue_->book_overdue_fills(true);
  EXPECT_EQ(account_.fills.size(), 3u);
}

TEST_F(IbVenueTest, AnExecutionTheAccountDoesNotClaimIsDroppedAndSoIsItsCommissionLater) {
  open(std::chrono::milliseconds(0));
  venue_->on_execution(execution(7, "0002.0001.01.01", 3, 20.0, "another program"));
  venue_->on_commission(commission("0002.0001.01.01", 1.0));
  EXPECT_EQ(account_.arrived.size(), 1u);
  EXPECT_TRUE(account_.fills.empty());
  EXPECT_EQ(venue_->fills_awaiting_commission(), 0u);
  EXPECT_EQ(venue_->commissions_awaiting_execution(), 1u);
  venue_->book_overdue_fills(false);
  EXPECT_EQ(venue_->commissions_awaiting_execution(), 0u);
  EXPECT_TRUE(account_.fills.empty());
  EXPECT_TRUE(account_.late.empty());
  // An execution with a side tandem does not know is never delivered.
  ib::ExecutionData garbled = execution(100, "0002.0002.01.01", 3, 20.0);
  garbled.execution.side = "XYZ";
  venue_->on_execution(garbled);
  venue_->book_overdue_fills(true);
  EXPECT_TRUE(account_.fills.empty());
  EXPECT_NE(log_.find("execution 0002.0002.01.01: unknown side 'XYZ' ignored"), std::string::npos)
      << log_;
}

TEST_F(IbVenueTest, AnOrderIdIbCannotCarryIsRefusedNamingItAndNothingIsSent) {
  Order order = market_order(Action::kBuy, 1);
  for (std::int64_t id : {std::int64_t{0}, std::int64_t{-3}, std::int64_t{INT_MAX} + 1}) {
    order.order_id = id;
    try {
      venue_->place(stock("TQQQ"), order);
      FAIL() << "order id " << id << " was sent";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find("order id " + std::to_string(id) + " cannot be sent"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("IB venue place"), std::string::npos) << e.what();
    }
    EXPECT_THROW(venue_->modify(stock("TQQQ"), order), Error);
    EXPECT_THROW(venue_->cancel(id), Error);
  }
  EXPECT_TRUE(channel_.sent.empty());
  order.order_id = venue_->next_order_id();
  venue_->place(stock("TQQQ"), order);
  venue_->cancel(order.order_id);
  ASSERT_EQ(channel_.sent.size(), 2u);
  EXPECT_EQ(std::get<ib::PlaceOrder>(channel_.sent[0]).order.order_id, 100);
  EXPECT_EQ(std::get<ib::CancelOrder>(channel_.sent[1]).order_id, 100);
}

TEST_F(IbVenueTest, IbsOrderMessagesArriveInTandemsTerms) {
  Order order = limit_order(Action::kBuy, 50.0, 10);
  order.order_id = 100;
  venue_->place(stock("TQQQ"), order);
  order.limit_price = 49.0;
  venue_->modify(stock("TQQQ"), order);
  // openOrder with the terms before the change does not confirm it; with the new ones it does.
  ib::OpenOrder open;
  open.contract.symbol = "TQQQ";
  open.order = std::get<ib::PlaceOrder>(channel_.sent[0]).order;
  open.order.perm_id = 555;
  open.state.status = "Submitted";
  venue_->on_open_order(open);
  open.order.lmt_price = 49.0;
  venue_->on_open_order(open);
  open.order.order_type = "NOT A TYPE";
  venue_->on_open_order(open);
  ASSERT_EQ(account_.opens.size(), 3u);
  EXPECT_FALSE(account_.opens[0].confirms_last_sent);
  EXPECT_TRUE(account_.opens[1].confirms_last_sent);
  EXPECT_EQ(account_.opens[1].perm_id, 555);
  EXPECT_EQ(account_.opens[1].status, OrderStatus::kSubmitted);
  ASSERT_TRUE(account_.opens[1].order.has_value());
  EXPECT_EQ(account_.opens[1].order->limit_price, 49.0);
  EXPECT_FALSE(account_.opens[2].order.has_value());
  EXPECT_NE(account_.opens[2].untradeable.find("which tandem does not trade"), std::string::npos)
      << account_.opens[2].untradeable;
  // A status IB names that tandem does not know arrives as such, with IB's words.
  ib::OrderStatus status;
  status.order_id = 100;
  status.status = "Pondering";
  venue_->on_order_status(status);
  ASSERT_EQ(account_.statuses.size(), 1u);
  EXPECT_FALSE(account_.statuses[0].status.has_value());
  EXPECT_EQ(account_.statuses[0].reported_as, "Pondering");
  // Errors: what they do to the order.
  venue_->on_order_error(ib::ErrMsg{100, 201, "Order rejected", ""});
  venue_->on_order_error(ib::ErrMsg{100, 202, "Order Canceled", ""});
  venue_->on_order_error(ib::ErrMsg{100, 104, "Cannot modify a filled order", ""});
  venue_->on_order_error(ib::ErrMsg{100, 399, "Order will be placed at the open", ""});
  ASSERT_EQ(account_.errors.size(), 4u);
  EXPECT_EQ(account_.errors[0].effect, broker::VenueError::Effect::kRefused);
  EXPECT_TRUE(account_.errors[0].refuses_change);
  EXPECT_EQ(account_.errors[0].message, "IB error 201: Order rejected");
  EXPECT_EQ(account_.errors[1].effect, broker::VenueError::Effect::kCancelled);
  EXPECT_EQ(account_.errors[2].effect, broker::VenueError::Effect::kNotice);
  EXPECT_TRUE(account_.errors[2].refuses_change);
  EXPECT_EQ(account_.errors[3].effect, broker::VenueError::Effect::kNotice);
  EXPECT_FALSE(account_.errors[3].refuses_change);
  // Account values: numbers of this account only, not the per-currency ledger.
  venue_->on_account_value({"NetLiquidation", "100000", "USD", "DU1"});
  venue_->on_account_value({"NetLiquidation", "5", "USD", "DU2"});
  venue_->on_account_value({"NetLiquidation", "7", "BASE", "DU1"});
  venue_->on_account_value({"AccountType", "INDIVIDUAL", "", "DU1"});
  ASSERT_EQ(account_.values.size(), 1u);
  EXPECT_EQ(account_.values[0].tag, "NetLiquidation");
  EXPECT_EQ(account_.values[0].value, 100000);
}

}  // namespace
}  // namespace tandem::live
