// Secrets never shown (docs/s3.md, *Secrets*): a secret planted in the store URI — under
// tandem's, ArcticDB's and unknown option names, and before '@' — appears in no byte of what
// `tandem` prints or writes, on success (import, backtest with its "read the results" lines,
// run_info, report, gateway's banner) and on failure (each refused URI form, a server that is
// down, a failing backtest). The store is a real S3 server on loopback (npm s3rver, which does
// not check signatures, so any secret is accepted).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli_runner.h"
#include "store/s3/s3rver_process.h"

namespace tandem::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "PlantedSecret7f3a9c";

class Secrets : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& server = store::s3::testing::S3rverProcess::shared();
    bucket_ = store::s3::testing::unique_name("secrets");
    server.create_bucket(bucket_);
    port_ = std::to_string(server.port());
  }

  std::string endpoint() const { return "127.0.0.1:" + port_ + ":" + bucket_; }
  // The secret under tandem's name, with a session token that is the secret too.
  std::string secret_uri() const {
    return "s3://" + endpoint() + "?access_key=S3RVER&secret_key=" + kSecret +
           "&session_token=" + kSecret + "&path_prefix=run";
  }

  // Runs tandem and checks that neither stream holds the secret; returns the result.
  CliResult run(std::vector<std::string> args,
                std::map<std::string, std::optional<std::string>> env = {}) {
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    CliResult r = run_cli({std::move(args), std::move(env), dir_.path()});
    EXPECT_THAT(r.out, Not(HasSubstr(kSecret))) << "stdout of tandem" << shown;
    EXPECT_THAT(r.err, Not(HasSubstr(kSecret))) << "stderr of tandem" << shown;
    outputs_ += r.out + r.err;
    return r;
  }
  CliResult ok(std::vector<std::string> args) {
    CliResult r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r;
  }
  void fails(std::vector<std::string> args, const std::string& expected) {
    CliResult r = run(args);
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_THAT(r.err, HasSubstr(expected));
    EXPECT_THAT(r.err, HasSubstr("***")) << "the refused URI is shown, masked";
  }

  // Every file the runs left in the working directory (reports, spills, logs).
  void expect_no_file_holds_the_secret() {
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
      if (!entry.is_regular_file()) continue;
      ++files;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      EXPECT_THAT(text.str(), Not(HasSubstr(kSecret))) << entry.path();
    }
    EXPECT_GT(files, 0u);
  }

  TempDir dir_;
  std::string bucket_;
  std::string port_;
  std::string outputs_;
};

TEST_F(Secrets, ASucceedingRunShowsNoSecretAnywhere) {
  const std::string uri = secret_uri();
  ok({"--store", uri, "data", "sample", "--years", "1", "--symbols", "SPY"});
  CliResult backtest =
      ok({"--store", uri, "backtest", "--strategy", "sma_cross:SPY", "--weight", "SPY=1"});
  // "read the results" repeats --store, masked, with everything else as given.
  EXPECT_THAT(backtest.out, HasSubstr("tandem --store 's3://" + endpoint() +
                                      "?access_key=S3RVER&secret_key=***&session_token=***&"
                                      "path_prefix=run' store read BT_"));
  std::smatch account;
  ASSERT_TRUE(std::regex_search(backtest.out, account, std::regex("account +(BT_[0-9_]+)")));
  // run_info (its command and every recorded cell) and the report, read back.
  CliResult info = ok({"--store", uri, "store", "read", account[1].str(), "run_info"});
  EXPECT_THAT(info.out, HasSubstr("sma_cross"));
  ok({"--store", uri, "report", account[1].str(), "--out", (dir_.path() / "r.html").string()});
  ok({"--store", uri, "report", account[1].str(), "--format", "json", "--out",
      (dir_.path() / "r.json").string()});
  // The secret also reaches tandem through $TANDEM_STORE.
  CliResult from_env = run({"store", "libraries"}, {{"TANDEM_STORE", uri}});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_THAT(from_env.out, HasSubstr(account[1].str()));

  // The gateway's first stdout line names its data store; it runs until SIGINT.
  const fs::path gateway_out = dir_.path() / "gateway.out";
  const std::string command = "timeout -s INT 8 '" + tandem_exe() + "' gateway --port 0 --data '" +
                              uri + "' >'" + gateway_out.string() + "' 2>'" +
                              (dir_.path() / "gateway.err").string() + "'";
  std::system(command.c_str());
  std::ifstream in(gateway_out);
  std::string banner;
  std::getline(in, banner);
  EXPECT_THAT(banner, HasSubstr("tandem gateway listening on"));
  EXPECT_THAT(banner, HasSubstr("secret_key=***"));
  expect_no_file_holds_the_secret();
  EXPECT_THAT(outputs_, HasSubstr("***"));
}

TEST_F(Secrets, AFailingRunShowsNoSecretAnywhere) {
  const std::string at = "s3://S3RVER:" + std::string(kSecret) + "@" + endpoint();
  fails({"--store", at, "store", "libraries"}, "not before '@'");
  fails({"--store", "s3://" + endpoint() + "?access=a&secret=" + kSecret + "&bogus=1", "store",
         "libraries"},
        "unknown option \"bogus\"");
  fails({"--store", "s3://" + endpoint() + "?access_key=a&SECRET_KEY=" + kSecret, "store",
         "libraries"},
        "unknown option \"SECRET_KEY\"");
  fails({"--store", "s3://" + endpoint() + "?" + kSecret, "store", "libraries"}, "has no '='");
  // A server that is not there: the connection error names the store.
  fails({"--store", "s3://127.0.0.1:1:" + bucket_ + "?retries=0&access=a&secret=" + kSecret,
         "store", "libraries"},
        "127.0.0.1:1");
  // A backtest that fails on a good store, the URI from the environment.
  CliResult backtest =
      run({"backtest", "--strategy", "sma_cross:NOPE"}, {{"TANDEM_STORE", secret_uri()}});
  EXPECT_NE(backtest.exit_code, 0);
  EXPECT_THAT(backtest.err, HasSubstr("secret_key=***"));
  // A usage error that echoes the option value.
  CliResult usage = run({"--store", secret_uri(), "store", "read"});
  EXPECT_NE(usage.exit_code, 0);
  // A usage error quoting a stray argument.
  CliResult stray = run({"store", "libraries", secret_uri()});
  EXPECT_NE(stray.exit_code, 0);
  EXPECT_THAT(stray.err, HasSubstr("secret_key=***"));
  // The gateway refusing its --data URI.
  CliResult gateway = run({"gateway", "--port", "0", "--data", at});
  EXPECT_NE(gateway.exit_code, 0);
  EXPECT_THAT(gateway.err, HasSubstr("s3://***@"));
  std::ofstream(dir_.path() / "marker") << "the working directory";
  expect_no_file_holds_the_secret();
}

}  // namespace
}  // namespace tandem::e2e
