// The real S3-compatible server the S3 tests run against: npm s3rver (pinned in
// tests/e2e/package.json), started by scripts/s3rver-start.js on a free loopback port with a
// temporary data directory. One server per test binary: under ctest, scripts/test-servers starts
// both servers once as the binary's fixture (tandem_test's TEST_SERVERS) and every test process
// adopts them; run by hand, a test process starts its own on first use and stops it at exit (if
// the test process dies, the server sees its stdin close and exits too). Tests never share a
// bucket-and-prefix: every name comes from unique_name().
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace tandem::store::s3::testing {

// What the S3 tests need of a test server.
class TestServer {
 public:
  virtual ~TestServer() = default;
  virtual int port() const = 0;
  // An s3:// URI of a store in `bucket` (created if missing) under path_prefix.
  virtual std::string uri(const std::string& bucket, const std::string& path_prefix = {}) = 0;
};

// The two servers every S3 test runs against: s3rver ignores conditional writes, so stores
// there commit by the lease lock; moto enforces them, so stores there (opened with
// conditional_writes=on) commit by compare-and-swap (docs/s3.md, *Two commit protocols*).
enum class ServerKind { kS3rver, kMoto };
TestServer& test_server(ServerKind kind);
std::string server_name(ServerKind kind);  // "s3rver", "moto": for test names

// The port of the server of this kind that scripts/test-servers started for this test binary
// (DIR = this executable's path + ".test-servers"), if it is still running; nullopt otherwise.
std::optional<int> fixture_server_port(ServerKind kind);

// A started server process: it prints its port on stdout and exits when stdin closes.
struct LaunchedServer {
  pid_t pid = -1;
  int stdin_fd = -1;
  int port = 0;
};
LaunchedServer launch_test_server(const std::vector<std::string>& command,
                                  const std::string& missing_hint);

class S3rverProcess : public TestServer {
 public:
  // The process-wide server (started on first call). Fails the calling test with a message
  // naming what is missing when node or s3rver is not installed.
  static S3rverProcess& shared();

  S3rverProcess();
  ~S3rverProcess() override;
  S3rverProcess(const S3rverProcess&) = delete;
  S3rverProcess& operator=(const S3rverProcess&) = delete;

  int port() const override { return port_; }
  // s3://127.0.0.1:PORT:BUCKET?access_key=S3RVER&secret_key=S3RVER[&path_prefix=P]; the bucket
  // is created if missing.
  std::string uri(const std::string& bucket, const std::string& path_prefix = {}) override;
  void create_bucket(const std::string& bucket);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;  // closing it tells the server to exit
  int port_ = 0;
};

// moto's standalone S3 server, started by scripts/moto-start (which finds a Python that has
// moto) on a free loopback port; one per test binary, like S3rverProcess. It accepts any
// credentials and keeps everything in memory.
class MotoProcess : public TestServer {
 public:
  static constexpr const char* kMotoKey = "testing";
  static MotoProcess& shared();

  MotoProcess();
  ~MotoProcess() override;
  MotoProcess(const MotoProcess&) = delete;
  MotoProcess& operator=(const MotoProcess&) = delete;

  int port() const override { return port_; }
  // s3://127.0.0.1:PORT:BUCKET?access_key=testing&secret_key=testing&conditional_writes=on
  // [&path_prefix=P]; the bucket is created if missing.
  std::string uri(const std::string& bucket, const std::string& path_prefix = {}) override;
  void create_bucket(const std::string& bucket);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
};

// The source tree (TANDEM_SOURCE_DIR, else the build's fallback), for scripts.
std::string source_dir();

// A fresh name for a bucket or prefix, unique across the processes that share a server
// ("<stem>-<pid>-<8 random hex>-<counter>").
std::string unique_name(const std::string& stem);

}  // namespace tandem::store::s3::testing
