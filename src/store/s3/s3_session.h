// Inside the S3 client: one connection session (a curl multi handle, its connection cache and a
// few reusable easy handles) that runs a batch of HTTP requests in parallel, signed, with
// retries. Sessions are pooled by S3Client; one batch uses one session.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::store::s3 {

class S3Client;

enum class HttpMethod { kGet, kPut, kDelete, kHead };

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;
  std::string_view body;       // PUT only; must outlive perform()
  const char* operation = "";  // "GetObject", ... for messages
  std::string target;          // "s3://BUCKET/KEY", for messages
  bool is_list = false;        // counted as a ListObjectsV2 request rather than a GET
  // Deadline for the whole request, every retry included, counted from the start of perform()
  // (0: none, only the stall limit). Each attempt is cut off at the deadline, no retry starts
  // after it, and a request still queued behind the parallelism bound when it passes is never
  // sent. Used while holding the commit lock, so that no request of the holder can land after
  // its lease ran out.
  std::chrono::milliseconds timeout{0};
  // A precondition header ("If-Match: \"ETAG\"", "If-None-Match: *"), or empty (docs/s3.md,
  // *Conditional writes*).
  std::string condition{};
};

struct HttpResponse {
  long status = 0;  // 0: no HTTP response (see transport_error)
  std::string body;
  std::string transport_error;   // curl's description when the request never got a response
  std::int64_t server_time = 0;  // the Date header, ns since the epoch (0 if absent)
  std::string etag;              // the ETag header, quotes included ("" if absent)
  int attempts = 0;
};

// Throws the tandem::Error describing a failed request: where() = request.target; the message
// names the operation, the HTTP status, the S3 error code and message, and the attempts made.
[[noreturn]] void throw_request_error(const HttpRequest& request, const HttpResponse& response);

class S3Session {
 public:
  explicit S3Session(S3Client& client);
  ~S3Session();
  S3Session(const S3Session&) = delete;
  S3Session& operator=(const S3Session&) = delete;

  // Runs every request (at most the client's max_parallel at a time) and returns their final
  // responses in order. Retryable failures (5xx, 429, 408, timeouts, connection errors) are
  // retried with backoff while attempts and the request's deadline allow; what still fails is
  // returned as is, for the caller to judge.
  std::vector<HttpResponse> perform(std::span<const HttpRequest> requests);

 private:
  struct Exchange;
  CURL* acquire_handle();
  void start(Exchange& exchange);
  // Moves a finished transfer's handle back to the idle list.
  void finish(Exchange& exchange);
  std::chrono::milliseconds backoff(int attempts_made);

  S3Client& client_;
  CURLM* multi_;
  // Easy handles kept for reuse; the connections live in the multi handle's cache, so they
  // stay open between batches.
  std::vector<CURL*> idle_;
  std::vector<CURL*> all_;
  std::minstd_rand jitter_;
};

}  // namespace tandem::store::s3
