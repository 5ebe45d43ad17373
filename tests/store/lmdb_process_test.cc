// LMDB across processes: concurrent appenders, SIGKILL in the middle of appends, pruning while
// others append, and map growth.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "backends.h"
#include "core/error.h"
#include "store/lmdb/lmdb_storage.h"
#include "store/store.h"
#include "store/testing.h"

extern char** environ;

namespace tandem::store::test {
namespace {

std::string writer_path() {
  const char* bin = std::getenv("TANDEM_BIN");
  return std::string(bin != nullptr ? bin : ".") + "/store_stress_writer";
}

// A running store_stress_writer; stdout is readable through a pipe when `capture` is set.
class Writer {
 public:
  Writer(const std::string& uri, const std::string& symbol, int id, int count, bool capture) {
    std::vector<std::string> args = {writer_path(),        uri, "lib", symbol, std::to_string(id),
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
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
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
  // Exit status (or -signal).
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  void kill_now() { kill(pid_, SIGKILL); }
  // Reads complete lines available until EOF or until `max_lines` were read.
  std::size_t read_ids(std::vector<std::int64_t>& ids, std::size_t max_lines) {
    std::size_t got = 0;
    char buf[4096];
    while (got < max_lines) {
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      pending_.append(buf, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = pending_.find('\n')) != std::string::npos) {
        ids.push_back(std::stoll(pending_.substr(0, nl)));
        pending_.erase(0, nl + 1);
        ++got;
      }
    }
    return got;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
};

TEST(LmdbProcesses, FourWritersInterleavingLoseNoRowAndReadInIndexOrder) {
  TempDir dir;
  // A tiny initial map: the writers must grow it while racing each other.
  const std::string uri = "lmdb://" + dir.path().string() + "?map_size=65536&sync=0";
  constexpr int kWriters = 4;
  constexpr int kRows = 2500;
  {
    std::vector<std::unique_ptr<Writer>> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.push_back(std::make_unique<Writer>(uri, "fills", w, kRows, false));
    }
    for (auto& w : writers) EXPECT_EQ(w->wait(), 0);
  }
  auto store = Store::open(uri);
  auto lib = store->existing_library("lib");
  const Table t = lib.read("fills").table;
  ASSERT_EQ(t.num_rows(), static_cast<std::size_t>(kWriters * kRows));
  EXPECT_TRUE(std::is_sorted(t.index().begin(), t.index().end()));
  std::set<std::int64_t> ids(t.int64s("id").begin(), t.int64s("id").end());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kWriters * kRows));
  // Each writer's rows appear in its own order.
  std::vector<std::int64_t> last(kWriters, -1);
  for (std::size_t i = 0; i < t.num_rows(); ++i) {
    const auto w = t.int64s("writer")[i];
    EXPECT_GT(t.int64s("id")[i], last[w]);
    last[w] = t.int64s("id")[i];
  }
  EXPECT_GT(lmdb_map_size(store->storage()), 65536u);
  EXPECT_TRUE(lib.verify().ok());
  // Automatic compaction kept the latest version small.
  EXPECT_LT(lib.stats("fills").segments, 200u);
}

TEST(LmdbProcesses, SigkillDuringAppendsKeepsEveryReturnedAppend) {
  TempDir dir;
  const std::string uri = "lmdb://" + dir.path().string() + "?map_size=1MiB&sync=0";
  std::mt19937 rng(std::random_device{}());
  std::set<std::int64_t> acknowledged;
  for (int round = 0; round < 4; ++round) {
    std::vector<std::unique_ptr<Writer>> writers;
    for (int w = 0; w < 2; ++w) {
      writers.push_back(std::make_unique<Writer>(uri, "fills", round * 2 + w, 100000, true));
    }
    std::vector<std::int64_t> ids;
    writers[0]->read_ids(ids, 20 + rng() % 300);
    for (auto& w : writers) w->kill_now();
    for (auto& w : writers) {
      w->read_ids(ids, SIZE_MAX);  // what was acknowledged before the kill
      EXPECT_EQ(w->wait(), -SIGKILL);
    }
    acknowledged.insert(ids.begin(), ids.end());
    auto store = Store::open(uri);
    auto lib = store->existing_library("lib");
    const Table t = lib.read("fills").table;
    std::set<std::int64_t> stored(t.int64s("id").begin(), t.int64s("id").end());
    EXPECT_EQ(stored.size(), t.num_rows()) << "duplicated rows";
    for (auto id : acknowledged) ASSERT_TRUE(stored.contains(id)) << "lost id " << id;
    EXPECT_TRUE(std::is_sorted(t.index().begin(), t.index().end()));
    EXPECT_TRUE(lib.verify().ok());
  }
  EXPECT_GT(acknowledged.size(), 80u);
}

TEST(LmdbProcesses, PruningWhileOthersAppendNeverLosesReferencedData) {
  TempDir dir;
  const std::string uri = "lmdb://" + dir.path().string() + "?sync=0";
  auto store = Store::open(uri);
  auto lib = store->library("lib");
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < 2; ++w) {
    writers.push_back(std::make_unique<Writer>(uri, "fills", w, 800, false));
  }
  std::size_t last_rows = 0;
  for (int prunes = 0; prunes < 80; ++prunes) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!lib.has_symbol("fills")) continue;
    lib.prune_previous_versions("fills");
    // Every read sees a complete version: rows only grow, and each writer's rows form a prefix
    // of what it appended (its appends are sequential), so nothing in between was lost.
    const Table t = lib.read("fills").table;
    EXPECT_TRUE(std::is_sorted(t.index().begin(), t.index().end()));
    EXPECT_GE(t.num_rows(), last_rows);
    last_rows = t.num_rows();
    std::vector<std::int64_t> next(2, 0);
    for (std::size_t i = 0; i < t.num_rows(); ++i) {
      const auto w = t.int64s("writer")[i];
      ASSERT_EQ(t.int64s("id")[i], w * 1'000'000 + next[w]) << "a row is missing";
      ++next[w];
    }
  }
  for (auto& w : writers) EXPECT_EQ(w->wait(), 0);
  lib.prune_previous_versions("fills");
  EXPECT_EQ(lib.read("fills").table.num_rows(), 1600u);
  EXPECT_TRUE(lib.verify().ok());
  const auto stored = testing::stored_segment_keys(*store, "lib", "fills");
  auto latest = testing::latest_segment_keys(*store, "lib", "fills");
  std::sort(latest.begin(), latest.end());
  EXPECT_EQ(stored, latest);  // nothing unreferenced is left behind
}

TEST(LmdbMap, GrowsTransparentlyFromATinyMap) {
  TempDir dir;
  StoreOptions options;
  options.lmdb_map_size = 32768;
  options.lmdb_sync = false;
  options.compression = Compression::kNone;  // make the data really take space
  auto store = Store::open("lmdb://" + dir.path().string(), options);
  auto lib = store->library("lib");
  const std::size_t initial = lmdb_map_size(store->storage());
  std::vector<Timestamp> ts(200'000);
  std::vector<double> x(ts.size());
  for (std::size_t i = 0; i < ts.size(); ++i) {
    ts[i] = static_cast<Timestamp>(i);
    x[i] = static_cast<double>(i) * 0.5;
  }
  Table big(ts);
  big.add_column(Column::of_float64("x", x));
  lib.write("big", big);  // ~3.2 MB in one commit
  for (int i = 0; i < 50; ++i) {
    Table row(std::vector<Timestamp>{static_cast<Timestamp>(ts.size() + i)});
    row.add_column(Column::of_float64("x", {1.0}));
    lib.append("big", row);
  }
  EXPECT_GT(lmdb_map_size(store->storage()), initial);
  EXPECT_EQ(lib.read("big").table.num_rows(), ts.size() + 50);
  EXPECT_EQ(lib.read("big", {.end = static_cast<Timestamp>(ts.size() - 1)}).table, big);
  // Another open of the same directory in this process shares the environment.
  auto again = Store::open("lmdb://" + dir.path().string());
  EXPECT_EQ(again->existing_library("lib").read("big").table.num_rows(), ts.size() + 50);
}

TEST(LmdbMap, OpeningAFileInsteadOfADirectoryIsAClearError) {
  TempDir dir;
  const auto file = dir.path() / "plain";
  FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  try {
    Store::open("lmdb://" + file.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lmdb://" + file.string()), std::string::npos);
  }
}

}  // namespace
}  // namespace tandem::store::test
