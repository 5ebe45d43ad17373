// The built `tandem` against a store on a file system that is full (issue 21): a small tmpfs,
// or an ext4 image on a loop device where tmpfs cannot be mounted. Both need root (CAP_SYS_ADMIN);
// without either the tests are skipped and say why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "cli_runner.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kSigbusExit = 128 + 7;

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_point_ = dir_.path() / "disk";
    std::filesystem::create_directories(mount_point_);
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=4m") == 0) {
      mounted_ = true;
      return;
    }
    const std::string tmpfs_error = std::strerror(errno);
    const std::string image = (dir_.path() / "disk.img").string();
    const std::string loop = "truncate -s 8M " + image + " && mkfs.ext4 -q -F " + image +
                             " >/dev/null 2>&1 && mount -o loop " + image + " " +
                             mount_point_.string() + " >/dev/null 2>&1";
    if (std::system(loop.c_str()) == 0) {
      mounted_ = true;
      return;
    }
    GTEST_SKIP() << "cannot make a small file system to fill: mount tmpfs failed (" << tmpfs_error
                 << ") and so did a loop-mounted ext4 image";
  }
  void TearDown() override {
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
  }

  // Writes a file until the file system refuses more; leaves `keep` bytes unwritten when it can
  // (0: fills it to the last block).
  void fill(std::size_t keep = 0) {
    const std::string path = (mount_point_ / "filler").string();
    std::FILE* f = std::fopen(path.c_str(), "ab");
    ASSERT_NE(f, nullptr);
    std::setvbuf(f, nullptr, _IONBF, 0);
    const std::string block(4096, 'x');
    std::size_t written = 0;
    while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) written += block.size();
    std::fclose(f);
    ASSERT_GT(written, 0u);
    if (keep > 0) std::filesystem::resize_file(path, written > keep ? written - keep : 0);
  }

  std::string store_uri(const std::string& name) const {
    return "lmdb://" + (mount_point_ / name).string();
  }
  CliResult tandem(const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store_uri(name)});
    return run_cli({std::move(args), {{"TANDEM_STORE", std::nullopt}}, dir_.path()});
  }
  // A CSV outside the full file system: `rows` rows a second apart, two data columns.
  std::string csv(const std::string& name, int rows) {
    const auto path = dir_.path() / name;
    std::ofstream out(path);
    out << "timestamp,value,note\n";
    for (int i = 0; i < rows; ++i) {
      out << 1'700'000'000'000'000'000 + std::int64_t{i} * 1'000'000'000 << "," << i * 1.5 << ",row"
          << i * 7919 << "\n";
    }
    return path.string();
  }

  TempDir dir_;
  std::filesystem::path mount_point_;
  bool mounted_ = false;
};

TEST_F(FullDisk, ReadOnlyCommandOnAFullDiskNeitherCrashesNorCreatesAStore) {
  fill();
  CliResult r = tandem("x", {"store", "libraries"});
  EXPECT_NE(r.exit_code, kSigbusExit) << "Bus error";
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("there is no store at"));
  EXPECT_FALSE(std::filesystem::exists(mount_point_ / "x"));
}

TEST_F(FullDisk, WriteToANewStoreOnAFullDiskSaysNoSpaceAndDoesNotCrash) {
  const std::string data = csv("v.csv", 10);
  fill();
  CliResult r = tandem("x", {"store", "write", "newlib", "m", "--csv", data});
  EXPECT_NE(r.exit_code, kSigbusExit) << "Bus error";
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no space left on device"));
}

TEST_F(FullDisk, AFullDiskIsNamedFromTheFirstFailureAndWhatWasStoredStillReads) {
  CliResult first = tandem("x", {"store", "write", "lib", "small", "--csv", csv("small.csv", 5)});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  fill(64 * 1024);  // room for a small commit, not for a large one
  CliResult big = tandem("x", {"store", "write", "lib", "big", "--csv", csv("big.csv", 200'000)});
  EXPECT_NE(big.exit_code, kSigbusExit) << "Bus error";
  EXPECT_EQ(big.exit_code, 8);
  EXPECT_THAT(big.err, HasSubstr("no space left on device"));
  EXPECT_THAT(big.err, Not(HasSubstr("Input/output error")));
  CliResult read = tandem("x", {"store", "read", "lib", "small", "--format", "csv"});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_THAT(read.out, HasSubstr("row31676"));  // the fifth row
  CliResult libraries = tandem("x", {"store", "symbols", "lib"});
  EXPECT_EQ(libraries.exit_code, 0) << libraries.err;
  EXPECT_THAT(libraries.out, Not(HasSubstr("big")));
}

TEST(ReadOnlyCommands, APathWithoutAStoreIsNotFoundAndNothingIsCreated) {
  TempDir dir;
  const auto missing = dir.path() / "nothing-here";
  for (std::vector<std::string> args : {std::vector<std::string>{"store", "libraries"},
                                        {"store", "verify"},
                                        {"store", "read", "lib", "sym"},
                                        {"report", "BT_20240101_000000"}}) {
    args.insert(args.begin(), {"--store", "lmdb://" + missing.string()});
    CliResult r = run_cli({args, {{"TANDEM_STORE", std::nullopt}}, dir.path()});
    EXPECT_EQ(r.exit_code, 5) << args[2] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("there is no store at"));
    EXPECT_FALSE(std::filesystem::exists(missing)) << args[2] << " created the store";
  }
}

}  // namespace
}  // namespace tandem::e2e
