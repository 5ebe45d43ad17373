// Test hooks: reach stored bytes through the backend, to prove append never rewrites segments
// and that corruption is detected. Not for production code.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/table.h"

namespace tandem::store::testing {

// Segment keys of the latest version of library/symbol, in the version's order.
std::vector<std::string> latest_segment_keys(Store& store, std::string_view library,
                                             std::string_view symbol);
// Every stored segment key of the symbol (referenced by any version, snapshot, or none).
// Every stored segment key of the symbol (referenced by any version, snapshot, or none): the
// segments stored as objects. Inline segments (inside version records) are not among them.
std::vector<std::string> stored_segment_keys(Store& store, std::string_view library,
                                             std::string_view symbol);
// Every segment of the symbol with its stored bytes, wherever it is: the objects and the inline
// segments held in version records.
std::map<std::string, std::string> stored_segment_bytes(Store& store, std::string_view library,
                                                        std::string_view symbol);
std::optional<std::string> raw_get(Store& store, const std::string& key);
void raw_put(Store& store, const std::string& key, std::string value);
// Inverts the byte at `offset` (modulo the value's size) of the value stored under `key`.
void corrupt_value(Store& store, const std::string& key, std::size_t offset);

// The table of `rows` rows the segment fuzzer's seeds encode (fuzz/store/make_segment_corpus,
// which adds a "cents" column): every column type, repeated timestamps, a null string. The
// segment format tests decode the committed format-1 seeds back into it.
Table segment_seed_table(std::size_t rows);

// FNV-1a over every symbol of `library` but `skip` (its name, index, and each column's name,
// validity and values), latest versions: equal digests mean bit-identical tables. The backtest
// tests and bench/backtest --digest compare runs with it (skipping run_info, which records the
// command line).
std::uint64_t library_digest(const Library& library, std::string_view skip = {});

}  // namespace tandem::store::testing
