// tandem's IB TWS socket-protocol codec: the contract shared by ib::Client (encodes requests,
// decodes responses) and the paper gateway (decodes requests, encodes responses).
//
//   Framing      ib/frame.h      4-byte big-endian length + payload; FrameDecoder is
//                                incremental and bounded.
//   Handshake    ib/handshake.h  "API\0" + "v<min>..<max>", version negotiation, server reply.
//   Fields       ib/fields.h     NUL-terminated text fields and IB's unset conventions.
//   Messages     ib/requests.h, ib/responses.h: one plain struct per message id.
//   Time         ib/ib_time.h    IB's date/time strings to tandem::Timestamp (UTC ns).
//
// Promises:
// - Every payload decodes to a typed message, to Unknown{Request,Response} for a well-formed
//   message with an id the codec does not model, or throws ProtocolError naming the message
//   id and the field — never a crash, a hang or an allocation beyond a small multiple of the
//   payload's size.
// - Decoding is strict: a message with fields left over, or missing, at the negotiated
//   version is an error (a misaligned peer must not be believed). Frames are self-delimiting,
//   so such an error concerns that one message: the stream stays in sync and the caller may
//   report it and go on. Only a FrameDecoder error ends the stream.
// - decode(encode(m)) == m for every message at every supported version, except where the
//   protocol itself cannot say the difference (a server spells an unset value as a sentinel).
// - The server version must be one the codec implements (kMinServerVersion..
//   kMaxServerVersion); anything else throws tandem::Error.
#pragma once

#include <string>
#include <string_view>

#include "ib/constants.h"
#include "ib/fields.h"
#include "ib/frame.h"
#include "ib/handshake.h"
#include "ib/protocol_error.h"
#include "ib/requests.h"
#include "ib/responses.h"

namespace tandem::ib {

// Client side: appends one framed request to `out` (IB's client spellings: unset = "").
void encode_request(const Request& message, int server_version, std::string& out);
std::string encode_request(const Request& message, int server_version);

// Server side: decodes one frame payload (without its length prefix).
Request decode_request(std::string_view payload, int server_version);

// Server side: appends one framed response to `out` (strict spellings every client parses).
void encode_response(const Response& message, int server_version, std::string& out);
std::string encode_response(const Response& message, int server_version);

// Client side: decodes one frame payload (without its length prefix).
Response decode_response(std::string_view payload, int server_version);

// IB's name for a message ("placeOrder", "execDetails"; "unknown" for Unknown*) and its id.
std::string_view message_name(const Request& message);
std::string_view message_name(const Response& message);
int message_id(const Request& message);
int message_id(const Response& message);

// Throws tandem::Error unless kMinServerVersion <= version <= kMaxServerVersion.
void require_supported_version(int server_version);

}  // namespace tandem::ib
