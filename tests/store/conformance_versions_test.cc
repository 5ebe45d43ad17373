// Conformance: versions, as_of (version, snapshot, time, text), list_versions, dynamic schema.
#include "conformance.h"
#include "store/keys.h"
#include "store/record.h"
#include "store/testing.h"

namespace tandem::store::test {
namespace {

TEST_P(StoreConformance, EveryVersionStaysReadableAsOfItsNumber) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 3));                   // 0
  lib.append("S", bars(3, 2));                  // 1
  lib.update("S", bars(1, 1));                  // 2
  lib.delete_range("S", minute(0), minute(0));  // 3
  lib.append("S", bars(5, 1));                  // 4
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(0)}).table, bars(0, 3));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(1)}).table, bars(0, 5));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(3)}).table, bars(1, 4));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(4)}).table, bars(1, 5));
  EXPECT_EQ(lib.read("S").version, 4u);
  expect_error([&] { lib.read("S", {.as_of = AsOf::version(9)}); },
               {"library lib, symbol S", "no version 9", "0..4"});
}

TEST_P(StoreConformance, DeltaChainsResolveAtEveryVersion) {
  compaction_threshold_ = 5;
  store_ = reopen();
  auto lib = store_->library("lib");
  for (int i = 0; i < 23; ++i) lib.append("S", bars(i, 1));
  // Automatic compactions interleave full versions; each version still reads what it held.
  const auto versions = lib.list_versions("S", 1000);
  std::size_t appended = 0;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->kind == VersionKind::kAppend) ++appended;
    const Table t = lib.read("S", {.as_of = AsOf::version(it->version)}).table;
    EXPECT_EQ(t, bars(0, appended)) << "version " << it->version;
    EXPECT_EQ(it->rows, appended);
  }
  EXPECT_EQ(appended, 23u);
}

TEST_P(StoreConformance, AsOfTimeReadsTheVersionCurrentAtThatTime) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 1));
  lib.append("S", bars(1, 1));
  lib.append("S", bars(2, 1));
  const auto versions = lib.list_versions("S");
  ASSERT_EQ(versions.size(), 3u);
  const Timestamp t1 = versions[1].written_at;  // version 1
  EXPECT_LT(versions[2].written_at, t1);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::time(t1)}).version, 1u);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::time(t1 + 1)}).version, 1u);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::time(t1 - 1)}).version, 0u);
  EXPECT_EQ(
      lib.read("S", {.as_of = AsOf::time(versions[0].written_at + 1000 * kNanosPerSecond)}).version,
      2u);
  expect_error([&] { lib.read("S", {.as_of = AsOf::time(kT0 - kNanosPerDay)}); },
               {"no version existed at 2023-12-31T00:00:00Z"});
}

TEST_P(StoreConformance, AsOfTextIsAVersionASnapshotOrATime) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 1));
  lib.snapshot("eod");
  lib.append("S", bars(1, 1));
  lib.snapshot("2030-01-01");  // a snapshot whose name looks like a date wins over the time
  lib.append("S", bars(2, 1));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::parse("1")}).version, 1u);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::parse("eod")}).version, 0u);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::parse("2030-01-01")}).version, 1u);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::parse("2099-01-01T00:00:00Z")}).version, 2u);
  expect_error([&] { lib.read("S", {.as_of = AsOf::parse("nonsense")}); },
               {"as_of \"nonsense\" is neither"});
}

TEST_P(StoreConformance, ListVersionsIsNewestFirstAndPaged) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 2), R"({"w":1})");
  for (int i = 2; i < 12; ++i) lib.append("S", bars(i, 1));
  const auto first = lib.list_versions("S", 4);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[0].version, 10u);
  EXPECT_EQ(first[0].kind, VersionKind::kAppend);
  EXPECT_EQ(first[0].rows, 12u);
  EXPECT_EQ(first[0].rows_added, 1u);
  EXPECT_EQ(first[3].version, 7u);
  const auto next = lib.list_versions("S", 4, first.back().version);
  ASSERT_EQ(next.size(), 4u);
  EXPECT_EQ(next[0].version, 6u);
  const auto last = lib.list_versions("S", 100, 2);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[1].version, 0u);
  EXPECT_EQ(last[1].kind, VersionKind::kWrite);
  EXPECT_EQ(last[1].metadata, R"({"w":1})");
  EXPECT_EQ(version_kind_name(last[1].kind), "write");
  expect_error([&] { lib.list_versions("NOPE"); }, {"no such symbol"});
}

TEST_P(StoreConformance, AppendMayAddColumnsThatReadNullForEarlierRows) {
  auto lib = store_->library("lib");
  lib.append("S", bars(0, 2));
  Table more = bars(2, 2);
  more.add_column(Column::of_float64("vwap", {1.5, 2.5}));
  more.add_column(Column::of_string("note", {"x", "y"}));
  more.add_column(Column::of_int64("count", {7, 8}));
  more.add_column(Column::of_bool("flag", {1, 1}));
  more.add_column(Column::of_timestamp("when", {kT0, kT0}));
  lib.append("S", more);
  // A later append without the new columns: they read null for its rows too.
  lib.append("S", bars(4, 1));
  const Table t = lib.read("S").table;
  ASSERT_EQ(t.num_rows(), 5u);
  EXPECT_EQ(t.column_names(),
            (std::vector<std::string>{"close", "volume", "vwap", "note", "count", "flag", "when"}));
  const Column& vwap = t.column("vwap");
  EXPECT_TRUE(std::isnan(vwap.float64s()[0]) && vwap.is_null(0) && vwap.is_null(1));
  EXPECT_EQ(vwap.float64s()[2], 1.5);
  EXPECT_FALSE(vwap.is_null(2));
  EXPECT_TRUE(vwap.is_null(4));
  EXPECT_EQ(t.strings("note")[0], "");
  EXPECT_TRUE(t.column("note").is_null(0));
  EXPECT_EQ(t.strings("note")[3], "y");
  EXPECT_TRUE(t.column("count").is_null(1));
  EXPECT_EQ(t.int64s("count")[1], 0);
  EXPECT_TRUE(t.column("flag").is_null(0));
  EXPECT_TRUE(t.column("when").is_null(4));
  // The older version still has the old schema.
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(0)}).table.column_names(),
            (std::vector<std::string>{"close", "volume"}));
  // Columns can be selected even if early segments lack them.
  const Table only = lib.read("S", {.columns = std::vector<std::string>{"vwap"}}).table;
  EXPECT_EQ(only.num_rows(), 5u);
  EXPECT_TRUE(only.column("vwap").is_null(0));
}

TEST_P(StoreConformance, ChangingAColumnsTypeIsRefusedAndWritesNothing) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 2));
  Table changed(std::vector<Timestamp>{minute(5)});
  changed.add_column(Column::of_int64("close", {1}));
  expect_error([&] { lib.append("S", changed); },
               {"library lib, symbol S", "column \"close\" is float64", "int64",
                "changing a column's type is refused"});
  expect_error([&] { lib.append("S", changed, AppendMode::kAnyOrder); }, {"is float64"});
  expect_error([&] { lib.update("S", changed); }, {"is float64"});
  EXPECT_EQ(lib.read("S").version, 0u);
  EXPECT_EQ(lib.read("S").table, bars(0, 2));
  // write() replaces the schema explicitly.
  lib.write("S", changed);
  EXPECT_EQ(lib.read("S").table.column("close").type(), ColumnType::kInt64);
}

TEST_P(StoreConformance, StatsDescribeTheLatestVersion) {
  segment_rows_ = 10;
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 25));
  lib.append("S", bars(25, 1));
  const SymbolStats s = lib.stats("S");
  EXPECT_EQ(s.version, 1u);
  EXPECT_EQ(s.versions, 2u);
  EXPECT_EQ(s.segments, 4u);
  EXPECT_EQ(s.rows, 26u);
  EXPECT_EQ(s.raw_bytes, 26u * 24u);
  EXPECT_GT(s.compressed_bytes, 0u);
  ASSERT_EQ(s.columns.size(), 2u);
  EXPECT_EQ(s.columns[0].first, "close");
  EXPECT_EQ(s.columns[0].second, ColumnType::kFloat64);
  expect_error([&] { lib.stats("NOPE"); }, {"no such symbol"});
}

// What a commit that wrote version record N and died before its head leaves on a backend without
// transactions (Mutation::prefix_invisible): the record is never read or listed, and the next
// commit takes version N over. Written by hand here so that every backend is held to it.
TEST_P(StoreConformance, AVersionRecordAboveTheHeadIsNeverTrustedAndTheNextAppendReplacesIt) {
  if (chain()) {
    GTEST_SKIP() << "a chain store commits a version by creating its record: a record above "
                    "the head is a committed version there (tests/store/s3/s3_chain_test.cc)";
  }
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 2));   // 0
  lib.append("S", bars(2, 1));  // 1
  VersionRecord orphan = decode_record(*testing::raw_get(*store_, keys::head("lib", "S")));
  orphan.version = 2;
  orphan.kind = VersionKind::kWrite;
  orphan.full = true;
  orphan.base_version = 2;
  orphan.appends_since_full = 0;
  orphan.rows = 999;
  testing::raw_put(*store_, keys::version("lib", "S", 2), encode_record(orphan));

  EXPECT_EQ(lib.read("S").version, 1u);
  expect_error([&] { lib.read("S", {.as_of = AsOf::version(2)}); }, {"no version 2", "0..1"});
  expect_error([&] { lib.read("S", {.as_of = AsOf::version(5)}); }, {"no version 5", "0..1"});
  const auto listed = lib.list_versions("S", 10);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].version, 1u);
  EXPECT_EQ(lib.list_versions("S", 10, 7).front().version, 1u);
  EXPECT_EQ(lib.stats("S").versions, 2u);

  EXPECT_EQ(lib.append("S", bars(3, 1)), 2u);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(2)}).table, bars(0, 4));
  EXPECT_EQ(lib.read("S").table, bars(0, 4));
  EXPECT_EQ(lib.list_versions("S", 1).front().rows, 4u);
  EXPECT_TRUE(lib.verify().ok());
}

}  // namespace
}  // namespace tandem::store::test
