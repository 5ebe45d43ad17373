// Column pre-filters: every 8-byte column comes back bit for bit, whatever filter was chosen and
// however the decoder splits it into chunks; the filters chosen are the ones that pay.
#include "store/column_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tandem::store {
namespace {

struct Filtered {
  ColumnFilter filter;
  std::string bytes;
};

template <typename T>
Filtered apply(ColumnType type, const std::vector<T>& values) {
  Filtered f;
  f.bytes.assign(values.size() * 8, '\0');
  f.filter = filter_column(type, values.data(), values.size(), f.bytes.data());
  EXPECT_EQ(filter_problem(type, f.filter), "");
  return f;
}

// Decodes in chunks of `chunk` rows, as the segment reader does with its own chunk size.
template <typename T>
std::vector<T> undo(const Filtered& f, std::size_t rows, std::size_t chunk) {
  std::vector<T> out(rows);
  std::uint64_t carry = 0;
  for (std::size_t begin = 0; begin < rows; begin += chunk) {
    unfilter_rows(f.filter, reinterpret_cast<const unsigned char*>(f.bytes.data()), rows, begin,
                  std::min(chunk, rows - begin), carry, out.data() + begin);
  }
  return out;
}

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Round trips `values` with several chunk sizes (including ones that split SSE2 groups) and
// returns the filter chosen.
template <typename T>
ColumnFilter expect_round_trip(ColumnType type, const std::vector<T>& values) {
  const Filtered f = apply(type, values);
  for (std::size_t chunk :
       {std::size_t{1}, std::size_t{7}, std::size_t{16}, std::size_t{2048}, values.size() + 1}) {
    EXPECT_TRUE(same_bits(undo<T>(f, values.size(), chunk), values))
        << "chunk " << chunk << ", " << values.size() << " rows, filter bits "
        << int{f.filter.bits};
  }
  return f.filter;
}

std::vector<double> cents(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(n);
  std::int64_t c = 10'000;
  for (auto& x : v) {
    c += static_cast<std::int64_t>(rng() % 41) - 20;
    x = static_cast<double>(c) / 100;
  }
  return v;
}

TEST(ColumnFilter, EmptyAndSingleRowColumnsRoundTrip) {
  expect_round_trip(ColumnType::kFloat64, std::vector<double>{});
  expect_round_trip(ColumnType::kInt64, std::vector<std::int64_t>{});
  expect_round_trip(ColumnType::kFloat64, std::vector<double>{3.25});
  expect_round_trip(ColumnType::kInt64, std::vector<std::int64_t>{-5});
  expect_round_trip(ColumnType::kTimestamp, std::vector<std::int64_t>{1'700'000'000'000'000'000});
}

TEST(ColumnFilter, LengthsThatAreNoMultipleOfTheVectorOrChunkWidthRoundTrip) {
  for (std::size_t n : {2u, 15u, 17u, 31u, 33u, 2047u, 2049u, 4097u}) {
    expect_round_trip(ColumnType::kFloat64, cents(n, n));
    std::vector<std::int64_t> ints(n);
    for (std::size_t i = 0; i < n; ++i) ints[i] = static_cast<std::int64_t>(i * i) - 1000;
    expect_round_trip(ColumnType::kInt64, ints);
  }
}

TEST(ColumnFilter, TheShuffledBlockHoldsBytePlaneBOfWordIAtBTimesRowsPlusI) {
  // The stored layout (segment format 2), whether a row falls in the encoder's 16-word vector
  // groups or in the scalar tail; the words shuffled are the values, or their zig-zagged
  // differences when the delta filter was chosen.
  for (std::size_t n : {1u, 2u, 15u, 16u, 17u, 33u, 100u}) {
    std::mt19937_64 rng(n);
    std::vector<std::int64_t> ints(n);
    for (auto& v : ints) v = static_cast<std::int64_t>(rng());
    const Filtered f = store::apply(ColumnType::kInt64, ints);  // not std::apply (ADL)
    ASSERT_NE(f.filter.bits & kFilterShuffle, 0) << n << " rows";
    const bool delta = (f.filter.bits & kFilterDelta) != 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t word = static_cast<std::uint64_t>(ints[i]);
      if (delta) {
        const std::uint64_t d = word - (i == 0 ? 0 : static_cast<std::uint64_t>(ints[i - 1]));
        word = (d << 1) ^ (0 - (d >> 63));
      }
      for (std::size_t b = 0; b < 8; ++b) {
        ASSERT_EQ(static_cast<unsigned char>(f.bytes[b * n + i]),
                  static_cast<unsigned char>(word >> (8 * b)))
            << "row " << i << " byte " << b << " of " << n << " rows";
      }
    }
  }
}

TEST(ColumnFilter, PricesInCentsAreStoredAsDecimalDeltas) {
  const ColumnFilter f = expect_round_trip(ColumnType::kFloat64, cents(5000, 1));
  EXPECT_EQ(f.bits, kFilterShuffle | kFilterDelta | kFilterDecimal);
  EXPECT_EQ(f.decimal_exponent, 2);
  // Whole numbers need no decimal digits.
  const ColumnFilter whole =
      expect_round_trip(ColumnType::kFloat64, std::vector<double>{1, 2, 3, 40, 5, -6});
  EXPECT_NE(whole.bits & kFilterDecimal, 0);
  EXPECT_EQ(whole.decimal_exponent, 0);
  // One value with more digits raises the exponent for the whole column.
  std::vector<double> mixed = cents(100, 2);
  mixed[50] = 1.0625;
  EXPECT_EQ(expect_round_trip(ColumnType::kFloat64, mixed).decimal_exponent, 4);
}

TEST(ColumnFilter, SpecialDoublesAreKeptBitForBitWithoutTheDecimalFilter) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double special : {nan, inf, -inf, -0.0, std::numeric_limits<double>::denorm_min(), 1.0 / 3.0,
                         1e300, std::numeric_limits<double>::max()}) {
    std::vector<double> v = cents(40, 3);
    v[17] = special;
    const ColumnFilter f = expect_round_trip(ColumnType::kFloat64, v);
    EXPECT_EQ(f.bits, kFilterShuffle) << special;
  }
  // A NaN with a payload, and a column of nothing but specials.
  std::vector<double> odd{-0.0, nan, -nan, inf, 0.0};
  odd.push_back(std::bit_cast<double>(std::uint64_t{0x7ff4000000000123}));
  expect_round_trip(ColumnType::kFloat64, odd);
}

TEST(ColumnFilter, DecimalIntegersNearTheExactLimitRoundTrip) {
  // 2^51 - 1 is the largest integer the decimal filter takes; 2^51 must fall back.
  const double below = 2251799813685247.0;
  const double at = 2251799813685248.0;
  EXPECT_NE(expect_round_trip(ColumnType::kFloat64, std::vector<double>{below, -below, 0}).bits &
                kFilterDecimal,
            0);
  EXPECT_EQ(
      expect_round_trip(ColumnType::kFloat64, std::vector<double>{below, at}).bits & kFilterDecimal,
      0);
  // Values with long or inexact decimal expansions come back exactly, decimal or not.
  expect_round_trip(ColumnType::kFloat64, std::vector<double>{0.1 + 0.2, 0.3, 1e-18, 123.456789});
}

TEST(ColumnFilter, Int64ExtremesRoundTripThroughWrappingDeltas) {
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  expect_round_trip(ColumnType::kInt64, std::vector<std::int64_t>{lo, hi, lo, 0, hi, -1, 1, lo});
  expect_round_trip(ColumnType::kInt64, std::vector<std::int64_t>(33, lo));
  expect_round_trip(ColumnType::kTimestamp, std::vector<std::int64_t>{hi, hi - 1, lo, lo + 1});
}

TEST(ColumnFilter, SteadyTimestampsUseDeltasAndNoisyIntegersDoNot) {
  std::vector<std::int64_t> ts(3000), noisy(3000);
  std::mt19937_64 rng(4);
  for (std::size_t i = 0; i < ts.size(); ++i) {
    ts[i] = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(i) * 60'000'000'000;
    noisy[i] = static_cast<std::int64_t>(rng() % 50'000) + 100;
  }
  EXPECT_EQ(expect_round_trip(ColumnType::kTimestamp, ts).bits, kFilterShuffle | kFilterDelta);
  EXPECT_EQ(expect_round_trip(ColumnType::kInt64, noisy).bits, kFilterShuffle);
  // Timestamps out of order (any-order appends) still come back.
  std::shuffle(ts.begin(), ts.end(), rng);
  expect_round_trip(ColumnType::kTimestamp, ts);
}

TEST(ColumnFilter, RandomColumnsRoundTrip) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 50; ++round) {
    const std::size_t n = rng() % 300;
    std::vector<std::int64_t> ints(n);
    std::vector<double> doubles(n);
    for (std::size_t i = 0; i < n; ++i) {
      ints[i] = static_cast<std::int64_t>(rng()) >> (rng() % 64);
      doubles[i] = rng() % 2 ? std::bit_cast<double>(rng())
                             : static_cast<double>(static_cast<std::int64_t>(rng() % 100000)) /
                                   static_cast<double>(std::int64_t{1} << (rng() % 8));
    }
    expect_round_trip(ColumnType::kInt64, ints);
    expect_round_trip(ColumnType::kFloat64, doubles);
  }
}

TEST(ColumnFilter, ImpossibleFiltersAreNamed) {
  EXPECT_EQ(filter_problem(ColumnType::kBool, {}), "");
  EXPECT_NE(filter_problem(ColumnType::kInt64, {8, 0}).find("unknown filter bits"),
            std::string::npos);
  EXPECT_NE(filter_problem(ColumnType::kString, {kFilterShuffle, 0}).find("string"),
            std::string::npos);
  EXPECT_NE(filter_problem(ColumnType::kInt64, {kFilterDelta, 0}).find("shuffle"),
            std::string::npos);
  EXPECT_NE(
      filter_problem(ColumnType::kInt64, {kFilterShuffle | kFilterDecimal, 2}).find("decimal"),
      std::string::npos);
  EXPECT_NE(filter_problem(ColumnType::kFloat64, {kFilterShuffle | kFilterDecimal, 19})
                .find("exponent 19"),
            std::string::npos);
  EXPECT_NE(filter_problem(ColumnType::kFloat64, {kFilterShuffle | kFilterDelta, 0}).find("delta"),
            std::string::npos);
  EXPECT_NE(filter_problem(ColumnType::kInt64, {kFilterShuffle, 3}).find("exponent"),
            std::string::npos);
}

}  // namespace
}  // namespace tandem::store
