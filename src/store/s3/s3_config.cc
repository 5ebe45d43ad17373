#include "store/s3/s3_config.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>
#include <vector>

#include "core/error.h"
#include "core/redact.h"
#include "store/s3/aws_profile.h"

namespace tandem::store::s3 {
namespace {

constexpr std::string_view kPlainScheme = "s3://";
constexpr std::string_view kTlsScheme = "s3s://";

// ArcticDB's names for the same options (its S3 URI: s3(s)://HOST:BUCKET?access=..&secret=..&
// port=..&region=..&use_virtual_addressing=..), so a URI copied from an ArcticDB setup works.
// Each maps to this parser's own name; giving both is "given twice".
std::string_view canonical_name(std::string_view name) {
  if (name == "access") return "access_key";
  if (name == "secret") return "secret_key";
  return name;
}

class UriParser {
 public:
  UriParser(std::string_view uri, const AwsEnvironment& env)
      : uri_(uri), masked_(redact_uri(uri)), env_(env) {}

  S3Config parse() {
    S3Config config;
    config.uri = masked_;
    std::string_view rest;
    if (uri_.starts_with(kPlainScheme)) {
      rest = uri_.substr(kPlainScheme.size());
    } else if (uri_.starts_with(kTlsScheme)) {
      config.endpoint.tls = true;
      rest = uri_.substr(kTlsScheme.size());
    } else {
      fail("not an s3:// or s3s:// URI");
    }
    std::size_t question = rest.find('?');
    std::string_view authority = rest.substr(0, question);
    if (question != std::string_view::npos) parse_query(rest.substr(question + 1));
    if (authority.ends_with('/')) authority.remove_suffix(1);
    if (authority.find('/') != std::string_view::npos) {
      fail("a path after the bucket is not supported; put it in ?path_prefix=");
    }
    if (authority.find('@') != std::string_view::npos) {
      fail("credentials go in ?access_key=...&secret_key=..., not before '@' (shown as ***)");
    }
    parse_authority(authority, config.endpoint);
    apply_port_option(config.endpoint);
    config.path_prefix = parse_path_prefix();
    apply_client_options(config);
    config.endpoint.region = resolve_region();
    bool aws = config.endpoint.host.empty();
    if (aws) {
      config.endpoint.tls = true;  // credentials and data never cross the internet in clear
      config.endpoint.host = "s3." + config.endpoint.region + ".amazonaws.com";
      // Virtual-hosted style is AWS's current form; a dotted bucket name would not match the
      // *.s3.REGION.amazonaws.com certificate, so it stays path-style.
      config.endpoint.virtual_host_style = config.endpoint.bucket.find('.') == std::string::npos;
    }
    std::optional<std::string> addressing = take("addressing");
    if (auto virtual_addressing = take("use_virtual_addressing")) {
      if (addressing) fail("give addressing or use_virtual_addressing, not both");
      if (*virtual_addressing == "true" || *virtual_addressing == "1") {
        addressing = "virtual";
      } else if (*virtual_addressing == "false" || *virtual_addressing == "0") {
        addressing = "path";
      } else {
        fail("use_virtual_addressing must be true or false, not \"" + *virtual_addressing + "\"");
      }
    }
    if (addressing) {
      if (*addressing == "path") {
        config.endpoint.virtual_host_style = false;
      } else if (*addressing == "virtual") {
        config.endpoint.virtual_host_style = true;
      } else {
        fail("addressing must be \"path\" or \"virtual\", not \"" + *addressing + "\"");
      }
    }
    config.credentials = resolve_credentials();
    return config;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorKind::InvalidArgument, what, masked_);
  }

  static std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '%') {
        out.push_back(text[i]);
        continue;
      }
      unsigned value = 0;
      if (i + 2 >= text.size()) return std::nullopt;
      auto [end, error] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (error != std::errc() || end != text.data() + i + 3) return std::nullopt;
      out.push_back(static_cast<char>(value));
      i += 2;
    }
    return out;
  }

  void parse_query(std::string_view query) {
    while (!query.empty()) {
      std::size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos) {
        // The bare word is not echoed: it may be a secret whose "name=" was lost.
        fail("an option has no '=' (expected name=value)");
      }
      const std::string given(pair.substr(0, equals));
      std::string name(canonical_name(given));
      std::optional<std::string> value = percent_decode(pair.substr(equals + 1));
      if (!value) fail("option " + name + ": bad %-escape");
      bool known = false;
      for (std::string_view k : known_uri_options()) known = known || k == given;
      known = known || given == "access" || given == "secret";
      if (!known) {
        std::string list;
        for (std::string_view k : known_uri_options())
          list += (list.empty() ? "" : ", ") + std::string(k);
        fail("unknown option \"" + given + "\" (known: " + list +
             ", and ArcticDB's access, secret)");
      }
      if (!options_.emplace(name, std::move(*value)).second) {
        std::string alias = name == "access_key"   ? " (access is another name for it)"
                            : name == "secret_key" ? " (secret is another name for it)"
                                                   : "";
        fail("option " + name + " given twice" + alias);
      }
    }
  }

  std::optional<std::string> take(const std::string& name) {
    auto it = options_.find(name);
    if (it == options_.end()) return std::nullopt;
    std::string value = std::move(it->second);
    options_.erase(it);
    return value;
  }

  static bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
  }

  void parse_authority(std::string_view authority, S3Endpoint& endpoint) {
    if (authority.empty()) fail("no bucket (expected s3://HOST:PORT:BUCKET or s3://BUCKET)");
    std::vector<std::string_view> parts;
    if (authority.front() == '[') {  // [IPv6]:PORT:BUCKET or [IPv6]:BUCKET
      std::size_t close = authority.find(']');
      if (close == std::string_view::npos) fail("unterminated '[' in the host");
      parts.push_back(authority.substr(1, close - 1));
      std::string_view tail = authority.substr(close + 1);
      if (!tail.starts_with(':')) fail("expected ':' after the bracketed host");
      tail.remove_prefix(1);
      std::size_t colon = tail.find(':');
      while (colon != std::string_view::npos) {
        parts.push_back(tail.substr(0, colon));
        tail.remove_prefix(colon + 1);
        colon = tail.find(':');
      }
      parts.push_back(tail);
      if (parts.size() < 2) fail("expected [HOST]:PORT:BUCKET");
      for (char c : parts[0]) {
        if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
          fail("bad IPv6 address \"" + std::string(parts[0]) + "\"");
        }
      }
    } else {
      std::string_view tail = authority;
      std::size_t colon = tail.find(':');
      while (colon != std::string_view::npos) {
        parts.push_back(tail.substr(0, colon));
        tail.remove_prefix(colon + 1);
        colon = tail.find(':');
      }
      parts.push_back(tail);
      if (parts.size() > 3) fail("too many ':' (expected s3://HOST:PORT:BUCKET)");
      if (parts.size() >= 2) {
        if (parts[0].empty()) fail("empty host");
        for (char c : parts[0]) {
          if (!is_host_char(c)) fail("bad character '" + std::string(1, c) + "' in the host");
        }
      }
    }
    if (parts.size() >= 2) endpoint.host = std::string(parts[0]);
    if (parts.size() == 3) {
      std::string_view port = parts[1];
      int value = 0;
      auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
      if (port.empty() || error != std::errc() || end != port.data() + port.size() || value < 1 ||
          value > 65535) {
        fail("port \"" + std::string(port) + "\" is not a number from 1 to 65535");
      }
      endpoint.port = value;
    }
    endpoint.bucket = std::string(parts.back());
    validate_bucket(endpoint.bucket);
  }

  void validate_bucket(const std::string& bucket) {
    if (bucket.empty()) fail("no bucket name");
    std::string what = "bucket \"" + bucket + "\": ";
    if (bucket.size() < 3 || bucket.size() > 63) fail(what + "must be 3 to 63 characters");
    for (char c : bucket) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
      if (!ok) fail(what + "only lower-case letters, digits, '.' and '-' are allowed");
    }
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(bucket.front()) || !alnum(bucket.back())) {
      fail(what + "must begin and end with a letter or digit");
    }
    if (bucket.find("..") != std::string::npos) fail(what + "contains \"..\"");
  }

  std::string parse_path_prefix() {
    std::optional<std::string> given = take("path_prefix");
    if (!given) return {};
    std::string prefix = *given;
    while (prefix.starts_with('/')) prefix.erase(0, 1);
    while (prefix.ends_with('/')) prefix.pop_back();
    if (prefix.empty()) return {};
    std::size_t start = 0;
    while (start <= prefix.size()) {
      std::size_t slash = prefix.find('/', start);
      std::string segment =
          prefix.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (segment.empty() || segment == "." || segment == "..") {
        fail("path_prefix \"" + *given + "\": empty, '.' or '..' path segment");
      }
      for (char c : segment) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        if (!ok) {
          fail("path_prefix \"" + *given +
               "\": only letters, digits, '_', '-', '.' and '/' "
               "are allowed");
        }
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return prefix + "/";
  }

  // ArcticDB's ?port=N: the same as s3://HOST:N:BUCKET (both given must agree).
  void apply_port_option(S3Endpoint& endpoint) {
    if (options_.count("port") == 0) return;
    if (endpoint.host.empty()) fail("port needs a host (s3://HOST:BUCKET?port=N)");
    const int port = integer_option("port", 1, 65535, 0);
    if (endpoint.port != 0 && endpoint.port != port) {
      fail("port " + std::to_string(port) + " contradicts the URI's port " +
           std::to_string(endpoint.port));
    }
    endpoint.port = port;
  }

  int integer_option(const std::string& name, int low, int high, int fallback) {
    std::optional<std::string> text = take(name);
    if (!text) return fallback;
    int value = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (text->empty() || error != std::errc() || end != text->data() + text->size() ||
        value < low || value > high) {
      fail(name + " must be a whole number from " + std::to_string(low) + " to " +
           std::to_string(high) + ", not \"" + *text + "\"");
    }
    return value;
  }

  void apply_client_options(S3Config& config) {
    config.client.max_parallel = static_cast<std::size_t>(integer_option("parallel", 1, 256, 16));
    config.client.max_attempts = integer_option("retries", 0, 20, 5) + 1;
    config.client.verify_tls = integer_option("tls_verify", 0, 1, 1) == 1;
    config.lock_lease = std::chrono::seconds(integer_option("lock_lease", 2, 3600, 30));
    config.lock_wait = std::chrono::seconds(integer_option("lock_wait", 1, 86400, 300));
    if (auto mode = take("conditional_writes")) {
      if (*mode == "auto") {
        config.conditional_writes = ConditionalWrites::kAuto;
      } else if (*mode == "on") {
        config.conditional_writes = ConditionalWrites::kOn;
      } else if (*mode == "off") {
        config.conditional_writes = ConditionalWrites::kOff;
      } else {
        fail("conditional_writes must be auto, on or off, not \"" + *mode + "\"");
      }
    }
  }

  std::optional<std::string> env(const std::string& name) const {
    if (!env_.variable) return std::nullopt;
    std::optional<std::string> value = env_.variable(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  }

  std::string credentials_file() const {
    if (auto path = env("AWS_SHARED_CREDENTIALS_FILE")) return *path;
    auto home = env("HOME");
    return home ? *home + "/.aws/credentials" : std::string();
  }

  std::string config_file() const {
    if (auto path = env("AWS_CONFIG_FILE")) return *path;
    auto home = env("HOME");
    return home ? *home + "/.aws/config" : std::string();
  }

  // The named profile's settings from both files (credentials file first, as the AWS CLI does).
  std::optional<std::map<std::string, std::string>> profile(const std::string& name) const {
    std::optional<std::map<std::string, std::string>> merged;
    std::string config_path = config_file();
    if (!config_path.empty()) merged = read_aws_profile(config_path, AwsFileKind::kConfig, name);
    std::string credentials_path = credentials_file();
    if (!credentials_path.empty()) {
      if (auto from_credentials =
              read_aws_profile(credentials_path, AwsFileKind::kCredentials, name)) {
        if (!merged) merged.emplace();
        for (auto& [key, value] : *from_credentials) (*merged)[key] = value;
      }
    }
    return merged;
  }

  std::string profile_name() const {
    if (auto it = options_.find("profile"); it != options_.end()) return it->second;
    if (auto name = env("AWS_PROFILE")) return *name;
    return "default";
  }

  std::string resolve_region() {
    std::string region;
    if (auto given = take("region")) {
      region = *given;
    } else if (auto from_env = env("AWS_REGION")) {
      region = *from_env;
    } else if (auto from_default = env("AWS_DEFAULT_REGION")) {
      region = *from_default;
    } else if (auto settings = profile(profile_name()); settings && settings->count("region")) {
      region = settings->at("region");
    } else {
      region = "us-east-1";
    }
    if (region.empty() || region.size() > 64) fail("region \"" + region + "\" is not valid");
    for (char c : region) {
      // The region is one field of libcurl's "aws:amz:REGION:s3" signing parameter.
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        fail("region \"" + region + "\" is not valid");
      }
    }
    return region;
  }

  S3Credentials from_profile(const std::string& name, bool named_explicitly) const {
    auto settings = profile(name);
    std::string files = credentials_file() + " or " + config_file();
    if (!settings) {
      if (named_explicitly) fail("AWS profile \"" + name + "\" not found in " + files);
      fail(
          "no S3 credentials: give ?access_key=...&secret_key=..., set AWS_ACCESS_KEY_ID and "
          "AWS_SECRET_ACCESS_KEY, or add a [default] profile to " +
          files);
    }
    auto get = [&](const char* key) {
      auto it = settings->find(key);
      return it == settings->end() ? std::string() : it->second;
    };
    S3Credentials credentials{get("aws_access_key_id"), get("aws_secret_access_key"),
                              get("aws_session_token"), "AWS profile \"" + name + "\""};
    if (credentials.access_key.empty() || credentials.secret_key.empty()) {
      fail("AWS profile \"" + name + "\" in " + files +
           " has no aws_access_key_id and aws_secret_access_key (role, SSO and "
           "credential_process profiles are not supported)");
    }
    return credentials;
  }

  S3Credentials resolve_credentials() {
    std::optional<std::string> access_key = take("access_key");
    std::optional<std::string> secret_key = take("secret_key");
    std::optional<std::string> session_token = take("session_token");
    std::optional<std::string> named_profile = take("profile");
    // ArcticDB's aws_auth=true|default: the AWS default chain, which is what this parser does
    // anyway when the URI has no keys.
    if (auto aws_auth = take("aws_auth")) {
      if (*aws_auth == "sts") fail("aws_auth=sts (AWS STS role credentials) is not supported");
      if (*aws_auth != "true" && *aws_auth != "default") {
        fail("aws_auth must be true or default, not \"" + *aws_auth + "\"");
      }
      if (access_key || secret_key) fail("give either access/secret keys or aws_auth, not both");
    }
    if (access_key || secret_key) {
      if (!access_key || !secret_key || access_key->empty() || secret_key->empty()) {
        fail("access_key and secret_key must be given together");
      }
      if (named_profile) fail("give either access_key/secret_key or profile, not both");
      return {*access_key, *secret_key, session_token.value_or(""), "the URI"};
    }
    if (session_token) fail("session_token needs access_key and secret_key");
    if (named_profile) return from_profile(*named_profile, true);
    auto env_key = env("AWS_ACCESS_KEY_ID");
    auto env_secret = env("AWS_SECRET_ACCESS_KEY");
    if (env_key || env_secret) {
      if (!env_key || !env_secret) {
        fail("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
      }
      return {*env_key, *env_secret, env("AWS_SESSION_TOKEN").value_or(""),
              "the environment (AWS_ACCESS_KEY_ID)"};
    }
    if (auto name = env("AWS_PROFILE")) return from_profile(*name, true);
    return from_profile("default", false);
  }

  std::string_view uri_;
  std::string masked_;
  const AwsEnvironment& env_;
  std::map<std::string, std::string> options_;
};

}  // namespace

const std::vector<std::string_view>& known_uri_options() {
  static const std::vector<std::string_view> names = {
      "path_prefix", "region",     "access_key",         "secret_key", "session_token",
      "profile",     "addressing", "parallel",           "retries",    "tls_verify",
      "lock_lease",  "lock_wait",  "conditional_writes", "port",       "use_virtual_addressing",
      "aws_auth"};
  return names;
}

std::string S3Endpoint::base_url() const {
  std::string url = tls ? "https://" : "http://";
  if (virtual_host_style) url += bucket + ".";
  url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 0) url += ":" + std::to_string(port);
  if (!virtual_host_style) url += "/" + bucket;
  return url;
}

AwsEnvironment AwsEnvironment::process() {
  return {[](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  }};
}

S3Config parse_s3_uri(std::string_view uri, const AwsEnvironment& env) {
  return UriParser(uri, env).parse();
}

bool is_s3_uri(std::string_view uri) {
  return uri.starts_with(kPlainScheme) || uri.starts_with(kTlsScheme);
}

}  // namespace tandem::store::s3
