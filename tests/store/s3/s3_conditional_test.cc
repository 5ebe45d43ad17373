// The S3 backend's commit protocols by conditional writes (docs/s3.md, *Commits by conditional
// writes*), against moto (which enforces If-None-Match / If-Match) and s3rver (which ignores
// them): which protocol a store records and when a writer refuses; for stores that record the
// journal protocol (made before the chain protocol), what a lost race does, that a writer
// stopped after its commit point is finished by the next one, that a late request of an applied
// commit changes nothing and what a burst of appends costs; and that an independent client
// (boto3) reads what tandem wrote. The chain protocol's own tests: s3_chain_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>

#include "core/error.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/record.h"
#include "store/s3/s3_storage.h"
#include "store/s3/s3rver_process.h"
#include "store/store.h"

namespace tandem::store::s3 {
namespace {

constexpr Timestamp kBase = 1'704'067'200'000'000'000;

// The moto URI of a fresh store with conditional_writes set to `mode`.
std::string moto_uri(const std::string& mode, const std::string& prefix) {
  std::string uri = testing::MotoProcess::shared().uri("conditional", prefix);
  const std::string on = "conditional_writes=on";
  uri.replace(uri.find(on), on.size(), "conditional_writes=" + mode);
  return uri;
}

std::shared_ptr<S3Storage> open(const std::string& uri) {
  return std::make_shared<S3Storage>(parse_s3_uri(uri));
}

// A new store that records the journal protocol, as stores made before the chain protocol do
// (new stores get the chain protocol); their writers keep committing through the journal.
std::shared_ptr<S3Storage> open_journal_store(const std::string& uri) {
  auto storage = open(uri);
  storage->client().put_object(protocol_object(storage->names()),
                               "tandem-s3-protocol-1\nprotocol=conditional\nreason=test\n");
  return storage;
}

std::string object_text(S3Storage& storage, const std::string& object) {
  return storage.client().get_object(storage.names().path_prefix() + object).value_or("");
}

// Expects `fn` to throw a tandem::Error of `kind` whose message holds every one of `parts`.
void expect_refusal(const std::function<void()>& fn, ErrorKind kind,
                    const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << part << " in " << e.what();
    }
  }
}

TEST(S3ConditionalProtocol, AutoProbesANewStoreOnceAndRecordsTheChainProtocolOnMoto) {
  auto storage = open(moto_uri("auto", testing::unique_name("auto")));
  storage->put("a/one", "1");
  EXPECT_EQ(storage->protocol(), CommitProtocol::kChain);
  const std::string record = object_text(*storage, "~store/protocol");
  EXPECT_NE(record.find("protocol=chain\n"), std::string::npos) << record;
  EXPECT_NE(record.find("412"), std::string::npos) << record;
  // No lock and no journal.
  EXPECT_TRUE(object_text(*storage, "~store/journal").empty());
  EXPECT_TRUE(storage->client().list_objects(storage->names().lock_prefix()).objects.empty());
  // A second writer reads the record and does not probe again.
  auto second =
      open(moto_uri("auto", "") + "&path_prefix=" +
           storage->names().path_prefix().substr(0, storage->names().path_prefix().size() - 1));
  const S3RequestCounts before = second->client().counts();
  EXPECT_EQ(second->protocol(), CommitProtocol::kChain);
  EXPECT_EQ(second->client().counts().put, before.put);
  EXPECT_EQ(second->get("a/one"), "1");
}

TEST(S3ConditionalProtocol, AutoRecordsTheLeaseLockOnAServerThatIgnoresPreconditions) {
  auto storage =
      open(testing::S3rverProcess::shared().uri("conditional", testing::unique_name("lease")));
  storage->put("a/one", "1");
  EXPECT_EQ(storage->protocol(), CommitProtocol::kLease);
  const std::string record = object_text(*storage, "~store/protocol");
  EXPECT_NE(record.find("protocol=lease\n"), std::string::npos) << record;
  EXPECT_NE(record.find("was not refused with 412"), std::string::npos) << record;
}

TEST(S3ConditionalProtocol, OnRefusesAServerThatIgnoresPreconditionsNamingIt) {
  testing::S3rverProcess& s3rver = testing::S3rverProcess::shared();
  auto storage =
      open(s3rver.uri("conditional", testing::unique_name("on")) + "&conditional_writes=on");
  expect_refusal([&] { storage->put("a/one", "1"); }, ErrorKind::Conflict,
                 {"conditional_writes=on", "127.0.0.1:" + std::to_string(s3rver.port()),
                  "does not enforce preconditions", "If-None-Match"});
  EXPECT_EQ(storage->get("a/one"), std::nullopt);
}

TEST(S3ConditionalProtocol, AWriterConfiguredForTheOtherProtocolRefusesToWrite) {
  const std::string prefix = testing::unique_name("mix");
  auto conditional = open(moto_uri("on", prefix));
  conditional->put("a/one", "1");
  auto lease = open(moto_uri("off", prefix));
  expect_refusal([&] { lease->put("a/one", "2"); }, ErrorKind::Conflict,
                 {"chain protocol", "configured for the lease protocol", "conditional_writes=off",
                  "tandem store copy"});
  EXPECT_EQ(lease->get("a/one"), "1");
  // A journal store refuses lease writers the same way.
  auto journal = open_journal_store(moto_uri("on", testing::unique_name("mix")));
  journal->put("a/one", "1");
  expect_refusal(
      [&] {
        open(moto_uri("off", journal->names().path_prefix().substr(
                                 0, journal->names().path_prefix().size() - 1)))
            ->put("a/one", "2");
      },
      ErrorKind::Conflict, {"conditional protocol", "configured for the lease protocol"});

  const std::string other = testing::unique_name("mix");
  auto first = open(moto_uri("off", other));
  first->put("a/one", "1");
  EXPECT_EQ(first->protocol(), CommitProtocol::kLease);
  expect_refusal([&] { open(moto_uri("on", other))->put("a/one", "2"); }, ErrorKind::Conflict,
                 {"lease protocol", "configured for the chain protocol"});
  // auto follows what the store records.
  auto follower = open(moto_uri("auto", other));
  follower->put("a/two", "2");
  EXPECT_EQ(follower->protocol(), CommitProtocol::kLease);
}

TEST(S3ConditionalProtocol, AStoreWithDataButNoRecordPredatesRecordsAndUsesTheLeaseLock) {
  const std::string prefix = testing::unique_name("old");
  auto storage = open(moto_uri("auto", prefix));
  // What a store written before protocol records existed holds: data, no record.
  storage->client().put_object(storage->names().object("L/lib"), "x");
  EXPECT_EQ(storage->protocol(), CommitProtocol::kLease);
  expect_refusal([&] { open(moto_uri("on", prefix))->put("a/one", "1"); }, ErrorKind::Conflict,
                 {"made before stores recorded their protocol"});
}

// decide() reads a counter and writes it plus one.
Mutation increment(const StorageView& view) {
  std::optional<std::string> now = view.get("c/counter");
  Mutation m;
  m.puts.push_back({"c/counter", std::to_string(now ? std::stoi(*now) + 1 : 1)});
  return m;
}

TEST(S3ConditionalCommits, ALostRaceDecidesAgainOnTheNewState) {
  const std::string uri = moto_uri("on", testing::unique_name("race"));
  auto a = open_journal_store(uri);
  auto b = open(uri);
  a->commit({}, increment);  // 1
  int calls = 0;
  a->commit({}, [&](const StorageView& view) {
    if (++calls == 1) b->commit({}, increment);  // 2, committed between a's decide and its CAS
    return increment(view);
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(a->lost_races(), 1u);
  EXPECT_EQ(b->get("c/counter"), "3");
  // b's knowledge of the journal is stale now: its next commit loses once and decides again.
  b->commit({}, increment);
  EXPECT_EQ(b->lost_races(), 1u);
  EXPECT_EQ(a->get("c/counter"), "4");
}

TEST(S3ConditionalCommits, AWriterStoppedAfterItsCommitPointIsFinishedByTheNextWriter) {
  const std::string uri = moto_uri("on", testing::unique_name("stop"));
  auto a = open_journal_store(uri);
  a->put("a/zero", "0");
  // A new version's shape: record, then the head that makes it visible.
  Mutation version;
  version.puts = {{"v/1", "record"}, {"h/head", "1"}};
  version.prefix_invisible = true;
  a->fail_next_in_order_commit_after(1);
  expect_refusal([&] { a->commit({}, [&](const StorageView&) { return version; }); },
                 ErrorKind::Unavailable, {"committed, but applying it was interrupted"});
  EXPECT_EQ(a->get("v/1"), "record");
  EXPECT_EQ(a->get("h/head"), std::nullopt);  // not visible yet
  // The next writer finishes it before deciding, so it decides on the committed state.
  auto b = open(uri);
  std::optional<std::string> head_seen;
  b->commit({}, [&](const StorageView& view) {
    head_seen = view.get("h/head");
    Mutation m;
    m.puts.push_back({"a/after", "x"});
    return m;
  });
  EXPECT_EQ(head_seen, "1");
  EXPECT_EQ(b->get("h/head"), "1");
}

TEST(S3ConditionalCommits, ALateRequestOfAnAppliedCommitChangesNothing) {
  const std::string uri = moto_uri("on", testing::unique_name("late"));
  auto storage = open_journal_store(uri);
  storage->put("k/key", "v1");
  storage->commit({}, [](const StorageView& view) {
    EXPECT_EQ(view.get("k/key"), "v1");
    Mutation m;
    m.puts.push_back({"k/key", "v2"});
    m.removes.push_back("k/gone");
    return m;
  });
  const std::string journal_object = storage->names().path_prefix() + "~store/journal";
  const JournalEntry second = decode_journal(*storage->client().get_object(journal_object),
                                             storage->client().describe(journal_object));
  ASSERT_EQ(second.puts.size(), 1u);
  EXPECT_EQ(second.puts[0].before.kind, Precondition::Kind::kEtag);
  storage->put("k/key", "v3");
  // What the second commit's own PUT would do if it arrived now, late: the server refuses it.
  const ConditionalResult late = storage->client().put_object_if(
      second.puts[0].object, second.puts[0].value, second.puts[0].before);
  EXPECT_EQ(late.outcome, ConditionalOutcome::kPreconditionFailed);
  EXPECT_EQ(storage->get("k/key"), "v3");
}

TEST(S3ConditionalCommits, OneRowAppendsCostThreePutsEachInABurstOnAJournalStore) {
  const std::string uri = moto_uri("on", testing::unique_name("burst"));
  auto storage = open_journal_store(uri);
  storage->put(keys::library("lib"), encode_library_marker(kBase));
  StoreOptions options;
  options.compaction_threshold = 0;
  LibraryEngine engine(storage, "lib", options);
  auto row = [](std::int64_t id) {
    Table one(std::vector<Timestamp>{kBase + id * kNanosPerSecond});
    one.add_column(Column::of_int64("id", {id}));
    return one;
  };
  engine.append("fills", row(0), AppendMode::kStrict, std::nullopt);
  constexpr int kAppends = 30;
  const S3RequestCounts before = storage->client().counts();
  for (int i = 1; i <= kAppends; ++i) engine.append("fills", row(i), AppendMode::kStrict, {});
  const S3RequestCounts after = storage->client().counts();
  // The journal entry (the commit point), the version record and the head; no read: this
  // writer's own last commit is what the journal holds.
  EXPECT_EQ(after.put - before.put, 3u * kAppends);
  EXPECT_EQ(after.total() - before.total(), 3u * kAppends);
  EXPECT_EQ(storage->lost_races(), 0u);
  auto reader = Store::open(uri);
  EXPECT_EQ(reader->existing_library("lib").read("fills").table.num_rows(),
            static_cast<std::size_t>(kAppends + 1));
}

// Runs a shell command and returns what it printed (the test fails if it exits non-zero).
std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return out;
  }
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0) << command;
  return out;
}

TEST(S3ConditionalCommits, Boto3ReadsWhatTandemWrote) {
  const std::string source = testing::source_dir();
  const std::string python = run_command(source + "/scripts/moto-start --print-python");
  ASSERT_FALSE(python.empty());
  const std::string prefix = testing::unique_name("boto");
  const std::string uri = moto_uri("on", prefix);
  {
    auto store = Store::open(uri);
    auto lib = store->library("lib");
    for (std::int64_t i = 0; i < 5; ++i) {
      Table one(std::vector<Timestamp>{kBase + i * kNanosPerSecond});
      one.add_column(Column::of_int64("id", {i}));
      lib.append("fills", one);
    }
    lib.snapshot("eod");
  }
  // What tandem's own client lists and reads: key -> (SHA-256, ETag).
  auto storage = open(uri);
  std::map<std::string, std::pair<std::string, std::string>> mine;
  for (const ObjectInfo& object : storage->client().list_objects(prefix + "/").objects) {
    std::string one = object.key;
    std::optional<TaggedObject> read =
        std::move(storage->client().get_tagged_objects({&one, 1}).front());
    ASSERT_TRUE(read) << object.key;
    mine[object.key] = {sha256_hex(read->bytes), read->etag};
  }
  const int port = testing::MotoProcess::shared().port();
  const std::string listed = run_command(
      python.substr(0, python.find('\n')) + " " + source + "/tests/store/s3/boto3_list.py " +
      "http://127.0.0.1:" + std::to_string(port) + " conditional " + prefix + "/ " +
      testing::MotoProcess::kMotoKey + " " + testing::MotoProcess::kMotoKey);
  std::map<std::string, std::pair<std::string, std::string>> theirs;
  std::size_t start = 0;
  while (start < listed.size()) {
    const std::size_t end = listed.find('\n', start);
    const std::string line = listed.substr(start, end - start);
    const std::size_t tab1 = line.find('\t');
    const std::size_t tab2 = line.find('\t', tab1 + 1);
    ASSERT_NE(tab2, std::string::npos) << line;
    theirs[line.substr(0, tab1)] = {line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1)};
    start = end == std::string::npos ? listed.size() : end + 1;
  }
  EXPECT_EQ(theirs, mine);
  // The objects a reader of the layout expects: library marker, head, 5 version records (the
  // rows inline), the snapshot and the protocol record (the chain protocol has no journal).
  auto has = [&](const std::string& object) { return theirs.contains(prefix + "/" + object); };
  EXPECT_TRUE(has("L!/lib!"));
  EXPECT_TRUE(has("H!/lib!/fills!"));
  EXPECT_TRUE(has("V!/lib!/fills!/00000000000000000004!"));
  EXPECT_TRUE(has("P!/lib!/eod!"));
  EXPECT_FALSE(has("~store/journal"));
  EXPECT_TRUE(has("~store/protocol"));
}

}  // namespace
}  // namespace tandem::store::s3
