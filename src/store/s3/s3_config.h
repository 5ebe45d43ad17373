// Where an S3 store lives and how to reach it: parsed from the store URI, with credentials and
// region resolved the way the AWS tools resolve them (docs/s3.md).
//
//   s3://HOST:PORT:BUCKET[?options]   a server at HOST:PORT over plain HTTP (MinIO, Ceph, s3rver)
//   s3s://HOST:PORT:BUCKET[?options]  the same over HTTPS
//   s3://HOST:BUCKET, s3s://HOST:BUCKET   default port (80 / 443)
//   s3://BUCKET, s3s://BUCKET          AWS itself: https://s3.REGION.amazonaws.com, always TLS
//
// Options: path_prefix=P (the store's objects live under P/), region=R, access_key=K,
// secret_key=S, session_token=T, profile=NAME, addressing=path|virtual, parallel=N (1-256),
// retries=N (0-20), tls_verify=0|1, lock_lease=SECONDS (2-3600, default 30),
// lock_wait=SECONDS (1-86400, default 300), conditional_writes=auto|on|off (default auto).
// ArcticDB's names work too (docs/s3.md): access (= access_key), secret (= secret_key),
// port=N (= s3://HOST:N:BUCKET), use_virtual_addressing=true|false (= addressing=virtual|path),
// aws_auth=true|default (the credential chain below; the default anyway).
// Credentials: access_key+secret_key from the URI, else the URI's profile, else
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN], else the AWS_PROFILE (or "default")
// profile of ~/.aws/credentials or ~/.aws/config.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::store::s3 {

struct S3Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty unless temporary credentials
  std::string source;         // where they came from, for messages ("environment", ...)
};

struct S3Endpoint {
  bool tls = false;
  std::string host;  // name or address; an IPv6 address without brackets
  int port = 0;      // 0: the scheme's default
  std::string bucket;
  std::string region = "us-east-1";
  bool virtual_host_style = false;  // bucket.host/key instead of host/bucket/key

  // "http://127.0.0.1:9000/bucket" or "https://bucket.s3.eu-west-1.amazonaws.com": the base that
  // object keys are appended to (after a '/').
  std::string base_url() const;
};

struct S3ClientOptions {
  std::size_t max_parallel = 16;  // requests in flight per batch
  int max_attempts = 6;           // 1 + retries on 5xx, 429, 408 and connection failures
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds connect_timeout{10'000};
  // A transfer that moves no byte for this long is abandoned (and retried).
  std::chrono::milliseconds stall_timeout{60'000};
  bool verify_tls = true;
};

// Which commit protocol a store uses (docs/s3.md, *Two commit protocols*): the lease lock built
// from PUT/LIST/DELETE, or compare-and-swap by conditional writes. kAuto takes what the store
// already records, and for a new store probes the server once.
enum class ConditionalWrites { kAuto, kOn, kOff };

struct S3Config {
  std::string uri;  // as given, secrets masked by redact_uri (core/redact.h)
  S3Endpoint endpoint;
  std::string path_prefix;  // "" or ends with '/'
  S3Credentials credentials;
  S3ClientOptions client;
  // The commit lock (commit_lock.h): a dead writer's ticket stops blocking others after
  // lock_lease; a writer gives up waiting for the lock after lock_wait.
  std::chrono::milliseconds lock_lease{30'000};
  std::chrono::milliseconds lock_wait{300'000};
  ConditionalWrites conditional_writes = ConditionalWrites::kAuto;
};

// How the process's environment looks to the resolver: variables and the home directory.
// Tests pass their own; the default reads getenv().
struct AwsEnvironment {
  std::function<std::optional<std::string>(const std::string& name)> variable;
  static AwsEnvironment process();
};

// Parses an s3:// or s3s:// URI and resolves credentials and region. Throws tandem::Error whose
// where() is the (masked) URI and whose message says what is wrong.
S3Config parse_s3_uri(std::string_view uri, const AwsEnvironment& env = AwsEnvironment::process());

// True for the schemes this backend serves.
bool is_s3_uri(std::string_view uri);

// The option names the URI accepts (the list in this file's opening comment), besides ArcticDB's
// aliases `access` and `secret`. What of a URI may be printed is decided by core/redact.h.
const std::vector<std::string_view>& known_uri_options();

}  // namespace tandem::store::s3
