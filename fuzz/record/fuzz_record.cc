// libFuzzer target: decoding any byte sequence as a version record or a snapshot record either
// yields a record or throws tandem::Error — never a crash, an overrun or an unbounded allocation.
// Records end in an XXH3-64 checksum of their body, which a mutated input almost never matches;
// so each input is decoded as given (the production path) and again with its last 8 bytes
// replaced by the checksum of the rest, which lets the fuzzer reach the structural checks.
// Whatever decodes must survive a round trip: encode(decode(encode(r))) == encode(r).
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/record.h"

namespace {

using tandem::store::decode_record;
using tandem::store::decode_snapshot;
using tandem::store::encode_record;
using tandem::store::encode_snapshot;

void check(bool ok) {
  if (!ok) std::abort();  // a record that decodes but does not round-trip is a finding
}

void decode_all(std::string_view bytes) {
  try {
    const std::string once = encode_record(decode_record(bytes));
    check(encode_record(decode_record(once)) == once);
  } catch (const tandem::Error&) {
  }
  try {
    decode_record(bytes, /*header_only=*/true);
  } catch (const tandem::Error&) {
  }
  try {
    const std::string once = encode_snapshot(decode_snapshot(bytes));
    check(encode_snapshot(decode_snapshot(once)) == once);
  } catch (const tandem::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  decode_all(bytes);
  if (size >= 8) {
    std::string resealed(bytes);
    const std::uint64_t sum = XXH3_64bits(resealed.data(), size - 8);
    std::memcpy(resealed.data() + size - 8, &sum, 8);
    decode_all(resealed);
  }
  return 0;
}
