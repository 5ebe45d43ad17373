#include "store/s3/s3rver_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "store/s3/s3_client.h"

namespace tandem::store::s3::testing {
namespace {

std::string source_dir() {
  const char* dir = std::getenv("TANDEM_SOURCE_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
#ifdef TANDEM_SOURCE_DIR_FALLBACK
  return TANDEM_SOURCE_DIR_FALLBACK;
#else
  throw std::runtime_error("TANDEM_SOURCE_DIR is not set (run the tests through ctest)");
#endif
}

S3Endpoint local_endpoint(int port, const std::string& bucket) {
  S3Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  endpoint.bucket = bucket;
  return endpoint;
}

}  // namespace

S3rverProcess& S3rverProcess::shared() {
  static std::mutex mutex;
  static std::unique_ptr<S3rverProcess> server;
  std::lock_guard lock(mutex);
  if (!server) server = std::make_unique<S3rverProcess>();
  return *server;
}

S3rverProcess::S3rverProcess() {
  std::string script = source_dir() + "/scripts/s3rver-start.js";
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
    throw std::runtime_error("s3rver: pipe() failed");
  }
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("s3rver: fork() failed");
  if (pid_ == 0) {
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
    ::execlp("node", "node", "--openssl-legacy-provider", script.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  stdin_fd_ = to_child[1];
  std::string line;
  char c;
  pollfd readable{from_child[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos) {
    if (::poll(&readable, 1, 20'000) <= 0 || ::read(from_child[0], &c, 1) != 1) {
      ::close(from_child[0]);
      throw std::runtime_error(
          "s3rver did not start: `node " + script +
          "` printed no port (is node installed, and did `npm ci` run in tests/e2e?)");
    }
    line.push_back(c);
  }
  ::close(from_child[0]);
  port_ = std::stoi(line);
}

S3rverProcess::~S3rverProcess() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void S3rverProcess::create_bucket(const std::string& bucket) {
  S3Client client(local_endpoint(port_, bucket), {"S3RVER", "S3RVER", "", "test"});
  if (!client.bucket_exists()) client.create_bucket();
}

std::string S3rverProcess::uri(const std::string& bucket, const std::string& path_prefix) {
  create_bucket(bucket);
  std::string uri = "s3://127.0.0.1:" + std::to_string(port_) + ":" + bucket +
                    "?access_key=S3RVER&secret_key=S3RVER";
  if (!path_prefix.empty()) uri += "&path_prefix=" + path_prefix;
  return uri;
}

std::string unique_name(const std::string& stem) {
  static std::atomic<int> counter{0};
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace tandem::store::s3::testing
