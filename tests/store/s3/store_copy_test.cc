// `tandem store copy`'s engine (src/cli/store_copy.cc): LMDB → S3 → LMDB keeps every version,
// snapshot and byte, and refuses or undoes what it cannot copy faithfully.
#include "cli/store_copy.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "store/backends.h"
#include "store/s3/s3_storage.h"
#include "store/s3/s3rver_process.h"
#include "store/testing.h"

namespace tandem::cli {
namespace {

using namespace tandem::store;

constexpr Timestamp kT0 = 1'704'067'200'000'000'000;

Table prices(std::int64_t first, std::size_t n) {
  std::vector<Timestamp> ts(n);
  std::vector<double> close(n);
  std::vector<std::string> note(n);
  for (std::size_t i = 0; i < n; ++i) {
    ts[i] = kT0 + (first + static_cast<std::int64_t>(i)) * 60 * kNanosPerSecond;
    close[i] = 100.0 + static_cast<double>(first) + static_cast<double>(i) * 0.25;
    note[i] = "row " + std::to_string(first + static_cast<std::int64_t>(i));
  }
  Table t(std::move(ts));
  t.add_column(Column::of_float64("close", std::move(close)));
  t.add_column(Column::of_string("note", std::move(note)));
  return t;
}

// Fills library "market" with history worth copying: several symbols, delta chains, metadata,
// a snapshot, an update.
void fill(Store& store) {
  StoreOptions options;
  Library lib = store.library("market");
  lib.write("TQQQ.1d", prices(0, 500), R"({"source":"test"})");
  for (int i = 0; i < 5; ++i) lib.append("TQQQ.1d", prices(500 + i * 3, 3));
  lib.write("SPY.1d", prices(0, 50));
  lib.snapshot("before-update", R"({"why":"test"})");
  lib.update("SPY.1d", prices(10, 5));
  lib.append("SPY.1d", prices(100, 1));
  store.library("other").write("X", prices(0, 3));
}

// Every version and snapshot of library "market" reads the same in both stores.
void expect_same_history(Store& a, Store& b) {
  Library la = a.existing_library("market");
  Library lb = b.existing_library("market");
  ASSERT_EQ(la.list_symbols(), lb.list_symbols());
  for (const std::string& symbol : la.list_symbols()) {
    std::vector<VersionInfo> va = la.list_versions(symbol, 1000);
    std::vector<VersionInfo> vb = lb.list_versions(symbol, 1000);
    ASSERT_EQ(va.size(), vb.size()) << symbol;
    for (std::size_t i = 0; i < va.size(); ++i) {
      EXPECT_EQ(va[i].version, vb[i].version);
      EXPECT_EQ(va[i].written_at, vb[i].written_at);
      EXPECT_EQ(va[i].metadata, vb[i].metadata);
      ReadResult ra = la.read(symbol, {.as_of = AsOf::version(va[i].version)});
      ReadResult rb = lb.read(symbol, {.as_of = AsOf::version(va[i].version)});
      EXPECT_EQ(ra.table, rb.table) << symbol << " version " << va[i].version;
    }
  }
  ASSERT_EQ(la.list_snapshots().size(), lb.list_snapshots().size());
  EXPECT_EQ(la.snapshot_versions("before-update"), lb.snapshot_versions("before-update"));
  EXPECT_EQ(la.read("SPY.1d", {.as_of = AsOf::snapshot("before-update")}).table,
            lb.read("SPY.1d", {.as_of = AsOf::snapshot("before-update")}).table);
}

std::string s3_uri() {
  return store::s3::testing::S3rverProcess::shared().uri("copies",
                                                         store::s3::testing::unique_name("copy"));
}

TEST(StoreCopy, LmdbToS3AndBackKeepsEveryVersionSnapshotAndByte) {
  test::TempDir dir;
  auto lmdb = Store::open("lmdb://" + (dir.path() / "source").string());
  fill(*lmdb);
  auto s3 = Store::open(s3_uri());
  LibraryCopyReport to_s3 = copy_library(*lmdb, *s3, "market");
  EXPECT_EQ(to_s3.symbols, 2u);
  EXPECT_EQ(to_s3.snapshots, 1u);
  EXPECT_EQ(to_s3.version_records, 9u);  // TQQQ.1d: write + 5 appends; SPY.1d: 3
  EXPECT_GT(to_s3.segments, 0u);
  EXPECT_EQ(s3->list_libraries(), std::vector<std::string>{"market"});  // only what was asked
  expect_same_history(*lmdb, *s3);
  EXPECT_TRUE(s3->existing_library("market").verify().ok());

  auto back = Store::open("lmdb://" + (dir.path() / "back").string());
  LibraryCopyReport to_lmdb = copy_library(*s3, *back, "market");
  EXPECT_EQ(to_lmdb.objects, to_s3.objects);
  EXPECT_EQ(to_lmdb.bytes, to_s3.bytes);
  expect_same_history(*lmdb, *back);
  // Byte for byte: the segments of the latest version are the very same objects.
  for (const std::string symbol : {"TQQQ.1d", "SPY.1d"}) {
    for (const std::string& key : testing::stored_segment_keys(*lmdb, "market", symbol)) {
      EXPECT_EQ(testing::raw_get(*lmdb, key), testing::raw_get(*back, key)) << key;
    }
  }
  // The copy is a store of its own: it takes new versions.
  back->existing_library("market").append("TQQQ.1d", prices(600, 1));
  EXPECT_EQ(back->existing_library("market").read("TQQQ.1d").table.num_rows(), 516u);
}

// Moving a store from the lease lock to conditional writes (docs/s3.md, *One store, one
// protocol*): a lease store on s3rver, copied into a new store on moto opened with
// conditional_writes=on, keeps every version and commits by compare-and-swap from then on.
TEST(StoreCopy, MovesAStoreFromTheLeaseLockToConditionalWrites) {
  auto lease = Store::open(s3_uri());
  fill(*lease);
  const std::string moto_uri = store::s3::testing::MotoProcess::shared().uri(
      "copies", store::s3::testing::unique_name("copy"));
  auto conditional = Store::open(moto_uri);
  copy_library(*lease, *conditional, "market");
  expect_same_history(*lease, *conditional);
  auto& source = dynamic_cast<store::s3::S3Storage&>(lease->storage());
  auto& target = dynamic_cast<store::s3::S3Storage&>(conditional->storage());
  EXPECT_EQ(source.protocol(), store::s3::CommitProtocol::kLease);
  EXPECT_EQ(target.protocol(), store::s3::CommitProtocol::kChain);
  conditional->existing_library("market").append("TQQQ.1d", prices(600, 1));
  EXPECT_EQ(conditional->existing_library("market").read("TQQQ.1d").table.num_rows(), 516u);
  EXPECT_TRUE(conditional->existing_library("market").verify().ok());
}

// A chain store's heads may lag its versions (docs/s3.md): copied to LMDB, whose heads are
// exact, every head is written at the symbol's latest version.
TEST(StoreCopy, MovesAChainStoreWithLaggingHeadsToLmdb) {
  const std::string moto_uri = store::s3::testing::MotoProcess::shared().uri(
      "copies", store::s3::testing::unique_name("chain"));
  auto chain = Store::open(moto_uri);
  fill(*chain);
  // Appends back to back: the writer writes heads every 16 versions or when idle, so the
  // heads below lag until it is closed.
  auto lib = chain->existing_library("market");
  for (int i = 0; i < 6; ++i) lib.append("TQQQ.1d", prices(600 + i, 1));
  test::TempDir dir;
  auto lmdb = Store::open("lmdb://" + (dir.path() / "copy").string());
  copy_library(*chain, *lmdb, "market");
  expect_same_history(*chain, *lmdb);
  EXPECT_EQ(lmdb->existing_library("market").read("TQQQ.1d").table.num_rows(), 521u);
  EXPECT_TRUE(lmdb->existing_library("market").verify().ok());
}

TEST(StoreCopy, RefusesMissingSourceAndExistingTargetLibrariesWritingNothing) {
  test::TempDir dir;
  auto source = Store::open("lmdb://" + (dir.path() / "a").string());
  auto target = Store::open("lmdb://" + (dir.path() / "b").string());
  fill(*source);
  try {
    copy_library(*source, *target, "nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no library named nope"), std::string::npos);
  }
  target->library("market").write("Z", prices(0, 1));
  try {
    copy_library(*source, *target, "market");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("library market already exists"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(target->existing_library("market").list_symbols(), std::vector<std::string>{"Z"});
}

TEST(StoreCopy, ACorruptSourceSegmentFailsTheCopyAndLeavesNoLibraryBehind) {
  test::TempDir dir;
  auto source = Store::open("lmdb://" + (dir.path() / "a").string());
  fill(*source);
  std::vector<std::string> segments = testing::latest_segment_keys(*source, "market", "SPY.1d");
  testing::corrupt_value(*source, segments.front(), 40);
  auto s3 = Store::open(s3_uri());
  try {
    copy_library(*source, *s3, "market");
    FAIL() << "a corrupt segment was copied as if it were good";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("failed verification"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(segments.front()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(s3->has_library("market"));
}

}  // namespace
}  // namespace tandem::cli
