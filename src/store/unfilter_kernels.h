// The inner loops of undoing column pre-filters (see column_filter.h), in one portable version
// and, on x86-64, SSE2 and AVX2 versions picked once at run time by what the CPU supports.
// Every version computes bit-identical results: the decimal conversion is the same IEEE
// add/subtract/divide whatever the vector width, so a segment decodes to the same doubles on
// every machine. Internal to the store; exposed in a header so tests can compare the versions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tandem::store::unfilter {

enum class Isa { kPortable, kSse2, kAvx2 };

// The best version this CPU runs (decided once).
Isa best_isa();

// Gathers `count` 8-byte words into `out` from 8 byte planes `stride` bytes apart starting at
// `planes` (word i's byte b is at planes[b * stride + i]).
void unshuffle(Isa isa, const unsigned char* planes, std::size_t count, std::size_t stride,
               unsigned char* out);

// Undoes the delta filter in place on `count` words at `words` (any alignment): each holds the
// zig-zagged wrapping difference to the previous word; `carry` is the word before the first and
// is left at the last.
void undelta(Isa isa, unsigned char* words, std::size_t count, std::uint64_t& carry);

// Rewrites `count` int64 decimal integers q at `words` (any alignment) in place as the doubles
// q / scale, computed as (bits(q + bits(1.5 * 2^52)) - 1.5 * 2^52) / scale: exact for |q| < 2^51.
void decimals_to_doubles(Isa isa, unsigned char* words, std::size_t count, double scale);

// All the steps for a shuffled block in one pass: gathers `count` words from the planes as
// unshuffle() does, then, when asked, undoes the delta (carry as in undelta()) and converts
// decimals (scale > 0; 0 = not decimal), writing the finished words to `out` once. Same bytes
// as calling the three functions in turn; the AVX2 version keeps each 32-word group in
// registers between the steps instead of storing and reloading it.
void unshuffle_undelta_decimals(Isa isa, const unsigned char* planes, std::size_t count,
                                std::size_t stride, bool delta, std::uint64_t& carry, double scale,
                                unsigned char* out);

// The scalar conversion above for one value; the encoder uses it to verify a block.
double decimal_value(std::int64_t q, double scale);

inline constexpr std::uint64_t kMagicBits = 0x4338000000000000ULL;  // the double 1.5 * 2^52
inline constexpr double kMagic = 6755399441055744.0;                // 1.5 * 2^52

}  // namespace tandem::store::unfilter
