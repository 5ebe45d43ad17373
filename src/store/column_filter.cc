#include "store/column_filter.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "store/unfilter_kernels.h"

namespace tandem::store {
namespace {

constexpr double kPow10[kMaxDecimalExponent + 1] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,
                                                    1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13,
                                                    1e14, 1e15, 1e16, 1e17, 1e18};
// Decimal integers stay below 2^51 so that the decoder can turn them into doubles with one
// addition and one subtraction (the "magic number" conversion), which SSE2 does two at a time.
constexpr double kMaxDecimalInt = 2251799813685248.0;  // 2^51
using unfilter::decimal_value;
using unfilter::kMagic;
using unfilter::kMagicBits;

std::uint64_t load_word(const void* base, std::size_t i) {
  std::uint64_t w;
  std::memcpy(&w, static_cast<const char*>(base) + i * 8, 8);
  return w;
}

std::uint64_t zigzag(std::uint64_t d) { return (d << 1) ^ (0 - (d >> 63)); }

// v * 10^e rounded to the nearest integer (ties to even), for |v * 10^e| < 2^51: adding 1.5 * 2^52
// rounds away the fraction and leaves the integer in the low bits (no libm call).
std::int64_t scaled_integer(double v, double scale) {
  return static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(v * scale + kMagic) - kMagicBits);
}

// q with decimal_value(q, 10^e) bit-identical to v, if there is one.
bool decimal_at(double v, int e, std::int64_t& q) {
  if (!(std::fabs(v * kPow10[e]) < kMaxDecimalInt)) return false;  // also NaN and infinities
  q = scaled_integer(v, kPow10[e]);
  return std::bit_cast<std::uint64_t>(decimal_value(q, kPow10[e])) ==
         std::bit_cast<std::uint64_t>(v);
}

// The smallest exponent at which every value is decimal, or -1. Raising the exponent for a late
// value can break an earlier one (rounding), so the values before the last raise are re-checked.
// Writes the integers to `integers`, each one verified to decode to its value bit for bit.
int find_decimal_exponent(const void* values, std::size_t rows, std::uint64_t* integers) {
  int e = 0;
  std::size_t checked_from = 0;  // values from here on are known to be decimal at e
  std::int64_t q;
  for (std::size_t i = 0; i < rows; ++i) {
    const double v = std::bit_cast<double>(load_word(values, i));
    if (!decimal_at(v, e, q)) {
      do {
        if (++e > kMaxDecimalExponent) return -1;
      } while (!decimal_at(v, e, q));
      checked_from = i;
    }
    integers[i] = static_cast<std::uint64_t>(q);
  }
  for (std::size_t i = 0; i < checked_from; ++i) {
    if (!decimal_at(std::bit_cast<double>(load_word(values, i)), e, q)) return -1;
    integers[i] = static_cast<std::uint64_t>(q);
  }
  return e;
}

// Writes the 8 byte planes of words(0 .. rows-1) to out.
template <typename Words>
void shuffle_words(Words words, std::size_t rows, char* out) {
  auto* o = reinterpret_cast<unsigned char*>(out);
  std::size_t i = 0;
#if defined(__SSE2__)
  // 16 words at a time, transposed in registers (the byte-at-a-time scatter below was most of an
  // encode's filtering time). Take the 128 bytes as 8 vectors of 16: a byte's 7-bit position is
  // vector (3 bits) then byte (4 bits), and word w's byte b starts at w * 8 + b. Each round
  // interleaves vector j with vector j + 4 (unpacklo into 2j, unpackhi into 2j + 1), which
  // rotates every position left by one bit; four rounds move byte b of word w to b * 16 + w:
  // vector b holds plane b of the 16 words.
  for (; i + 16 <= rows; i += 16) {
    alignas(16) std::uint64_t block[16];
    for (std::size_t j = 0; j < 16; ++j) block[j] = words(i + j);
    __m128i v[8];
    for (std::size_t j = 0; j < 8; ++j) {
      v[j] = _mm_load_si128(reinterpret_cast<const __m128i*>(block) + j);
    }
    for (int round = 0; round < 4; ++round) {
      __m128i next[8];
      for (std::size_t j = 0; j < 4; ++j) {
        next[2 * j] = _mm_unpacklo_epi8(v[j], v[j + 4]);
        next[2 * j + 1] = _mm_unpackhi_epi8(v[j], v[j + 4]);
      }
      for (std::size_t j = 0; j < 8; ++j) v[j] = next[j];
    }
    for (std::size_t b = 0; b < 8; ++b) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o + b * rows + i), v[b]);
    }
  }
#endif
  for (; i < rows; ++i) {
    const std::uint64_t w = words(i);
    for (std::size_t b = 0; b < 8; ++b) o[b * rows + i] = static_cast<unsigned char>(w >> (8 * b));
  }
}

template <typename Words>
ColumnFilter shuffle_with_best_delta(Words words, std::size_t rows, ColumnFilter filter,
                                     char* out) {
  // Delta pays when the differences need fewer bits than the values themselves (the first row's
  // "difference" is its value, so it does not count).
  std::uint64_t or_values = 0, or_deltas = 0, previous = rows > 0 ? words(0) : 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const std::uint64_t w = words(i);
    or_values |= w;
    or_deltas |= zigzag(w - previous);
    previous = w;
  }
  filter.bits |= kFilterShuffle;
  if (std::bit_width(or_deltas) < std::bit_width(or_values)) {
    filter.bits |= kFilterDelta;
    shuffle_words([&](std::size_t i) { return zigzag(words(i) - (i == 0 ? 0 : words(i - 1))); },
                  rows, out);
  } else {
    shuffle_words(words, rows, out);
  }
  return filter;
}

}  // namespace

ColumnFilter filter_column(ColumnType type, const void* values, std::size_t rows, char* out) {
  const auto word = [values](std::size_t i) { return load_word(values, i); };
  if (type == ColumnType::kFloat64) {
    // The integers once, into a per-thread buffer: the filters read each of them twice.
    thread_local std::vector<std::uint64_t> integers;
    if (integers.size() < rows) integers.resize(rows);
    const int e = find_decimal_exponent(values, rows, integers.data());
    const auto give_back_if_large = [&] {
      if (integers.size() > (std::size_t{8} << 20))
        integers = {};  // after an unusually large block
    };
    if (e < 0) {
      give_back_if_large();
      // Noise-like doubles: the shuffle alone still groups the sign/exponent bytes.
      shuffle_words(word, rows, out);
      return {kFilterShuffle, 0};
    }
    const std::uint64_t* q = integers.data();
    const ColumnFilter filter =
        shuffle_with_best_delta([q](std::size_t i) { return q[i]; }, rows,
                                {kFilterDecimal, static_cast<std::uint8_t>(e)}, out);
    give_back_if_large();
    return filter;
  }
  return shuffle_with_best_delta(word, rows, {}, out);
}

std::string filter_problem(ColumnType type, ColumnFilter filter) {
  if (filter.bits == 0) return {};
  if ((filter.bits & ~(kFilterShuffle | kFilterDelta | kFilterDecimal)) != 0) {
    return "unknown filter bits " + std::to_string(filter.bits);
  }
  if (type != ColumnType::kInt64 && type != ColumnType::kFloat64 &&
      type != ColumnType::kTimestamp) {
    return "filter on a " + std::string(column_type_name(type)) + " column";
  }
  if ((filter.bits & kFilterShuffle) == 0) return "filter without the byte shuffle";
  if ((filter.bits & kFilterDecimal) != 0) {
    if (type != ColumnType::kFloat64) return "decimal filter on a non-float64 column";
    if (filter.decimal_exponent > kMaxDecimalExponent) {
      return "decimal exponent " + std::to_string(filter.decimal_exponent);
    }
  } else if (filter.decimal_exponent != 0) {
    return "decimal exponent without the decimal filter";
  }
  if (type == ColumnType::kFloat64 && (filter.bits & kFilterDelta) != 0 &&
      (filter.bits & kFilterDecimal) == 0) {
    return "delta filter on float64 bits";
  }
  return {};
}

void unfilter_rows(ColumnFilter filter, const unsigned char* filtered, std::size_t rows,
                   std::size_t begin, std::size_t count, std::uint64_t& carry, void* out) {
  auto* o = static_cast<unsigned char*>(out);
  if ((filter.bits & kFilterShuffle) == 0) {
    // No filter at all (filter_problem refuses any other filter without the shuffle): the
    // block's bytes are the values.
    if (count > 0) std::memcpy(o, filtered + begin * 8, count * 8);
    return;
  }
  const bool delta = (filter.bits & kFilterDelta) != 0;
  const double scale = (filter.bits & kFilterDecimal) != 0 ? kPow10[filter.decimal_exponent] : 0.0;
  unfilter::unshuffle_undelta_decimals(unfilter::best_isa(), filtered + begin, count, rows, delta,
                                       carry, scale, o);
}

}  // namespace tandem::store
