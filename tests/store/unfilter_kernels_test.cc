// The vector versions of the unfilter loops must give the portable version's bytes exactly, for
// every length (vector bodies and scalar tails), stride and value.
#include "store/unfilter_kernels.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace tandem::store::unfilter {
namespace {

std::vector<Isa> isas_this_cpu_runs() {
  std::vector<Isa> isas{Isa::kPortable};
  if (best_isa() == Isa::kSse2 || best_isa() == Isa::kAvx2) isas.push_back(Isa::kSse2);
  if (best_isa() == Isa::kAvx2) isas.push_back(Isa::kAvx2);
  return isas;
}

const char* name(Isa isa) {
  switch (isa) {
    case Isa::kPortable:
      return "portable";
    case Isa::kSse2:
      return "sse2";
    case Isa::kAvx2:
      return "avx2";
  }
  return "?";
}

std::vector<unsigned char> random_bytes(std::size_t n, std::mt19937_64& rng) {
  std::vector<unsigned char> bytes(n);
  for (auto& b : bytes) b = static_cast<unsigned char>(rng());
  return bytes;
}

const std::vector<std::size_t> kCounts = {0,  1,  2,  3,  4,  7,  8,   9,   15,
                                          16, 17, 31, 32, 33, 63, 100, 2048};

TEST(UnfilterKernels, UnshuffleGathersEveryWordAlike) {
  std::mt19937_64 rng(1);
  for (std::size_t count : kCounts) {
    for (std::size_t extra : {0, 5}) {  // stride = rows of the block, >= count
      const std::size_t stride = count + extra;
      const auto planes = random_bytes(8 * stride + 1, rng);
      std::vector<unsigned char> want(count * 8);
      // Word i's byte b is planes[b * stride + i], by definition.
      for (std::size_t i = 0; i < count; ++i) {
        for (std::size_t b = 0; b < 8; ++b) want[i * 8 + b] = planes[b * stride + i];
      }
      for (Isa isa : isas_this_cpu_runs()) {
        std::vector<unsigned char> got(count * 8 + 1, 0xAB);
        unshuffle(isa, planes.data(), count, stride, got.data());
        EXPECT_EQ(std::vector<unsigned char>(got.begin(), got.end() - 1), want)
            << name(isa) << " count " << count << " stride " << stride;
        EXPECT_EQ(got.back(), 0xAB) << name(isa) << " wrote past the end";
      }
    }
  }
}

TEST(UnfilterKernels, UndeltaRunsTheSameWrappingSumAndCarry) {
  std::mt19937_64 rng(2);
  for (std::size_t count : kCounts) {
    // Random words (wrapping sums), and small zig-zagged steps of both signs.
    for (bool small : {false, true}) {
      std::vector<unsigned char> input(count * 8);
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t w = small ? rng() % 64 : rng();
        std::memcpy(&input[i * 8], &w, 8);
      }
      const std::uint64_t start = rng();
      std::vector<unsigned char> want = input;
      std::uint64_t want_carry = start;
      undelta(Isa::kPortable, want.data(), count, want_carry);
      // The portable result against the definition: w_i = w_(i-1) + unzigzag(z_i).
      std::uint64_t w = start;
      for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t z, got;
        std::memcpy(&z, &input[i * 8], 8);
        std::memcpy(&got, &want[i * 8], 8);
        w += (z >> 1) ^ (0 - (z & 1));
        ASSERT_EQ(got, w) << "row " << i;
      }
      EXPECT_EQ(want_carry, w);
      for (Isa isa : isas_this_cpu_runs()) {
        std::vector<unsigned char> got = input;
        std::uint64_t carry = start;
        undelta(isa, got.data(), count, carry);
        EXPECT_EQ(got, want) << name(isa) << " count " << count;
        EXPECT_EQ(carry, want_carry) << name(isa) << " count " << count;
      }
    }
  }
}

TEST(UnfilterKernels, DecimalsConvertBitForBitAtEveryExponent) {
  std::mt19937_64 rng(3);
  constexpr std::int64_t kLimit = (std::int64_t{1} << 51) - 1;
  for (int e = 0; e <= 18; ++e) {
    double scale = 1;
    for (int k = 0; k < e; ++k) scale *= 10;
    for (std::size_t count : kCounts) {
      std::vector<unsigned char> input(count * 8);
      for (std::size_t i = 0; i < count; ++i) {
        std::int64_t q;
        switch (i % 4) {
          case 0:
            q = static_cast<std::int64_t>(rng() % (2 * kLimit + 1)) - kLimit;
            break;
          case 1:
            q = static_cast<std::int64_t>(rng() % 200001) - 100000;  // prices in cents
            break;
          case 2:
            q = i % 8 == 2 ? kLimit : -kLimit;
            break;
          default:
            q = 0;
        }
        std::memcpy(&input[i * 8], &q, 8);
      }
      std::vector<unsigned char> want(count * 8);
      for (std::size_t i = 0; i < count; ++i) {
        std::int64_t q;
        std::memcpy(&q, &input[i * 8], 8);
        const double d = decimal_value(q, scale);
        EXPECT_EQ(d, static_cast<double>(q) / scale) << "q " << q << " e " << e;
        std::memcpy(&want[i * 8], &d, 8);
      }
      for (Isa isa : isas_this_cpu_runs()) {
        std::vector<unsigned char> got = input;
        decimals_to_doubles(isa, got.data(), count, scale);
        EXPECT_EQ(got, want) << name(isa) << " e " << e << " count " << count;
      }
    }
  }
}

TEST(UnfilterKernels, TheOnePassVersionEqualsTheStepsInTurn) {
  std::mt19937_64 rng(4);
  for (std::size_t count : kCounts) {
    const std::size_t stride = count + 3;
    // Planes of small zig-zagged steps or of random bytes; the high planes of the small ones
    // are zero, so decimal integers stay below 2^51 whether or not the delta is undone.
    for (bool small : {false, true}) {
      std::vector<unsigned char> planes(8 * stride);
      for (std::size_t b = 0; b < 8; ++b) {
        for (std::size_t i = 0; i < stride; ++i) {
          planes[b * stride + i] = small ? (b == 0 ? static_cast<unsigned char>(rng() % 32) : 0)
                                         : static_cast<unsigned char>(rng());
        }
      }
      for (bool delta : {false, true}) {
        for (double scale : {0.0, 1.0, 100.0, 1e18}) {
          const std::uint64_t start = small ? 12345 : rng();
          std::vector<unsigned char> want(count * 8);
          std::uint64_t want_carry = start;
          unshuffle(Isa::kPortable, planes.data(), count, stride, want.data());
          if (delta) undelta(Isa::kPortable, want.data(), count, want_carry);
          if (scale > 0) decimals_to_doubles(Isa::kPortable, want.data(), count, scale);
          for (Isa isa : isas_this_cpu_runs()) {
            std::vector<unsigned char> got(count * 8 + 1, 0xCD);
            std::uint64_t carry = start;
            unshuffle_undelta_decimals(isa, planes.data(), count, stride, delta, carry, scale,
                                       got.data());
            const std::string what = std::string(name(isa)) + " count " + std::to_string(count) +
                                     (delta ? " delta" : "") + " scale " + std::to_string(scale);
            EXPECT_EQ(std::vector<unsigned char>(got.begin(), got.end() - 1), want) << what;
            EXPECT_EQ(got.back(), 0xCD) << what << ": wrote past the end";
            if (delta) {
              EXPECT_EQ(carry, want_carry) << what;
            }
          }
        }
      }
    }
  }
}

TEST(UnfilterKernels, TheBestVersionIsOneThisCpuRuns) {
#if defined(__x86_64__)
  EXPECT_EQ(best_isa() == Isa::kAvx2, __builtin_cpu_supports("avx2") != 0);
  EXPECT_NE(best_isa(), Isa::kPortable);  // every x86-64 CPU has SSE2
#else
  EXPECT_EQ(best_isa(), Isa::kPortable);
#endif
}

}  // namespace
}  // namespace tandem::store::unfilter
