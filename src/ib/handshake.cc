#include "ib/handshake.h"

#include <algorithm>

#include "ib/fields.h"
#include "ib/frame.h"
#include "ib/protocol_error.h"

namespace tandem::ib {
namespace {

constexpr std::string_view kHandshake = "handshake";
// Version numbers are small; bounding their digits keeps parsing trivially safe.
constexpr std::size_t kMaxVersionDigits = 6;

[[noreturn]] void refuse(const std::string& what) { throw ProtocolError(what, -1, kHandshake); }

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > 40) out += "...";
  return out;
}

bool parse_version_number(std::string_view text, int& out) {
  if (text.empty() || text.size() > kMaxVersionDigits) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

std::string describe(const VersionRange& range) {
  return range.min == range.max
             ? "v" + std::to_string(range.min)
             : "v" + std::to_string(range.min) + ".." + std::to_string(range.max);
}

}  // namespace

std::string encode_client_hello(const ClientHello& hello) {
  std::string text = describe(hello.versions);
  if (!hello.connect_options.empty()) text += " " + hello.connect_options;
  std::string out(kApiPrefix);
  append_frame(out, text);
  return out;
}

void expect_api_prefix(std::string_view first_four_bytes) {
  if (first_four_bytes != kApiPrefix) {
    refuse("expected the client to start with \"API\\0\", got '" + printable(first_four_bytes) +
           "'");
  }
}

ClientHello parse_client_hello(std::string_view version_text) {
  ClientHello hello;
  std::string_view spec = version_text;
  if (std::size_t space = version_text.find(' '); space != std::string_view::npos) {
    spec = version_text.substr(0, space);
    hello.connect_options = std::string(version_text.substr(space + 1));
  }
  if (spec.empty() || spec.front() != 'v') {
    refuse("version text must look like 'v<min>..<max>' or 'v<n>', got '" +
           printable(version_text) + "'");
  }
  spec.remove_prefix(1);
  std::size_t dots = spec.find("..");
  bool ok = dots == std::string_view::npos
                ? parse_version_number(spec, hello.versions.min)
                : parse_version_number(spec.substr(0, dots), hello.versions.min) &&
                      parse_version_number(spec.substr(dots + 2), hello.versions.max);
  if (dots == std::string_view::npos) hello.versions.max = hello.versions.min;
  if (!ok) {
    refuse("version text must look like 'v<min>..<max>' or 'v<n>', got '" +
           printable(version_text) + "'");
  }
  if (hello.versions.min > hello.versions.max) {
    refuse("client offers an empty version range " + describe(hello.versions));
  }
  return hello;
}

Negotiation negotiate_version(const VersionRange& offered, const VersionRange& supported) {
  int low = std::max(offered.min, supported.min);
  int high = std::min(offered.max, supported.max);
  if (low > high) {
    return {std::nullopt, "client offers server versions " + describe(offered) +
                              " but this server implements " + describe(supported) +
                              "; there is no common version"};
  }
  return {high, {}};
}

std::string encode_server_hello(const ServerHello& hello) {
  std::string out;
  FieldWriter writer(out, UnsetStyle::kSentinel, -1, kHandshake);
  writer.add_int(hello.server_version);
  writer.add_string(hello.connection_time, "connectionTime");
  writer.finish();
  return out;
}

ServerHello decode_server_hello(std::string_view payload) {
  FieldReader reader(payload);
  reader.set_message(-1, kHandshake);
  ServerHello hello;
  hello.server_version = reader.read_int("serverVersion");
  if (hello.server_version < 0) {
    std::string target = reader.at_end() ? "" : std::string(reader.read_raw("redirect"));
    refuse("server asks to redirect to '" + printable(target) + "', which is not supported");
  }
  hello.connection_time = std::string(reader.read_string("connectionTime"));
  reader.expect_end();
  return hello;
}

void check_server_version(int server_version, const VersionRange& supported) {
  if (server_version < supported.min || server_version > supported.max) {
    refuse("server chose version " + std::to_string(server_version) +
           ", outside the range this client implements (" + describe(supported) + ")");
  }
}

}  // namespace tandem::ib
