// The S3 backend below the store engine: listing order and ranges and the exclusion of commits,
// against both test servers (s3rver: lease lock; moto: conditional writes), and the commit
// lock's recovery of a dead holder's commit, against s3rver.
#include "store/s3/s3_storage.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "store/s3/s3rver_process.h"

namespace tandem::store::s3 {
namespace {

S3Config config_for(const std::string& prefix, const std::string& extra = "") {
  return parse_s3_uri(testing::S3rverProcess::shared().uri("storage", prefix) + extra);
}

void put(Storage& storage, std::vector<std::string> keys) {
  std::vector<KeyValue> blobs;
  for (auto& key : keys) blobs.push_back({key, "value of " + key});
  storage.commit(std::move(blobs), [](const StorageView&) { return Mutation{}; });
}

// The tests that hold for either commit protocol, once per server.
class S3StorageOnBoth : public ::testing::TestWithParam<testing::ServerKind> {
 protected:
  S3Config config(const std::string& prefix) {
    return parse_s3_uri(testing::test_server(GetParam()).uri("storage", prefix));
  }
};

TEST_P(S3StorageOnBoth, ListsAcrossLevelsInByteOrderWithRangesAndReverse) {
  S3Storage storage(config(testing::unique_name("lists")));
  // '.' and '-' sort below '/', so "a.b" < "a/b" < "a0" in byte order.
  put(storage, {"x/a", "x/a/b", "x/a.b", "x/a-b", "x/a0", "x/b", "y/z"});
  std::vector<std::string> all = {"x/a", "x/a-b", "x/a.b", "x/a/b", "x/a0", "x/b"};
  EXPECT_EQ(storage.list({"x/"}), all);
  EXPECT_EQ(storage.list({"x/", "x/a.b", 2}), (std::vector<std::string>{"x/a/b", "x/a0"}));
  EXPECT_EQ(storage.list({"x/", {}, 2, true}), (std::vector<std::string>{"x/b", "x/a0"}));
  EXPECT_EQ(storage.list({"x/", "x/a0", SIZE_MAX, true}),
            (std::vector<std::string>{"x/a/b", "x/a.b", "x/a-b", "x/a"}));
  std::vector<KeyValue> scanned = storage.read_view()->scan({"x/a", "x/a-b", 2});
  ASSERT_EQ(scanned.size(), 2u);
  EXPECT_EQ(scanned[0].key, "x/a.b");
  EXPECT_EQ(scanned[1].value, "value of x/a/b");
}

TEST_P(S3StorageOnBoth, ListsOneLevelPagesPastAThousandKeysWithoutLosingAny) {
  S3Storage storage(config(testing::unique_name("pages")));
  std::vector<std::string> keys;
  for (int i = 0; i < 1100; ++i) {
    keys.push_back("V/lib/S/" + std::to_string(i));  // varying lengths: "1" < "10" < "100"
  }
  for (std::size_t begin = 0; begin < keys.size(); begin += 200) {
    put(storage, std::vector<std::string>(keys.begin() + static_cast<std::ptrdiff_t>(begin),
                                          keys.begin() + static_cast<std::ptrdiff_t>(
                                                             std::min(keys.size(), begin + 200))));
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(storage.list({"V/lib/S/"}), keys);
  EXPECT_EQ(storage.list({"V/lib/S/", keys[998], 5}),
            std::vector<std::string>(keys.begin() + 999, keys.begin() + 1004));
}

TEST_P(S3StorageOnBoth, ConcurrentReadModifyWritesFromTwoStoragesLoseNoUpdate) {
  const std::string prefix = testing::unique_name("counter");
  S3Storage a(config(prefix));
  S3Storage b(config(prefix));
  auto increment = [](Storage& storage) {
    storage.commit({}, [](const StorageView& view) {
      std::optional<std::string> value = view.get("counter");
      Mutation m;
      m.puts.push_back({"counter", std::to_string(value ? std::stoi(*value) + 1 : 1)});
      m.puts.push_back({"log/" + std::to_string(value ? std::stoi(*value) + 1 : 1), "x"});
      return m;
    });
  };
  std::thread first([&] {
    for (int i = 0; i < 40; ++i) increment(a);
  });
  for (int i = 0; i < 40; ++i) increment(b);
  first.join();
  EXPECT_EQ(a.get("counter"), "80");
  EXPECT_EQ(a.list({"log/"}).size(), 80u);
}

INSTANTIATE_TEST_SUITE_P(Servers, S3StorageOnBoth,
                         ::testing::Values(testing::ServerKind::kS3rver,
                                           testing::ServerKind::kMoto),
                         [](const ::testing::TestParamInfo<testing::ServerKind>& info) {
                           return testing::server_name(info.param);
                         });

TEST(S3StorageCommits, ADeadHoldersIntentIsFinishedByTheNextWriter) {
  const std::string prefix = testing::unique_name("dead");
  S3Config config = config_for(prefix, "&lock_lease=2");
  S3Storage storage(config);
  storage.put("H/lib/S", "old head");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // it lets go of the lock
  // What a writer killed half-way through a commit leaves: its ticket with the intent, and only
  // the first of its two objects written.
  Mutation m;
  m.puts.push_back({"V/lib/S/1", "version 1"});
  m.puts.push_back({"H/lib/S", "head at version 1"});
  S3Client& client = storage.client();
  client.put_object(storage.names().lock_prefix() + "0123456789abcdef0123456789abcdef",
                    encode_intent(m));
  client.put_object(storage.names().object("V/lib/S/1"), "version 1");
  EXPECT_EQ(storage.get("H/lib/S"), "old head");  // readers see the whole old state meanwhile

  // The ticket blocks commits until its lease has run out (by the server's clock), then the
  // next writer applies the intent before its own commit.
  std::optional<std::string> head_seen;
  const auto start = std::chrono::steady_clock::now();
  storage.commit({}, [&](const StorageView& view) {
    head_seen = view.get("H/lib/S");
    return Mutation{};
  });
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(head_seen, "head at version 1");
  EXPECT_EQ(storage.get("V/lib/S/1"), "version 1");
}

TEST(S3StorageCommits, AWriterGivesUpWaitingForAHeldLockWithAClearError) {
  const std::string prefix = testing::unique_name("held");
  S3Storage waiter(config_for(prefix, "&lock_wait=1"));
  // Another writer's live ticket (written just now; the lease is 30 s).
  waiter.client().put_object(waiter.names().lock_prefix() + "fedcba9876543210fedcba9876543210", "");
  try {
    waiter.put("w", "v");
    FAIL() << "committed while another writer held the lock";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gave up waiting for the commit lock after 1 s"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(waiter.get("w"), std::nullopt);
}

TEST_P(S3StorageOnBoth, AMissingBucketIsAClearError) {
  const std::string key = GetParam() == testing::ServerKind::kMoto ? "testing" : "S3RVER";
  const std::string uri =
      "s3://127.0.0.1:" + std::to_string(testing::test_server(GetParam()).port()) +
      ":no-such-bucket?access_key=" + key + "&secret_key=" + key;
  try {
    S3Storage storage(parse_s3_uri(uri));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bucket \"no-such-bucket\" does not exist"),
              std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("secret_key=" + key), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tandem::store::s3
