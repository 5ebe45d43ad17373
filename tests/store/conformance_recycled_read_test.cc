// Conformance: a read given a recycled table (Library::read with `recycled`) returns exactly what
// the plain read returns, whatever the recycled table held, and refills its memory.
#include <limits>

#include "conformance.h"

namespace tandem::store::test {
namespace {

// Every column type, nulls in a float and a string column.
Table mixed(std::int64_t first) {
  Table t(std::vector<Timestamp>{minute(first), minute(first + 1), minute(first + 1),
                                 minute(first + 3)});
  t.add_column(Column::of_int64("i", {1, -2, std::numeric_limits<std::int64_t>::min(), 4}));
  Column f = Column::of_float64("f", {1.5, 2.5, -0.0, 1e300});
  f.set_validity({1, 0, 1, 1});
  t.add_column(std::move(f));
  t.add_column(Column::of_bool("b", {1, 0, 0, 1}));
  Column s = Column::of_string("s", {"", "fill", std::string(300, 'x'), "z"});
  s.set_validity({0, 1, 1, 1});
  t.add_column(std::move(s));
  t.add_column(Column::of_timestamp("t", {kT0, -1, 0, minute(9)}));
  return t;
}

void expect_same_result(const ReadResult& got, const ReadResult& want, const std::string& what) {
  EXPECT_EQ(got.table, want.table) << what;
  EXPECT_EQ(got.version, want.version) << what;
  EXPECT_EQ(got.metadata, want.metadata) << what;
  EXPECT_EQ(got.written_at, want.written_at) << what;
}

TEST_P(StoreConformance, RecycledReadReturnsWhatAPlainReadReturns) {
  segment_rows_ = 3;
  store_ = reopen();
  auto lib = store_->library("lib");
  // MIXED: every type and nulls, then an append that adds a column (earlier rows read null) and
  // one that lacks most columns. BARS: two other columns, no nulls. LOG: any-order appends, so
  // the read merges segments into index order.
  lib.write("MIXED", mixed(0), R"({"k":1})");
  Table later(std::vector<Timestamp>{minute(3), minute(4), minute(6)});
  later.add_column(Column::of_int64("i", {5, 6, 7}));
  later.add_column(Column::of_string("extra", {"p", "q", "r"}));
  lib.append("MIXED", later);
  lib.append("MIXED", bars(7, 4));
  lib.write("BARS", bars(0, 50));
  lib.append("LOG", event(minute(5), 1));
  lib.append("LOG", event(minute(2), 2), AppendMode::kAnyOrder);
  lib.append("LOG", event(minute(4), 3), AppendMode::kAnyOrder);

  const std::vector<std::pair<std::string, ReadOptions>> reads = {
      {"MIXED", {}},
      {"MIXED", {.start = minute(1), .end = minute(6)}},
      {"MIXED", {.columns = std::vector<std::string>{"s", "extra"}}},
      {"MIXED", {.tail = 5}},
      {"MIXED", {.as_of = AsOf::version(0)}},
      {"BARS", {}},
      {"BARS", {.head = 7}},
      {"BARS", {.start = minute(100)}},  // no rows
      {"LOG", {}},
  };
  // Each read is done plainly and then into the table of every read before it (different
  // columns, types, sizes and nulls), and of itself.
  for (std::size_t i = 0; i < reads.size(); ++i) {
    const auto& [symbol, options] = reads[i];
    const ReadResult want = lib.read(symbol, options);
    for (std::size_t j = 0; j <= i; ++j) {
      Table recycled = lib.read(reads[j].first, reads[j].second).table;
      expect_same_result(
          lib.read(symbol, options, std::move(recycled)), want,
          "read " + std::to_string(i) + " into the table of read " + std::to_string(j));
    }
  }
  expect_error([&] { lib.read("NOPE", {}, lib.read("BARS").table); },
               {"library lib, symbol NOPE", "no such symbol"});
}

TEST_P(StoreConformance, RecycledReadRefillsTheRecycledMemory) {
  segment_rows_ = 1000;
  store_ = reopen();
  auto lib = store_->library("lib");
  const Table t = bars(0, 5500);
  lib.write("S", t);
  ReadResult first = lib.read("S");
  const Timestamp* index = first.table.index().data();
  const double* close = first.table.float64s("close").data();
  const std::int64_t* volume = first.table.int64s("volume").data();
  const ReadResult again = lib.read("S", {}, std::move(first.table));
  EXPECT_EQ(again.table, t);
  EXPECT_EQ(again.table.index().data(), index);
  EXPECT_EQ(again.table.float64s("close").data(), close);
  EXPECT_EQ(again.table.int64s("volume").data(), volume);
}

}  // namespace
}  // namespace tandem::store::test
