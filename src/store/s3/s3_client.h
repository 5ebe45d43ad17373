// An S3 client on libcurl: PutObject, GetObject, DeleteObject, ListObjectsV2, HeadBucket and
// CreateBucket, signed with libcurl's built-in AWS SigV4 (CURLOPT_AWS_SIGV4).
//
// What it promises:
//  - Batches (put_objects, get_objects, delete_objects) run up to options.max_parallel requests
//    at once on one curl multi handle; connections are kept alive and reused across calls.
//  - A request that fails with HTTP 5xx, 429 or 408, a timeout, a stalled transfer or a broken
//    connection is retried with exponential backoff and jitter, up to options.max_attempts and
//    within the call's deadline when it has one.
//  - Every failure is a tandem::Error whose where() names the bucket and key ("s3://BUCKET/KEY")
//    and whose message names the operation, the HTTP status and the S3 error code, e.g.
//    "GetObject failed: HTTP 403 AccessDenied: Access Denied (1 attempt)".
//  - Thread-safe: concurrent calls use separate connection sessions from a pool.
//
// libcurl 7.88 signs exactly the path and query it is given, so this client percent-encodes
// object keys and sorts query parameters itself, and always sends x-amz-content-sha256 (the
// payload's SHA-256), which S3 requires and which libcurl then signs (tests/store/s3 checks the
// signatures against AWS's published examples).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/s3/s3_config.h"
#include "store/s3/s3_xml.h"

namespace tandem::store::s3 {

// Requests sent (each attempt counts; retries are also counted on their own).
struct S3RequestCounts {
  std::uint64_t put = 0;
  std::uint64_t get = 0;
  std::uint64_t list = 0;
  std::uint64_t remove = 0;
  std::uint64_t head = 0;
  std::uint64_t retries = 0;
  std::uint64_t bytes_sent = 0;      // request bodies
  std::uint64_t bytes_received = 0;  // response bodies
  std::uint64_t total() const { return put + get + list + remove + head; }
};

struct ObjectPut {
  std::string key;
  std::string_view bytes;  // must stay valid for the call
};

// A stored object with its ETag (quotes included, as the server sent it).
struct TaggedObject {
  std::string bytes;
  std::string etag;
};

// What a conditional request requires of the object's current state (docs/s3.md,
// *Conditional writes*): nothing, absence (If-None-Match: *) or this ETag (If-Match).
struct Precondition {
  enum class Kind { kNone, kAbsent, kEtag } kind = Kind::kNone;
  std::string etag;
  static Precondition absent() { return {Kind::kAbsent, {}}; }
  static Precondition matches(std::string etag) { return {Kind::kEtag, std::move(etag)}; }
};

// How a conditional request ended. Anything else (403, a server error after the retries, no
// response) is thrown as a tandem::Error.
enum class ConditionalOutcome {
  kDone,                // written (or deleted)
  kPreconditionFailed,  // 412, or 409 ConditionalRequestConflict: the object is not as required
  kMissing,             // If-Match on an object that does not exist (404), or a delete of one
};

struct ConditionalResult {
  ConditionalOutcome outcome = ConditionalOutcome::kDone;
  std::string etag;  // the new ETag after a PUT that was done ("" if the server sent none)
  int attempts = 0;  // > 1: an earlier attempt may have landed (a 412 may be this call's own)
};

class S3Session;
struct HttpRequest;
struct HttpResponse;

class S3Client {
 public:
  using Timeout = std::chrono::milliseconds;

  S3Client(S3Endpoint endpoint, S3Credentials credentials, S3ClientOptions options = {});
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Endpoint& endpoint() const { return endpoint_; }

  // `timeout` is a deadline for the whole call, retries included (0: no bound beyond the stall
  // limit): no attempt runs past it and no request is started after it.
  void put_object(std::string_view key, std::string_view bytes, Timeout timeout = {});
  void put_objects(std::span<const ObjectPut> objects, Timeout timeout = {});
  // nullopt when the key does not exist (404 NoSuchKey); a missing bucket is an error.
  std::optional<std::string> get_object(std::string_view key, Timeout timeout = {});
  std::vector<std::optional<std::string>> get_objects(std::span<const std::string> keys,
                                                      Timeout timeout = {});
  // The same with ETags (nullopt: absent).
  std::vector<std::optional<TaggedObject>> get_tagged_objects(std::span<const std::string> keys,
                                                              Timeout timeout = {});
  // A PUT or DELETE that the server applies only if the object is as `condition` requires.
  ConditionalResult put_object_if(std::string_view key, std::string_view bytes,
                                  const Precondition& condition, Timeout timeout = {});
  ConditionalResult delete_object_if(std::string_view key, const Precondition& condition,
                                     Timeout timeout = {});
  // Deleting a key that does not exist is not an error.
  void delete_object(std::string_view key, Timeout timeout = {});
  void delete_objects(std::span<const std::string> keys, Timeout timeout = {});

  // One ListObjectsV2 page: keys beginning with `prefix`, after `start_after` (or continuing
  // from `continuation_token` when it is non-empty), at most max_keys (1..1000). With a
  // delimiter, keys holding it after the prefix are rolled up into common_prefixes.
  struct ListQuery {
    std::string_view prefix;
    std::string_view start_after;
    std::string_view continuation_token;
    std::string_view delimiter;
    std::size_t max_keys = 1000;
    Timeout timeout{};
  };
  ListPage list_objects(const ListQuery& query);
  ListPage list_objects(std::string_view prefix, std::string_view start_after = {},
                        std::string_view continuation_token = {}, std::size_t max_keys = 1000) {
    return list_objects(ListQuery{prefix, start_after, continuation_token, {}, max_keys, {}});
  }

  bool bucket_exists();  // HeadBucket: 200 true, 404 false, anything else an error
  void create_bucket();  // CreateBucket (with the region's LocationConstraint outside us-east-1)

  S3RequestCounts counts() const;
  // "s3://BUCKET/KEY" — how errors name an object.
  std::string describe(std::string_view key) const;

  // The object's URL (percent-encoded key).
  std::string object_url(std::string_view key) const;

 private:
  friend class S3Session;
  // GETs of `keys` in parallel (nullopt: absent); `need_etags`: a reply without one is an error.
  std::vector<std::optional<TaggedObject>> run_gets(std::span<const std::string> keys,
                                                    Timeout timeout, bool need_etags);
  struct Counters {
    std::atomic<std::uint64_t> put{0}, get{0}, list{0}, remove{0}, head{0}, retries{0},
        bytes_sent{0}, bytes_received{0};
  };

  // Runs a batch of requests on a pooled session.
  std::vector<HttpResponse> run(const std::vector<HttpRequest>& requests);
  std::unique_ptr<S3Session> acquire_session();
  void release_session(std::unique_ptr<S3Session> session);

  S3Endpoint endpoint_;
  S3Credentials credentials_;
  S3ClientOptions options_;
  std::string sigv4_parameter_;  // "aws:amz:REGION:s3"
  Counters counters_;
  std::mutex sessions_mutex_;
  std::vector<std::unique_ptr<S3Session>> idle_sessions_;
};

// Percent-encodes per SigV4's rules: unreserved characters (A-Z a-z 0-9 - . _ ~) stay, every
// other byte becomes %XX; '/' stays too when keep_slash (object key paths).
std::string uri_encode(std::string_view text, bool keep_slash);

// Lower-case hex SHA-256 of the bytes (the x-amz-content-sha256 value).
std::string sha256_hex(std::string_view bytes);

}  // namespace tandem::store::s3
