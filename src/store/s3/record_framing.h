// The framing of the S3 backend's own small records — the lease lock's commit intent and the
// conditional protocol's commit journal (docs/s3.md): little-endian u64s and u64-length-prefixed
// byte strings. The reader is bounds-checked: damaged bytes are a Corruption error naming the
// record and the object, never a read past the buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace tandem::store::s3 {

inline void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

inline void put_bytes(std::string& out, std::string_view bytes) {
  put_u64(out, bytes.size());
  out.append(bytes);
}

class RecordReader {
 public:
  // `record` names what is decoded ("commit journal", "commit intent"); `where` the object.
  RecordReader(std::string_view bytes, std::string_view record, const std::string& where)
      : bytes_(bytes), record_(record), where_(where) {}

  std::uint64_t u64() {
    need(8);
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    }
    pos_ += 8;
    return value;
  }
  std::string bytes() {
    const std::uint64_t size = u64();
    need(size);
    std::string out(bytes_.substr(pos_, size));
    pos_ += size;
    return out;
  }
  // A count of entries; every entry takes at least 8 bytes, so a count beyond what is left is
  // corruption, not a huge record (and never an unbounded allocation).
  std::uint64_t count() {
    const std::uint64_t n = u64();
    if (n > (bytes_.size() - pos_) / 8) fail("entry count " + std::to_string(n) + " is impossible");
    return n;
  }
  bool at_end() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorKind::Corruption, "corrupt " + std::string(record_) + ": " + problem, where_);
  }

 private:
  void need(std::uint64_t n) const {
    if (n > bytes_.size() - pos_) fail("truncated");
  }
  std::string_view bytes_;
  std::string_view record_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

}  // namespace tandem::store::s3
