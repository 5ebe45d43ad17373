#include "store/compression.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

#include "core/error.h"

namespace tandem::store {
namespace {

// Below this many bytes a block is stored raw: compression would not pay for its own framing.
constexpr std::size_t kMinCompressBytes = 64;
// lz4 takes int sizes; larger blocks (never written by the store) are stored raw.
constexpr std::size_t kMaxCompressBytes = std::size_t{1} << 30;
// Size of the compressibility trial for large blocks.
constexpr std::size_t kTrialBytes = std::size_t{64} << 10;

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// One context per thread: creating one costs more than compressing a small block. A context
// keeps the workspace of the largest block it has handled (zstd sizes it by the input), so
// release_thread_compression_contexts() frees them after a compaction (compression.h).
thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx;
thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx;

ZSTD_CCtx* thread_cctx() {
  if (!cctx) cctx.reset(ZSTD_createCCtx());
  if (!cctx) throw Error("out of memory creating a zstd compression context");
  return cctx.get();
}
ZSTD_DCtx* thread_dctx() {
  if (!dctx) dctx.reset(ZSTD_createDCtx());
  if (!dctx) throw Error("out of memory creating a zstd decompression context");
  return dctx.get();
}

}  // namespace

void release_thread_compression_contexts() {
  cctx.reset();
  dctx.reset();
}

std::size_t thread_compression_context_bytes() {
  return (cctx ? ZSTD_sizeof_CCtx(cctx.get()) : 0) + (dctx ? ZSTD_sizeof_DCtx(dctx.get()) : 0);
}

char* ScratchBuffer::extend(std::size_t n) {
  if (capacity_ - size_ < n) {
    const std::size_t capacity = std::max(size_ + n, capacity_ * 2);
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0) std::memcpy(bigger.get(), buffer_.get(), size_);
    buffer_ = std::move(bigger);
    capacity_ = capacity;
  }
  return buffer_.get() + size_;
}

std::size_t compress_bound(Compression codec, std::size_t raw_len) {
  if (raw_len < kMinCompressBytes || raw_len > kMaxCompressBytes) return 0;
  switch (codec) {
    case Compression::kNone:
      return 0;
    case Compression::kZstd:
      return ZSTD_compressBound(raw_len);
    case Compression::kLz4:
      return static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(raw_len)));
  }
  return 0;
}

Compression compress_block(Compression codec, int zstd_level, std::string_view raw,
                           ScratchBuffer& scratch, bool trial) {
  const std::size_t bound = compress_bound(codec, raw.size());
  if (bound == 0) return Compression::kNone;
  char* dst = scratch.extend(bound);
  // Noisy data (prices, random ids) barely compresses; a trial on the first 64 KiB spares
  // compressing megabytes only to store them raw.
  if (trial && raw.size() > 4 * kTrialBytes) {
    std::size_t trial = 0;
    if (codec == Compression::kZstd) {
      trial = ZSTD_compressCCtx(thread_cctx(), dst, bound, raw.data(), kTrialBytes, zstd_level);
      if (ZSTD_isError(trial)) trial = kTrialBytes;
    } else {
      const int r = LZ4_compress_default(raw.data(), dst, static_cast<int>(kTrialBytes),
                                         static_cast<int>(bound));
      trial = r > 0 ? static_cast<std::size_t>(r) : kTrialBytes;
    }
    if (trial >= kTrialBytes - kTrialBytes / 16) return Compression::kNone;
  }
  std::size_t written = 0;
  if (codec == Compression::kZstd) {
    const std::size_t r =
        ZSTD_compressCCtx(thread_cctx(), dst, bound, raw.data(), raw.size(), zstd_level);
    if (ZSTD_isError(r))
      throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
    written = r;
  } else {
    const int r = LZ4_compress_default(raw.data(), dst, static_cast<int>(raw.size()),
                                       static_cast<int>(bound));
    if (r <= 0) throw Error("lz4 compression failed");
    written = static_cast<std::size_t>(r);
  }
  if (written >= raw.size() - raw.size() / 8) return Compression::kNone;
  scratch.commit(written);
  return codec;
}

void decompress_block(Compression codec, std::string_view stored, void* dst, std::size_t raw_len) {
  switch (codec) {
    case Compression::kNone:
      if (stored.size() != raw_len) {
        throw Error(ErrorKind::Corruption, "raw block holds " + std::to_string(stored.size()) +
                                               " bytes, expected " + std::to_string(raw_len));
      }
      if (raw_len > 0) std::memcpy(dst, stored.data(), raw_len);
      return;
    case Compression::kZstd: {
      const std::size_t r =
          ZSTD_decompressDCtx(thread_dctx(), dst, raw_len, stored.data(), stored.size());
      if (ZSTD_isError(r)) {
        throw Error(ErrorKind::Corruption,
                    std::string("zstd block does not decode: ") + ZSTD_getErrorName(r));
      }
      if (r != raw_len) {
        throw Error(ErrorKind::Corruption, "zstd block decodes to " + std::to_string(r) +
                                               " bytes, expected " + std::to_string(raw_len));
      }
      return;
    }
    case Compression::kLz4: {
      constexpr std::size_t kIntMax = static_cast<std::size_t>(std::numeric_limits<int>::max());
      if (stored.size() > kIntMax || raw_len > kIntMax)
        throw Error(ErrorKind::Corruption, "lz4 block too large");
      const int r = LZ4_decompress_safe(stored.data(), static_cast<char*>(dst),
                                        static_cast<int>(stored.size()), static_cast<int>(raw_len));
      if (r < 0) throw Error(ErrorKind::Corruption, "lz4 block does not decode");
      if (static_cast<std::size_t>(r) != raw_len) {
        throw Error(ErrorKind::Corruption, "lz4 block decodes to " + std::to_string(r) +
                                               " bytes, expected " + std::to_string(raw_len));
      }
      return;
    }
  }
  throw Error(ErrorKind::Corruption,
              "unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

std::uint64_t max_raw_size(Compression codec, std::uint64_t stored_len) {
  switch (codec) {
    case Compression::kNone:
      return stored_len;
    // zstd: a block of at most 128 KiB costs at least 4 bytes (an RLE block), so no frame expands
    // more than 32768×; lz4 literals and matches cap the ratio near 255×.
    case Compression::kZstd:
      return stored_len * 32768 + 65536;
    case Compression::kLz4:
      return stored_len * 256 + 65536;
  }
  return 0;
}

}  // namespace tandem::store
