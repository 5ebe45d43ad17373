// A scripted HTTP/1.1 server on a loopback port, for tests that need a server to misbehave in a
// precise way (fail with 503 twice, stall, answer with an S3 error body) or that need to see the
// exact bytes a client sent (its SigV4 Authorization header). Keep-alive connections, one thread
// per connection.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tandem::store::s3::testing {

struct RecordedRequest {
  std::string method;
  std::string target;                          // path and query as sent
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined ","
  std::string body;
};

struct CannedResponse {
  int status = 200;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait before answering
  bool hang_up = false;                // close the connection instead of answering
};

class FakeHttpServer {
 public:
  using Responder = std::function<CannedResponse(const RecordedRequest&)>;
  explicit FakeHttpServer(Responder respond);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return port_; }
  std::vector<RecordedRequest> requests() const;
  int connections_accepted() const;

 private:
  void accept_loop();
  void serve(int socket);

  Responder respond_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  std::vector<int> connections_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace tandem::store::s3::testing
