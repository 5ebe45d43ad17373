// The S3 backend's chain protocol (docs/s3.md, *Commits by conditional writes*), against moto:
// a version is committed by the create-only PUT of its record, so a burst of one-row appends
// costs one request each; readers fold the records above a lagging head; a writer whose memory
// is stale loses its create and decides again; version numbers are never reused, so a writer
// holding a state from before a prune or a deletion cannot fork the chain.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "store/id_rows.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/record.h"
#include "store/s3/s3_storage.h"
#include "store/s3/s3rver_process.h"
#include "store/store.h"

namespace tandem::store::s3 {
namespace {

using test::id_rows;
using test::ids;
using test::kBase;

// A writer that never goes idle during a test, so that its heads are written only every 16
// versions (what a burst does) and request counts do not depend on the machine's speed.
std::shared_ptr<S3Storage> open_busy(const std::string& uri) {
  S3HoldOptions hold;
  hold.idle_release = std::chrono::milliseconds(600'000);
  return std::make_shared<S3Storage>(parse_s3_uri(uri), hold);
}

struct Fixture {
  std::string uri = testing::MotoProcess::shared().uri("chain", testing::unique_name("chain"));
  StoreOptions options = [] {
    StoreOptions o;
    o.compaction_threshold = 0;
    return o;
  }();
  std::shared_ptr<S3Storage> a = open_busy(uri);
  std::shared_ptr<S3Storage> b = open_busy(uri);
  LibraryEngine engine_a{a, "lib", options};
  LibraryEngine engine_b{b, "lib", options};
  Fixture() { a->put(keys::library("lib"), encode_library_marker(kBase)); }

  std::vector<std::uint64_t> versions(LibraryEngine& engine) {
    std::vector<std::uint64_t> out;
    for (const VersionInfo& v : engine.list_versions("fills", 100, std::nullopt)) {
      out.push_back(v.version);
    }
    return out;
  }
  // The head object as stored (it may lag the latest version).
  std::uint64_t stored_head_version() {
    return decode_record(*a->client().get_object(a->names().object(keys::head("lib", "fills"))))
        .version;
  }
};

TEST(S3ChainCommits, OneRowAppendsCostOnePutEachInABurst) {
  Fixture f;
  EXPECT_EQ(f.a->protocol(), CommitProtocol::kChain);
  f.engine_a.append("fills", id_rows(0), AppendMode::kStrict, std::nullopt);
  constexpr int kAppends = 32;
  const S3RequestCounts before = f.a->client().counts();
  for (int i = 1; i <= kAppends; ++i)
    f.engine_a.append("fills", id_rows(i), AppendMode::kStrict, {});
  const S3RequestCounts after = f.a->client().counts();
  // One create-only PUT of each version record (the row inline), and the head every 16
  // versions; nothing read: the writer's own last version is what it decides on.
  EXPECT_EQ(after.put - before.put, static_cast<std::uint64_t>(kAppends + kAppends / 16));
  EXPECT_EQ(after.total() - before.total(), after.put - before.put);
  EXPECT_EQ(f.a->lost_races(), 0u);
  EXPECT_EQ(f.stored_head_version(), 32u);
  auto reader = Store::open(f.uri);
  EXPECT_EQ(ids(reader->existing_library("lib").read("fills").table).size(),
            static_cast<std::size_t>(kAppends + 1));
}

TEST(S3ChainCommits, ReadersFoldTheRecordsAboveALaggingHead) {
  Fixture f;
  for (int i = 0; i < 6; ++i) f.engine_a.append("fills", id_rows(i), AppendMode::kStrict, {});
  EXPECT_EQ(f.stored_head_version(), 0u);  // written by the symbol's creation only
  auto reader = Store::open(f.uri);
  auto lib = reader->existing_library("lib");
  EXPECT_EQ(ids(lib.read("fills").table), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(f.versions(f.engine_b), (std::vector<std::uint64_t>{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(ids(lib.read("fills", ReadOptions{.as_of = AsOf::version(3)}).table),
            (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(lib.has_symbol("fills"));
  // A snapshot holds the latest version, not the lagging head.
  lib.snapshot("eod");
  f.engine_a.append("fills", id_rows(6), AppendMode::kStrict, {});
  EXPECT_EQ(ids(lib.read("fills", ReadOptions{.as_of = AsOf::snapshot("eod")}).table).size(), 6u);
  EXPECT_EQ(ids(lib.read("fills").table).size(), 7u);
}

TEST(S3ChainCommits, AWriterWhoseVersionWasTakenDecidesAgainOnTheNewOne) {
  Fixture f;
  f.engine_a.append("fills", id_rows(0), AppendMode::kStrict, {});
  f.engine_b.append("fills", id_rows(1), AppendMode::kStrict, {});
  // a still remembers version 0: its create of version 1 is refused, and it decides again.
  EXPECT_EQ(f.engine_a.append("fills", id_rows(2), AppendMode::kStrict, {}), 2u);
  EXPECT_EQ(f.a->lost_races(), 1u);
  EXPECT_EQ(f.versions(f.engine_a), (std::vector<std::uint64_t>{2, 1, 0}));
  EXPECT_EQ(ids(f.engine_b.read("fills", {}, {}).table), (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(S3ChainCommits, AWriterHoldingAStateFromBeforeAPruneCannotForkTheChain) {
  Fixture f;
  f.engine_a.append("fills", id_rows(0), AppendMode::kStrict, {});
  f.engine_a.append("fills", id_rows(1), AppendMode::kStrict, {});  // a remembers version 1
  f.engine_b.append("fills", id_rows(2), AppendMode::kStrict, {});
  f.engine_b.append("fills", id_rows(3), AppendMode::kStrict, {});
  EXPECT_EQ(f.engine_b.prune_previous_versions("fills").versions_removed, 3u);
  // Version 2's record is gone, but its number stays taken by an empty object: a's create of
  // it is refused (it would otherwise land below version 3 and be lost).
  const std::string retired = f.a->names().object(keys::version("lib", "fills", 2));
  EXPECT_EQ(f.a->client().get_object(retired), std::string());
  EXPECT_EQ(f.engine_a.append("fills", id_rows(4), AppendMode::kStrict, {}), 4u);
  EXPECT_EQ(f.a->lost_races(), 1u);
  EXPECT_EQ(f.versions(f.engine_b), (std::vector<std::uint64_t>{4, 3}));
  EXPECT_EQ(ids(f.engine_b.read("fills", {}, {}).table),
            (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(f.engine_b.verify("fills").ok());
}

TEST(S3ChainCommits, ADeletedSymbolWrittenAgainContinuesItsNumbers) {
  Fixture f;
  f.engine_a.append("fills", id_rows(0), AppendMode::kStrict, {});
  f.engine_a.append("fills", id_rows(1), AppendMode::kStrict, {});  // a remembers version 1
  f.engine_b.delete_symbol("fills");
  EXPECT_FALSE(f.engine_b.has_symbol("fills"));
  EXPECT_TRUE(f.engine_b.list_symbols().empty());
  // The deletion is version 2's marker; writing the symbol again starts after it.
  EXPECT_EQ(f.engine_b.write("fills", id_rows(10), std::nullopt), 3u);
  // a's create of version 2 is refused; it decides again on the new life of the symbol.
  EXPECT_EQ(f.engine_a.append("fills", id_rows(11), AppendMode::kStrict, {}), 4u);
  EXPECT_EQ(ids(f.engine_b.read("fills", {}, {}).table), (std::vector<std::int64_t>{10, 11}));
  EXPECT_EQ(f.versions(f.engine_b), (std::vector<std::uint64_t>{4, 3}));
  EXPECT_EQ(f.engine_b.list_symbols(), (std::vector<std::string>{"fills"}));
}

// What a reader sees when its LIST of the records above an old head came before a prune's
// retires and its GETs after (docs/s3.md, *Readers against prunes*), made by hand: head 0,
// records 1 and 2 retired, delta 3. Folding it would return version 3 without rows 1 and 2. A
// read reads again on a fresh view (here the state stays torn, so it gives up, naming the
// version), and a commit deciding on it counts a lost race and decides again.
TEST(S3ChainCommits, AFoldTornByAPruneIsReadAgainNeverReturnedShort) {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.engine_a.append("fills", id_rows(i), AppendMode::kStrict, {});
  ASSERT_EQ(f.stored_head_version(), 0u);
  for (std::uint64_t v : {1u, 2u}) {
    f.a->client().put_object(f.a->names().object(keys::version("lib", "fills", v)), "");
  }
  auto reader = Store::open(f.uri);
  auto lib = reader->existing_library("lib");
  try {
    const ReadResult got = lib.read("fills");
    ADD_FAILURE() << "version " << got.version << " returned with " << got.table.num_rows()
                  << " rows";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Conflict) << e.what();
    EXPECT_NE(std::string(e.what()).find("gave up after 10 reads"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("library lib, symbol fills, version 3"), std::string::npos)
        << e.what();
  }
  // A writer deciding afresh on it: lost races until lock_wait, never a commit on the torn state.
  auto writer = std::make_shared<S3Storage>(parse_s3_uri(f.uri + "&lock_wait=1"));
  LibraryEngine engine(writer, "lib", f.options);
  try {
    const std::uint64_t v = engine.append("fills", id_rows(4), AppendMode::kStrict, {});
    ADD_FAILURE() << "appended version " << v << " on a torn fold";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Conflict) << e.what();
    EXPECT_NE(std::string(e.what()).find("torn by prunes"), std::string::npos) << e.what();
  }
  EXPECT_GT(writer->lost_races(), 0u);
}

}  // namespace
}  // namespace tandem::store::s3
