#include "store/keys.h"

#include <sys/random.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

#include "core/error.h"

namespace tandem::store::keys {

std::string version(std::string_view lib, std::string_view sym, std::uint64_t v) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(v));
  return versions_prefix(lib, sym) + digits;
}

std::optional<std::uint64_t> version_of(std::string_view key) {
  const auto slash = key.rfind('/');
  if (slash == std::string_view::npos || key.size() - slash - 1 != 20) return std::nullopt;
  std::uint64_t v = 0;
  const char* first = key.data() + slash + 1;
  const char* last = key.data() + key.size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return v;
}

std::string random_hex() {
  // 128 bits from the kernel: no generator state that a fork() could duplicate, and much cheaper
  // than constructing a std::random_device per key.
  unsigned char bits[16];
  std::size_t got = 0;
  while (got < sizeof bits) {
    const ssize_t n = getrandom(bits + got, sizeof bits - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("getrandom failed: errno " + std::to_string(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(32);
  for (unsigned char b : bits) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

std::string new_segment(std::string_view lib, std::string_view sym) {
  return segments_prefix(lib, sym) + random_hex();
}

std::string pending_snapshot(std::string_view lib, std::string_view name) {
  return snapshots_prefix(lib) + "~pending." + std::string(name) + "." + random_hex();
}
}  // namespace tandem::store::keys
