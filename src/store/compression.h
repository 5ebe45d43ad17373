// Block compression for segment columns: zstd or lz4, falling back to storing raw bytes when
// compression does not pay. Decompression checks every size, so corrupt input is an Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "store/store.h"

namespace tandem::store {

// A growable byte buffer that never zero-fills and keeps its memory between uses, so encoding
// does not touch fresh pages for every segment.
class ScratchBuffer {
 public:
  char* data() { return buffer_.get(); }
  std::size_t size() const { return size_; }
  void clear() { size_ = 0; }
  // Makes room for `n` more bytes (keeping the content) and returns where they go.
  char* extend(std::size_t n);
  void commit(std::size_t n) { size_ += n; }
  std::size_t capacity() const { return capacity_; }
  // Gives the memory back (after an unusually large block).
  void release() {
    buffer_.reset();
    size_ = capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> buffer_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// The most bytes compress_block may append to the scratch buffer for `raw_len` input bytes.
std::size_t compress_bound(Compression codec, std::size_t raw_len);

// Compresses `raw` with `codec`, appending to `scratch`, and returns the codec used. Returns
// kNone, appending nothing, when the block is tiny or compression saves less than an eighth:
// the caller then stores `raw` itself. With `trial`, a large block whose first 64 KiB do not
// compress is stored raw without compressing the rest (not for byte-shuffled blocks, whose first
// bytes are the noisiest plane).
Compression compress_block(Compression codec, int zstd_level, std::string_view raw,
                           ScratchBuffer& scratch, bool trial = true);

// Frees the calling thread's zstd contexts; the next block creates them again. A compression
// context grows its workspace to the largest block it has compressed (up to a few MB at the
// store's level) and keeps it: after a compaction of a symbol appended to all session long,
// which rewrites ever more rows, a long-running writer would keep the largest for good
// (docs/operations.md, "Soak"). release_thread_buffers() (segment.h) calls this.
void release_thread_compression_contexts();
// What the calling thread's zstd contexts hold now, in bytes (0 when it has none).
std::size_t thread_compression_context_bytes();

// Decompresses `stored` into exactly `raw_len` bytes at `dst`. Throws tandem::Error if the
// stored bytes are not a valid block of that codec or do not expand to exactly raw_len bytes.
void decompress_block(Compression codec, std::string_view stored, void* dst, std::size_t raw_len);

// The most bytes a block of `stored_len` bytes of `codec` can expand to: zstd and lz4 have a
// bounded compression ratio, so a decoder can refuse to allocate for a claim no valid block can
// make.
std::uint64_t max_raw_size(Compression codec, std::uint64_t stored_len);

}  // namespace tandem::store
