// The connection handshake (docs/ib-protocol.md §1.2-1.4): the client's unframed "API\0" prefix and
// its length-prefixed version range, the server's choice of version, and the server's reply.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ib/constants.h"

namespace tandem::ib {

struct VersionRange {
  int min = kMinServerVersion;
  int max = kMaxServerVersion;
  bool operator==(const VersionRange&) const = default;
};

// What a client offers: "v176..178" or "v178", optionally followed by " +PACEAPI"-style
// connect options.
struct ClientHello {
  VersionRange versions;
  std::string connect_options;  // text after the first space, "" if none
  bool operator==(const ClientHello&) const = default;
};

// The bytes a client sends first: "API\0", a 4-byte length, "v<min>..<max>[ <options>]".
std::string encode_client_hello(const ClientHello& hello);

// Checks the first 4 bytes a server receives; throws ProtocolError naming what arrived
// instead (e.g. a client that skipped the handshake or speaks another protocol).
void expect_api_prefix(std::string_view first_four_bytes);

// Parses the payload of the length-prefixed version text (the frame after "API\0").
ClientHello parse_client_hello(std::string_view version_text);

// The server's choice: the highest version both sides implement, or a refusal that says
// which ranges did not meet.
struct Negotiation {
  std::optional<int> version;
  std::string refusal;  // set when !version
  bool ok() const { return version.has_value(); }
};
Negotiation negotiate_version(const VersionRange& offered, const VersionRange& supported);

// The server's reply: a normal frame with exactly two fields, the version and the
// connection time ("yyyymmdd hh:mm:ss <zone>").
struct ServerHello {
  int server_version = 0;
  std::string connection_time;
  bool operator==(const ServerHello&) const = default;
};
std::string encode_server_hello(const ServerHello& hello);

// Parses the reply's payload. Throws ProtocolError if it is not two fields with an integer
// version; a negative version (an IB-internal redirect) is refused with its target named.
ServerHello decode_server_hello(std::string_view payload);

// A client's check of the server's choice; throws ProtocolError when outside `supported`.
void check_server_version(int server_version, const VersionRange& supported);

}  // namespace tandem::ib
