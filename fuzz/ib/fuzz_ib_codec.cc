// libFuzzer target for everything src/ib reads from a peer. The first input byte chooses the
// server version (bits 0-1), what to parse (bits 2-3) and how to chunk the stream (bits 4-7);
// the rest is the bytes a peer sent. Every input must end in a decoded message or a
// ProtocolError (tandem::Error for times) — anything else escapes and is reported as a crash.
// Decoded messages must survive a re-encode: requests exactly, responses after one
// normalisation (a server spells some unset values as "0").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ib/codec.h"
#include "ib/ib_time.h"

namespace {

using namespace tandem::ib;

[[noreturn]] void invariant_broken() { __builtin_trap(); }

void check_request(std::string_view payload, int version) {
  Request decoded;
  try {
    decoded = decode_request(payload, version);
  } catch (const ProtocolError&) {
    return;
  }
  std::string frame = encode_request(decoded, version);
  Request again = decode_request(std::string_view(frame).substr(4), version);
  if (!(again == decoded)) invariant_broken();
}

void check_response(std::string_view payload, int version) {
  Response decoded;
  try {
    decoded = decode_response(payload, version);
  } catch (const ProtocolError&) {
    return;
  }
  std::string once = encode_response(decoded, version);
  Response normalised = decode_response(std::string_view(once).substr(4), version);
  std::string twice = encode_response(normalised, version);
  if (twice != once) invariant_broken();
}

void fuzz_stream(std::string_view bytes, int version, unsigned chunk_seed) {
  FrameDecoder decoder;
  std::size_t pos = 0;
  std::size_t step = 0;
  try {
    while (pos < bytes.size()) {
      std::size_t n = 1 + (chunk_seed * 7 + step++ * 13) % 64;
      n = std::min(n, bytes.size() - pos);
      decoder.append(bytes.substr(pos, n));
      pos += n;
      while (auto payload = decoder.next()) {
        check_request(*payload, version);
        check_response(*payload, version);
      }
    }
  } catch (const ProtocolError&) {
    // A bad length prefix: the stream is over, as a client or the gateway would drop it.
  }
}

void fuzz_handshake(std::string_view bytes) {
  try {
    ClientHello hello = parse_client_hello(bytes);
    Negotiation n = negotiate_version(hello.versions, VersionRange{});
    if (n.ok() && (*n.version < kMinServerVersion || *n.version > kMaxServerVersion)) {
      invariant_broken();
    }
  } catch (const ProtocolError&) {
  }
  try {
    decode_server_hello(bytes);
  } catch (const ProtocolError&) {
  }
}

void fuzz_time(std::string_view bytes) {
  std::string_view zone = bytes.substr(0, bytes.find('|'));
  std::string_view text = zone.size() < bytes.size() ? bytes.substr(zone.size() + 1) : bytes;
  try {
    parse_ib_time(text, zone);
  } catch (const tandem::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned control = data[0];
  const int version = kMinServerVersion + static_cast<int>(control & 3u) % 3;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  switch ((control >> 2) & 3u) {
    case 1:
      fuzz_handshake(bytes);
      break;
    case 2:
      fuzz_time(bytes);
      break;
    default:
      fuzz_stream(bytes, version, control >> 4);
      break;
  }
  return 0;
}
