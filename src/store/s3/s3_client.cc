#include "store/s3/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <mutex>

#include "core/error.h"
#include "store/s3/s3_session.h"

namespace tandem::store::s3 {
namespace {

void initialize_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
      throw Error(std::string("curl_global_init: ") + curl_easy_strerror(code), "libcurl");
    }
  });
}

// The query parameters of one request, sorted by name as SigV4's canonical form wants them
// (libcurl 7.88 signs the query exactly as it is given).
std::string canonical_query(std::vector<std::pair<std::string, std::string>> parameters) {
  std::sort(parameters.begin(), parameters.end());
  std::string query;
  for (const auto& [name, value] : parameters) {
    if (!query.empty()) query.push_back('&');
    query += uri_encode(name, false) + "=" + uri_encode(value, false);
  }
  return query;
}

S3ErrorBody error_of(const HttpResponse& response) { return parse_error_body(response.body); }

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out.push_back(c);
    } else {
      auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256 failed", "OpenSSL");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

S3Client::S3Client(S3Endpoint endpoint, S3Credentials credentials, S3ClientOptions options)
    : endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      options_(options),
      sigv4_parameter_("aws:amz:" + endpoint_.region + ":s3") {
  initialize_curl_once();
  if (options_.max_parallel == 0) options_.max_parallel = 1;
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

S3Client::~S3Client() = default;

std::unique_ptr<S3Session> S3Client::acquire_session() {
  {
    std::lock_guard lock(sessions_mutex_);
    if (!idle_sessions_.empty()) {
      std::unique_ptr<S3Session> session = std::move(idle_sessions_.back());
      idle_sessions_.pop_back();
      return session;
    }
  }
  return std::make_unique<S3Session>(*this);
}

void S3Client::release_session(std::unique_ptr<S3Session> session) {
  std::lock_guard lock(sessions_mutex_);
  idle_sessions_.push_back(std::move(session));
}

std::vector<HttpResponse> S3Client::run(const std::vector<HttpRequest>& requests) {
  std::unique_ptr<S3Session> session = acquire_session();
  try {
    std::vector<HttpResponse> responses = session->perform(requests);
    release_session(std::move(session));
    return responses;
  } catch (...) {
    // perform() detaches every transfer before it throws, so the session is reusable.
    release_session(std::move(session));
    throw;
  }
}

std::string S3Client::object_url(std::string_view key) const {
  return endpoint_.base_url() + "/" + uri_encode(key, true);
}

std::string S3Client::describe(std::string_view key) const {
  return "s3://" + endpoint_.bucket + "/" + std::string(key);
}

S3RequestCounts S3Client::counts() const {
  S3RequestCounts counts;
  counts.put = counters_.put.load();
  counts.get = counters_.get.load();
  counts.list = counters_.list.load();
  counts.remove = counters_.remove.load();
  counts.head = counters_.head.load();
  counts.retries = counters_.retries.load();
  counts.bytes_sent = counters_.bytes_sent.load();
  counts.bytes_received = counters_.bytes_received.load();
  return counts;
}

void S3Client::put_object(std::string_view key, std::string_view bytes, Timeout timeout) {
  ObjectPut one{std::string(key), bytes};
  put_objects({&one, 1}, timeout);
}

void S3Client::put_objects(std::span<const ObjectPut> objects, Timeout timeout) {
  if (objects.empty()) return;
  std::vector<HttpRequest> requests(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) {
    requests[i] = {HttpMethod::kPut, object_url(objects[i].key), objects[i].bytes, "PutObject",
                   describe(objects[i].key)};
    requests[i].timeout = timeout;
  }
  std::vector<HttpResponse> responses = run(requests);
  for (std::size_t i = 0; i < responses.size(); ++i) {
    if (responses[i].status != 200) throw_request_error(requests[i], responses[i]);
  }
}

std::optional<std::string> S3Client::get_object(std::string_view key, Timeout timeout) {
  std::string one(key);
  return std::move(get_objects({&one, 1}, timeout).front());
}

std::vector<std::optional<std::string>> S3Client::get_objects(std::span<const std::string> keys,
                                                              Timeout timeout) {
  std::vector<std::optional<TaggedObject>> objects = run_gets(keys, timeout, false);
  std::vector<std::optional<std::string>> values(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (objects[i]) values[i] = std::move(objects[i]->bytes);
  }
  return values;
}

std::vector<std::optional<TaggedObject>> S3Client::get_tagged_objects(
    std::span<const std::string> keys, Timeout timeout) {
  return run_gets(keys, timeout, true);
}

std::vector<std::optional<TaggedObject>> S3Client::run_gets(std::span<const std::string> keys,
                                                            Timeout timeout, bool need_etags) {
  std::vector<std::optional<TaggedObject>> values(keys.size());
  if (keys.empty()) return values;
  std::vector<HttpRequest> requests(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    requests[i] = {HttpMethod::kGet, object_url(keys[i]), {}, "GetObject", describe(keys[i])};
    requests[i].timeout = timeout;
  }
  std::vector<HttpResponse> responses = run(requests);
  for (std::size_t i = 0; i < responses.size(); ++i) {
    HttpResponse& response = responses[i];
    if (response.status == 200) {
      if (need_etags && response.etag.empty()) {
        throw Error(ErrorKind::Unavailable, "GetObject reply has no ETag header",
                    requests[i].target);
      }
      values[i] = TaggedObject{std::move(response.body), std::move(response.etag)};
    } else if (response.status != 404 || error_of(response).code == "NoSuchBucket") {
      throw_request_error(requests[i], response);
    }
  }
  return values;
}

namespace {

std::string condition_header(const Precondition& condition) {
  switch (condition.kind) {
    case Precondition::Kind::kAbsent:
      return "If-None-Match: *";
    case Precondition::Kind::kEtag:
      return "If-Match: " + condition.etag;
    case Precondition::Kind::kNone:
      break;
  }
  return {};
}

ConditionalResult conditional_result(const HttpRequest& request, HttpResponse& response,
                                     bool is_delete) {
  ConditionalResult result;
  result.attempts = response.attempts;
  if (response.status == 200 || (is_delete && response.status == 204)) {
    result.etag = std::move(response.etag);
    return result;
  }
  const std::string code = error_of(response).code;
  if (response.status == 412 || (response.status == 409 && code == "ConditionalRequestConflict")) {
    result.outcome = ConditionalOutcome::kPreconditionFailed;
    return result;
  }
  if (response.status == 404 && code != "NoSuchBucket") {
    result.outcome = ConditionalOutcome::kMissing;
    return result;
  }
  throw_request_error(request, response);
}

}  // namespace

ConditionalResult S3Client::put_object_if(std::string_view key, std::string_view bytes,
                                          const Precondition& condition, Timeout timeout) {
  HttpRequest request{HttpMethod::kPut, object_url(key), bytes, "PutObject", describe(key)};
  request.timeout = timeout;
  request.condition = condition_header(condition);
  HttpResponse response = std::move(run({request}).front());
  return conditional_result(request, response, false);
}

ConditionalResult S3Client::delete_object_if(std::string_view key, const Precondition& condition,
                                             Timeout timeout) {
  HttpRequest request{HttpMethod::kDelete, object_url(key), {}, "DeleteObject", describe(key)};
  request.timeout = timeout;
  request.condition = condition_header(condition);
  HttpResponse response = std::move(run({request}).front());
  return conditional_result(request, response, true);
}

void S3Client::delete_object(std::string_view key, Timeout timeout) {
  std::string one(key);
  delete_objects({&one, 1}, timeout);
}

void S3Client::delete_objects(std::span<const std::string> keys, Timeout timeout) {
  if (keys.empty()) return;
  std::vector<HttpRequest> requests(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    requests[i] = {HttpMethod::kDelete, object_url(keys[i]), {}, "DeleteObject", describe(keys[i])};
    requests[i].timeout = timeout;
  }
  std::vector<HttpResponse> responses = run(requests);
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const HttpResponse& response = responses[i];
    bool gone = response.status == 200 || response.status == 204 ||
                (response.status == 404 && error_of(response).code != "NoSuchBucket");
    if (!gone) throw_request_error(requests[i], response);
  }
}

ListPage S3Client::list_objects(const ListQuery& query) {
  std::size_t max_keys = std::clamp<std::size_t>(query.max_keys, 1, 1000);
  std::vector<std::pair<std::string, std::string>> parameters = {
      {"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  std::string_view prefix = query.prefix;
  if (!prefix.empty()) parameters.emplace_back("prefix", prefix);
  if (!query.delimiter.empty()) parameters.emplace_back("delimiter", query.delimiter);
  if (!query.continuation_token.empty()) {
    parameters.emplace_back("continuation-token", query.continuation_token);
  } else if (!query.start_after.empty()) {
    parameters.emplace_back("start-after", query.start_after);
  }
  Timeout timeout = query.timeout;
  std::string url = endpoint_.base_url() + (endpoint_.virtual_host_style ? "/?" : "?") +
                    canonical_query(std::move(parameters));
  HttpRequest request{
      HttpMethod::kGet, url, {}, "ListObjectsV2", describe(std::string(prefix) + "*")};
  request.is_list = true;
  request.timeout = timeout;
  HttpResponse response = std::move(run({request}).front());
  if (response.status != 200) throw_request_error(request, response);
  try {
    ListPage page = parse_list_objects_v2(response.body);
    page.server_time = response.server_time;
    return page;
  } catch (const Error& e) {
    throw Error(e.kind(), "ListObjectsV2 reply unreadable: " + e.message() + " at " + e.where(),
                request.target);
  }
}

bool S3Client::bucket_exists() {
  HttpRequest request{HttpMethod::kHead,
                      endpoint_.base_url() + (endpoint_.virtual_host_style ? "/" : ""),
                      {},
                      "HeadBucket",
                      "s3://" + endpoint_.bucket};
  HttpResponse response = std::move(run({request}).front());
  if (response.status == 200) return true;
  if (response.status == 404) return false;
  throw_request_error(request, response);
}

void S3Client::create_bucket() {
  std::string body;
  if (endpoint_.region != "us-east-1") {
    body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        endpoint_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  HttpRequest request{HttpMethod::kPut,
                      endpoint_.base_url() + (endpoint_.virtual_host_style ? "/" : ""), body,
                      "CreateBucket", "s3://" + endpoint_.bucket};
  HttpResponse response = std::move(run({request}).front());
  if (response.status == 200) return;
  if (response.status == 409 && error_of(response).code == "BucketAlreadyOwnedByYou") return;
  throw_request_error(request, response);
}

}  // namespace tandem::store::s3
