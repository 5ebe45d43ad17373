// Block compression for segment columns: zstd or lz4, falling back to storing raw bytes when
// compression does not pay. Decompression checks every size, so corrupt input is an Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace tandem::store {

// Appends `raw`, compressed with `codec`, to `out` and returns the codec used: kNone when the
// block is tiny or compression saves less than an eighth.
Compression compress_block(Compression codec, int zstd_level, std::string_view raw,
                           std::string& out);

// Decompresses `stored` into exactly `raw_len` bytes at `dst`. Throws tandem::Error if the
// stored bytes are not a valid block of that codec or do not expand to exactly raw_len bytes.
void decompress_block(Compression codec, std::string_view stored, void* dst, std::size_t raw_len);

// The most bytes a block of `stored_len` bytes of `codec` can expand to: zstd and lz4 have a
// bounded compression ratio, so a decoder can refuse to allocate for a claim no valid block can
// make.
std::uint64_t max_raw_size(Compression codec, std::uint64_t stored_len);

}  // namespace tandem::store
