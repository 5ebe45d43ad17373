#include "store/keys.h"

#include <charconv>
#include <cstdio>
#include <random>

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

std::string new_segment(std::string_view lib, std::string_view sym) {
  // std::random_device reads the kernel's generator: no state that a fork() could duplicate.
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = segments_prefix(lib, sym);
  for (int i = 0; i < 4; ++i) {
    std::uint32_t r = rd();
    for (int j = 0; j < 8; ++j) {
      key += kHex[r & 15];
      r >>= 4;
    }
  }
  return key;
}

}  // namespace tandem::store::keys
