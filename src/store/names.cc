// Name rules and the string forms of the store's enums.
#include <cctype>

#include "core/error.h"
#include "store/store.h"

namespace tandem::store {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 120)) {
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > 120) out += "...";
  return out;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  if (std::isalnum(static_cast<unsigned char>(name[0])) == 0) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

void validate_name(std::string_view what, std::string_view name) {
  if (is_valid_name(name)) return;
  const std::string label = std::string(what) + " name \"" + printable(name) + "\"";
  if (name.empty()) throw Error(ErrorKind::InvalidArgument, std::string(what) + " name is empty");
  if (name.size() > 100) {
    throw Error(ErrorKind::InvalidArgument,
                label + " is " + std::to_string(name.size()) + " characters long (at most 100)");
  }
  if (std::isalnum(static_cast<unsigned char>(name[0])) == 0) {
    throw Error(ErrorKind::InvalidArgument, label + " must start with a letter or digit");
  }
  for (unsigned char c : name) {
    if (is_name_char(static_cast<char>(c))) continue;
    std::string shown = (c < 0x20 || c >= 0x7f)
                            ? printable(std::string_view(reinterpret_cast<const char*>(&c), 1))
                            : std::string(1, static_cast<char>(c));
    throw Error(
        ErrorKind::InvalidArgument,
        label + " contains '" + shown +
            "' (allowed: letters, digits, '_', '.', '-'; pattern [A-Za-z0-9][A-Za-z0-9_.-]{0,99})");
  }
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kZstd:
      return "zstd";
    case Compression::kLz4:
      return "lz4";
  }
  return "unknown";
}

std::optional<Compression> parse_compression(std::string_view text) {
  for (Compression c : {Compression::kNone, Compression::kZstd, Compression::kLz4}) {
    if (compression_name(c) == text) return c;
  }
  return std::nullopt;
}

std::string_view version_kind_name(VersionKind kind) {
  switch (kind) {
    case VersionKind::kWrite:
      return "write";
    case VersionKind::kAppend:
      return "append";
    case VersionKind::kUpdate:
      return "update";
    case VersionKind::kDeleteRange:
      return "delete_range";
    case VersionKind::kCompact:
      return "compact";
    case VersionKind::kDeleted:
      return "deleted";
  }
  return "unknown";
}

AsOf AsOf::version(std::uint64_t v) {
  AsOf a(Kind::kVersion);
  a.version_ = v;
  return a;
}

AsOf AsOf::snapshot(std::string name) {
  AsOf a(Kind::kSnapshot);
  a.text_ = std::move(name);
  return a;
}

AsOf AsOf::time(Timestamp t) {
  AsOf a(Kind::kTime);
  a.time_ = t;
  return a;
}

AsOf AsOf::parse(std::string text) {
  AsOf a(Kind::kText);
  a.text_ = std::move(text);
  return a;
}

}  // namespace tandem::store
