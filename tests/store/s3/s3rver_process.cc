#include "store/s3/s3rver_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

// Test processes sharing a server create the same buckets ("conformance", ...) at the same
// time: a refusal because another one just created it is success.
void create_bucket_once(S3Client& client) {
  if (client.bucket_exists()) return;
  try {
    client.create_bucket();
  } catch (const std::exception&) {
    if (!client.bucket_exists()) throw;
  }
}

}  // namespace

std::optional<int> fixture_server_port(ServerKind kind) {
  char exe[4096];
  const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length <= 0) return std::nullopt;
  const std::string dir = std::string(exe, static_cast<std::size_t>(length)) + ".test-servers/";
  const std::string name = server_name(kind);
  const std::string port = read_first_line(dir + name + ".port");
  const std::string holder = read_first_line(dir + name + ".holder");
  if (port.empty() || holder.empty()) return std::nullopt;
  // A directory left by a killed run names a holder that is gone (or a pid reused since): then
  // its port may belong to anything, so only a live holder `sleep` counts.
  if (read_first_line("/proc/" + holder + "/comm") != "sleep") return std::nullopt;
  try {
    const int number = std::stoi(port);
    if (!accepts_connections(number)) return std::nullopt;
    return number;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

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
  if (std::optional<int> port = fixture_server_port(ServerKind::kS3rver)) {
    port_ = *port;  // not ours to stop
    return;
  }
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
  create_bucket_once(client);
}

MotoProcess& MotoProcess::shared() {
  static std::mutex mutex;
  static std::unique_ptr<MotoProcess> server;
  std::lock_guard lock(mutex);
  if (!server) server = std::make_unique<MotoProcess>();
  return *server;
}

MotoProcess::MotoProcess() {
  if (std::optional<int> port = fixture_server_port(ServerKind::kMoto)) {
    port_ = *port;  // not ours to stop
    return;
  }
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
  create_bucket_once(client);
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
  // The pid alone is not enough on a server shared by a whole test run: pids are reused, and
  // every process's counter starts at 0.
  static const std::string process = [] {
    std::uint32_t bits = 0;
    if (::getrandom(&bits, sizeof bits, 0) != static_cast<ssize_t>(sizeof bits)) {
      throw std::runtime_error("getrandom failed");
    }
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", bits);
    return std::to_string(::getpid()) + "-" + hex;
  }();
  static std::atomic<int> counter{0};
  return stem + "-" + process + "-" + std::to_string(counter++);
}

}  // namespace tandem::store::s3::testing
