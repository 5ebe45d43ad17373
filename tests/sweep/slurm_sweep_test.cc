// A sweep as a real Slurm array job (scripts/slurm-local: slurmctld + slurmd + munge on this
// host) over the test S3 server: 4 array tasks run deploy/slurm/tandem-sweep.sbatch (the script
// docs/scale-out.md shows), one is cancelled with scancel while it runs and submitted again, and
// the sweep library then holds every run exactly once with the metrics of a one-process sweep.
//
// Needs root (the Slurm daemons switch users); skipped with the reason otherwise. Skipped in the
// ASan build too: the sweep's processes there run several times slower and the test would only
// repeat the release build's check at a multiple of its minute.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "store/s3/s3rver_process.h"
#include "store/store.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"

namespace tandem::sweep {
namespace {

namespace fs = std::filesystem;
using store::s3::testing::S3rverProcess;
using store::s3::testing::source_dir;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

struct Output {
  int status = 0;
  std::string text;
};

// Runs `command` with /bin/sh, stdout and stderr together.
Output run(const std::string& command) {
  Output out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed: " + command};
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    out.text.append(buffer.data(), n);
  out.status = ::pclose(pipe);
  return out;
}

std::string quote(const std::string& text) { return "'" + text + "'"; }

// The same sweep for the single process and the array tasks: 5 symbols x 10 years of bars and a
// grid of ~16,800 combinations, seconds of work per task — long enough to be seen part-way and
// cancelled. Rows are recorded every 0.1 s (--record-every): at the default second, a quiet
// machine's task could pass half its runs before its first commit. (With ~5,600 combinations a
// task of the faster sweep finished between two looks at its progress.)
const std::string kSweepFlags =
    "--strategy sma_cross --symbols SPY,QQQ,TLT,GLD,TQQQ --grid fast=2:61:1 --grid "
    "slow=10:400:4 --grid size=0.5,0.75,0.95 --where 'fast<slow' --record-every 0.1";

class SlurmSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "not root: the Slurm daemons must be started as root";
    if (kSanitized) {
      GTEST_SKIP() << "ASan build: the release build runs this test; here it would take minutes";
    }
    slurm_local_ = source_dir() + "/scripts/slurm-local";
    const Output started = run(slurm_local_ + " start");
    ASSERT_EQ(started.status, 0) << started.text;
    ::setenv("SLURM_CONF", "/tmp/tandem-slurm/slurm.conf", 1);
    if (const char* dir = std::getenv("TANDEM_SLURM_DIR")) {
      ::setenv("SLURM_CONF", (std::string(dir) + "/slurm.conf").c_str(), 1);
    }
    S3rverProcess& server = S3rverProcess::shared();
    bucket_ = "sweep-slurm-" + std::to_string(::getpid());
    server.create_bucket(bucket_);
    uri_ = server.uri(bucket_);
    work_ = fs::temp_directory_path() / ("tandem-slurm-test-" + std::to_string(::getpid()));
    fs::create_directories(work_);
    tandem_ = TANDEM_CLI;
    const Output sample = run(tandem_ + " --store " + quote(uri_) + " data sample");
    ASSERT_EQ(sample.status, 0) << sample.text;
  }

  void TearDown() override {
    if (!work_.empty()) fs::remove_all(work_);
  }

  // Submits tasks `array` of the batch script; returns the job id.
  std::string submit(const std::string& array) {
    const std::string command =
        "cd " + quote(work_.string()) + " && TANDEM=" + quote(tandem_) +
        " TANDEM_STORE=" + quote(uri_) +
        " SWEEP_ID=slurm SWEEP_SHARDS=4 sbatch --parsable --array=" + array + " " +
        quote(source_dir() + "/deploy/slurm/tandem-sweep.sbatch") + " " + kSweepFlags;
    const Output out = run(command);
    EXPECT_EQ(out.status, 0) << out.text;
    std::string id = out.text.substr(0, out.text.find_first_of(";\n"));
    return id;
  }

  // Array tasks of `job` still queued or running.
  std::size_t tasks_left(const std::string& job) {
    const Output out = run("squeue -h -r -j " + job + " -o %i");
    if (out.status != 0) return 0;  // the job is gone from the controller
    std::size_t n = 0;
    for (char c : out.text) n += c == '\n';
    return n;
  }

  void wait_for(const std::string& job) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(4);
    while (tasks_left(job) > 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "job " << job << " still queued";
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }

  std::string slurm_local_, bucket_, uri_, tandem_;
  fs::path work_;
};

TEST_F(SlurmSweep, ArrayTasksCoverTheGridOnceEvenWhenOneIsCancelledAndResubmitted) {
  // The reference: one process, the same flags.
  const Output reference =
      run(tandem_ + " --store " + quote(uri_) + " sweep --sweep-id single --jobs 2 " + kSweepFlags);
  ASSERT_EQ(reference.status, 0) << reference.text;

  const std::string job = submit("0-3");
  // Cancel task 1 once it has recorded some of its runs but not all.
  const std::regex shard1(R"(shard 1/4: (\d+) / (\d+))");
  bool cancelled_mid_run = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (!cancelled_mid_run && std::chrono::steady_clock::now() < deadline) {
    const Output status = run(tandem_ + " --store " + quote(uri_) + " sweep status slurm");
    std::smatch m;
    if (status.status == 0 && std::regex_search(status.text, m, shard1)) {
      const int done = std::stoi(m[1]), total = std::stoi(m[2]);
      if (done == total) break;  // too late: it finished first
      // Early (less than half done), so the kill lands well before the task's end.
      if (done > 0 && 2 * done < total) {
        const Output cancel = run("scancel " + job + "_1");
        ASSERT_EQ(cancel.status, 0) << cancel.text;
        cancelled_mid_run = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(cancelled_mid_run) << "task 1 was never seen part-way through its runs";
  wait_for(job);
  const Output after_cancel = run(tandem_ + " --store " + quote(uri_) + " sweep status slurm");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(after_cancel.text, m, shard1)) << after_cancel.text;
  if (std::stoi(m[1]) == std::stoi(m[2])) {
    // scancel's SIGTERM can still meet a task that is about to finish on a loaded machine; the
    // resubmission below then only has nothing left to do.
    std::cout << "note: the cancelled task had recorded all its runs before it ended\n";
  }

  const std::string again = submit("1");
  wait_for(again);
  const Output done = run(tandem_ + " --store " + quote(uri_) + " sweep status slurm");
  EXPECT_NE(done.text.find("shard 1/4: "), std::string::npos) << done.text;

  // Every run exactly once, with the single process's metrics.
  auto store = store::Store::open(uri_);
  const RecordedRuns sharded = read_recorded(store->existing_library(sweep_library("slurm")));
  const RecordedRuns single = read_recorded(store->existing_library(sweep_library("single")));
  ASSERT_GT(single.table.num_rows(), 100u);
  ASSERT_EQ(sharded.table.num_rows(), single.table.num_rows())
      << "a run is missing or recorded twice";
  EXPECT_EQ(sharded.runs.size(), sharded.table.num_rows());
  std::map<std::int64_t, RunRow> expected;
  for (std::size_t i = 0; i < single.table.num_rows(); ++i) {
    RunRow row = row_at(single.table, i);
    expected.emplace(row.run, row);
  }
  std::set<std::int64_t> shards_seen;
  for (std::size_t i = 0; i < sharded.table.num_rows(); ++i) {
    const RunRow row = row_at(sharded.table, i);
    EXPECT_EQ(row.metrics, expected.at(row.run).metrics) << "run " << row.run;
    EXPECT_EQ(row.shard_index, row.run % 4);
    shards_seen.insert(row.shard_index);
  }
  EXPECT_EQ(shards_seen.size(), 4u);
}

}  // namespace
}  // namespace tandem::sweep
