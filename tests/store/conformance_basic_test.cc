// Conformance: libraries, names, URIs, write/append/update/delete_range, reads.
#include <algorithm>
#include <limits>

#include "conformance.h"

namespace tandem::store::test {
namespace {

Table all_types() {
  Table t(std::vector<Timestamp>{minute(0), minute(1), minute(1), minute(3)});
  t.add_column(Column::of_int64("i", {1, -2, std::numeric_limits<std::int64_t>::min(), 4}));
  t.add_column(Column::of_float64("f", {1.5, std::nan(""), -0.0, 1e300}));
  t.add_column(Column::of_bool("b", {1, 0, 0, 1}));
  t.add_column(Column::of_string("s", {"", "fill", std::string("a\0b", 3), std::string(300, 'x')}));
  t.add_column(Column::of_timestamp("t", {kT0, -1, 0, minute(9)}));
  Column nullable = Column::of_float64("nullable", {1, 2, 3, 4});
  nullable.set_validity({1, 0, 1, 0});
  t.add_column(std::move(nullable));
  Column nullable_s = Column::of_string("nullable_s", {"a", "b", "c", "d"});
  nullable_s.set_validity({0, 1, 1, 1});
  t.add_column(std::move(nullable_s));
  return t;
}

TEST_P(StoreConformance, WriteThenReadReturnsEveryColumnTypeExactly) {
  auto lib = store_->library("market");
  const Table t = all_types();
  EXPECT_EQ(lib.write("SYM", t, R"({"source":"test"})"), 0u);
  const ReadResult r = lib.read("SYM");
  EXPECT_EQ(r.table, t);
  EXPECT_EQ(r.version, 0u);
  EXPECT_EQ(r.metadata, R"({"source":"test"})");
  EXPECT_TRUE(std::isnan(r.table.float64s("nullable")[1]));
  EXPECT_TRUE(r.table.column("nullable").is_null(1));
  EXPECT_FALSE(r.table.column("nullable").is_null(0));
  EXPECT_EQ(r.table.strings("nullable_s")[0], "");
  // A reopened store sees the same data.
  auto again = reopen();
  EXPECT_EQ(again->existing_library("market").read("SYM").table, t);
}

TEST_P(StoreConformance, LargeWriteSpansSegmentsAndReadsBack) {
  segment_rows_ = 1000;
  store_ = reopen();
  auto lib = store_->library("market");
  const Table t = bars(0, 5500);
  lib.write("BIG", t);
  EXPECT_EQ(lib.stats("BIG").segments, 6u);
  EXPECT_EQ(lib.read("BIG").table, t);
}

TEST_P(StoreConformance, LibrariesAreCreatedListedAndDeleted) {
  EXPECT_TRUE(store_->list_libraries().empty());
  store_->create_library("b");
  store_->library("a");  // get or create
  store_->library("a");
  EXPECT_EQ(store_->list_libraries(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(store_->has_library("a"));
  EXPECT_FALSE(store_->has_library("c"));
  expect_error([&] { store_->create_library("a"); }, {"library a already exists"});
  expect_error([&] { store_->existing_library("c"); }, {"no library named c"});
  auto a = store_->library("a");
  a.write("X", bars(0, 3));
  a.snapshot("snap");
  store_->delete_library("a");
  EXPECT_EQ(store_->list_libraries(), (std::vector<std::string>{"b"}));
  expect_error([&] { a.write("X", bars(0, 3)); }, {"library a does not exist"});
  expect_error([&] { store_->delete_library("a"); }, {"no library named a"});
  // Re-created, it starts empty.
  auto a2 = store_->library("a");
  EXPECT_TRUE(a2.list_symbols().empty());
  EXPECT_TRUE(a2.list_snapshots().empty());
}

TEST_P(StoreConformance, BadNamesAreRefusedWithTheReason) {
  auto lib = store_->library("lib");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"../etc", "must start with a letter or digit"},
      {"a/b", "contains '/'"},
      {".hidden", "must start"},
      {std::string(101, 'x'), "101 characters long"},
      {std::string("a\nb"), "contains '\\x0a'"},
      {"a b", "contains ' '"},
      {"a..b/c", "contains '/'"},
  };
  for (const auto& [name, reason] : bad) {
    SCOPED_TRACE(name);
    expect_error([&] { store_->library(name); }, {"library name", reason});
    expect_error([&] { lib.write(name, bars(0, 1)); }, {"symbol name", reason});
    expect_error([&] { lib.read(name); }, {"symbol name", reason});
    expect_error([&] { lib.snapshot(name); }, {"snapshot name", reason});
  }
  EXPECT_TRUE(is_valid_name("TQQQ.1d"));
  EXPECT_TRUE(is_valid_name("BT_20240101_120000"));
  EXPECT_TRUE(is_valid_name(std::string(100, 'x')));
  EXPECT_TRUE(store_->list_libraries() == std::vector<std::string>{"lib"});
}

TEST_P(StoreConformance, WriteCreatesANewVersionThatReplacesTheData) {
  auto lib = store_->library("lib");
  EXPECT_EQ(lib.write("S", bars(0, 10)), 0u);
  EXPECT_EQ(lib.write("S", bars(100, 3)), 1u);
  EXPECT_EQ(lib.read("S").table, bars(100, 3));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(0)}).table, bars(0, 10));
}

TEST_P(StoreConformance, UnorderedOrMalformedTablesAreRefused) {
  auto lib = store_->library("lib");
  Table t(std::vector<Timestamp>{minute(2), minute(1)});
  expect_error([&] { lib.write("S", t); }, {"library lib, symbol S", "not in order", "row 1"});
  expect_error([&] { lib.append("S", t); }, {"not in order"});
  Table bad_col(std::vector<Timestamp>{minute(1)});
  expect_error([&] { bad_col.add_column(Column::of_int64("x", {1, 2})); }, {"has 2 rows"});
  expect_error([&] { bad_col.add_column(Column::of_int64("timestamp", {1})); }, {"reserved"});
  expect_error([&] { lib.write("S", bars(0, 1), "{not json"); }, {"metadata is not valid JSON"});
  EXPECT_FALSE(lib.has_symbol("S"));
}

TEST_P(StoreConformance, AppendAddsRowsAndCreatesMissingSymbols) {
  auto lib = store_->library("lib");
  EXPECT_EQ(lib.append("S", bars(0, 5)), 0u);  // creates
  EXPECT_EQ(lib.append("S", bars(5, 5)), 1u);
  EXPECT_EQ(lib.append("S", bars(9, 1)), 2u);  // equal timestamp to the last is fine
  Table expected = Table::concat({bars(0, 10), bars(9, 1)});
  EXPECT_EQ(lib.read("S").table, expected);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(1)}).table, bars(0, 10));
}

TEST_P(StoreConformance, StrictAppendRefusesOlderRowsAndWritesNothing) {
  auto lib = store_->library("lib");
  lib.write("S", bars(10, 5));
  const auto segments_before = lib.stats("S").segments;
  expect_error([&] { lib.append("S", bars(12, 5)); },
               {"library lib, symbol S", "append refused", "2024-01-01T00:12:00Z",
                "before the symbol's last timestamp 2024-01-01T00:14:00Z", "nothing was written"});
  EXPECT_EQ(lib.read("S").version, 0u);
  EXPECT_EQ(lib.read("S").table, bars(10, 5));
  EXPECT_EQ(lib.stats("S").segments, segments_before);
  EXPECT_EQ(lib.list_versions("S").size(), 1u);
}

TEST_P(StoreConformance, AnyOrderAppendKeepsOlderRowsAndReadsInIndexOrder) {
  auto lib = store_->library("lib");
  lib.append("fills", event(minute(10), 1), AppendMode::kAnyOrder);
  lib.append("fills", event(minute(5), 2), AppendMode::kAnyOrder);
  lib.append("fills", event(minute(10), 3), AppendMode::kAnyOrder);
  lib.append("fills", event(minute(7), 4), AppendMode::kAnyOrder);
  lib.append("fills", event(minute(5), 5), AppendMode::kAnyOrder);
  const Table t = lib.read("fills").table;
  EXPECT_EQ(t.index(),
            (std::vector<Timestamp>{minute(5), minute(5), minute(7), minute(10), minute(10)}));
  // Equal timestamps keep append order.
  EXPECT_EQ(std::vector<std::int64_t>(t.int64s("id").begin(), t.int64s("id").end()),
            (std::vector<std::int64_t>{2, 5, 4, 1, 3}));
  // Range, head and tail see the merged order too.
  const Table range = lib.read("fills", {.start = minute(6), .end = minute(10)}).table;
  EXPECT_EQ(range.int64s("id")[0], 4);
  EXPECT_EQ(range.num_rows(), 3u);
  EXPECT_EQ(lib.read("fills", {.head = 2}).table.int64s("id")[1], 5);
  EXPECT_EQ(lib.read("fills", {.tail = 1}).table.int64s("id")[0], 3);
}

TEST_P(StoreConformance, EmptyAppendWritesNothing) {
  auto lib = store_->library("lib");
  Table empty;
  empty.add_column(Column("x", ColumnType::kFloat64));
  EXPECT_EQ(lib.append("S", empty), 0u);  // creates an empty symbol
  EXPECT_TRUE(lib.has_symbol("S"));
  EXPECT_EQ(lib.read("S").table.num_rows(), 0u);
  EXPECT_EQ(lib.append("S", bars(0, 2)), 1u);
  EXPECT_EQ(lib.append("S", Table()), 1u);
  EXPECT_EQ(lib.list_versions("S").size(), 2u);
}

TEST_P(StoreConformance, UpdateReplacesTheRowsInItsRange) {
  auto lib = store_->library("lib");
  segment_rows_ = 4;
  store_ = reopen();
  lib = store_->library("lib");
  lib.write("S", bars(0, 20));
  Table patch = bars(5, 3);  // minutes 5..7
  patch.mutable_columns()[0].mutable_float64s() = {-1, -2, -3};
  EXPECT_EQ(lib.update("S", patch), 1u);
  const Table t = lib.read("S").table;
  ASSERT_EQ(t.num_rows(), 20u);
  EXPECT_EQ(t.float64s("close")[4], 104.0);
  EXPECT_EQ(t.float64s("close")[5], -1.0);
  EXPECT_EQ(t.float64s("close")[7], -3.0);
  EXPECT_EQ(t.float64s("close")[8], 108.0);
  // A sparser update removes the rows it does not carry inside its range.
  Table sparse(std::vector<Timestamp>{minute(10), minute(15)});
  sparse.add_column(Column::of_float64("close", {0, 0}));
  sparse.add_column(Column::of_int64("volume", {0, 0}));
  lib.update("S", sparse);
  EXPECT_EQ(lib.read("S").table.num_rows(), 16u);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(0)}).table, bars(0, 20));
  // Update creates a missing symbol.
  EXPECT_EQ(lib.update("NEW", bars(0, 2)), 0u);
  EXPECT_EQ(lib.read("NEW").table, bars(0, 2));
}

TEST_P(StoreConformance, DeleteRangeRemovesAnInclusiveRange) {
  segment_rows_ = 3;
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 10));
  EXPECT_EQ(lib.delete_range("S", minute(2), minute(5)), 1u);
  const Table t = lib.read("S").table;
  EXPECT_EQ(t, Table::concat({bars(0, 2), bars(6, 4)}));
  expect_error([&] { lib.delete_range("S", minute(5), minute(2)); }, {"is after its end"});
  expect_error([&] { lib.delete_range("MISSING", minute(0), minute(1)); },
               {"library lib, symbol MISSING", "no such symbol"});
}

TEST_P(StoreConformance, ReadSelectsDateRangeColumnsHeadAndTail) {
  segment_rows_ = 7;
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 100));
  EXPECT_EQ(lib.read("S", {.start = minute(10), .end = minute(19)}).table, bars(10, 10));
  EXPECT_EQ(lib.read("S", {.start = minute(95)}).table, bars(95, 5));
  EXPECT_EQ(lib.read("S", {.end = minute(2)}).table, bars(0, 3));
  EXPECT_EQ(lib.read("S", {.start = minute(200)}).table.num_rows(), 0u);
  EXPECT_EQ(lib.read("S", {.head = 3}).table, bars(0, 3));
  EXPECT_EQ(lib.read("S", {.tail = 3}).table, bars(97, 3));
  EXPECT_EQ(lib.read("S", {.tail = 1000}).table, bars(0, 100));
  EXPECT_EQ(lib.read("S", {.start = minute(50), .tail = 2}).table, bars(98, 2));
  EXPECT_EQ(lib.read("S", {.start = minute(50), .head = 2}).table, bars(50, 2));
  const Table cols = lib.read("S", {.columns = std::vector<std::string>{"volume"}}).table;
  EXPECT_EQ(cols.column_names(), std::vector<std::string>{"volume"});
  EXPECT_EQ(cols.num_rows(), 100u);
  expect_error([&] { lib.read("S", {.columns = std::vector<std::string>{"nope"}}); },
               {"no column \"nope\"", "close, volume"});
  expect_error([&] { lib.read("S", {.head = 1, .tail = 1}); }, {"head or tail, not both"});
  expect_error([&] { lib.read("S", {.start = minute(5), .end = minute(1)}); }, {"after its end"});
  expect_error([&] { lib.read("NOPE"); }, {"library lib, symbol NOPE", "no such symbol"});
}

// Rows of `full` with timestamps in [lo, hi]: what a date-range read must return.
Table rows_between(const Table& full, Timestamp lo, Timestamp hi) {
  const auto& idx = full.index();
  const auto begin = std::lower_bound(idx.begin(), idx.end(), lo) - idx.begin();
  const auto end = std::upper_bound(idx.begin(), idx.end(), hi) - idx.begin();
  return full.slice(static_cast<std::size_t>(begin),
                    static_cast<std::size_t>(std::max(begin, end)));
}

TEST_P(StoreConformance, DateRangesCuttingSegmentsReturnExactlyTheRowsInRange) {
  // Segments of 3 rows; repeated timestamps straddle segment edges; every column type, nulls,
  // and columns that the first appends lack (they read null). Every range, including ones that
  // start or end inside a run of equal timestamps, must equal the matching rows of a full read.
  segment_rows_ = 3;
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", all_types());  // minute 0, 1, 1, 3
  Table later(std::vector<Timestamp>{minute(3), minute(3), minute(4), minute(6), minute(6)});
  later.add_column(Column::of_int64("i", {5, 6, 7, 8, 9}));
  later.add_column(Column::of_string("extra", {"p", "q", "r", "s", "t"}));
  lib.append("S", later);
  lib.append("S", bars(7, 4));  // minute 7..10, columns close and volume only
  const Table full = lib.read("S").table;
  ASSERT_EQ(full.num_rows(), 13u);
  for (std::int64_t a = -1; a <= 11; ++a) {
    for (std::int64_t b = a; b <= 11; ++b) {
      const Table got = lib.read("S", {.start = minute(a), .end = minute(b)}).table;
      EXPECT_EQ(got, rows_between(full, minute(a), minute(b))) << "range " << a << ".." << b;
    }
  }
  // Open-ended ranges and a range between rows.
  EXPECT_EQ(lib.read("S", {.start = minute(4)}).table, rows_between(full, minute(4), minute(99)));
  EXPECT_EQ(lib.read("S", {.end = minute(1)}).table, rows_between(full, minute(-9), minute(1)));
  EXPECT_EQ(lib.read("S", {.start = minute(5), .end = minute(5) + 1}).table.num_rows(), 0u);
}

TEST_P(StoreConformance, MetadataIsPerVersionAndAppendsKeepIt) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 1), R"({"v":1})");
  lib.append("S", bars(1, 1));
  EXPECT_EQ(lib.read("S").metadata, R"({"v":1})");
  lib.append("S", bars(2, 1), AppendMode::kStrict, R"({"v":3})");
  EXPECT_EQ(lib.read("S").metadata, R"({"v":3})");
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(1)}).metadata, R"({"v":1})");
  lib.write("S", bars(0, 1));
  EXPECT_EQ(lib.read("S").metadata, "");
  const auto versions = lib.list_versions("S");
  EXPECT_EQ(versions[1].metadata, R"({"v":3})");
  EXPECT_EQ(versions[2].metadata, "");  // inherited, not given
}

TEST_P(StoreConformance, SymbolsAreListedAndDeleted) {
  auto lib = store_->library("lib");
  auto other = store_->library("lib2");
  lib.write("B", bars(0, 1));
  lib.write("A", bars(0, 1));
  other.write("C", bars(0, 1));
  EXPECT_EQ(lib.list_symbols(), (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(lib.has_symbol("A"));
  EXPECT_FALSE(lib.has_symbol("C"));
  lib.delete_symbol("A");
  EXPECT_EQ(lib.list_symbols(), std::vector<std::string>{"B"});
  expect_error([&] { lib.read("A"); }, {"no such symbol"});
  expect_error([&] { lib.delete_symbol("A"); }, {"no such symbol"});
  // Re-created after deletion, it starts again — after the deletion marker (version 1) where
  // version numbers are never reused.
  EXPECT_EQ(lib.write("A", bars(5, 1)), chain() ? 2u : 0u);
  EXPECT_EQ(lib.read("A").table, bars(5, 1));
}

TEST(StoreUri, BadUrisNameTheUriAndTheProblem) {
  expect_error([] { Store::open("foo://x"); }, {"foo://x", "unknown store scheme \"foo\""});
  expect_error([] { Store::open("/tmp/x"); }, {"/tmp/x", "not a store URI"});
  expect_error([] { Store::open("lmdb://"); }, {"lmdb://", "needs a directory path"});
  expect_error([] { Store::open("lmdb:///tmp/x?map_size=huge"); }, {"map_size \"huge\""});
  expect_error([] { Store::open("lmdb:///tmp/x?colour=red"); }, {"unknown lmdb:// option"});
  expect_error([] { Store::open("mem://a/b"); }, {"mem://a/b", "store name"});
  expect_error([] { Store::open("lmdb:///proc/self/nope/x"); }, {"lmdb:///proc/self/nope/x"});
  StoreOptions o;
  o.segment_rows = 0;
  expect_error([&] { Store::open("mem://", o); }, {"segment_rows"});
}

TEST(StoreUri, MemStoresArePrivateUnlessNamed) {
  auto a = Store::open("mem://");
  auto b = Store::open("mem://");
  a->library("x");
  EXPECT_FALSE(b->has_library("x"));
  auto c = Store::open("mem://shared-uri-test");
  auto d = Store::open("mem://shared-uri-test");
  c->library("x");
  EXPECT_TRUE(d->has_library("x"));
}

}  // namespace
}  // namespace tandem::store::test
