// Snapshots racing prunes (docs/s3.md, *Snapshots against prunes*), on both servers: moto
// (conditional writes: a chain store, where nothing serializes the two and the pending record
// and the prune epoch make them meet) and s3rver (the lease lock serializes every commit). One
// thread writes and appends, one prunes as fast as it can, one takes snapshots; afterwards every
// snapshot is read whole and compared with what the writer wrote at the version it holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/error.h"
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

class S3SnapshotRace : public ::testing::TestWithParam<testing::ServerKind> {};

TEST_P(S3SnapshotRace, SnapshotsTakenWhilePrunesRunReadWhole) {
  const bool chain = GetParam() == testing::ServerKind::kMoto;
  // At least this many of each, at the same time. Lease-mode commits take turns holding the
  // lock (a hand-over takes up to a few seconds), so fewer there.
  const int want_snapshots = chain ? 20 : 10;
  const int want_prunes = chain ? 10 : 4;
  const int most_snapshots = 10 * want_snapshots;
  const std::string uri =
      testing::test_server(GetParam()).uri("race", testing::unique_name("race"));
  StoreOptions options;
  options.compaction_threshold = 0;
  auto open = [&] { return std::make_shared<S3Storage>(parse_s3_uri(uri)); };
  auto writer_storage = open();
  auto pruner_storage = open();
  auto snapshot_storage = open();
  writer_storage->put(keys::library("lib"), encode_library_marker(kBase));
  LibraryEngine writer(writer_storage, "lib", options);
  LibraryEngine pruner(pruner_storage, "lib", options);
  LibraryEngine snapshotter(snapshot_storage, "lib", options);
  EXPECT_EQ(snapshot_storage->protocol(), chain ? CommitProtocol::kChain : CommitProtocol::kLease);

  // What each version holds, as the writer wrote it.
  std::mutex mutex;
  std::map<std::uint64_t, std::vector<std::int64_t>> expected;
  std::vector<std::int64_t> current = ids(id_rows(0, 50));
  expected[writer.write("a", id_rows(0, 50), std::nullopt)] = current;
  // Symbols that nobody changes, folded after "a": they hold the snapshot open between reading
  // "a" and creating its record, the window in which a prune of "a" can slip in.
  constexpr int kStill = 12;
  for (int i = 0; i < kStill; ++i) {
    writer.write("z" + std::to_string(i), id_rows(0, 5), std::nullopt);
  }

  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::atomic<int> prunes{0};
  std::atomic<std::uint64_t> segments_deleted{0};
  std::thread writing([&] {
    std::int64_t next = 50;
    for (int op = 0; !stop; ++op) {
      std::uint64_t version = 0;
      if (op % 4 != 3) {
        // A whole new table: the older versions' segments become the prune's to delete.
        version = writer.write("a", id_rows(next, 40), std::nullopt);
        current = ids(id_rows(next, 40));
        next += 40;
      } else {
        // One row: its segment travels inline in the version record.
        version = writer.append("a", id_rows(next, 1), AppendMode::kStrict, std::nullopt);
        current.push_back(next++);
      }
      ++writes;
      {
        const std::lock_guard<std::mutex> lock(mutex);
        expected[version] = current;
      }
      // A writer as fast as it can go grows the chain faster than a prune (one request per
      // record it retires) empties it; a short pause keeps prunes short and many.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::thread pruning([&] {
    while (!stop) {
      segments_deleted += pruner.prune_previous_versions("a").segments_removed;
      ++prunes;
    }
  });
  int snapshots = 0;
  while (snapshots < most_snapshots && (snapshots < want_snapshots || prunes < want_prunes)) {
    snapshotter.snapshot("s" + std::to_string(snapshots++), std::nullopt);
  }
  stop = true;
  writing.join();
  pruning.join();
  std::printf(
      "[ figure ] %s: %d snapshots, %d writes and appends, %d prunes (%llu segments "
      "deleted) at the same time\n",
      testing::server_name(GetParam()).c_str(), snapshots, writes.load(), prunes.load(),
      static_cast<unsigned long long>(segments_deleted.load()));
  EXPECT_GE(prunes.load(), want_prunes) << "the prunes hardly overlapped the snapshots";
  EXPECT_GT(segments_deleted.load(), 0u) << "nothing was pruned: the race tested nothing";

  // A fresh handle, so that nothing is answered from a writer's memory.
  auto reader = Store::open(uri);
  auto library = reader->existing_library("lib");
  EXPECT_EQ(library.list_snapshots().size(), static_cast<std::size_t>(snapshots));
  for (int i = 0; i < snapshots; ++i) {
    const std::string name = "s" + std::to_string(i);
    auto held = library.snapshot_versions(name);
    ASSERT_EQ(held.size(), static_cast<std::size_t>(1 + kStill)) << name;
    std::sort(held.begin(), held.end());
    ASSERT_EQ(held[0].first, "a");
    ASSERT_TRUE(expected.contains(held[0].second)) << name << " holds an unknown version";
    try {
      EXPECT_EQ(ids(library.read("a", ReadOptions{.as_of = AsOf::snapshot(name)}).table),
                expected[held[0].second])
          << name << " (version " << held[0].second << ")";
    } catch (const Error& e) {
      ADD_FAILURE() << name << " (version " << held[0].second << ") cannot be read: " << e.what();
    }
  }
  const ReadResult latest = library.read("a");
  EXPECT_EQ(ids(latest.table), expected.rbegin()->second);
  EXPECT_EQ(latest.version, expected.rbegin()->first);
  const VerifyReport report = library.verify();
  EXPECT_TRUE(report.ok()) << report.corruptions.size() << " problems, the first: "
                           << (report.corruptions.empty() ? "" : report.corruptions[0].problem);
}

INSTANTIATE_TEST_SUITE_P(Servers, S3SnapshotRace,
                         ::testing::Values(testing::ServerKind::kMoto,
                                           testing::ServerKind::kS3rver),
                         [](const ::testing::TestParamInfo<testing::ServerKind>& info) {
                           return testing::server_name(info.param);
                         });

}  // namespace
}  // namespace tandem::store::s3
