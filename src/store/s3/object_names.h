// How store keys become S3 object names, and back (docs/s3.md, "Object layout").
//
// Every '/'-separated part of a key gets a '!' terminator:
//     V/prices/TQQQ.1d/00000000000000000003  →  PREFIX V!/prices!/TQQQ.1d!/00000000000000000003!
// '!' sorts below every character a key may hold, so within one folder the objects list in the
// keys' byte order even on servers that list by walking a directory tree (s3rver: "TQQQ" and
// "TQQQ.1d" would otherwise come out in the wrong order, and paging past 1000 keys would skip
// some). Objects without the terminators (the commit lock's tickets, anything foreign) are not
// store keys and are never listed as such.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tandem::store::s3 {

class ObjectNames {
 public:
  // path_prefix: "" or ending in '/'.
  explicit ObjectNames(std::string path_prefix) : prefix_(std::move(path_prefix)) {}

  const std::string& path_prefix() const { return prefix_; }

  // The object holding `key`. Throws tandem::Error for a key this backend cannot store
  // (empty, or a character outside '"'..'~' or a '!').
  std::string object(std::string_view key) const;
  // The object-name prefix selecting every key that starts with `key_prefix`.
  std::string object_prefix(std::string_view key_prefix) const;
  // The key an object holds; nullopt if the object is not a store key.
  std::optional<std::string> key(std::string_view object) const;
  // Where the commit lock's tickets live ("PREFIX~commit/").
  std::string lock_prefix() const { return prefix_ + "~commit/"; }
  // Where writers waiting for the commit lock leave their marks ("PREFIX~waiting/").
  std::string waiting_prefix() const { return prefix_ + "~waiting/"; }

  static void validate_key(std::string_view key);

 private:
  std::string prefix_;
};

}  // namespace tandem::store::s3
