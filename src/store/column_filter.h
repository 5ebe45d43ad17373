// Column pre-filters: reversible transforms of an 8-byte column (int64, timestamp, float64) applied
// before compression, so that zstd and lz4 see long runs and raw literals instead of short matches
// between noisy 8-byte values — which makes them compress better and, above all, decode faster.
//
//   decimal (float64 only): every value is q / 10^e for an int64 q (|q| <= 2^53) and one exponent e
//            of the block, verified bit for bit at encode time with the decoder's own arithmetic;
//            the block then holds the integers q (prices in cents are 2-decimal doubles).
//   delta:   each 64-bit word becomes the zig-zagged wrapping difference to the previous word
//            (the first to 0), so steady series (timestamps, prices) turn into small numbers.
//   shuffle: the 8 bytes of every word are transposed into 8 byte planes (all byte 0s, then all
//            byte 1s, ...), as Blosc does; the high planes of small numbers are runs of zeros.
// Applied in that order on encode (shuffle always, when any filter is); undone in reverse on
// decode, a cache-sized chunk of rows at a time so the output is written once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "store/table.h"

namespace tandem::store {

inline constexpr std::uint8_t kFilterShuffle = 1;
inline constexpr std::uint8_t kFilterDelta = 2;
inline constexpr std::uint8_t kFilterDecimal = 4;
// Exponents up to 10^22 are exact doubles; beyond 18 a column is noise rather than decimal.
inline constexpr std::uint8_t kMaxDecimalExponent = 18;

struct ColumnFilter {
  std::uint8_t bits = 0;  // kFilter* flags; 0 = stored as is
  std::uint8_t decimal_exponent = 0;
  bool operator==(const ColumnFilter&) const = default;
};

// Chooses the filter for `rows` 8-byte values of `type` at `values` (any alignment) and writes the
// filtered bytes (rows * 8 of them) to `out`. Every 8-byte column gets at least the shuffle.
ColumnFilter filter_column(ColumnType type, const void* values, std::size_t rows, char* out);

// Why `filter` cannot describe a block of `type`, or empty if it can.
std::string filter_problem(ColumnType type, ColumnFilter filter);

// Undoes the filter for rows [begin, begin + count) of a block of `rows` filtered rows at
// `filtered`, writing `count` 8-byte values to `out`. `carry` is the word before row `begin`
// (0 before row 0) and is left at the last word decoded: chunks must be decoded in order.
void unfilter_rows(ColumnFilter filter, const unsigned char* filtered, std::size_t rows,
                   std::size_t begin, std::size_t count, std::uint64_t& carry, void* out);

}  // namespace tandem::store
