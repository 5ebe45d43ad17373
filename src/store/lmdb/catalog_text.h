// A catalog together with its encoded text, kept equal to encode(catalog()) byte for byte while
// commits change it. Every lmdb:// commit rewrites the catalog (catalog.h); re-encoding it whole
// costs O(libraries + symbols) per commit, while a commit changes a few lines (its txn line, the
// heads it bumps): those lines are spliced into the text where they belong, found by a binary
// search over the text's sorted lines. The checksum stays XXH3-64 over the whole text (hashed
// once per commit, in text()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/lmdb/catalog.h"
#include "store/storage.h"

namespace tandem::store::lmdb_catalog {

class CatalogText {
 public:
  // The text is encode(catalog): the reference every later splice keeps equal.
  explicit CatalogText(Catalog catalog);

  // Changes the catalog as apply(catalog, mutation) does, and the text's lines to match.
  void apply(const Mutation& mutation);
  void apply(const Edit& edit);
  void set_txn(std::uint64_t txn);

  const Catalog& catalog() const { return catalog_; }
  // encode(catalog()); the checksum line is recomputed here when the catalog changed since.
  const std::string& text();

 private:
  struct Line {
    std::size_t begin = 0;  // where the line starts (or would be inserted)
    std::size_t end = 0;    // one past its '\n' (== begin when not found)
    bool found = false;
  };
  // Binary search of the sorted lines in [lo, hi) of the unsealed text for `key`; `compare`
  // orders a line's text (without '\n') against it like std::string's operator<=>.
  template <class Compare>
  Line find(std::size_t lo, std::size_t hi, Compare compare) const;
  Line find_library(std::string_view library) const;
  Line find_head(const std::pair<std::string, std::string>& name) const;
  std::size_t libraries_begin() const;  // after the header and the txn line
  void unseal();                        // drops the checksum line before a splice

  Catalog catalog_;
  std::string text_;
  std::string line_;             // scratch for the line being spliced in
  std::size_t heads_begin_ = 0;  // where the first H line starts (the end of the L lines)
  bool sealed_ = true;           // text_ ends with its checksum line
};

}  // namespace tandem::store::lmdb_catalog
