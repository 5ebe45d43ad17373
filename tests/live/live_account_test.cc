// LiveAccount behind its IB adapter without a socket: IB messages in through the IbVenue,
// orders out through a fake channel, rows in a mem:// store. Exactly-once fills, corrections,
// late commissions, held orders, restart from the store, and the time forms executions and
// bars come in. (The adapter alone: ib_venue_test.cc.)
#include "live/live_account.h"

#include <gtest/gtest.h>

#include "broker/account_recorder.h"
#include "core/error.h"
#include "ib/ib_time.h"
#include "live/bar_feed.h"
#include "live/ib_test_messages.h"
#include "live/ib_venue.h"
#include "live/stored_state.h"
#include "store/store.h"

namespace tandem::live {
namespace {

class FakeChannel : public OrderChannel {
 public:
  bool connected() const override { return connected_; }
  int next_order_id() override { return next_id_++; }
  void send(const ib::Request& request) override { sent.push_back(request); }

  bool connected_ = true;
  int next_id_ = 100;
  std::vector<ib::Request> sent;
};

ib::OrderStatus submitted(int order_id) {
  ib::OrderStatus status;
  status.order_id = order_id;
  status.status = "Submitted";
  return status;
}

class LiveAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("mem://");
    library_ = store_->library("DU1");
    open();
  }
  void open(const StoredState& stored = {}) {
    account_.reset();
    venue_.reset();
    recorder_ = std::make_unique<broker::AccountRecorder>(*library_);
    LiveAccountSettings settings;
    settings.account = "DU1";
    settings.clock = [] { return Timestamp{1'700'000'000} * kNanosPerSecond; };
    settings.log = [this](std::string_view line) { log_ += std::string(line) + "\n"; };
    IbVenueSettings venue_settings;
    venue_settings.account = "DU1";
    venue_settings.commission_wait = std::chrono::milliseconds(0);
    venue_settings.clock = settings.clock;
    venue_settings.log = settings.log;
    venue_ = std::make_unique<IbVenue>(venue_settings, channel_);
    account_ = std::make_unique<LiveAccount>(settings, *recorder_, *venue_);
    venue_->bind(*account_);
    broker::EquityAllocation allocation;
    allocation.source = broker::EquityAllocation::Source::kExplicitEquity;
    allocation.explicit_equity = 10'000;
    account_->add_strategy("TQQQ", allocation, {stock("TQQQ")});
    account_->load(stored);
    venue_->load(stored, {"TQQQ"});
    venue_->on_account_value({"NetLiquidation", "100000", "USD", "DU1"});
    account_->on_price("TQQQ", 50);
    account_->start();
  }
  store::Table read(std::string_view symbol) {
    recorder_->flush();
    return library_->read(symbol).table;
  }

  static ib::ExecutionData execution(int order_id, std::string exec_id, double shares, double price,
                                     std::string time = "20240131 09:30:00 US/Eastern") {
    return testing::tqqq_execution(order_id, std::move(exec_id), shares, price, "TQQQ",
                                   std::move(time));
  }
  static ib::CommissionReportData commission(std::string exec_id, double amount) {
    return testing::usd_commission(std::move(exec_id), amount);
  }

  std::unique_ptr<store::Store> store_;
  std::optional<store::Library> library_;
  std::unique_ptr<broker::AccountRecorder> recorder_;
  FakeChannel channel_;
  std::unique_ptr<IbVenue> venue_;
  std::unique_ptr<LiveAccount> account_;
  std::string log_;
};

TEST_F(LiveAccountTest, SizedOrderCarriesTheStrategyKeyAndQuantityFromEquity) {
  auto trade = account_->place(0, stock("TQQQ"), market_order(Action::kBuy), 0.5);
  ASSERT_EQ(channel_.sent.size(), 1u);
  const auto& place = std::get<ib::PlaceOrder>(channel_.sent[0]);
  EXPECT_EQ(place.order.order_ref, "TQQQ");
  EXPECT_EQ(place.order.account, "DU1");
  EXPECT_EQ(place.order.total_quantity, 100.0);  // floor(0.5 × 10000 / 50)
  EXPECT_EQ(trade->order.order_id, 100);
  EXPECT_THROW(account_->place(0, stock("SPY"), market_order(Action::kBuy), 0.5), Error);
  EXPECT_THROW(account_->place(0, stock("TQQQ"), market_order(Action::kBuy), 1.5), Error);
}

TEST_F(LiveAccountTest, EveryExecutionIsBookedOnceAndDrivesFilledWithoutAnyStatus) {
  auto trade = account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  auto e = execution(100, "0001.0002.01.01", 10, 50.5);
  venue_->on_execution(e);
  venue_->on_execution(e);  // repeated (reconciliation)
  venue_->on_commission(commission("0001.0002.01.01", 1.25));
  venue_->on_commission(commission("0001.0002.01.01", 1.25));
  venue_->on_execution(e);
  EXPECT_EQ(trade->state.status, OrderStatus::kFilled);
  EXPECT_EQ(trade->fills.size(), 1u);
  EXPECT_EQ(account_->position(0, stock("TQQQ")), 10);
  store::Table fills = read("fills");
  ASSERT_EQ(fills.num_rows(), 1u);
  EXPECT_EQ(fills.float64s("commission")[0], 1.25);
  // "yyyymmdd hh:mm:ss US/Eastern" stored as UTC ns (14:30 UTC in January).
  EXPECT_EQ(fills.index()[0], ib::parse_ib_time("20240131-14:30:00"));
  store::Table positions = read("strategy_TQQQ_positions");
  ASSERT_EQ(positions.num_rows(), 1u);
  EXPECT_EQ(positions.float64s("position")[0], 10);
}

TEST_F(LiveAccountTest, ACorrectionReplacesThePriceInPositionsAndIsRecordedAsItsOwnRow) {
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_execution(execution(100, "0001.0002.01.01", 10, 50.0));
  venue_->on_commission(commission("0001.0002.01.01", 1.0));
  venue_->on_execution(execution(100, "0001.0002.01.02", 10, 50.10));
  venue_->on_commission(commission("0001.0002.01.02", 1.0));
  EXPECT_EQ(account_->position(0, stock("TQQQ")), 10);  // not 20
  const auto* holding = account_->book(0).find("TQQQ");
  ASSERT_NE(holding, nullptr);
  EXPECT_NEAR(holding->avg_cost(), 50.10 + 0.1, 1e-9);  // corrected price + commission/share
  store::Table fills = read("fills");
  ASSERT_EQ(fills.num_rows(), 2u);
  EXPECT_EQ(fills.strings("exec_id")[1], "0001.0002.01.02");
}

TEST_F(LiveAccountTest, ACommissionThatComesLateIsJoinedToItsExecution) {
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_commission(commission("0001.0009.01.01", 2.5));  // before its execution
  venue_->on_execution(execution(100, "0001.0009.01.01", 10, 50.0));
  store::Table fills = read("fills");
  ASSERT_EQ(fills.num_rows(), 1u);
  EXPECT_EQ(fills.float64s("commission")[0], 2.5);
  // Without any report, the fill is booked once commission_wait is over (0 here).
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 5), std::nullopt);
  venue_->on_execution(execution(101, "0001.000a.01.01", 5, 51.0));
  EXPECT_EQ(venue_->fills_awaiting_commission(), 1u);
  venue_->book_overdue_fills(false);
  EXPECT_EQ(venue_->fills_awaiting_commission(), 0u);
  venue_->on_commission(commission("0001.000a.01.01", 1.5));  // after the fill was booked
  // fills is append-only: its row keeps 0, and the report is stored beside it and applied.
  EXPECT_EQ(read("fills").num_rows(), 2u);
  EXPECT_EQ(read("fills").float64s("commission")[1], 0.0);
  EXPECT_NE(log_.find("came after the fill was booked without one"), std::string::npos) << log_;
  store::Table late = read("late_commissions");
  ASSERT_EQ(late.num_rows(), 1u);
  EXPECT_EQ(late.strings("exec_id")[0], "0001.000a.01.01");
  EXPECT_EQ(late.strings("strategy")[0], "TQQQ");
  EXPECT_EQ(late.float64s("commission")[0], 1.5);
  // The book includes it: after 10 at 50 + 2.5, 5 at 51 + 1.5 and 5 at 52 + 0.5, the 20 shares
  // cost 502.5 + 256.5 + 260.5 = 1019.5 (1018 had the late 1.5 been dropped).
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 5), std::nullopt);
  venue_->on_commission(commission("0001.000b.01.01", 0.5));
  venue_->on_execution(execution(102, "0001.000b.01.01", 5, 52.0));
  store::Table positions = read("strategy_TQQQ_positions");
  const std::size_t last = positions.num_rows() - 1;
  EXPECT_EQ(positions.strings("exec_id")[last], "0001.000b.01.01");
  EXPECT_DOUBLE_EQ(positions.float64s("avg_cost")[last], 1019.5 / 20);
  // A repeat of the report (reconciliation sends them again) stores nothing more.
  venue_->on_commission(commission("0001.000a.01.01", 1.5));
  EXPECT_EQ(read("late_commissions").num_rows(), 1u);
}

TEST_F(LiveAccountTest, ACommissionWhoseExecutionDoesNotComeIsDroppedAfterTheWait) {
  // Another program's execution is ignored, its commission report is not ours to join: it is
  // held for commission_wait (0 here) in case its execution still comes, then dropped, so a
  // long session does not keep them all.
  venue_->on_commission(commission("0002.0001.01.01", 1.0));
  EXPECT_EQ(venue_->commissions_awaiting_execution(), 1u);
  venue_->book_overdue_fills(false);
  EXPECT_EQ(venue_->commissions_awaiting_execution(), 0u);
  EXPECT_NE(log_.find("0002.0001.01.01: no execution within 0 ms of its commission report"),
            std::string::npos)
      << log_;
  // Had it been ours after all, nothing is lost: the fill is booked without it, and the report
  // that a reconciliation sends again after the execution is applied as a late commission.
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_execution(execution(100, "0002.0001.01.01", 10, 50.0));
  venue_->book_overdue_fills(false);
  venue_->on_execution(execution(100, "0002.0001.01.01", 10, 50.0));  // the reconciliation's
  venue_->on_commission(commission("0002.0001.01.01", 1.0));
  EXPECT_EQ(read("fills").num_rows(), 1u);
  store::Table late = read("late_commissions");
  ASSERT_EQ(late.num_rows(), 1u);
  EXPECT_EQ(late.strings("exec_id")[0], "0002.0001.01.01");
  EXPECT_EQ(late.float64s("commission")[0], 1.0);
  EXPECT_EQ(venue_->commissions_awaiting_execution(), 0u);
}

TEST_F(LiveAccountTest, ACommissionLateAcrossARestartIsStoredOnceAndApplied) {
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_execution(execution(100, "0001.0005.01.01", 10, 50.0));
  venue_->book_overdue_fills(false);  // no report yet: booked with 0
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_execution(execution(101, "0001.0006.01.01", 10, 50.0));
  venue_->book_overdue_fills(false);
  venue_->on_commission(commission("0001.0006.01.01", 3.0));  // late, in this run
  recorder_->flush();
  // Restart: the first fill's report comes only now, with the reconciled executions; the
  // second's comes again and must not be stored twice.
  open(load_stored_state(*library_, {"TQQQ"}, 0));
  venue_->on_execution(execution(100, "0001.0005.01.01", 10, 50.0));
  venue_->on_commission(commission("0001.0005.01.01", 1.0));
  venue_->on_execution(execution(101, "0001.0006.01.01", 10, 50.0));
  venue_->on_commission(commission("0001.0006.01.01", 3.0));
  store::Table late = read("late_commissions");
  ASSERT_EQ(late.num_rows(), 2u);
  EXPECT_EQ(late.strings("exec_id")[0], "0001.0006.01.01");
  EXPECT_EQ(late.strings("exec_id")[1], "0001.0005.01.01");
  EXPECT_EQ(read("fills").num_rows(), 2u);
  // 20 shares that cost 1000 + 1 + 3, then 10 more at 50 + 1.
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_commission(commission("0001.0007.01.01", 1.0));
  venue_->on_execution(execution(102, "0001.0007.01.01", 10, 50.0));
  store::Table positions = read("strategy_TQQQ_positions");
  EXPECT_DOUBLE_EQ(positions.float64s("avg_cost")[positions.num_rows() - 1], 1505.0 / 30);
  EXPECT_EQ(account_->position(0, stock("TQQQ")), 30);
}

TEST_F(LiveAccountTest, AnOrderPlacedWhileDisconnectedIsHeldAndSentAfterwards) {
  channel_.connected_ = false;
  auto trade = account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 3), std::nullopt);
  EXPECT_TRUE(channel_.sent.empty());
  EXPECT_EQ(trade->state.status, OrderStatus::kPendingSubmit);
  ASSERT_FALSE(trade->log.empty());
  EXPECT_NE(trade->log.back().message.find("held"), std::string::npos);
  std::vector<AccountNotice> notices;
  account_->take_notices(notices);
  EXPECT_EQ(notices.size(), 1u);  // the strategy is told
  channel_.connected_ = true;
  account_->send_held_orders();
  ASSERT_EQ(channel_.sent.size(), 1u);
  EXPECT_EQ(std::get<ib::PlaceOrder>(channel_.sent[0]).order.order_id, 100);
  EXPECT_EQ(trade->order.order_id, 100);
  venue_->on_order_status(submitted(100));
  EXPECT_EQ(trade->state.status, OrderStatus::kSubmitted);
}

TEST_F(LiveAccountTest, RepeatedStatusesMakeOneRowAndAFinishedOrderNeverGoesBack) {
  auto trade = account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  for (int i = 0; i < 3; ++i) {
    venue_->on_order_status(submitted(100));
  }
  venue_->on_execution(execution(100, "0001.0003.01.01", 10, 50.0));
  venue_->on_commission(commission("0001.0003.01.01", 1.0));
  venue_->on_order_status(submitted(100));
  EXPECT_EQ(trade->state.status, OrderStatus::kFilled);
  store::Table orders = read("orders");
  std::vector<std::string> statuses(orders.strings("status").begin(),
                                    orders.strings("status").end());
  EXPECT_EQ(statuses, (std::vector<std::string>{"PendingSubmit", "Submitted", "Filled"}));
}

TEST_F(LiveAccountTest, ARestartRebuildsPositionsFromTheStoreAndIgnoresRepeats) {
  account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_execution(execution(100, "0001.0004.01.01", 10, 50.0));
  venue_->on_commission(commission("0001.0004.01.01", 1.0));
  recorder_->flush();
  StoredState stored = load_stored_state(*library_, {"TQQQ"}, 0);
  EXPECT_EQ(stored.fills.size(), 1u);
  EXPECT_EQ(stored.highest_order_id, 100);
  open(stored);
  EXPECT_EQ(account_->position(0, stock("TQQQ")), 10);
  venue_->on_execution(execution(100, "0001.0004.01.01", 10, 50.0));  // reconciled again
  venue_->on_commission(commission("0001.0004.01.01", 1.0));
  EXPECT_EQ(account_->position(0, stock("TQQQ")), 10);
  EXPECT_EQ(read("fills").num_rows(), 1u);
  // A position IB reports differently is found.
  auto mismatches = account_->compare_positions({{"TQQQ", 12}});
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].ib_position, 12);
  EXPECT_EQ(mismatches[0].store_position, 10);
}

// IB naming an order id this run does not hold (another client's, or a garbled one) changes
// nothing and says so; an order of this run keeps its state.
TEST_F(LiveAccountTest, AnErrorOrStatusForAnOrderIdThisRunDoesNotHoldChangesNothingAndSaysSo) {
  auto trade = account_->place(0, stock("TQQQ"), market_order(Action::kBuy, 10), std::nullopt);
  venue_->on_order_error(ib::ErrMsg{999, 201, "Order rejected", ""});
  venue_->on_order_error(ib::ErrMsg{0, 201, "Order rejected", ""});
  ib::OrderStatus unknown = submitted(999);
  unknown.status = "Filled";
  venue_->on_order_status(unknown);
  EXPECT_EQ(trade->state.status, OrderStatus::kPendingSubmit);
  EXPECT_NE(log_.find("IB error 201: Order rejected (order 999 is not one of this run's)"),
            std::string::npos)
      << log_;
  EXPECT_NE(log_.find("(order 0 is not one of this run's)"), std::string::npos) << log_;
  EXPECT_EQ(read("orders").num_rows(), 1u);  // the placed order's PendingSubmit only
  // The same error for the run's own order refuses it.
  venue_->on_order_error(ib::ErrMsg{100, 201, "Order rejected", ""});
  EXPECT_EQ(trade->state.status, OrderStatus::kInactive);
  EXPECT_EQ(trade->log.back().message, "IB error 201: Order rejected");
}

TEST(OrderIdReservationTest, IdsAreReservedDurablyInBlocksAndSurviveARestart) {
  auto store = store::Store::open("mem://");
  store::Library library = store->library("DU1");
  OrderIdReservation first(library, 7, 0, 10);
  first.cover(1);
  first.cover(5);
  EXPECT_EQ(first.reserved_through(), 10);
  first.cover(11);
  EXPECT_EQ(first.reserved_through(), 20);
  StoredState stored = load_stored_state(library, {"X"}, 7);
  EXPECT_EQ(stored.highest_order_id, 20);
  EXPECT_EQ(load_stored_state(library, {"X"}, 8).highest_order_id, 0);  // per client id
}

// The start-up loader reads through the schema's decoders (broker/account_schema.h): a fills
// table the recorder could not have written stops the start with a Corruption error naming the
// library, the table and the column, before anything is sent.
TEST(StoredStateTest, AFillsTableWithoutItsPriceColumnStopsTheStartNamingIt) {
  auto store = store::Store::open("mem://");
  store::Library library = store->library("DU1");
  library.write("fills", store::Table({1})
                             .with(store::Column::of_string("strategy", {"X"}))
                             .with(store::Column::of_float64("shares", {1})));
  try {
    load_stored_state(library, {"X"}, 0);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Corruption);
    EXPECT_NE(std::string(e.what()).find("DU1/fills"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'price' is missing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("live start-up"), std::string::npos) << e.what();
  }
}

// Rows of strategies not in this run are left to them; orders keep their last row.
TEST(StoredStateTest, OnlyThisRunsStrategiesAreLoadedAndAnOrdersLastRowWins) {
  auto store = store::Store::open("mem://");
  store::Library library = store->library("DU1");
  broker::OrderEventRow placed;
  placed.time = 1;
  placed.order_id = 5;
  placed.strategy = "X";
  placed.symbol = "AAA";
  placed.order_type = OrderType::kLimit;
  placed.limit_price = 9.5;
  placed.quantity = 3;
  placed.remaining = 3;
  broker::OrderEventRow submitted = placed;
  submitted.time = 2;
  submitted.status = OrderStatus::kSubmitted;
  broker::OrderEventRow other = placed;
  other.time = 3;
  other.order_id = 9;
  other.strategy = "Y";
  library.write("orders", broker::to_table(std::vector{placed, submitted, other}));
  StoredState stored = load_stored_state(library, {"X"}, 0);
  ASSERT_EQ(stored.last_order_rows.size(), 1u);
  const broker::OrderEventRow& last = stored.last_order_rows.at(5);
  EXPECT_EQ(last.status, OrderStatus::kSubmitted);
  EXPECT_EQ(last.order_type, OrderType::kLimit);
  EXPECT_EQ(last.limit_price, 9.5);
  EXPECT_EQ(stored.highest_order_id, 5);
}

TEST(LiveTimeTest, EveryFormIbUsesIsStoredAsUtcNanoseconds) {
  const Timestamp utc_1430 = Timestamp{1'706'711'400} * kNanosPerSecond;  // 2024-01-31 14:30 UTC
  // Exchange-local historical bar with its zone, and without one (the exchange's zone).
  EXPECT_EQ(ib_bar_time("20240131 09:30:00 US/Eastern", "UTC"), utc_1430);
  EXPECT_EQ(ib_bar_time("20240131  09:30:00", "US/Eastern"), utc_1430);
  // UTC dash form and epoch seconds (real-time bars, formatDate 2).
  EXPECT_EQ(ib_bar_time("20240131-14:30:00", "US/Eastern"), utc_1430);
  EXPECT_EQ(ib_bar_time("1706711400", "US/Eastern"), utc_1430);
  // Daily bars: midnight UTC of the trading date.
  EXPECT_EQ(ib_bar_time("20240131", "US/Eastern"), Timestamp{1'706'659'200} * kNanosPerSecond);
  EXPECT_THROW(ib_bar_time("31/01/2024", "US/Eastern"), Error);
}

TEST(BarBuilderTest, RealTimeBarsAggregateIntoTheStrategysBarSize) {
  const Timestamp s = kNanosPerSecond;
  BarBuilder builder(60 * s, 5 * s);
  std::vector<Bar> done;
  for (int i = 0; i < 12; ++i) {
    auto bars = builder.add(Bar{i * 5 * s, 10.0 + i, 20.0 + i, 5.0 - i, 11.0 + i, 1});
    done.insert(done.end(), bars.begin(), bars.end());
  }
  ASSERT_EQ(done.size(), 1u);  // the twelfth 5 s bar ends the minute
  EXPECT_EQ(done[0].time, 0);
  EXPECT_EQ(done[0].open, 10.0);
  EXPECT_EQ(done[0].high, 31.0);
  EXPECT_EQ(done[0].low, -6.0);
  EXPECT_EQ(done[0].close, 22.0);
  EXPECT_EQ(done[0].volume, 12.0);
  // A source bar as long as the strategy's bar completes one each time.
  BarBuilder daily(kNanosPerDay, kNanosPerDay);
  EXPECT_EQ(daily.add(Bar{kNanosPerDay, 1, 1, 1, 1, 1}).size(), 1u);
  EXPECT_THROW(parse_bar_length("7 fortnights", "--bar"), Error);
  EXPECT_EQ(parse_bar_length("5min", "--bar").ib_setting, "5 mins");
}

}  // namespace
}  // namespace tandem::live
