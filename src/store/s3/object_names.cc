#include "store/s3/object_names.h"

#include "core/error.h"

namespace tandem::store::s3 {
namespace {

constexpr char kTerminator = '!';

std::string encode_parts(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 8);
  for (char c : key) {
    if (c == '/') out.push_back(kTerminator);
    out.push_back(c);
  }
  return out;
}

}  // namespace

void ObjectNames::validate_key(std::string_view key) {
  if (key.empty()) throw Error("empty key", "s3 object names");
  for (char c : key) {
    if (c <= kTerminator || c > '~') {
      throw Error("key \"" + std::string(key) + "\" holds a character that S3 keys of this store " +
                      "cannot (allowed: printable ASCII from '\"' to '~')",
                  "s3 object names");
    }
  }
}

std::string ObjectNames::object(std::string_view key) const {
  validate_key(key);
  return prefix_ + encode_parts(key) + kTerminator;
}

std::string ObjectNames::object_prefix(std::string_view key_prefix) const {
  for (char c : key_prefix) {
    if (c <= kTerminator || c > '~') validate_key(key_prefix);  // throws with the message
  }
  return prefix_ + encode_parts(key_prefix);
}

std::optional<std::string> ObjectNames::key(std::string_view object) const {
  if (!object.starts_with(prefix_)) return std::nullopt;
  std::string_view rest = object.substr(prefix_.size());
  if (rest.size() < 2 || rest.back() != kTerminator) return std::nullopt;
  rest.remove_suffix(1);
  std::string out;
  out.reserve(rest.size());
  for (std::size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == kTerminator) {
      if (i + 1 >= rest.size() || rest[i + 1] != '/') return std::nullopt;
      continue;
    }
    if (c == '/' && (i == 0 || rest[i - 1] != kTerminator)) return std::nullopt;
    if (c < kTerminator || c > '~') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

}  // namespace tandem::store::s3
