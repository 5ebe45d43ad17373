// The real S3-compatible server the S3 tests run against: npm s3rver (pinned in
// tests/e2e/package.json), started by scripts/s3rver-start.js on a free loopback port with a
// temporary data directory. One server per test process, started on first use and stopped at
// exit; if the test process dies, the server sees its stdin close and exits too.
#pragma once

#include <sys/types.h>

#include <string>

namespace tandem::store::s3::testing {

class S3rverProcess {
 public:
  // The process-wide server (started on first call). Fails the calling test with a message
  // naming what is missing when node or s3rver is not installed.
  static S3rverProcess& shared();

  S3rverProcess();
  ~S3rverProcess();
  S3rverProcess(const S3rverProcess&) = delete;
  S3rverProcess& operator=(const S3rverProcess&) = delete;

  int port() const { return port_; }
  // s3://127.0.0.1:PORT:BUCKET?access_key=S3RVER&secret_key=S3RVER[&path_prefix=P]; the bucket
  // is created if missing.
  std::string uri(const std::string& bucket, const std::string& path_prefix = {});
  void create_bucket(const std::string& bucket);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;  // closing it tells the server to exit
  int port_ = 0;
};

// A fresh, process-unique name for a bucket or prefix ("t-<pid>-<counter>").
std::string unique_name(const std::string& stem);

}  // namespace tandem::store::s3::testing
