// Issue 8's concurrency proof on the S3 backend, against both test servers — s3rver (stores
// commit by the lease lock) and moto (stores commit by conditional writes): several processes
// appending to one symbol lose nothing and double nothing, and a writer killed in the middle of
// appends leaves no partial version behind and does not stop later writers (with conditional
// writes, it does not even delay them: there is no lease to wait out). The writers are
// tests/store's store_stress_writer (one-row any-order appends, ids w*1000000+i).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/s3/s3_client.h"
#include "store/s3/s3_storage.h"
#include "store/s3/s3rver_process.h"
#include "store/store.h"

extern char** environ;

namespace tandem::store::s3 {
namespace {

// A running store_stress_writer; with `capture`, the ids it acknowledged are readable.
class Writer {
 public:
  Writer(const std::string& uri, int id, int count, bool capture) {
    std::vector<std::string> args = {TANDEM_STRESS_WRITER, uri, "lib", "fills", std::to_string(id),
                                     std::to_string(count)};
    if (capture) args.push_back("--print");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    int fds[2] = {-1, -1};
    if (capture) {
      if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
      posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
      posix_spawn_file_actions_addclose(&actions, fds[0]);
      posix_spawn_file_actions_addclose(&actions, fds[1]);
    }
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (capture) {
      close(fds[1]);
      out_ = fds[0];
    }
    if (rc != 0) throw std::runtime_error("cannot spawn " + args[0]);
  }
  ~Writer() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
    if (out_ >= 0) close(out_);
  }
  int wait() {  // exit status, or -signal
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  void kill_now() { kill(pid_, SIGKILL); }
  // Reads acknowledged ids until EOF or until `max_lines` were read.
  void read_ids(std::vector<std::int64_t>& ids, std::size_t max_lines) {
    std::size_t got = 0;
    char buffer[4096];
    while (got < max_lines) {
      ssize_t n = read(out_, buffer, sizeof buffer);
      if (n <= 0) break;
      pending_.append(buffer, static_cast<std::size_t>(n));
      std::size_t newline;
      while ((newline = pending_.find('\n')) != std::string::npos) {
        ids.push_back(std::stoll(pending_.substr(0, newline)));
        pending_.erase(0, newline + 1);
        ++got;
      }
    }
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
};

// What every version of `symbol` lists, checked one by one: each append version holds exactly
// the rows of the version before it plus the rows it added (no version is partial).
void expect_complete_versions(Library& lib, const std::string& symbol, std::size_t newest) {
  std::vector<VersionInfo> versions = lib.list_versions(symbol, newest);
  for (const VersionInfo& info : versions) {
    ReadResult result = lib.read(symbol, {.as_of = AsOf::version(info.version)});
    EXPECT_EQ(result.table.num_rows(), info.rows) << "version " << info.version;
    if (info.kind == VersionKind::kAppend && info.version > 0) {
      VersionInfo before = lib.list_versions(symbol, 1, info.version).front();
      EXPECT_EQ(info.rows, before.rows + info.rows_added) << "version " << info.version;
    }
  }
}

// The row store_stress_writer appends as writer `writer`'s first (id writer * 1000000).
Table one_row(std::int64_t writer) {
  constexpr Timestamp kBase = 1'704'067'200'000'000'000;
  Table row(std::vector<Timestamp>{kBase + writer});
  row.add_column(Column::of_int64("id", {writer * 1'000'000}));
  row.add_column(Column::of_int64("writer", {writer}));
  return row;
}

std::size_t tickets_left(const std::string& uri, const std::string& prefix) {
  S3Config config = parse_s3_uri(uri);
  S3Client client(config.endpoint, config.credentials);
  return client.list_objects(prefix + "/~commit/").objects.size();
}

class S3Processes : public ::testing::TestWithParam<testing::ServerKind> {
 protected:
  testing::TestServer& server() { return testing::test_server(GetParam()); }
  bool conditional() const { return GetParam() == testing::ServerKind::kMoto; }
};

TEST_P(S3Processes, FourWritersAppendingAtOnceLoseAndDoubleNothing) {
  const std::string prefix = testing::unique_name("four");
  const std::string uri = server().uri("processes", prefix);
  constexpr int kWriters = 4;
  // moto (Python, in one process) answers a few times slower than s3rver, and a contended
  // conditional-mode append costs more requests: half the rows keep the test near a minute.
  const int kRows = conditional() ? 250 : 500;
  {
    std::vector<std::unique_ptr<Writer>> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.push_back(std::make_unique<Writer>(uri, w, kRows, false));
    }
    for (auto& w : writers) EXPECT_EQ(w->wait(), 0);
  }
  auto store = Store::open(uri);
  auto lib = store->existing_library("lib");
  const Table t = lib.read("fills").table;
  ASSERT_EQ(t.num_rows(), static_cast<std::size_t>(kWriters * kRows));
  EXPECT_TRUE(std::is_sorted(t.index().begin(), t.index().end()));
  std::set<std::int64_t> ids(t.int64s("id").begin(), t.int64s("id").end());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kWriters * kRows)) << "doubled rows";
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kRows; ++i) {
      ASSERT_TRUE(ids.contains(std::int64_t{w} * 1'000'000 + i))
          << "lost writer " << w << " row " << i;
    }
  }
  // Every append is its own version, numbered without gaps.
  std::size_t appends = 0;
  std::optional<std::uint64_t> before;
  std::uint64_t expected_next = lib.list_versions("fills", 1).front().version;
  for (;;) {
    std::vector<VersionInfo> page = lib.list_versions("fills", 500, before);
    if (page.empty()) break;
    for (const VersionInfo& v : page) {
      EXPECT_EQ(v.version, expected_next);
      expected_next = v.version - 1;
      if (v.kind == VersionKind::kAppend) ++appends;
    }
    before = page.back().version;
  }
  EXPECT_EQ(appends, static_cast<std::size_t>(kWriters * kRows));
  EXPECT_TRUE(lib.verify().ok());
  // Every writer let go of the commit lock when it finished (conditional writes take none).
  EXPECT_EQ(tickets_left(uri, prefix), 0u);
  auto storage = std::make_shared<S3Storage>(parse_s3_uri(uri));
  EXPECT_EQ(storage->protocol(), conditional() ? CommitProtocol::kChain : CommitProtocol::kLease);
}

TEST_P(S3Processes, KilledWritersLeaveNoPartialVersionAndLaterAppendsWork) {
  const std::string prefix = testing::unique_name("killed");
  // A short lease: a killed writer's ticket stops blocking the others after 4-6 s. A holder's
  // requests must finish within half of it (2 s here), which a loaded 2-core machine needs.
  // (Conditional writes take no lease; the option is then unused.)
  const std::string uri = server().uri("processes", prefix) + "&lock_lease=4";
  std::mt19937 rng(std::random_device{}());
  std::set<std::int64_t> acknowledged;
  for (int round = 0; round < 2; ++round) {
    std::vector<std::unique_ptr<Writer>> writers;
    for (int w = 0; w < 2; ++w) {
      writers.push_back(std::make_unique<Writer>(uri, round * 2 + w, 100000, true));
    }
    std::vector<std::int64_t> ids;
    writers[0]->read_ids(ids, 10 + rng() % 60);
    for (auto& w : writers) w->kill_now();
    for (auto& w : writers) {
      w->read_ids(ids, SIZE_MAX);  // what was acknowledged before the kill
      EXPECT_EQ(w->wait(), -SIGKILL);
    }
    acknowledged.insert(ids.begin(), ids.end());

    // The next writer's append, timed. With conditional writes there is no lease to wait out:
    // a killed writer's version is committed or not by its record alone, and the append
    // commits at once (< 1 s: issue #22's target, asserted; a delay here would be a stall, not
    // slowness). With the lease lock it waits for the dead writer's ticket to expire (4 s or
    // more here), which is printed for comparison.
    {
      auto store = Store::open(uri);
      auto lib = store->existing_library("lib");
      const S3Client& client = dynamic_cast<S3Storage&>(store->storage()).client();
      const S3RequestCounts before = client.counts();
      const auto start = std::chrono::steady_clock::now();
      lib.append("fills", one_row(200 + round), AppendMode::kAnyOrder);
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
      const S3RequestCounts after = client.counts();
      // The requests say where the time went: a handful and no retries is a slow server.
      std::printf(
          "[ figure ] %s, round %d: the next writer's append after the SIGKILLs took %lld ms "
          "(%llu requests, %llu retries)\n",
          testing::server_name(GetParam()).c_str(), round, static_cast<long long>(waited.count()),
          static_cast<unsigned long long>(after.total() - before.total()),
          static_cast<unsigned long long>(after.retries - before.retries));
      if (conditional()) {
        EXPECT_LT(waited, std::chrono::seconds(1)) << waited.count() << " ms";
      }
      acknowledged.insert(std::int64_t{200 + round} * 1'000'000);
    }

    // A later writer gets the lock (finishing a killed holder's commit first if one was
    // half-applied) and appends.
    Writer later(uri, 100 + round, 20, false);
    EXPECT_EQ(later.wait(), 0);
    for (int i = 0; i < 20; ++i) acknowledged.insert(std::int64_t{100 + round} * 1'000'000 + i);

    auto store = Store::open(uri);
    auto lib = store->existing_library("lib");
    const Table t = lib.read("fills").table;
    std::set<std::int64_t> stored(t.int64s("id").begin(), t.int64s("id").end());
    EXPECT_EQ(stored.size(), t.num_rows()) << "doubled rows";
    for (auto id : acknowledged) ASSERT_TRUE(stored.contains(id)) << "lost id " << id;
    EXPECT_TRUE(std::is_sorted(t.index().begin(), t.index().end()));
    expect_complete_versions(lib, "fills", 40);
    EXPECT_TRUE(lib.verify().ok());
  }
  EXPECT_GT(acknowledged.size(), 60u);
}

INSTANTIATE_TEST_SUITE_P(Servers, S3Processes,
                         ::testing::Values(testing::ServerKind::kS3rver,
                                           testing::ServerKind::kMoto),
                         [](const ::testing::TestParamInfo<testing::ServerKind>& info) {
                           return testing::server_name(info.param);
                         });

}  // namespace
}  // namespace tandem::store::s3
