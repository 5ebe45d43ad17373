// The buffer cache (store/buffer_cache.h): large buffers freed by columns and tables are parked
// and handed to the next reservation that fits; limits, age and release free them. And, on every
// backend, a read after a large table was dropped lands in that table's memory and returns
// exactly what a read into new memory returns.
#include "store/buffer_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <thread>

#include "conformance.h"

namespace tandem::store::test {
namespace {

namespace cache = buffer_cache;

// Small thresholds so the tests stay small; restores the process's limits afterwards.
class BufferCache : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = cache::limits();
    cache::Limits small;
    small.min_buffer_bytes = 64 << 10;
    small.max_bytes = 4 << 20;
    small.max_age_seconds = 3600;
    cache::set_limits(small);
    cache::release();
  }
  void TearDown() override {
    cache::release();
    cache::set_limits(saved_);
  }
  cache::Limits saved_;
};

constexpr std::size_t kBig = 16 << 10;  // 16 Ki doubles: 128 KiB, over the 64 KiB threshold

TEST_F(BufferCache, ALargeDonatedBufferServesTheNextReservationThatFits) {
  const std::uint64_t reused_before = cache::stats().reused;
  std::vector<double> v(kBig, 1.0);
  const double* memory = v.data();
  cache::donate(v);
  EXPECT_EQ(v.capacity(), 0u);
  EXPECT_EQ(cache::stats().parked_buffers, 1u);
  EXPECT_EQ(cache::stats().parked_bytes, kBig * sizeof(double));

  std::vector<double> w;
  cache::reserve(w, kBig - 100);
  EXPECT_EQ(w.data(), memory);
  EXPECT_TRUE(w.empty());  // a parked buffer comes back empty, never with old values
  EXPECT_GE(w.capacity(), kBig - 100);
  EXPECT_EQ(cache::stats().parked_buffers, 0u);
  EXPECT_EQ(cache::stats().reused, reused_before + 1);
}

TEST_F(BufferCache, TheSmallestFittingBufferIsTakenAndTypesStayApart) {
  const cache::Stats before = cache::stats();
  std::vector<double> large(4 * kBig), medium(2 * kBig);
  const double* medium_memory = medium.data();
  cache::donate(large);
  cache::donate(medium);
  std::vector<std::int64_t> ints;
  cache::reserve(ints, kBig);  // no int64 buffer parked: new memory
  EXPECT_EQ(cache::stats().reused, before.reused);
  EXPECT_EQ(cache::stats().missed, before.missed + 1);
  std::vector<double> w;
  cache::reserve(w, kBig);
  EXPECT_EQ(w.data(), medium_memory);
  std::vector<double> too_big;
  cache::reserve(too_big, 8 * kBig);  // nothing that large parked
  EXPECT_EQ(cache::stats().parked_buffers, 1u);
}

TEST_F(BufferCache, SmallBuffersAndNonEmptyTargetsAreLeftAlone) {
  std::vector<double> small(100, 2.0);
  cache::donate(small);
  EXPECT_EQ(small.size(), 100u);  // below the threshold: not taken
  EXPECT_EQ(cache::stats().parked_buffers, 0u);

  std::vector<double> big(kBig);
  cache::donate(big);
  std::vector<double> holding{1.0, 2.0, 3.0};
  cache::reserve(holding, kBig);  // holds rows: grows itself, keeps them
  EXPECT_EQ(holding, (std::vector<double>{1.0, 2.0, 3.0}));
  EXPECT_GE(holding.capacity(), kBig);
  EXPECT_EQ(cache::stats().parked_buffers, 1u);
}

TEST_F(BufferCache, TheOldestBuffersGoWhenTheLimitIsReached) {
  // 4 MiB limit, 1 MiB buffers: the fifth pushes out the first.
  std::vector<const double*> memory;
  for (int i = 0; i < 5; ++i) {
    std::vector<double> v(std::size_t{1} << 17);
    memory.push_back(v.data());
    cache::donate(v);
  }
  EXPECT_EQ(cache::stats().parked_buffers, 4u);
  EXPECT_EQ(cache::stats().parked_bytes, std::size_t{4} << 20);
  std::vector<const double*> got;
  for (int i = 0; i < 4; ++i) {
    std::vector<double> w;
    cache::reserve(w, std::size_t{1} << 17);
    got.push_back(w.data());
    w.clear();
    w.shrink_to_fit();
  }
  for (int i = 1; i < 5; ++i) {
    EXPECT_NE(std::find(got.begin(), got.end(), memory[i]), got.end()) << "buffer " << i;
  }
  // A buffer over the whole limit is never parked.
  std::vector<double> huge(std::size_t{1} << 20);
  cache::donate(huge);
  EXPECT_EQ(huge.size(), std::size_t{1} << 20);
}

TEST_F(BufferCache, AgeLimitsAndReleaseFreeParkedBuffers) {
  std::vector<double> v(kBig);
  cache::donate(v);
  cache::Limits l = cache::limits();
  l.max_age_seconds = 0;
  cache::set_limits(l);  // everything parked is now too old
  EXPECT_EQ(cache::stats().parked_buffers, 0u);

  l.max_age_seconds = 3600;
  cache::set_limits(l);
  std::vector<double> a(kBig);
  std::vector<std::uint8_t> b(kBig * 8);
  cache::donate(a);
  cache::donate(b);
  EXPECT_EQ(cache::stats().parked_buffers, 2u);
  cache::release();
  EXPECT_EQ(cache::stats().parked_buffers, 0u);
  EXPECT_EQ(cache::stats().parked_bytes, 0u);

  l.max_bytes = 0;  // off: nothing is parked
  cache::set_limits(l);
  std::vector<double> c(kBig);
  cache::donate(c);
  EXPECT_EQ(c.size(), kBig);
  EXPECT_EQ(cache::stats().parked_buffers, 0u);
}

TEST_F(BufferCache, ColumnsAndTablesDonateWhenDestroyed) {
  const double* values = nullptr;
  const Timestamp* index = nullptr;
  {
    Table t(std::vector<Timestamp>(kBig, 7));
    index = t.index().data();
    t.add_column(Column::of_float64("x", std::vector<double>(kBig, 1.0)));
    values = t.columns()[0].float64s().data();
  }
  EXPECT_EQ(cache::stats().parked_buffers, 2u);
  Column c("y", ColumnType::kFloat64);
  c.reserve(kBig);
  EXPECT_EQ(c.float64s().data(), values);
  std::vector<Timestamp> ts;
  cache::reserve(ts, kBig);
  EXPECT_EQ(ts.data(), index);
}

TEST_F(BufferCache, ConcurrentDonorsAndTakersKeepTheAccountsStraight) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        std::vector<double> v(kBig + static_cast<std::size_t>(t * 100 + i % 7));
        v.back() = 1;
        cache::donate(v);
        std::vector<double> w;
        cache::reserve(w, kBig);
        w.assign(kBig, 2.0);  // writes the whole buffer: ASan would catch a shared one
        cache::donate(w);
      }
    });
  }
  for (auto& th : threads) th.join();
  const cache::Stats s = cache::stats();
  EXPECT_LE(s.parked_bytes, std::size_t{4} << 20);
  EXPECT_GE(s.reused, 1u);
  std::size_t taken_bytes = 0;
  for (std::size_t i = 0; i < s.parked_buffers; ++i) {
    std::vector<double> w;
    cache::reserve(w, kBig);
    taken_bytes += w.capacity() * sizeof(double);
  }
  EXPECT_EQ(taken_bytes, s.parked_bytes);  // the bytes counted are the bytes parked
  EXPECT_EQ(cache::stats().parked_bytes, 0u);
}

// Every column type with nulls, large enough for the cache at a 64 KiB threshold.
Table wide(std::size_t rows, std::int64_t first) {
  std::vector<Timestamp> index(rows);
  std::vector<std::int64_t> ints(rows);
  std::vector<double> floats(rows);
  std::vector<std::uint8_t> bools(rows), valid(rows);
  std::vector<std::string> strings(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto k = first + static_cast<std::int64_t>(i);
    index[i] = minute(k);
    ints[i] = k * 3 - 1;
    floats[i] = static_cast<double>(k) / 8;
    bools[i] = k % 3 == 0;
    valid[i] = k % 5 != 0;
    strings[i] = std::to_string(k % 11);
  }
  Table t(std::move(index));
  t.add_column(Column::of_int64("i", std::move(ints)));
  Column f = Column::of_float64("f", std::move(floats));
  f.set_validity(valid);
  t.add_column(std::move(f));
  t.add_column(Column::of_bool("b", std::move(bools)));
  t.add_column(Column::of_string("s", std::move(strings)));
  return t;
}

TEST_P(StoreConformance, AReadAfterALargeTableWasDroppedReusesItsMemoryAndReadsTheSame) {
  const cache::Limits saved = cache::limits();
  cache::Limits small = saved;
  small.min_buffer_bytes = 64 << 10;
  small.max_bytes = 64 << 20;
  small.max_age_seconds = 3600;
  cache::set_limits(small);
  cache::release();
  segment_rows_ = 5'000;
  store_ = reopen();
  auto lib = store_->library("lib");
  constexpr std::size_t kRows = 20'000;  // 160 KB per 8-byte column
  lib.write("A", wide(kRows, 0));
  lib.write("B", wide(kRows, 100'000));  // other values in the same shapes

  cache::Limits off = small;
  off.max_bytes = 0;
  cache::set_limits(off);
  const ReadResult a_new = lib.read("A");
  const ReadResult b_new = lib.read("B");
  cache::set_limits(small);

  const double* a_floats = nullptr;
  {
    ReadResult a = lib.read("A");
    EXPECT_EQ(a.table, a_new.table);
    a_floats = a.table.column("f").float64s().data();
  }  // dropped: its index, int64 and float buffers are parked (bool and validity: 20 KB, kept)
  EXPECT_EQ(cache::stats().parked_buffers, 3u);
  const std::uint64_t reused_before = cache::stats().reused;
  const ReadResult b = lib.read("B");
  EXPECT_EQ(b.table, b_new.table);  // nothing of A's values or nulls shows through
  EXPECT_EQ(cache::stats().reused, reused_before + 3);
  EXPECT_EQ(b.table.column("f").float64s().data(), a_floats);
  cache::release();
  cache::set_limits(saved);
}

}  // namespace
}  // namespace tandem::store::test
