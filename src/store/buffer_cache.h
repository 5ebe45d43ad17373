// A process-wide cache of large column buffers, so that reading a big table again does not pay
// for fresh memory.
//
// Why: glibc's malloc keeps freed memory for reuse only below its mmap threshold, which it never
// raises past 32 MiB; a larger buffer comes from mmap and goes back to the kernel on free. A
// full read of a 10,000,000-row table fills seven 80 MB columns, and every such read then pays
// a page fault and the kernel's zeroing of every page before decoding a byte (on a virtual
// machine also the host's faults): measured, more than a third of the read. So buffers of at
// least `min_buffer_bytes` that a Column or Table frees are parked here, up to `max_bytes` in
// all, and the store's reads take them back (Column::reserve, the read path's index), as
// jemalloc or Arrow's memory pools retain freed memory.
//
// The memory stays resident while parked. Buffers parked longer than `max_age_seconds` are freed
// at the next call into the cache, the oldest first when over `max_bytes`, and all of them by
// release(). TANDEM_BUFFER_CACHE_MB sets max_bytes at start-up (0 turns the cache off).
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tandem::store::buffer_cache {

struct Limits {
  std::size_t min_buffer_bytes = std::size_t{32} << 20;  // glibc retains smaller ones itself
  std::size_t max_bytes = std::size_t{1} << 30;
  double max_age_seconds = 30;
};

struct Stats {
  std::size_t parked_bytes = 0;
  std::size_t parked_buffers = 0;
  std::uint64_t reused = 0;  // reserve() calls served from the cache
  std::uint64_t missed = 0;  // reserve() calls for a cacheable size that found nothing to fit
};

Limits limits();
void set_limits(const Limits& limits);  // frees what the new limits do not allow
Stats stats();
void release();  // frees every parked buffer

// Parks `v`'s memory if its capacity is at least min_buffer_bytes (leaving `v` empty without
// capacity); otherwise leaves `v` alone.
void donate(std::vector<std::int64_t>& v);
void donate(std::vector<double>& v);
void donate(std::vector<std::uint8_t>& v);

// Makes v.capacity() >= n. An empty `v` needing at least min_buffer_bytes takes the smallest
// parked buffer that fits; otherwise (or if none fits) it reserves new memory, advising huge
// pages for it. The size and contents of a non-empty `v` are kept.
void reserve(std::vector<std::int64_t>& v, std::size_t n);
void reserve(std::vector<double>& v, std::size_t n);
void reserve(std::vector<std::uint8_t>& v, std::size_t n);

}  // namespace tandem::store::buffer_cache
