// Levelled logs: the level filters, the file rotates by size, lines carry UTC time, level and
// concern, and a dropped error is logged at warn with its kind.
#include "core/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace tandem::log {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tandem-log-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    configure({});  // back to stderr only, releasing the file
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(LogTest, TheLevelFiltersAndLinesCarryUtcTimeLevelAndConcern) {
  const fs::path file = dir_ / "tandem.log";
  configure({.level = parse_level("warn"), .file = file.string()});
  logger("store").info("not shown");
  logger("s3").warn("shown {}", 1);
  logger("live").error("also shown");
  logger("store").flush();
  const std::string text = read(file);
  EXPECT_EQ(text.find("not shown"), std::string::npos) << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warning s3: shown 1\n)")))
      << text;
  EXPECT_NE(text.find("error live: also shown"), std::string::npos) << text;

  configure({.level = parse_level("debug"), .file = file.string()});
  logger("ib").debug("now shown");
  logger("ib").flush();
  EXPECT_NE(read(file).find("debug ib: now shown"), std::string::npos);
}

TEST_F(LogTest, TheFileRotatesBySizeKeepingTheConfiguredNumber) {
  const fs::path file = dir_ / "tandem.log";
  configure({.level = parse_level("info"),
             .file = file.string(),
             .max_file_bytes = 4096,
             .max_files = 2});
  for (int i = 0; i < 400; ++i) logger("gateway").info("line {:04} {}", i, std::string(40, 'x'));
  logger("gateway").flush();
  EXPECT_TRUE(fs::exists(file));
  EXPECT_TRUE(fs::exists(dir_ / "tandem.1.log"));
  EXPECT_TRUE(fs::exists(dir_ / "tandem.2.log"));
  EXPECT_FALSE(fs::exists(dir_ / "tandem.3.log"));
  EXPECT_LE(fs::file_size(file), 4096u);
  EXPECT_NE(read(file).find("line 0399"), std::string::npos);  // the newest is in FILE
}

TEST_F(LogTest, ADroppedErrorIsAWarningWithItsKind) {
  const fs::path file = dir_ / "tandem.log";
  configure({.level = parse_level("info"), .file = file.string()});
  dropped("store", "automatic compaction of lib/sym",
          Error(ErrorKind::Conflict, "the head moved", "lib/sym"));
  logger("store").flush();
  EXPECT_NE(read(file).find("warning store: automatic compaction of lib/sym failed (conflict), "
                            "ignored: lib/sym: the head moved"),
            std::string::npos)
      << read(file);
}

TEST_F(LogTest, AnUnknownLevelOrConcernIsRefused) {
  EXPECT_THROW(parse_level("verbose"), Error);
  EXPECT_THROW(logger("nope"), Error);
}

}  // namespace
}  // namespace tandem::log
