#include "store/lmdb/catalog.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/error.h"
#include "store/keys.h"
#include "store/record.h"

namespace tandem::store::lmdb_catalog {
namespace {

constexpr std::string_view kHeader = "tandem-catalog 1\n";

Error malformed(std::string_view why) {
  return Error(ErrorKind::Corruption, "corrupt catalog: " + std::string(why));
}

std::uint64_t parse_number(std::string_view text, std::string_view line) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    throw malformed("bad number in line \"" + std::string(line) + "\"");
  }
  return value;
}

// Up to 4 space-separated words of `line` (no allocation: every commit decodes the catalog);
// returns how many there were, 5 meaning more than 4.
std::size_t words(std::string_view line, std::string_view (&out)[4]) {
  std::size_t n = 0;
  while (!line.empty()) {
    if (n == 4) return 5;
    const auto space = line.find(' ');
    out[n++] = line.substr(0, space);
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return n;
}

// "H/<lib>/<sym>" → (lib, sym); nullopt for any other key.
std::optional<std::pair<std::string, std::string>> head_of(std::string_view key) {
  if (!key.starts_with("H/")) return std::nullopt;
  const std::string_view rest = key.substr(2);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return std::pair{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

std::optional<std::string> library_of(std::string_view key) {
  if (!key.starts_with(keys::kLibraryPrefix)) return std::nullopt;
  return std::string(key.substr(keys::kLibraryPrefix.size()));
}

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

}  // namespace

void append_library_line(std::string& out, std::string_view library) {
  out += "L ";
  out += library;
  out += '\n';
}

void append_head_line(std::string& out, const std::pair<std::string, std::string>& name,
                      std::uint64_t version) {
  out += "H ";
  out += name.first;
  out += ' ';
  out += name.second;
  out += ' ';
  append_number(out, version);
  out += '\n';
}

void append_checksum_line(std::string& out) {
  out += fmt::format("xxh3 {:016x}\n", XXH3_64bits(out.data(), out.size()));
}

std::string encode(const Catalog& catalog) {
  // Plain appends, not fmt: a commit that does not find its cached CatalogText encodes the whole
  // catalog (BENCHMARKS.md).
  std::string out(kHeader);
  out.reserve(64 + catalog.libraries.size() * 24 + catalog.heads.size() * 40);
  out += "txn ";
  append_number(out, catalog.txn);
  out += '\n';
  for (const auto& lib : catalog.libraries) append_library_line(out, lib);
  for (const auto& [name, version] : catalog.heads) append_head_line(out, name, version);
  append_checksum_line(out);
  return out;
}

Catalog decode(std::string_view text) {
  const auto sum_at = text.rfind("xxh3 ");
  if (!text.starts_with(kHeader) || sum_at == std::string_view::npos) {
    throw malformed("no header or no checksum line");
  }
  const std::string_view body = text.substr(0, sum_at);
  std::string_view sum_line = text.substr(sum_at + 5);
  if (sum_line.ends_with('\n')) sum_line.remove_suffix(1);
  std::uint64_t sum = 0;
  const auto [end, ec] =
      std::from_chars(sum_line.data(), sum_line.data() + sum_line.size(), sum, 16);
  if (ec != std::errc{} || end != sum_line.data() + sum_line.size()) {
    throw malformed("bad checksum line");
  }
  if (XXH3_64bits(body.data(), body.size()) != sum) throw malformed("checksum mismatch");
  Catalog catalog;
  std::string_view rest = body.substr(kHeader.size());
  bool have_txn = false;
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    if (newline == std::string_view::npos) throw malformed("unterminated line");
    const std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline + 1);
    std::string_view w[4];
    const std::size_t n = words(line, w);
    // Lines come in sorted order (encode writes them so): each insert goes at the end.
    if (n == 2 && w[0] == "txn") {
      catalog.txn = parse_number(w[1], line);
      have_txn = true;
    } else if (n == 2 && w[0] == "L") {
      catalog.libraries.emplace_hint(catalog.libraries.end(), w[1]);
    } else if (n == 4 && w[0] == "H") {
      catalog.heads.emplace_hint(catalog.heads.end(),
                                 std::pair{std::string(w[1]), std::string(w[2])},
                                 parse_number(w[3], line));
    } else {
      throw malformed("unknown line \"" + std::string(line) + "\"");
    }
  }
  if (!have_txn) throw malformed("no txn line");
  return catalog;
}

Catalog from_tree(const StorageView& view, std::vector<std::string>* unreadable) {
  Catalog catalog;
  for (const auto& key : view.list({keys::kLibraryPrefix})) {
    catalog.libraries.emplace(keys::suffix(key, keys::kLibraryPrefix));
  }
  for (const auto& kv : view.scan({"H/"})) {
    const auto name = head_of(kv.key);
    if (!name) continue;
    try {
      catalog.heads[*name] = decode_record(kv.value, true).version;
    } catch (const Error& e) {
      if (unreadable != nullptr) unreadable->push_back(kv.key + ": " + e.message());
    }
  }
  return catalog;
}

Edit edit_of(const Mutation& mutation) {
  Edit edit;
  for (const auto& kv : mutation.puts) {
    if (auto lib = library_of(kv.key)) {
      edit.added_libraries.push_back(std::move(*lib));
    } else if (auto name = head_of(kv.key)) {
      try {
        edit.set_heads.emplace_back(std::move(*name), decode_record(kv.value, true).version);
      } catch (const Error&) {
      }
    }
  }
  for (const auto& key : mutation.removes) {
    if (auto lib = library_of(key)) {
      edit.removed_libraries.push_back(std::move(*lib));
    } else if (auto name = head_of(key)) {
      edit.removed_heads.push_back(std::move(*name));
    }
  }
  return edit;
}

void apply(Catalog& catalog, const Edit& edit) {
  for (const auto& lib : edit.added_libraries) catalog.libraries.insert(lib);
  for (const auto& [name, version] : edit.set_heads) catalog.heads[name] = version;
  for (const auto& lib : edit.removed_libraries) catalog.libraries.erase(lib);
  for (const auto& name : edit.removed_heads) catalog.heads.erase(name);
}

void apply(Catalog& catalog, const Mutation& mutation) { apply(catalog, edit_of(mutation)); }

std::vector<std::string> differences(const Catalog& expected, const Catalog& actual) {
  std::vector<std::string> out;
  for (const auto& lib : expected.libraries) {
    if (!actual.libraries.contains(lib)) out.push_back("library " + lib + " is gone");
  }
  for (const auto& lib : actual.libraries) {
    if (!expected.libraries.contains(lib)) {
      out.push_back("library " + lib + " is in the tree but not in the catalog");
    }
  }
  for (const auto& [name, version] : expected.heads) {
    const auto found = actual.heads.find(name);
    const std::string symbol = name.first + "/" + name.second;
    if (found == actual.heads.end()) {
      out.push_back(fmt::format("symbol {} (head version {}) is gone", symbol, version));
    } else if (found->second != version) {
      out.push_back(fmt::format("symbol {} is at version {}, the catalog says {}", symbol,
                                found->second, version));
    }
  }
  for (const auto& [name, version] : actual.heads) {
    if (!expected.heads.contains(name)) {
      out.push_back(fmt::format("symbol {}/{} (version {}) is in the tree but not in the catalog",
                                name.first, name.second, version));
    }
  }
  return out;
}

std::optional<Catalog> read_side_file(const std::string& directory) {
  const std::filesystem::path path = std::filesystem::path(directory) / kCatalogFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw Error(ErrorKind::Corruption, "cannot read: " + std::string(std::strerror(errno)),
                path.string());
  }
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  try {
    return decode(text);
  } catch (const Error& e) {
    throw Error(ErrorKind::Corruption, e.message(), path.string());
  }
}

int open_side_file(const std::string& directory) {
  const std::filesystem::path path = std::filesystem::path(directory) / kCatalogFile;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
  if (fd < 0) {
    const int error = errno;
    throw Error(error == ENOSPC ? ErrorKind::Unavailable : ErrorKind::Internal,
                "cannot open the catalog: " + std::string(std::strerror(error)), path.string());
  }
  return fd;
}

void write_side_file(int fd, const std::string& text, const std::string& directory) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n =
        ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      throw Error(error == ENOSPC || error == EDQUOT ? ErrorKind::Unavailable : ErrorKind::Internal,
                  "cannot write the catalog: " + std::string(std::strerror(error)),
                  (std::filesystem::path(directory) / kCatalogFile).string());
    }
    done += static_cast<std::size_t>(n);
  }
  if (::ftruncate(fd, static_cast<off_t>(text.size())) != 0) {
    throw Error("cannot truncate the catalog: " + std::string(std::strerror(errno)),
                (std::filesystem::path(directory) / kCatalogFile).string());
  }
}

}  // namespace tandem::store::lmdb_catalog
