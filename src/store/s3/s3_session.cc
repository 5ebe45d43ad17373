#include "store/s3/s3_session.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <thread>

#include "core/error.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_xml.h"

namespace tandem::store::s3 {
namespace {

using Clock = std::chrono::steady_clock;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void append_header(HeaderList& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  list.release();
  list.reset(grown);
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

// Case-insensitive "name:" at the start of a header line; the value without CR/LF and leading
// blanks.
std::optional<std::string> header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size()) return std::nullopt;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return std::nullopt;
  }
  std::string value(line.substr(name.size()));
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  return value;
}

// Picks the Date header (for the commit lock's lease clock) and the ETag (for conditional
// writes) out of the response headers.
std::size_t read_header(char* data, std::size_t size, std::size_t count, void* target) {
  std::string_view line(data, size * count);
  auto& response = *static_cast<HttpResponse*>(target);
  if (auto date = header_value(line, "date:")) {
    time_t seconds = curl_getdate(date->c_str(), nullptr);
    if (seconds > 0) response.server_time = static_cast<std::int64_t>(seconds) * 1'000'000'000;
  } else if (auto etag = header_value(line, "etag:")) {
    response.etag = std::move(*etag);
  }
  return size * count;
}

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool is_retryable_transport(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

void check(CURLcode code, const char* what) {
  if (code != CURLE_OK) {
    throw Error(std::string(what) + ": " + curl_easy_strerror(code), "libcurl");
  }
}

template <typename T>
void set(CURL* handle, CURLoption option, T value) {
  check(curl_easy_setopt(handle, option, value), "curl_easy_setopt");
}

}  // namespace

struct S3Session::Exchange {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  HeaderList headers;
  CURL* handle = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  Clock::time_point not_before{};
  Clock::time_point deadline = Clock::time_point::max();  // from request.timeout
  enum class State { kWaiting, kRunning, kDone } state = State::kWaiting;
};

void throw_request_error(const HttpRequest& request, const HttpResponse& response) {
  std::string what = std::string(request.operation) + " failed: ";
  if (response.status == 0) {
    what += "no HTTP response: " + response.transport_error;
  } else {
    S3ErrorBody body = parse_error_body(response.body);
    what += "HTTP " + std::to_string(response.status);
    if (body.code.empty()) {
      what += " (no S3 error code in the reply)";
    } else {
      what += " " + body.code;
      if (!body.message.empty()) what += ": " + body.message;
    }
  }
  what += " (" + std::to_string(response.attempts) +
          (response.attempts == 1 ? " attempt)" : " attempts)");
  throw Error(what, request.target);
}

S3Session::S3Session(S3Client& client)
    : client_(client), multi_(curl_multi_init()), jitter_(std::random_device{}()) {
  if (multi_ == nullptr) throw Error("curl_multi_init failed", "libcurl");
}

S3Session::~S3Session() {
  for (CURL* handle : all_) curl_easy_cleanup(handle);
  curl_multi_cleanup(multi_);
}

CURL* S3Session::acquire_handle() {
  if (!idle_.empty()) {
    CURL* handle = idle_.back();
    idle_.pop_back();
    curl_easy_reset(handle);
    return handle;
  }
  CURL* handle = curl_easy_init();
  if (handle == nullptr) throw Error("curl_easy_init failed", "libcurl");
  all_.push_back(handle);
  return handle;
}

std::chrono::milliseconds S3Session::backoff(int attempts_made) {
  const S3ClientOptions& options = client_.options_;
  auto delay = options.first_backoff;
  for (int i = 1; i < attempts_made && delay < options.max_backoff; ++i) delay *= 2;
  delay = std::min(delay, options.max_backoff);
  // Full jitter in [delay/2, delay]: writers that failed together do not retry together.
  std::uniform_int_distribution<long> spread(delay.count() / 2, delay.count());
  return std::chrono::milliseconds(spread(jitter_));
}

void S3Session::start(Exchange& exchange) {
  const HttpRequest& request = *exchange.request;
  const S3ClientOptions& options = client_.options_;
  CURL* handle = acquire_handle();
  exchange.handle = handle;
  exchange.response.body.clear();
  exchange.response.server_time = 0;
  exchange.response.etag.clear();
  exchange.error[0] = '\0';
  set(handle, CURLOPT_URL, request.url.c_str());
  set(handle, CURLOPT_NOSIGNAL, 1L);
  set(handle, CURLOPT_PRIVATE, static_cast<void*>(&exchange));
  set(handle, CURLOPT_ERRORBUFFER, exchange.error);
  set(handle, CURLOPT_WRITEFUNCTION, &append_body);
  set(handle, CURLOPT_WRITEDATA, static_cast<void*>(&exchange.response.body));
  set(handle, CURLOPT_HEADERFUNCTION, &read_header);
  set(handle, CURLOPT_HEADERDATA, static_cast<void*>(&exchange.response));
  if (exchange.deadline != Clock::time_point::max()) {
    // What is left of the request's deadline, not a fresh allowance per attempt.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(exchange.deadline - Clock::now());
    set(handle, CURLOPT_TIMEOUT_MS, std::max(1L, static_cast<long>(left.count())));
  }
  set(handle, CURLOPT_AWS_SIGV4, client_.sigv4_parameter_.c_str());
  set(handle, CURLOPT_USERNAME, client_.credentials_.access_key.c_str());
  set(handle, CURLOPT_PASSWORD, client_.credentials_.secret_key.c_str());
  set(handle, CURLOPT_HTTPHEADER, exchange.headers.get());
  set(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  set(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  set(handle, CURLOPT_LOW_SPEED_TIME,
      std::max(1L, static_cast<long>(options.stall_timeout.count() / 1000)));
  set(handle, CURLOPT_EXPECT_100_TIMEOUT_MS, 300L);
  set(handle, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  set(handle, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  switch (request.method) {
    case HttpMethod::kGet:
      set(handle, CURLOPT_HTTPGET, 1L);
      (request.is_list ? client_.counters_.list : client_.counters_.get)++;
      break;
    case HttpMethod::kHead:
      set(handle, CURLOPT_NOBODY, 1L);
      client_.counters_.head++;
      break;
    case HttpMethod::kDelete:
      set(handle, CURLOPT_CUSTOMREQUEST, "DELETE");
      client_.counters_.remove++;
      break;
    case HttpMethod::kPut:
      set(handle, CURLOPT_CUSTOMREQUEST, "PUT");
      // A null pointer would mean "read the body from a callback"; an empty body is "".
      set(handle, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
      set(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      client_.counters_.put++;
      client_.counters_.bytes_sent += request.body.size();
      break;
  }
  exchange.response.attempts++;
  CURLMcode added = curl_multi_add_handle(multi_, handle);
  if (added != CURLM_OK) {
    throw Error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(added), "libcurl");
  }
  exchange.state = Exchange::State::kRunning;
}

void S3Session::finish(Exchange& exchange) {
  curl_multi_remove_handle(multi_, exchange.handle);
  idle_.push_back(exchange.handle);
  exchange.handle = nullptr;
}

std::vector<HttpResponse> S3Session::perform(std::span<const HttpRequest> requests) {
  const S3ClientOptions& options = client_.options_;
  std::vector<Exchange> exchanges(requests.size());
  const Clock::time_point began = Clock::now();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Exchange& exchange = exchanges[i];
    const HttpRequest& request = requests[i];
    exchange.request = &request;
    if (request.timeout.count() > 0) exchange.deadline = began + request.timeout;
    // Always sent and signed: S3 requires it, and libcurl 7.88 signs the value given here.
    append_header(exchange.headers, "x-amz-content-sha256: " + sha256_hex(request.body));
    if (!client_.credentials_.session_token.empty()) {
      append_header(exchange.headers,
                    "x-amz-security-token: " + client_.credentials_.session_token);
    }
    if (request.method == HttpMethod::kPut) {
      append_header(exchange.headers, "Content-Type: application/octet-stream");
    }
    if (!request.condition.empty()) append_header(exchange.headers, request.condition);
  }

  // Whatever happens, no transfer stays attached to the multi handle after this call.
  struct Detach {
    S3Session& session;
    std::vector<Exchange>& exchanges;
    ~Detach() {
      for (Exchange& exchange : exchanges) {
        if (exchange.handle != nullptr) session.finish(exchange);
      }
    }
  } detach{*this, exchanges};

  std::size_t done = 0;
  std::size_t running = 0;
  std::size_t next_fresh = 0;  // exchanges below this index have been started at least once
  while (done < exchanges.size()) {
    Clock::time_point now = Clock::now();
    // Retries first (they are older), then fresh requests, within the parallelism bound.
    for (Exchange& exchange : exchanges) {
      if (running >= options.max_parallel) break;
      if (exchange.state == Exchange::State::kWaiting && exchange.response.attempts > 0 &&
          exchange.not_before <= now) {
        start(exchange);
        ++running;
      }
    }
    while (running < options.max_parallel && next_fresh < exchanges.size()) {
      Exchange& fresh = exchanges[next_fresh++];
      if (now >= fresh.deadline) {
        // Queued behind the parallelism bound until its deadline passed: sending it now could
        // land it after the deadline (for a lock holder: after its lease).
        fresh.response.transport_error = "not sent: its " +
                                         std::to_string(fresh.request->timeout.count()) +
                                         " ms deadline passed while earlier requests ran";
        fresh.state = Exchange::State::kDone;
        ++done;
        continue;
      }
      start(fresh);
      ++running;
    }

    int still_running = 0;
    CURLMcode performed = curl_multi_perform(multi_, &still_running);
    if (performed != CURLM_OK) {
      throw Error(std::string("curl_multi_perform: ") + curl_multi_strerror(performed), "libcurl");
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      void* pointer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &pointer);
      Exchange& exchange = *static_cast<Exchange*>(pointer);
      CURLcode result = message->data.result;
      long status = 0;
      if (result == CURLE_OK) {
        curl_easy_getinfo(exchange.handle, CURLINFO_RESPONSE_CODE, &status);
      }
      finish(exchange);
      --running;
      exchange.response.status = status;
      exchange.response.transport_error.clear();
      if (result != CURLE_OK) {
        exchange.response.transport_error =
            exchange.error[0] != '\0' ? std::string(exchange.error) : curl_easy_strerror(result);
      }
      client_.counters_.bytes_received += exchange.response.body.size();
      bool retry =
          (result == CURLE_OK ? is_retryable_status(status) : is_retryable_transport(result)) &&
          exchange.response.attempts < options.max_attempts;
      if (retry) {
        exchange.not_before = Clock::now() + backoff(exchange.response.attempts);
        // A retry needs time to be worth sending before the deadline (see HttpRequest::timeout).
        constexpr auto kShortestAttempt = std::chrono::milliseconds(100);
        retry = exchange.not_before + kShortestAttempt <= exchange.deadline;
      }
      if (retry) {
        exchange.state = Exchange::State::kWaiting;
        client_.counters_.retries++;
      } else {
        exchange.state = Exchange::State::kDone;
        ++done;
      }
    }
    if (done == exchanges.size()) break;

    // Sleep until there is socket activity, curl wants attention, or a retry is due.
    long wait_ms = 1000;
    now = Clock::now();
    for (const Exchange& exchange : exchanges) {
      if (exchange.state == Exchange::State::kWaiting && exchange.response.attempts > 0) {
        auto due = std::chrono::duration_cast<std::chrono::milliseconds>(exchange.not_before - now);
        wait_ms = std::min(wait_ms, std::max(0L, static_cast<long>(due.count())));
      }
    }
    if (running == 0) {
      if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    } else {
      CURLMcode polled = curl_multi_poll(multi_, nullptr, 0, static_cast<int>(wait_ms), nullptr);
      if (polled != CURLM_OK) {
        throw Error(std::string("curl_multi_poll: ") + curl_multi_strerror(polled), "libcurl");
      }
    }
  }

  std::vector<HttpResponse> responses;
  responses.reserve(exchanges.size());
  for (Exchange& exchange : exchanges) responses.push_back(std::move(exchange.response));
  return responses;
}

}  // namespace tandem::store::s3
