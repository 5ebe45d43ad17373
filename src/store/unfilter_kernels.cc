#include "store/unfilter_kernels.h"

#include <bit>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define TANDEM_UNFILTER_X86 1
#endif

namespace tandem::store::unfilter {
namespace {

std::uint64_t load_word(const unsigned char* base, std::size_t i) {
  std::uint64_t w;
  std::memcpy(&w, base + i * 8, 8);
  return w;
}

void unshuffle_portable(const unsigned char* planes, std::size_t count, std::size_t stride,
                        unsigned char* out) {
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t w = 0;
    for (std::size_t b = 0; b < 8; ++b) w |= std::uint64_t{planes[b * stride + i]} << (8 * b);
    std::memcpy(out + i * 8, &w, 8);
  }
}

std::uint64_t unzigzag(std::uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

void undelta_portable(unsigned char* words, std::size_t count, std::uint64_t& carry) {
  std::uint64_t w = carry;
  for (std::size_t i = 0; i < count; ++i) {
    w += unzigzag(load_word(words, i));
    std::memcpy(words + i * 8, &w, 8);
  }
  carry = w;
}

void decimals_portable(unsigned char* words, std::size_t count, double scale) {
  for (std::size_t i = 0; i < count; ++i) {
    const double d = decimal_value(static_cast<std::int64_t>(load_word(words, i)), scale);
    std::memcpy(words + i * 8, &d, 8);
  }
}

#if TANDEM_UNFILTER_X86
// Three rounds of byte, 16-bit and 32-bit interleaving turn 8 plane vectors (one per byte
// position) into words. Within a 128-bit lane the result is 16 consecutive words spread over
// o[0..7] two at a time, which both versions below store in order.
#define TANDEM_INTERLEAVE(P, U8L, U8H, U16L, U16H, U32L, U32H, O)                          \
  do {                                                                                     \
    const auto a0 = U8L(P[0], P[1]), a1 = U8H(P[0], P[1]), a2 = U8L(P[2], P[3]),           \
               a3 = U8H(P[2], P[3]), a4 = U8L(P[4], P[5]), a5 = U8H(P[4], P[5]),           \
               a6 = U8L(P[6], P[7]), a7 = U8H(P[6], P[7]);                                 \
    const auto b0 = U16L(a0, a2), b1 = U16H(a0, a2), b2 = U16L(a1, a3), b3 = U16H(a1, a3), \
               b4 = U16L(a4, a6), b5 = U16H(a4, a6), b6 = U16L(a5, a7), b7 = U16H(a5, a7); \
    O[0] = U32L(b0, b4);                                                                   \
    O[1] = U32H(b0, b4);                                                                   \
    O[2] = U32L(b1, b5);                                                                   \
    O[3] = U32H(b1, b5);                                                                   \
    O[4] = U32L(b2, b6);                                                                   \
    O[5] = U32H(b2, b6);                                                                   \
    O[6] = U32L(b3, b7);                                                                   \
    O[7] = U32H(b3, b7);                                                                   \
  } while (false)

__attribute__((target("sse2"))) void unshuffle_sse2(const unsigned char* planes, std::size_t count,
                                                    std::size_t stride, unsigned char* out) {
  std::size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    __m128i p[8], o[8];
    for (std::size_t b = 0; b < 8; ++b) {
      p[b] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(planes + b * stride + i));
    }
    TANDEM_INTERLEAVE(p, _mm_unpacklo_epi8, _mm_unpackhi_epi8, _mm_unpacklo_epi16,
                      _mm_unpackhi_epi16, _mm_unpacklo_epi32, _mm_unpackhi_epi32, o);
    auto* dst = reinterpret_cast<__m128i*>(out + i * 8);
    for (std::size_t k = 0; k < 8; ++k) _mm_storeu_si128(dst + k, o[k]);
  }
  unshuffle_portable(planes + i, count - i, stride, out + i * 8);
}

__attribute__((target("sse2"))) void decimals_sse2(unsigned char* words, std::size_t count,
                                                   double scale) {
  const __m128i magic_bits = _mm_set1_epi64x(static_cast<long long>(kMagicBits));
  const __m128d magic = _mm_set1_pd(kMagic);
  const __m128d divisor = _mm_set1_pd(scale);
  std::size_t i = 0;
  for (; i + 2 <= count; i += 2) {
    auto* p = reinterpret_cast<__m128i*>(words + i * 8);
    const __m128d d =
        _mm_sub_pd(_mm_castsi128_pd(_mm_add_epi64(_mm_loadu_si128(p), magic_bits)), magic);
    _mm_storeu_pd(reinterpret_cast<double*>(p), _mm_div_pd(d, divisor));
  }
  decimals_portable(words + i * 8, count - i, scale);
}

// The running sum is the loop's dependency chain. Here each 4-word vector gets its own inclusive
// prefix sum (two shifted adds) off that chain, and the chain is one vector add per 8 words: the
// broadcast carry plus the two vectors' totals.
__attribute__((target("avx2"))) __m256i unzigzag_avx2(__m256i z) {
  return _mm256_xor_si256(
      _mm256_srli_epi64(z, 1),
      _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_and_si256(z, _mm256_set1_epi64x(1))));
}

__attribute__((target("avx2"))) __m256i prefix_sum4(__m256i v) {
  // [a, b, c, d] -> [a, a+b, b+c, c+d] -> [a, a+b, a+b+c, a+b+c+d]
  const __m256i by_one = _mm256_blend_epi32(_mm256_permute4x64_epi64(v, _MM_SHUFFLE(2, 1, 0, 0)),
                                            _mm256_setzero_si256(), 0x03);
  v = _mm256_add_epi64(v, by_one);
  return _mm256_add_epi64(v, _mm256_permute2x128_si256(v, v, 0x08));
}

__attribute__((target("avx2"))) void undelta_avx2(unsigned char* words, std::size_t count,
                                                  std::uint64_t& carry) {
  __m256i running = _mm256_set1_epi64x(static_cast<long long>(carry));
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    auto* p = reinterpret_cast<__m256i*>(words + i * 8);
    const __m256i a = prefix_sum4(unzigzag_avx2(_mm256_loadu_si256(p)));
    const __m256i b = prefix_sum4(unzigzag_avx2(_mm256_loadu_si256(p + 1)));
    const __m256i a_total = _mm256_permute4x64_epi64(a, _MM_SHUFFLE(3, 3, 3, 3));
    const __m256i b_total = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(3, 3, 3, 3));
    _mm256_storeu_si256(p, _mm256_add_epi64(a, running));
    _mm256_storeu_si256(p + 1, _mm256_add_epi64(b, _mm256_add_epi64(running, a_total)));
    running = _mm256_add_epi64(running, _mm256_add_epi64(a_total, b_total));
  }
  carry = static_cast<std::uint64_t>(_mm256_extract_epi64(running, 0));
  undelta_portable(words + i * 8, count - i, carry);
}

// Four divisions per instruction instead of two: the divider's throughput bounds this loop.
__attribute__((target("avx2"))) void decimals_avx2(unsigned char* words, std::size_t count,
                                                   double scale) {
  const __m256i magic_bits = _mm256_set1_epi64x(static_cast<long long>(kMagicBits));
  const __m256d magic = _mm256_set1_pd(kMagic);
  const __m256d divisor = _mm256_set1_pd(scale);
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    auto* p = reinterpret_cast<__m256i*>(words + i * 8);
    const __m256d d = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_add_epi64(_mm256_loadu_si256(p), magic_bits)), magic);
    _mm256_storeu_pd(reinterpret_cast<double*>(p), _mm256_div_pd(d, divisor));
  }
  decimals_sse2(words + i * 8, count - i, scale);
}

__attribute__((target("avx2"))) __m256i decimals4_avx2(__m256i q, __m256d divisor) {
  const __m256d d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(
                                      q, _mm256_set1_epi64x(static_cast<long long>(kMagicBits)))),
                                  _mm256_set1_pd(kMagic));
  return _mm256_castpd_si256(_mm256_div_pd(d, divisor));
}

__attribute__((target("avx2"))) void fused_avx2(const unsigned char* planes, std::size_t count,
                                                std::size_t stride, bool delta,
                                                std::uint64_t& carry, double scale,
                                                unsigned char* out) {
  const __m256d divisor = _mm256_set1_pd(scale);
  __m256i running = _mm256_set1_epi64x(static_cast<long long>(carry));
  std::size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    __m256i p[8], o[8], w[8];
    for (std::size_t b = 0; b < 8; ++b) {
      p[b] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(planes + b * stride + i));
    }
    TANDEM_INTERLEAVE(p, _mm256_unpacklo_epi8, _mm256_unpackhi_epi8, _mm256_unpacklo_epi16,
                      _mm256_unpackhi_epi16, _mm256_unpacklo_epi32, _mm256_unpackhi_epi32, o);
    // Low lanes hold words i .. i+15, high lanes words i+16 .. i+31: w[] gets them in order.
    for (std::size_t k = 0; k < 4; ++k) {
      w[k] = _mm256_permute2x128_si256(o[2 * k], o[2 * k + 1], 0x20);
      w[4 + k] = _mm256_permute2x128_si256(o[2 * k], o[2 * k + 1], 0x31);
    }
    if (delta) {
      for (std::size_t k = 0; k < 8; k += 2) {  // as undelta_avx2, two vectors per step
        const __m256i a = prefix_sum4(unzigzag_avx2(w[k]));
        const __m256i b = prefix_sum4(unzigzag_avx2(w[k + 1]));
        const __m256i a_total = _mm256_permute4x64_epi64(a, _MM_SHUFFLE(3, 3, 3, 3));
        const __m256i b_total = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(3, 3, 3, 3));
        w[k] = _mm256_add_epi64(a, running);
        w[k + 1] = _mm256_add_epi64(b, _mm256_add_epi64(running, a_total));
        running = _mm256_add_epi64(running, _mm256_add_epi64(a_total, b_total));
      }
    }
    auto* dst = reinterpret_cast<__m256i*>(out + i * 8);
    for (std::size_t k = 0; k < 8; ++k) {
      _mm256_storeu_si256(dst + k, scale > 0 ? decimals4_avx2(w[k], divisor) : w[k]);
    }
  }
  if (delta) carry = static_cast<std::uint64_t>(_mm256_extract_epi64(running, 0));
  // The last count % 32 words, step by step.
  unshuffle_sse2(planes + i, count - i, stride, out + i * 8);
  if (delta) undelta_portable(out + i * 8, count - i, carry);
  if (scale > 0) decimals_sse2(out + i * 8, count - i, scale);
}

__attribute__((target("avx2"))) void unshuffle_avx2(const unsigned char* planes, std::size_t count,
                                                    std::size_t stride, unsigned char* out) {
  std::uint64_t no_carry = 0;
  fused_avx2(planes, count, stride, /*delta=*/false, no_carry, /*scale=*/0.0, out);
}
#undef TANDEM_INTERLEAVE
#endif

}  // namespace

double decimal_value(std::int64_t q, double scale) {
  return (std::bit_cast<double>(static_cast<std::uint64_t>(q) + kMagicBits) - kMagic) / scale;
}

Isa best_isa() {
#if TANDEM_UNFILTER_X86
  static const Isa best = __builtin_cpu_supports("avx2")   ? Isa::kAvx2
                          : __builtin_cpu_supports("sse2") ? Isa::kSse2
                                                           : Isa::kPortable;
  return best;
#else
  return Isa::kPortable;
#endif
}

void unshuffle(Isa isa, const unsigned char* planes, std::size_t count, std::size_t stride,
               unsigned char* out) {
  switch (isa) {
#if TANDEM_UNFILTER_X86
    case Isa::kAvx2:
      return unshuffle_avx2(planes, count, stride, out);
    case Isa::kSse2:
      return unshuffle_sse2(planes, count, stride, out);
#endif
    default:
      return unshuffle_portable(planes, count, stride, out);
  }
}

void undelta(Isa isa, unsigned char* words, std::size_t count, std::uint64_t& carry) {
#if TANDEM_UNFILTER_X86
  if (isa == Isa::kAvx2) return undelta_avx2(words, count, carry);
#endif
  (void)isa;  // SSE2 has no 64-bit lane shuffles that beat the scalar chain
  undelta_portable(words, count, carry);
}

void unshuffle_undelta_decimals(Isa isa, const unsigned char* planes, std::size_t count,
                                std::size_t stride, bool delta, std::uint64_t& carry, double scale,
                                unsigned char* out) {
#if TANDEM_UNFILTER_X86
  if (isa == Isa::kAvx2) return fused_avx2(planes, count, stride, delta, carry, scale, out);
#endif
  unshuffle(isa, planes, count, stride, out);
  if (delta) undelta(isa, out, count, carry);
  if (scale > 0) decimals_to_doubles(isa, out, count, scale);
}

void decimals_to_doubles(Isa isa, unsigned char* words, std::size_t count, double scale) {
  switch (isa) {
#if TANDEM_UNFILTER_X86
    case Isa::kAvx2:
      return decimals_avx2(words, count, scale);
    case Isa::kSse2:
      return decimals_sse2(words, count, scale);
#endif
    default:
      return decimals_portable(words, count, scale);
  }
}

}  // namespace tandem::store::unfilter
