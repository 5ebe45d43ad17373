#include "store/compression.h"

#include <lz4.h>
#include <zstd.h>

#include <cstring>
#include <limits>
#include <memory>

#include "core/error.h"

namespace tandem::store {
namespace {

// Below this many bytes a block is stored raw: compression would not pay for its own framing.
constexpr std::size_t kMinCompressBytes = 64;

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// One context per thread: creating one costs more than compressing a small block.
ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  if (!ctx) throw Error("out of memory creating a zstd compression context");
  return ctx.get();
}
ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  if (!ctx) throw Error("out of memory creating a zstd decompression context");
  return ctx.get();
}

}  // namespace

Compression compress_block(Compression codec, int zstd_level, std::string_view raw,
                           std::string& out) {
  const std::size_t at = out.size();
  if (codec != Compression::kNone && raw.size() >= kMinCompressBytes &&
      raw.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max() / 2)) {
    std::size_t written = 0;
    if (codec == Compression::kZstd) {
      out.resize(at + ZSTD_compressBound(raw.size()));
      const std::size_t r = ZSTD_compressCCtx(thread_cctx(), out.data() + at, out.size() - at,
                                              raw.data(), raw.size(), zstd_level);
      if (ZSTD_isError(r)) {
        out.resize(at);
        throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
      }
      written = r;
    } else {
      const int bound = LZ4_compressBound(static_cast<int>(raw.size()));
      out.resize(at + static_cast<std::size_t>(bound));
      const int r =
          LZ4_compress_default(raw.data(), out.data() + at, static_cast<int>(raw.size()), bound);
      if (r <= 0) {
        out.resize(at);
        throw Error("lz4 compression failed");
      }
      written = static_cast<std::size_t>(r);
    }
    if (written < raw.size() - raw.size() / 8) {
      out.resize(at + written);
      return codec;
    }
    out.resize(at);
  }
  out.append(raw);
  return Compression::kNone;
}

void decompress_block(Compression codec, std::string_view stored, void* dst, std::size_t raw_len) {
  switch (codec) {
    case Compression::kNone:
      if (stored.size() != raw_len) {
        throw Error("raw block holds " + std::to_string(stored.size()) + " bytes, expected " +
                    std::to_string(raw_len));
      }
      if (raw_len > 0) std::memcpy(dst, stored.data(), raw_len);
      return;
    case Compression::kZstd: {
      const std::size_t r =
          ZSTD_decompressDCtx(thread_dctx(), dst, raw_len, stored.data(), stored.size());
      if (ZSTD_isError(r)) {
        throw Error(std::string("zstd block does not decode: ") + ZSTD_getErrorName(r));
      }
      if (r != raw_len) {
        throw Error("zstd block decodes to " + std::to_string(r) + " bytes, expected " +
                    std::to_string(raw_len));
      }
      return;
    }
    case Compression::kLz4: {
      constexpr std::size_t kIntMax = static_cast<std::size_t>(std::numeric_limits<int>::max());
      if (stored.size() > kIntMax || raw_len > kIntMax) throw Error("lz4 block too large");
      const int r = LZ4_decompress_safe(stored.data(), static_cast<char*>(dst),
                                        static_cast<int>(stored.size()), static_cast<int>(raw_len));
      if (r < 0) throw Error("lz4 block does not decode");
      if (static_cast<std::size_t>(r) != raw_len) {
        throw Error("lz4 block decodes to " + std::to_string(r) + " bytes, expected " +
                    std::to_string(raw_len));
      }
      return;
    }
  }
  throw Error("unknown compression codec " + std::to_string(static_cast<int>(codec)));
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
