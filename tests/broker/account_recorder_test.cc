#include "broker/account_recorder.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "core/error.h"

namespace tandem::broker {
namespace {

// A store per backend: the recorder must behave the same on both.
class AccountRecorderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "lmdb") {
      char pattern[] = "/tmp/tandem-recorder-XXXXXX";
      ASSERT_NE(mkdtemp(pattern), nullptr);
      dir_ = pattern;
      store_ = store::Store::open("lmdb://" + dir_.string());
    } else {
      store_ = store::Store::open("mem://");
    }
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static Trade sample_trade(std::int64_t id, OrderStatus status) {
    Trade trade;
    trade.contract = stock("TQQQ");
    trade.order = limit_order(Action::kBuy, 41.5, 100);
    trade.order.order_id = id;
    trade.order.perm_id = 1000 + id;
    trade.order.order_ref = "TQQQ";
    trade.state = OrderState{status, 0, 100, 0};
    return trade;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_P(AccountRecorderTest, WritesEveryTableIntoTheAccountLibraryOnly) {
  {
    AccountRecorder recorder(store_->library("DU42"));
    recorder.record(make_order_event_row(10, sample_trade(1, OrderStatus::kPendingSubmit), ""));
    recorder.record(make_order_event_row(11, sample_trade(1, OrderStatus::kSubmitted), ""));
    Fill fill;
    fill.contract = stock("TQQQ");
    fill.time = 12;
    fill.execution =
        Execution{"E1", 12, "DU42", "SMART", Action::kBuy, 100, 41.5, 1, 1001, 100, 41.5, "TQQQ"};
    fill.commission_report = CommissionReport{"E1", 1.0, "USD", std::nullopt};
    recorder.record(make_fill_row(fill, "TQQQ"));
    recorder.record(TradeRow{"TQQQ", RoundTrip{"TQQQ", true, 100, 12, 20, 41.5, 45, 2, 348}});
    recorder.record(PortfolioRow{20, "TQQQ", 0, 0, 0, 45, 0, 0, 348});
    recorder.record(AccountSummaryRow{20, 10'348, 10'348, 10'348, 0, 0, 348, 2, "USD"});
    recorder.record_position("TQQQ", StrategyPositionRow{12, "TQQQ", 0, 100, 41.51, 0, "E1"});
    PerformanceRow performance;
    performance.time = 20;
    performance.equity = 10'348;
    recorder.record_performance("TQQQ", performance);
    recorder.flush();
    EXPECT_EQ(recorder.stats().rows_written, 8u);  // 2 orders + one row in each other table
  }
  EXPECT_EQ(store_->list_libraries(), std::vector<std::string>{"DU42"});
  store::Library library = store_->existing_library("DU42");
  EXPECT_EQ(
      library.list_symbols(),
      (std::vector<std::string>{"account_summary", "fills", "orders", "portfolio",
                                "strategy_TQQQ_performance", "strategy_TQQQ_positions", "trades"}));
  store::Table orders = library.read("orders").table;
  ASSERT_EQ(orders.num_rows(), 2u);
  EXPECT_EQ(orders.strings("status")[0], "PendingSubmit");
  EXPECT_EQ(orders.strings("status")[1], "Submitted");
  EXPECT_EQ(orders.strings("order_type")[0], "LMT");
  EXPECT_DOUBLE_EQ(orders.float64s("limit_price")[0], 41.5);
  EXPECT_TRUE(orders.column("stop_price").is_null(0));
  store::Table fills = library.read("fills").table;
  ASSERT_EQ(fills.num_rows(), 1u);
  EXPECT_EQ(fills.strings("exec_id")[0], "E1");
  EXPECT_TRUE(fills.column("realized_pnl").is_null(0));
  store::Table trades = library.read("trades").table;
  EXPECT_EQ(trades.timestamps("entry_time")[0], 12);
  EXPECT_DOUBLE_EQ(trades.float64s("pnl")[0], 348);
}

TEST_P(AccountRecorderTest, EventLogsAcceptRowsOlderThanTheLastOne) {
  AccountRecorder recorder(store_->library("DU42"));
  recorder.record(make_order_event_row(100, sample_trade(1, OrderStatus::kSubmitted), ""));
  recorder.flush();
  // Another process (or a late reconciliation) records an earlier event.
  recorder.record(make_order_event_row(50, sample_trade(2, OrderStatus::kSubmitted), ""));
  recorder.flush();
  store::Table orders = store_->existing_library("DU42").read("orders").table;
  ASSERT_EQ(orders.num_rows(), 2u);
  EXPECT_EQ(orders.index()[0], 50);  // reads come back in index order
  EXPECT_EQ(orders.int64s("order_id")[0], 2);
}

TEST_P(AccountRecorderTest, FailedAppendKeepsRowsAndReportsUntilItSucceeds) {
  store::Library library = store_->library("DU42");
  // A `fills` symbol whose `shares` column has another type makes every fill append fail.
  library.write("fills", store::Table({1}).with(store::Column::of_string("shares", {"x"})));
  AccountRecorder recorder(library, RecorderOptions{std::chrono::milliseconds(10), 1000});
  Fill fill;
  fill.contract = stock("TQQQ");
  fill.time = 5;
  fill.execution.exec_id = "E9";
  fill.execution.shares = 3;
  recorder.record(make_fill_row(fill, "TQQQ"));
  recorder.record(make_order_event_row(5, sample_trade(1, OrderStatus::kFilled), ""));
  try {
    recorder.flush();
    FAIL() << "flush should report the failed append";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fills"), std::string::npos) << e.what();
  }
  // The other table was written regardless.
  EXPECT_EQ(library.read("orders").table.num_rows(), 1u);
  // Once the cause is gone the kept row is written: nothing was lost.
  library.delete_symbol("fills");
  recorder.flush();
  store::Table fills = library.read("fills").table;
  ASSERT_EQ(fills.num_rows(), 1u);
  EXPECT_EQ(fills.strings("exec_id")[0], "E9");
  EXPECT_EQ(library.read("orders").table.num_rows(), 1u);  // not written twice
}

TEST_P(AccountRecorderTest, ManyRowsFromOneThreadArriveInOrder) {
  AccountRecorder recorder(store_->library("DU42"),
                           RecorderOptions{std::chrono::milliseconds(1), 64});
  for (int i = 0; i < 5000; ++i) {
    recorder.record(make_order_event_row(i, sample_trade(i + 1, OrderStatus::kSubmitted), ""));
  }
  recorder.flush();
  store::Table orders = store_->existing_library("DU42").read("orders").table;
  ASSERT_EQ(orders.num_rows(), 5000u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(orders.int64s("order_id")[i], i + 1);
}

TEST_P(AccountRecorderTest, BatchesAndSingleRowsArriveInOrderAcrossCycles) {
  // Batches (record(Rows&), as the backtest hands rows over) and single rows (as live trading
  // records them) interleaved over many short writer cycles: every row arrives once, in order,
  // and each hand-over leaves the caller's batch empty for refilling.
  AccountRecorder recorder(store_->library("DU42"),
                           RecorderOptions{std::chrono::milliseconds(1), 64});
  std::size_t slot = recorder.strategy_slot("TQQQ");
  AccountRecorder::Rows rows;
  std::int64_t next_id = 1;
  Timestamp next_day = 1;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 7; ++i, ++next_id) {
      rows.orders.push_back(
          make_order_event_row(next_id, sample_trade(next_id, OrderStatus::kSubmitted), ""));
    }
    PerformanceRow performance;
    performance.time = next_day++;
    performance.equity = 1000.0 + round;
    rows.strategy(slot).performance.push_back(performance);
    recorder.record(rows);
    ASSERT_TRUE(rows.empty());
    recorder.record(
        make_order_event_row(next_id, sample_trade(next_id, OrderStatus::kSubmitted), ""));
    ++next_id;
  }
  recorder.flush();
  store::Library library = store_->existing_library("DU42");
  store::Table orders = library.read("orders").table;
  ASSERT_EQ(orders.num_rows(), static_cast<std::size_t>(next_id - 1));
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    ASSERT_EQ(orders.int64s("order_id")[i], static_cast<std::int64_t>(i + 1));
  }
  store::Table performance = library.read(strategy_performance_symbol("TQQQ")).table;
  ASSERT_EQ(performance.num_rows(), 200u);
  for (std::size_t i = 0; i < 200; ++i) {
    ASSERT_EQ(performance.index()[i], static_cast<Timestamp>(i + 1));
    ASSERT_EQ(performance.float64s("equity")[i], 1000.0 + static_cast<double>(i));
  }
}

// Polls `condition` for up to 20 s.
bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 2000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST_P(AccountRecorderTest, WriterWakesOnItsOwnWhenEnoughRowsAreQueued) {
  // An hour-long interval: only the row count can wake the writer.
  AccountRecorder recorder(store_->library("DU42"), RecorderOptions{std::chrono::hours(1), 100});
  for (int i = 0; i < 100; ++i) {
    recorder.record(make_order_event_row(i, sample_trade(i + 1, OrderStatus::kSubmitted), ""));
  }
  EXPECT_TRUE(eventually([&] { return recorder.stats().rows_written == 100; }));
  EXPECT_EQ(recorder.stats().appends, 1u);  // one group commit for the 100 rows
}

TEST_P(AccountRecorderTest, WriterFlushesOnItsIntervalWithoutBeingAsked) {
  AccountRecorder recorder(store_->library("DU42"),
                           RecorderOptions{std::chrono::milliseconds(20), 1'000'000});
  recorder.record(make_order_event_row(1, sample_trade(1, OrderStatus::kSubmitted), ""));
  EXPECT_TRUE(eventually([&] { return recorder.stats().rows_written == 1; }));
}

TEST_P(AccountRecorderTest, DestructorWritesWhatIsQueued) {
  {
    AccountRecorder recorder(store_->library("DU42"), RecorderOptions{std::chrono::hours(1), 1000});
    recorder.record(make_order_event_row(1, sample_trade(1, OrderStatus::kSubmitted), ""));
  }
  EXPECT_EQ(store_->existing_library("DU42").read("orders").table.num_rows(), 1u);
}

TEST_P(AccountRecorderTest, HoldsSmallTablesAcrossCyclesUntilTheyAreLargeOrFlushed) {
  // The backtest setting: a table is appended once it has min_append_rows rows; smaller ones
  // wait (over many 1 ms cycles) for more rows or for flush().
  RecorderOptions options{std::chrono::milliseconds(1), 1'000'000, 0, 100, 0};
  AccountRecorder recorder(store_->library("DU42"), options);
  std::size_t slot = recorder.strategy_slot("TQQQ");
  AccountRecorder::Rows rows;
  for (int i = 0; i < 150; ++i) {
    rows.orders.push_back(
        make_order_event_row(i, sample_trade(i + 1, OrderStatus::kSubmitted), ""));
  }
  for (int day = 1; day <= 10; ++day) {
    PerformanceRow performance;
    performance.time = day;
    performance.equity = 1000.0 + day;
    rows.strategy(slot).performance.push_back(performance);
  }
  recorder.record(rows);
  EXPECT_TRUE(eventually([&] { return recorder.stats().rows_written == 150; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // many more writer cycles
  store::Library library = store_->existing_library("DU42");
  EXPECT_EQ(library.read("orders").table.num_rows(), 150u);
  EXPECT_FALSE(library.has_symbol(strategy_performance_symbol("TQQQ")));  // still held
  EXPECT_EQ(recorder.stats().appends, 1u);
  recorder.flush();
  store::Table performance = library.read(strategy_performance_symbol("TQQQ")).table;
  ASSERT_EQ(performance.num_rows(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(performance.index()[i], static_cast<Timestamp>(i + 1));
    EXPECT_EQ(performance.float64s("equity")[i], 1001.0 + static_cast<double>(i));
  }
  EXPECT_EQ(recorder.stats().rows_written, 160u);
}

TEST_P(AccountRecorderTest, HeldRowsAreWrittenOnceTheirBoundIsReached) {
  // Two strategies' small tables: neither reaches min_append_rows, but together they reach
  // max_held_rows, so the writer appends both without being asked.
  RecorderOptions options{std::chrono::milliseconds(1), 1'000'000, 0, 1000, 50};
  AccountRecorder recorder(store_->library("DU42"), options);
  std::size_t first = recorder.strategy_slot("A");
  std::size_t second = recorder.strategy_slot("B");
  for (int day = 1; day <= 30; ++day) {
    PerformanceRow performance;
    performance.time = day;
    recorder.record_performance(first, performance);
    recorder.record_performance(second, performance);
  }
  EXPECT_TRUE(eventually([&] { return recorder.stats().rows_written == 60; }));
  store::Library library = store_->existing_library("DU42");
  EXPECT_EQ(library.read(strategy_performance_symbol("A")).table.num_rows(), 30u);
  EXPECT_EQ(library.read(strategy_performance_symbol("B")).table.num_rows(), 30u);
}

TEST_P(AccountRecorderTest, HeldAndLaterRowsArriveOnceInOrder) {
  // Rows held across cycles come before the rows recorded after them, whichever cycle appends.
  RecorderOptions options{std::chrono::milliseconds(1), 64, 0, 40, 300};
  AccountRecorder recorder(store_->library("DU42"), options);
  std::size_t slot = recorder.strategy_slot("TQQQ");
  std::int64_t next_id = 1;
  for (int day = 1; day <= 500; ++day) {
    PerformanceRow performance;
    performance.time = day;
    performance.trades = day;
    recorder.record_performance(slot, performance);
    if (day % 3 == 0) {
      recorder.record(
          make_order_event_row(day, sample_trade(next_id, OrderStatus::kSubmitted), ""));
      ++next_id;
    }
  }
  recorder.flush();
  store::Library library = store_->existing_library("DU42");
  store::Table performance = library.read(strategy_performance_symbol("TQQQ")).table;
  ASSERT_EQ(performance.num_rows(), 500u);
  for (std::size_t i = 0; i < 500; ++i) {
    ASSERT_EQ(performance.int64s("trades")[i], static_cast<std::int64_t>(i + 1));
  }
  store::Table orders = library.read("orders").table;
  ASSERT_EQ(orders.num_rows(), static_cast<std::size_t>(next_id - 1));
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    ASSERT_EQ(orders.int64s("order_id")[i], static_cast<std::int64_t>(i + 1));
  }
}

TEST_P(AccountRecorderTest, BoundedQueueWithManyTablesLosesNothing) {
  // A full queue makes record() run some of the writer's appends itself (as a backtest's replay
  // thread does), and so does flush(): whichever thread appends a table, every row arrives once
  // and in order, and a failing table does not hold the others back.
  store::Library library = store_->library("DU42");
  library.write("fills", store::Table({1}).with(store::Column::of_string("shares", {"x"})));
  RecorderOptions options{std::chrono::milliseconds(1), 16, 48, 0, 0};
  AccountRecorder recorder(library, options);
  constexpr int kStrategies = 8;
  constexpr int kDays = 40;
  std::vector<std::size_t> slots;
  for (int s = 0; s < kStrategies; ++s)
    slots.push_back(recorder.strategy_slot(fmt::format("S{}", s)));
  AccountRecorder::Rows rows;
  std::int64_t next_id = 1;
  for (int day = 1; day <= kDays; ++day) {
    for (int s = 0; s < kStrategies; ++s) {
      PerformanceRow performance;
      performance.time = day;
      performance.equity = 1000.0 * s + day;
      rows.strategy(slots[static_cast<std::size_t>(s)]).performance.push_back(performance);
    }
    PortfolioRow holding;
    holding.time = day;
    holding.symbol = "TQQQ";
    holding.position = day;
    rows.portfolio.push_back(holding);
    rows.orders.push_back(
        make_order_event_row(day, sample_trade(next_id, OrderStatus::kSubmitted), ""));
    ++next_id;
    Fill fill;
    fill.contract = stock("TQQQ");
    fill.time = day;
    fill.execution.exec_id = fmt::format("E{}", day);
    rows.fills.push_back(make_fill_row(fill, "S0"));
    recorder.record(rows);
  }
  EXPECT_THROW(recorder.flush(), Error);  // the fills
  for (int s = 0; s < kStrategies; ++s) {
    store::Table performance =
        library.read(strategy_performance_symbol(fmt::format("S{}", s))).table;
    ASSERT_EQ(performance.num_rows(), static_cast<std::size_t>(kDays));
    for (int day = 1; day <= kDays; ++day) {
      ASSERT_EQ(performance.float64s("equity")[static_cast<std::size_t>(day - 1)],
                1000.0 * s + day);
    }
  }
  store::Table portfolio = library.read("portfolio").table;
  ASSERT_EQ(portfolio.num_rows(), static_cast<std::size_t>(kDays));
  for (int day = 1; day <= kDays; ++day) {
    ASSERT_EQ(portfolio.float64s("position")[static_cast<std::size_t>(day - 1)], day);
  }
  store::Table orders = library.read("orders").table;
  ASSERT_EQ(orders.num_rows(), static_cast<std::size_t>(kDays));
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    ASSERT_EQ(orders.int64s("order_id")[i], static_cast<std::int64_t>(i + 1));
  }
  // The kept fills are written once the cause is gone.
  library.delete_symbol("fills");
  recorder.flush();
  EXPECT_EQ(library.read("fills").table.num_rows(), static_cast<std::size_t>(kDays));
  EXPECT_EQ(recorder.stats().rows_written, static_cast<std::uint64_t>(kDays) * (kStrategies + 3));
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountRecorderTest, ::testing::Values("mem", "lmdb"));

}  // namespace
}  // namespace tandem::broker
