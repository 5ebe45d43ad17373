// libFuzzer target: decoding any byte sequence as a segment either yields a consistent table or
// throws tandem::Error — never a crash, an overrun or an unbounded allocation. Each input is
// decoded with the checksum verified (the production path) and without it (so the fuzzer can
// reach the structural checks behind the checksum).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "store/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool verify : {true, false}) {
    try {
      const tandem::store::Table table = tandem::store::decode_segment(bytes, verify);
      table.validate("fuzz");  // whatever decodes must be a consistent table
    } catch (const tandem::Error&) {
    }
  }
  return 0;
}
