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
#include <vector>

#include "store/s3/s3_client.h"

namespace tandem::store::s3::testing {
namespace {

S3Endpoint local_endpoint(int port, const std::string& bucket) {
  S3Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  endpoint.bucket = bucket;
  return endpoint;
}

}  // namespace

std::string source_dir() {
  const char* dir = std::getenv("TANDEM_SOURCE_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
#ifdef TANDEM_SOURCE_DIR_FALLBACK
  return TANDEM_SOURCE_DIR_FALLBACK;
#else
  throw std::runtime_error("TANDEM_SOURCE_DIR is not set (run the tests through ctest)");
#endif
}

S3rverProcess& S3rverProcess::shared() {
  static std::mutex mutex;
  static std::unique_ptr<S3rverProcess> server;
  std::lock_guard lock(mutex);
  if (!server) server = std::make_unique<S3rverProcess>();
  return *server;
}

LaunchedServer launch_test_server(const std::vector<std::string>& command,
                                  const std::string& missing_hint) {
  LaunchedServer server;
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
    throw std::runtime_error(command[0] + ": pipe() failed");
  }
  std::vector<char*> argv;
  for (const std::string& part : command) argv.push_back(const_cast<char*>(part.c_str()));
  argv.push_back(nullptr);
  server.pid = ::fork();
  if (server.pid < 0) throw std::runtime_error(command[0] + ": fork() failed");
  if (server.pid == 0) {
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  server.stdin_fd = to_child[1];
  std::string line;
  char c;
  pollfd readable{from_child[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos) {
    if (::poll(&readable, 1, 20'000) <= 0 || ::read(from_child[0], &c, 1) != 1) {
      ::close(from_child[0]);
      std::string shown;
      for (const std::string& part : command) shown += (shown.empty() ? "" : " ") + part;
      throw std::runtime_error("the test server did not start: `" + shown + "` printed no port (" +
                               missing_hint + ")");
    }
    line.push_back(c);
  }
  ::close(from_child[0]);
  server.port = std::stoi(line);
  return server;
}

S3rverProcess::S3rverProcess() {
  // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
  LaunchedServer server = launch_test_server(
      {"node", "--openssl-legacy-provider", source_dir() + "/scripts/s3rver-start.js"},
      "is node installed, and did `npm ci` run in tests/e2e?");
  pid_ = server.pid;
  stdin_fd_ = server.stdin_fd;
  port_ = server.port;
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

MotoProcess& MotoProcess::shared() {
  static std::mutex mutex;
  static std::unique_ptr<MotoProcess> server;
  std::lock_guard lock(mutex);
  if (!server) server = std::make_unique<MotoProcess>();
  return *server;
}

MotoProcess::MotoProcess() {
  LaunchedServer server = launch_test_server(
      {source_dir() + "/scripts/moto-start"},
      "its stderr says which Python interpreters it tried and why none could run moto");
  pid_ = server.pid;
  stdin_fd_ = server.stdin_fd;
  port_ = server.port;
}

MotoProcess::~MotoProcess() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void MotoProcess::create_bucket(const std::string& bucket) {
  S3Client client(local_endpoint(port_, bucket), {kMotoKey, kMotoKey, "", "test"});
  if (!client.bucket_exists()) client.create_bucket();
}

std::string MotoProcess::uri(const std::string& bucket, const std::string& path_prefix) {
  create_bucket(bucket);
  std::string uri = "s3://127.0.0.1:" + std::to_string(port_) + ":" + bucket +
                    "?access_key=" + kMotoKey + "&secret_key=" + kMotoKey +
                    "&conditional_writes=on";
  if (!path_prefix.empty()) uri += "&path_prefix=" + path_prefix;
  return uri;
}

TestServer& test_server(ServerKind kind) {
  if (kind == ServerKind::kMoto) return MotoProcess::shared();
  return S3rverProcess::shared();
}

std::string server_name(ServerKind kind) { return kind == ServerKind::kMoto ? "moto" : "s3rver"; }

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
