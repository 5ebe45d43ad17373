// What the recorder does with rows the store would refuse: an out-of-order batch is sorted, an
// older per-day row goes in by the any-order append, and rows the store refuses to the end go to
// the spill (broker/account_spill.h), from which they are replayed into the library.
#include "broker/account_spill.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <span>

#include "broker/account_recorder.h"
#include "core/error.h"

namespace tandem::broker {
namespace {

template <typename T>
std::vector<T> to_vector(std::span<const T> values) {
  return {values.begin(), values.end()};
}

class AccountSpillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tandem-spill-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    uri_ = "lmdb://" + (dir_ / "store").string();
    store_ = store::Store::open(uri_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static TradeRow trip(const std::string& strategy, Timestamp exit_time) {
    return TradeRow{strategy,
                    RoundTrip{strategy, true, 10, exit_time - 5, exit_time, 40, 41, 1, 9}};
  }

  std::filesystem::path dir_;
  std::string uri_;
  std::unique_ptr<store::Store> store_;
};

// The shape of the live run that lost its `trades` table: one strategy's round trips of later
// days handed over before another strategy's earlier ones, in one batch.
TEST_F(AccountSpillTest, RoundTripsOfSeveralStrategiesOutOfTimeOrderAreAllStoredInOrder) {
  store::Library library = store_->library("DU1");
  AccountRecorder recorder(library);
  recorder.record(trip("SPY", 300));
  recorder.record(trip("SPY", 400));
  recorder.record(trip("TLT", 100));
  recorder.record(trip("TLT", 200));
  ASSERT_NO_THROW(recorder.flush());
  store::Table trades = library.read("trades").table;
  EXPECT_EQ(trades.index(), (std::vector<Timestamp>{100, 200, 300, 400}));
  EXPECT_EQ(to_vector(trades.strings("strategy")),
            (std::vector<std::string>{"TLT", "TLT", "SPY", "SPY"}));
}

TEST_F(AccountSpillTest, ADailyRowOlderThanTheStoredOnesIsKeptByTheAnyOrderAppend) {
  store::Library library = store_->library("DU1");
  std::vector<std::string> lines;
  AccountRecorder recorder(library, {}, [&](const std::string& line) { lines.push_back(line); });
  AccountSummaryRow day;
  day.time = 200;
  day.net_liquidation = 2;
  recorder.record(day);
  recorder.flush();
  day.time = 100;  // e.g. a day written again after a restart
  day.net_liquidation = 1;
  recorder.record(day);
  ASSERT_NO_THROW(recorder.flush());
  store::Table summary = library.read("account_summary").table;
  EXPECT_EQ(summary.index(), (std::vector<Timestamp>{100, 200}));
  EXPECT_EQ(to_vector(summary.float64s("net_liquidation")), (std::vector<double>{1, 2}));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("any-order"), std::string::npos) << lines[0];
}

TEST_F(AccountSpillTest, RowsTheStoreRefusesToTheEndAreSpilledAndReplayedWhole) {
  store::Library library = store_->library("DU1");
  // `pnl` stored as text: every trades append is refused (a schema conflict), retried meanwhile.
  library.write("trades", store::Table({1}).with(store::Column::of_string("pnl", {"x"})));
  std::vector<std::string> lines;
  AccountRecorder recorder(library, {}, [&](const std::string& line) { lines.push_back(line); });
  const std::size_t slot = recorder.strategy_slot("SPY");
  recorder.record(trip("SPY", 300));
  recorder.record(trip("SPY", 100));
  PerformanceRow performance;
  performance.time = 100;
  performance.equity = 5;
  recorder.record_performance(slot, performance);
  EXPECT_THROW(recorder.flush(), Error);
  EXPECT_FALSE(lines.empty());
  EXPECT_NE(lines.front().find("append refused (1 time)"), std::string::npos) << lines.front();
  EXPECT_EQ(library.read("strategy_SPY_performance").table.num_rows(), 1u);  // not refused

  AccountRecorder::Unwritten unwritten = recorder.stop_and_take_unwritten();
  ASSERT_EQ(unwritten.rows.size(), 2u);
  const SpillFile spill = write_spill(uri_, "DU1", unwritten);
  EXPECT_EQ(spill.rows, 2u);
  EXPECT_EQ(spill.path.parent_path(), dir_ / "store" / "spill");
  const auto found = find_spills(uri_, std::string("DU1"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].rows, 2u);
  EXPECT_TRUE(find_spills(uri_, std::string("DU2")).empty());

  // While the store still refuses them, a replay fails naming the spill, and keeps it.
  try {
    replay_spills(*store_, "DU1");
    FAIL() << "the replay should have been refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(spill.path.string()), std::string::npos) << e.what();
  }
  ASSERT_EQ(find_spills(uri_).size(), 1u);

  library.delete_symbol("trades");
  std::vector<std::string> replay_lines;
  EXPECT_EQ(
      replay_spills(*store_, "DU1", [&](const std::string& line) { replay_lines.push_back(line); }),
      2u);
  EXPECT_TRUE(find_spills(uri_).empty());
  EXPECT_FALSE(std::filesystem::exists(spill.path));
  store::Table trades = library.read("trades").table;
  EXPECT_EQ(trades.index(), (std::vector<Timestamp>{100, 300}));
  ASSERT_EQ(replay_lines.size(), 1u);
  EXPECT_NE(replay_lines[0].find("replayed 2 rows of DU1"), std::string::npos);
}

TEST_F(AccountSpillTest, AMemStoreHasNoSpillAndAnS3StoreOneOutsideIt) {
  unsetenv("TANDEM_SPILL_DIR");
  EXPECT_FALSE(spill_directory("mem://x").has_value());
  EXPECT_EQ(*spill_directory("lmdb:///data/store?map_size=1000"),
            std::filesystem::path("/data/store/spill"));
  // The options (credentials) do not take part in the folder's name.
  EXPECT_EQ(*spill_directory("s3://127.0.0.1:9000:bkt?secret_key=a"),
            *spill_directory("s3://127.0.0.1:9000:bkt?secret_key=b"));
  EXPECT_NE(*spill_directory("s3://127.0.0.1:9000:bkt"),
            *spill_directory("s3://127.0.0.1:9000:other"));
  AccountRecorder::Unwritten nothing;
  EXPECT_THROW(write_spill("mem://x", "DU1", nothing), Error);
}

}  // namespace
}  // namespace tandem::broker
