// Little-endian byte writer and bounds-checked reader for the store's binary formats (segments,
// version records, snapshots). The reader never reads past its buffer: every overrun throws
// tandem::Error, so decoding arbitrary bytes is safe.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/error.h"

namespace tandem::store {

static_assert(std::endian::native == std::endian::little,
              "the store's formats are little-endian and decoded by memcpy");

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  template <typename T>
  void fixed(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t at = out_.size();
    out_.resize(at + sizeof(T));
    std::memcpy(out_.data() + at, &value, sizeof(T));
  }
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void svarint(std::int64_t v) {  // zig-zag
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void bytes(std::string_view b) { out_.append(b); }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  std::size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  // `what` names the thing being decoded for error messages ("segment", "version record").
  ByteReader(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  template <typename T>
  T fixed() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::uint8_t u8() { return fixed<std::uint8_t>(); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = u8();
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    fail("varint longer than 10 bytes");
  }
  std::int64_t svarint() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string_view bytes(std::uint64_t n) {
    need(n);
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view str(std::uint64_t max_len) {
    const std::uint64_t n = varint();
    if (n > max_len)
      fail("string of " + std::to_string(n) + " bytes exceeds " + std::to_string(max_len));
    return bytes(n);
  }
  // A count of items each taking at least `min_item_bytes`, checked against what is left so a
  // corrupt count cannot make the caller allocate unboundedly.
  std::uint64_t count(std::size_t min_item_bytes) {
    const std::uint64_t n = varint();
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes) {
      fail("count " + std::to_string(n) + " exceeds the remaining " + std::to_string(remaining()) +
           " bytes");
    }
    return n;
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw Error("corrupt " + std::string(what_) + ": " + problem + " (at byte " +
                std::to_string(pos_) + " of " + std::to_string(data_.size()) + ")");
  }

 private:
  void need(std::uint64_t n) const {
    if (n > remaining()) {
      fail("needs " + std::to_string(n) + " more bytes, " + std::to_string(remaining()) + " left");
    }
  }
  std::string_view data_;
  std::string_view what_;
  std::size_t pos_ = 0;
};

}  // namespace tandem::store
