#include "store/lmdb/catalog_text.h"

#include <charconv>
#include <utility>

namespace tandem::store::lmdb_catalog {
namespace {

// The next space-separated word of `rest`, consumed.
std::string_view word(std::string_view& rest) {
  const auto space = rest.find(' ');
  const std::string_view out = rest.substr(0, space);
  rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
  return out;
}

}  // namespace

CatalogText::CatalogText(Catalog catalog) : catalog_(std::move(catalog)), text_(encode(catalog_)) {
  const auto first_head = text_.find("\nH ");
  heads_begin_ =
      first_head == std::string::npos ? text_.size() - kChecksumLineSize : first_head + 1;
}

std::size_t CatalogText::libraries_begin() const {
  const auto txn_line = text_.find('\n') + 1;
  return text_.find('\n', txn_line) + 1;
}

void CatalogText::unseal() {
  if (!sealed_) return;
  text_.resize(text_.size() - kChecksumLineSize);
  sealed_ = false;
}

const std::string& CatalogText::text() {
  if (!sealed_) {
    append_checksum_line(text_);
    sealed_ = true;
  }
  return text_;
}

template <class Compare>
CatalogText::Line CatalogText::find(std::size_t lo, std::size_t hi, Compare compare) const {
  // lo and hi are line starts; every line start > 0 follows a '\n' (the header line's at least).
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const std::size_t begin = text_.rfind('\n', mid - 1) + 1;
    const std::size_t newline = text_.find('\n', begin);
    const int order = compare(std::string_view(text_).substr(begin, newline - begin));
    if (order == 0) return {begin, newline + 1, true};
    if (order < 0) {
      lo = newline + 1;
    } else {
      hi = begin;
    }
  }
  return {lo, lo, false};
}

CatalogText::Line CatalogText::find_library(std::string_view library) const {
  return find(libraries_begin(), heads_begin_, [&](std::string_view line) {
    return line.substr(2).compare(library);  // "L <lib>"
  });
}

CatalogText::Line CatalogText::find_head(const std::pair<std::string, std::string>& name) const {
  return find(heads_begin_, text_.size(), [&](std::string_view line) {
    line.remove_prefix(2);  // "H <lib> <sym> <version>"
    const int order = word(line).compare(name.first);
    return order != 0 ? order : word(line).compare(name.second);
  });
}

void CatalogText::set_txn(std::uint64_t txn) {
  if (txn == catalog_.txn) return;
  unseal();
  const std::size_t digits_begin = text_.find('\n') + 1 + 4;  // after "txn "
  const std::size_t digits_end = text_.find('\n', digits_begin);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, txn).ptr;
  const auto size = static_cast<std::size_t>(end - digits);
  text_.replace(digits_begin, digits_end - digits_begin, digits, size);
  heads_begin_ = heads_begin_ + size - (digits_end - digits_begin);
  catalog_.txn = txn;
}

void CatalogText::apply(const Mutation& mutation) { apply(edit_of(mutation)); }

void CatalogText::apply(const Edit& edit) {
  // The same steps, in the same order, as lmdb_catalog::apply(Catalog&, const Edit&); each one
  // that changes the catalog changes its line. A line the catalog has and the text lacks would
  // be a bug here: the text is then encoded afresh rather than spliced wrong.
  bool lost = false;
  for (const auto& lib : edit.added_libraries) {
    if (!catalog_.libraries.insert(lib).second) continue;
    unseal();
    const Line at = find_library(lib);
    line_.clear();
    append_library_line(line_, lib);
    text_.insert(at.begin, line_);
    heads_begin_ += line_.size();
  }
  for (const auto& [name, version] : edit.set_heads) {
    const auto [it, inserted] = catalog_.heads.try_emplace(name, version);
    if (!inserted && it->second == version) continue;
    it->second = version;
    unseal();
    const Line at = find_head(name);
    lost |= !inserted && !at.found;
    line_.clear();
    append_head_line(line_, name, version);
    text_.replace(at.begin, at.end - at.begin, line_);
  }
  for (const auto& lib : edit.removed_libraries) {
    if (catalog_.libraries.erase(lib) == 0) continue;
    unseal();
    const Line at = find_library(lib);
    lost |= !at.found;
    text_.erase(at.begin, at.end - at.begin);
    heads_begin_ -= at.end - at.begin;
  }
  for (const auto& name : edit.removed_heads) {
    if (catalog_.heads.erase(name) == 0) continue;
    unseal();
    const Line at = find_head(name);
    lost |= !at.found;
    text_.erase(at.begin, at.end - at.begin);
  }
  if (lost) *this = CatalogText(std::move(catalog_));
}

}  // namespace tandem::store::lmdb_catalog
