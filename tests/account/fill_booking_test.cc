// account::AccountCore's one booking step for fills (account/account_core_fills.h), by each
// mode's FillPolicy: a fill refused by the cash-account rule (exchange/cash_account.h, the
// backtest's and the paper gateway's), a correction rebuilding the book from the kept
// executions, a late commission applied, an execution of an earlier run's order adopted, and
// the trade's filled quantity and average price from its fills.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "account/account_core.h"
#include "account/core_test_support.h"
#include "core/error.h"
#include "exchange/cash_account.h"
#include "store/store.h"

namespace tandem::account {
namespace {

using test_support::batching;
using test_support::weight;

// A fill side of either kind: live's (executions kept, nothing refused) or a cash account's
// (the book in place, the cash-account rule refusing, `cash` paid from).
struct TestFillSide {
  FillPolicy kept_policy;
  AccountCore* core = nullptr;
  double cash = 1'000;
  std::vector<std::int64_t> refused_orders;
  std::vector<std::string> traded;
  std::size_t trips_seen = 0;

  FillPolicy policy() const { return kept_policy; }
  std::optional<std::string> refusal(std::size_t strategy, const broker::OrderEntry*,
                                     const Fill& fill, const Contract& contract) const {
    if (kept_policy.keep_executions) return std::nullopt;  // live: executed already
    const broker::PositionBook::Holding* held = core->strategy(strategy).book.find(contract.symbol);
    const exchange::CashAccountFill check = exchange::cash_account_fill(
        fill, contract, cash, held != nullptr ? held->quantity : 0.0, core->key(strategy));
    if (!exchange::cash_account_refuses(check)) return std::nullopt;
    return exchange::cash_account_refusal(check);
  }
  void refused(std::int64_t order_id, Timestamp) { refused_orders.push_back(order_id); }
  const broker::PositionBook::Holding* booked(std::size_t strategy, const broker::OrderEntry*,
                                              const Fill& fill, const Contract& contract) {
    const double sign = fill.execution.side == Action::kBuy ? 1.0 : -1.0;
    cash -= sign * fill.execution.shares * fill.execution.price + fill.commission_report.commission;
    traded.push_back(contract.symbol);
    return core->strategy(strategy).book.find(contract.symbol);
  }
  void reuse_buffers(Fill&) {}
  void trips(std::size_t, std::span<const broker::RoundTrip> trips) { trips_seen += trips.size(); }
  Timestamp now() const { return 9'000; }
};

constexpr FillPolicy kLive{.keep_executions = true};
constexpr FillPolicy kCashAccount{
    .keep_executions = false, .realized_pnl_from_book = true, .status_at_execution_time = true};

broker::VenueFill venue_fill(std::int64_t order_id, const std::string& exec_id, Action side,
                             double shares, double price, double commission = 0,
                             broker::FillKind kind = broker::FillKind::kNew) {
  broker::VenueFill delivered;
  Fill& fill = delivered.fill;
  fill.contract = stock("SPY");
  fill.time = 7'000;
  fill.execution.exec_id = exec_id;
  fill.execution.time = 7'000;
  fill.execution.side = side;
  fill.execution.shares = shares;
  fill.execution.price = price;
  fill.execution.order_id = order_id;
  fill.execution.perm_id = 0;  // the venue names none: the order's is taken
  fill.commission_report.exec_id = exec_id;
  fill.commission_report.commission = commission;
  delivered.kind = kind;
  return delivered;
}

class FillBookingTest : public ::testing::Test {
 protected:
  FillBookingTest()
      : store_(store::Store::open("mem://")),
        recorder_(store_->library("DU42")),
        core_(batching(&recorder_, &log_)) {
    core_.add_strategy("A", weight(0.5));
    core_.add_strategy("B", weight(0.5));
    fills_.core = &core_;
  }

  static test_support::TestSide sender() {
    test_support::TestSide side{PlacePolicy{}};
    side.next_id = 100;
    side.clock = 5'000;
    return side;
  }

  broker::TradeHandle place(Action action, double quantity, std::size_t strategy = 0) {
    return core_.place(strategy, stock("SPY"), market_order(action, quantity), std::nullopt, send_);
  }

  std::vector<std::string> log_;
  std::unique_ptr<store::Store> store_;
  broker::AccountRecorder recorder_;
  AccountCore core_;
  // Places orders as live does: sent at once under the venue's next id (100, 101, ...).
  test_support::TestSide send_ = sender();
  TestFillSide fills_;
};

TEST_F(FillBookingTest, ACashAccountRefusesABuyItCannotPayForAndASaleOfSharesNotHeld) {
  fills_.kept_policy = kCashAccount;
  broker::TradeHandle buy = place(Action::kBuy, 10);  // order 100
  core_.book_fill(venue_fill(100, "E.100.1", Action::kBuy, 10, 150, 1), fills_);
  EXPECT_EQ(buy->state.status, OrderStatus::kInactive);
  EXPECT_EQ(buy->log.back().message,
            "cash account: buying 10 SPY at 150.0000 costs 1501.00 with commission 1.00, more "
            "than the available cash 1000.00");
  EXPECT_EQ(buy->log.back().time, 7'000);  // at the execution's time (the bar's)
  EXPECT_EQ(fills_.refused_orders, std::vector<std::int64_t>{100});
  EXPECT_EQ(core_.fills_booked(), 0u);
  EXPECT_TRUE(buy->fills.empty());
  EXPECT_EQ(core_.strategy(0).book.quantity("SPY"), 0);

  broker::TradeHandle sell = place(Action::kSell, 5);  // order 101
  core_.book_fill(venue_fill(101, "E.101.1", Action::kSell, 5, 100), fills_);
  EXPECT_EQ(sell->state.status, OrderStatus::kInactive);
  EXPECT_EQ(sell->log.back().message,
            "cash account: selling 5 SPY but strategy A holds 0; short sales need a margin "
            "account");

  // What it can pay for is booked in place: the cash paid, the realized PnL the book's.
  broker::TradeHandle affordable = place(Action::kBuy, 9);  // order 102
  core_.book_fill(venue_fill(102, "E.102.1", Action::kBuy, 9, 100, 1), fills_);
  EXPECT_EQ(affordable->state.status, OrderStatus::kFilled);
  EXPECT_DOUBLE_EQ(fills_.cash, 1'000 - 901);
  ASSERT_EQ(affordable->fills.size(), 1u);
  EXPECT_EQ(affordable->fills[0].execution.order_ref, "A");
  EXPECT_EQ(affordable->fills[0].execution.perm_id, affordable->order.perm_id);
  broker::TradeHandle close = place(Action::kSell, 9);  // order 103
  core_.book_fill(venue_fill(103, "E.103.1", Action::kSell, 9, 110, 1), fills_);
  ASSERT_EQ(close->fills.size(), 1u);
  ASSERT_TRUE(close->fills[0].commission_report.realized_pnl);
  EXPECT_DOUBLE_EQ(*close->fills[0].commission_report.realized_pnl, 90 - 1 - 1);
  EXPECT_EQ(core_.round_trips(0), 1u);
  EXPECT_EQ(fills_.trips_seen, 1u);
  EXPECT_EQ(core_.rows().trades.size(), 1u);
  EXPECT_EQ(core_.rows().fills.size(), 2u);
}

TEST_F(FillBookingTest, ACorrectionReplacesItsRevisionAndRebuildsTheBook) {
  fills_.kept_policy = kLive;
  broker::TradeHandle trade = place(Action::kBuy, 10);  // order 100
  core_.book_fill(venue_fill(100, "E.100.01", Action::kBuy, 10, 100), fills_);
  EXPECT_EQ(trade->state.status, OrderStatus::kFilled);
  EXPECT_EQ(trade->log.back().time, 9'000);  // live: at the account's clock
  core_.book_fill(
      venue_fill(100, "E.100.02", Action::kBuy, 10, 101, 0, broker::FillKind::kCorrection), fills_);
  const broker::PositionBook::Holding* holding = core_.strategy(0).book.find("SPY");
  ASSERT_NE(holding, nullptr);
  EXPECT_EQ(holding->quantity, 10);            // not 20: the correction replaced it
  EXPECT_DOUBLE_EQ(holding->avg_cost(), 101);  // at the corrected price
  ASSERT_EQ(trade->fills.size(), 1u);
  EXPECT_EQ(trade->fills[0].execution.exec_id, "E.100.02");
  EXPECT_DOUBLE_EQ(trade->state.avg_fill_price, 101);
  EXPECT_EQ(core_.rows().fills.size(), 2u);  // both revisions recorded
  EXPECT_EQ(core_.fills_booked(), 2u);

  // The older revision arriving late is recorded, never applied.
  core_.book_fill(
      venue_fill(100, "E.100.01", Action::kBuy, 10, 100, 0, broker::FillKind::kSuperseded), fills_);
  EXPECT_EQ(core_.strategy(0).book.quantity("SPY"), 10);
  EXPECT_DOUBLE_EQ(core_.strategy(0).book.find("SPY")->avg_cost(), 101);
  EXPECT_EQ(core_.rows().fills.size(), 3u);

  // Several fills of one order: the average price weighted by shares.
  broker::TradeHandle second = place(Action::kBuy, 30);  // order 101
  core_.book_fill(venue_fill(101, "E.101.01", Action::kBuy, 10, 100), fills_);
  EXPECT_EQ(second->state.status, OrderStatus::kPendingSubmit);  // not Filled: 10 of 30
  EXPECT_EQ(second->state.remaining, 20);
  core_.book_fill(venue_fill(101, "E.101b.01", Action::kBuy, 20, 103), fills_);
  EXPECT_EQ(second->state.status, OrderStatus::kFilled);
  EXPECT_DOUBLE_EQ(second->state.avg_fill_price, (10 * 100 + 20 * 103) / 30.0);
}

TEST_F(FillBookingTest, ACorrectionWithoutKeptExecutionsIsAnInternalError) {
  fills_.kept_policy = kCashAccount;
  place(Action::kBuy, 5);
  core_.book_fill(venue_fill(100, "E.100.01", Action::kBuy, 5, 100), fills_);
  try {
    core_.book_fill(
        venue_fill(100, "E.100.02", Action::kBuy, 5, 99, 0, broker::FillKind::kCorrection), fills_);
    FAIL() << "a correction was booked without kept executions";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Internal);
  }
  EXPECT_EQ(core_.strategy(0).book.quantity("SPY"), 5);
}

TEST_F(FillBookingTest, ALateCommissionIsRecordedAppliedAndRebuildsTheBook) {
  fills_.kept_policy = kLive;
  broker::TradeHandle trade = place(Action::kBuy, 10);
  core_.book_fill(venue_fill(100, "E.100.01", Action::kBuy, 10, 100), fills_);  // no commission
  EXPECT_DOUBLE_EQ(core_.strategy(0).book.commission(), 0);
  CommissionReport report;
  report.exec_id = "E.100.01";
  report.commission = 1.5;
  core_.late_commission(report, 12'000);
  ASSERT_EQ(core_.rows().late_commissions.size(), 1u);
  EXPECT_EQ(core_.rows().late_commissions[0].strategy, "A");
  EXPECT_EQ(core_.rows().late_commissions[0].time, 12'000);
  EXPECT_DOUBLE_EQ(core_.strategy(0).book.commission(), 1.5);
  EXPECT_DOUBLE_EQ(core_.strategy(0).book.find("SPY")->avg_cost(), 100.15);
  EXPECT_DOUBLE_EQ(trade->fills[0].commission_report.commission, 1.5);
  EXPECT_DOUBLE_EQ(core_.commission_paid(), 1.5);

  // One for an execution no strategy holds is logged and ignored.
  report.exec_id = "OTHER.1.01";
  core_.late_commission(report, 13'000);
  EXPECT_EQ(core_.rows().late_commissions.size(), 1u);
  EXPECT_NE(log_.back().find("no strategy holds; ignored"), std::string::npos) << log_.back();
}

TEST_F(FillBookingTest, AnExecutionOfAnEarlierRunsOrderIsAdoptedAndBooked) {
  fills_.kept_policy = kLive;
  const Contract own = [] {
    Contract contract = stock("SPY");
    contract.primary_exchange = "ARCA";
    return contract;
  }();
  auto instrument_of = [&](std::size_t, const std::string& symbol) -> std::optional<Instrument> {
    if (symbol != "SPY") return std::nullopt;
    return Instrument{7, &own};
  };
  broker::VenueFill delivered = venue_fill(42, "E.42.01", Action::kBuy, 4, 100);
  delivered.fill.execution.order_ref = "B";
  delivered.fill.execution.cum_qty = 4;
  delivered.fill.contract.con_id = 756733;
  ASSERT_TRUE(core_.execution_arrived(delivered.fill, instrument_of));
  const broker::OrderEntry* adopted = core_.orders().find(42);
  ASSERT_NE(adopted, nullptr);
  EXPECT_TRUE(adopted->adopted);
  EXPECT_EQ(adopted->strategy, 1u);
  EXPECT_EQ(adopted->instrument, 7u);
  EXPECT_EQ(delivered.fill.contract.primary_exchange, "ARCA");  // the strategy's own instrument
  EXPECT_EQ(delivered.fill.contract.con_id, 756733);            // with the venue's con_id
  core_.book_fill(delivered, fills_);
  EXPECT_EQ(core_.strategy(1).book.quantity("SPY"), 4);
  EXPECT_EQ(adopted->trade->state.status, OrderStatus::kFilled);

  // Another program's execution is not this account's.
  broker::VenueFill other = venue_fill(43, "X.43.01", Action::kBuy, 1, 100);
  other.fill.execution.order_ref = "someone-else";
  EXPECT_FALSE(core_.execution_arrived(other.fill, instrument_of));
  EXPECT_EQ(core_.orders().find(43), nullptr);
}

}  // namespace
}  // namespace tandem::account
