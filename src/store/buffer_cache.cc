#include "store/buffer_cache.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "store/huge_pages.h"

namespace tandem::store::buffer_cache {
namespace {

using Clock = std::chrono::steady_clock;

template <typename T>
struct Parked {
  std::vector<T> buffer;
  Clock::time_point since;
};

// Freed outside the lock: returning 80 MB to the kernel takes a while.
struct Evicted {
  std::vector<std::vector<std::int64_t>> int64s;
  std::vector<std::vector<double>> doubles;
  std::vector<std::vector<std::uint8_t>> bytes;
};

// TANDEM_BUFFER_CACHE_MB, whole MiB. Anything else is reported once on stderr, naming the
// variable and its value, and the default stands: the cache is first reached from destructors
// (Column, Table), where an exception would terminate the process.
Limits limits_from_environment() {
  Limits limits;
  const char* text = std::getenv("TANDEM_BUFFER_CACHE_MB");
  if (text == nullptr || *text == '\0') return limits;
  const std::string_view value(text);
  std::size_t mb = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), mb);
  if (ec != std::errc() || end != value.data() + value.size() ||
      mb > (std::numeric_limits<std::size_t>::max() >> 20)) {
    std::fprintf(stderr,
                 "tandem: TANDEM_BUFFER_CACHE_MB=\"%s\" is not a whole number of MiB (0 turns the "
                 "buffer cache off); keeping the default of %zu MiB\n",
                 text, limits.max_bytes >> 20);
    return limits;
  }
  limits.max_bytes = mb << 20;
  return limits;
}

class Cache {
 public:
  Cache() : limits_(limits_from_environment()) {
    min_buffer_bytes_ = limits_.min_buffer_bytes;
    enabled_ = limits_.max_bytes > 0;
  }

  // Lock-free answer for the common case: a small buffer or a disabled cache.
  bool cacheable(std::size_t bytes) const {
    return enabled_.load(std::memory_order_relaxed) &&
           bytes >= min_buffer_bytes_.load(std::memory_order_relaxed);
  }

  Limits limits() {
    std::lock_guard lock(mutex_);
    return limits_;
  }

  void set_limits(const Limits& limits) {
    Evicted evicted;
    {
      std::lock_guard lock(mutex_);
      limits_ = limits;
      min_buffer_bytes_ = limits.min_buffer_bytes;
      enabled_ = limits.max_bytes > 0;
      evict(Clock::now(), 0, evicted);
      drop_smaller_than(limits.min_buffer_bytes, int64s_, evicted.int64s);
      drop_smaller_than(limits.min_buffer_bytes, doubles_, evicted.doubles);
      drop_smaller_than(limits.min_buffer_bytes, bytes_, evicted.bytes);
    }
  }

  Stats stats() {
    std::lock_guard lock(mutex_);
    return {parked_bytes_, int64s_.size() + doubles_.size() + bytes_.size(), reused_, missed_};
  }

  void release() {
    Evicted evicted;
    {
      std::lock_guard lock(mutex_);
      move_all(int64s_, evicted.int64s);
      move_all(doubles_, evicted.doubles);
      move_all(bytes_, evicted.bytes);
      parked_bytes_ = 0;
    }
  }

  template <typename T>
  void donate(std::vector<T>& v) {
    const std::size_t bytes = v.capacity() * sizeof(T);
    if (!cacheable(bytes)) return;
    Evicted evicted;
    {
      std::lock_guard lock(mutex_);
      if (bytes > limits_.max_bytes) return;  // could never be parked; glibc frees it
      const auto now = Clock::now();
      evict(now, bytes, evicted);
      v.clear();
      parked_bytes_ += bytes;
      list<T>().push_back({std::move(v), now});
      v = std::vector<T>();
    }
  }

  template <typename T>
  bool take(std::vector<T>& v, std::size_t n) {
    Evicted evicted;
    std::lock_guard lock(mutex_);
    evict(Clock::now(), 0, evicted);
    auto& parked = list<T>();
    auto best = parked.end();
    for (auto it = parked.begin(); it != parked.end(); ++it) {
      if (it->buffer.capacity() < n) continue;
      if (best == parked.end() || it->buffer.capacity() < best->buffer.capacity()) best = it;
    }
    if (best == parked.end()) {
      ++missed_;
      return false;
    }
    parked_bytes_ -= best->buffer.capacity() * sizeof(T);
    v = std::move(best->buffer);
    parked.erase(best);
    ++reused_;
    return true;
  }

 private:
  template <typename T>
  std::deque<Parked<T>>& list() {
    if constexpr (std::is_same_v<T, std::int64_t>) {
      return int64s_;
    } else if constexpr (std::is_same_v<T, double>) {
      return doubles_;
    } else {
      return bytes_;
    }
  }

  // Frees buffers parked too long, then the oldest until `incoming` more bytes fit.
  void evict(Clock::time_point now, std::size_t incoming, Evicted& evicted) {
    const auto max_age = std::chrono::duration<double>(limits_.max_age_seconds);
    for (;;) {
      Clock::time_point oldest = Clock::time_point::max();
      int which = -1;
      if (!int64s_.empty() && int64s_.front().since < oldest) {
        oldest = int64s_.front().since;
        which = 0;
      }
      if (!doubles_.empty() && doubles_.front().since < oldest) {
        oldest = doubles_.front().since;
        which = 1;
      }
      if (!bytes_.empty() && bytes_.front().since < oldest) {
        oldest = bytes_.front().since;
        which = 2;
      }
      if (which < 0) return;
      const bool too_old = now - oldest > max_age;
      const bool too_full = parked_bytes_ + incoming > limits_.max_bytes;
      if (!too_old && !too_full) return;
      if (which == 0) pop_front(int64s_, evicted.int64s);
      if (which == 1) pop_front(doubles_, evicted.doubles);
      if (which == 2) pop_front(bytes_, evicted.bytes);
    }
  }

  template <typename T>
  void pop_front(std::deque<Parked<T>>& parked, std::vector<std::vector<T>>& out) {
    parked_bytes_ -= parked.front().buffer.capacity() * sizeof(T);
    out.push_back(std::move(parked.front().buffer));
    parked.pop_front();
  }

  template <typename T>
  void drop_smaller_than(std::size_t bytes, std::deque<Parked<T>>& parked,
                         std::vector<std::vector<T>>& out) {
    for (auto it = parked.begin(); it != parked.end();) {
      if (it->buffer.capacity() * sizeof(T) >= bytes) {
        ++it;
        continue;
      }
      parked_bytes_ -= it->buffer.capacity() * sizeof(T);
      out.push_back(std::move(it->buffer));
      it = parked.erase(it);
    }
  }

  template <typename T>
  static void move_all(std::deque<Parked<T>>& parked, std::vector<std::vector<T>>& out) {
    for (auto& p : parked) out.push_back(std::move(p.buffer));
    parked.clear();
  }

  std::atomic<std::size_t> min_buffer_bytes_{0};
  std::atomic<bool> enabled_{false};
  std::mutex mutex_;
  Limits limits_;
  std::size_t parked_bytes_ = 0;
  std::uint64_t reused_ = 0;
  std::uint64_t missed_ = 0;
  std::deque<Parked<std::int64_t>> int64s_;
  std::deque<Parked<double>> doubles_;
  std::deque<Parked<std::uint8_t>> bytes_;
};

// Never destroyed: columns freed during static destruction still donate into it safely.
Cache& cache() {
  static Cache* instance = new Cache();
  return *instance;
}

template <typename T>
void reserve_from_cache(std::vector<T>& v, std::size_t n) {
  if (v.capacity() >= n) return;
  if (v.empty() && cache().cacheable(n * sizeof(T)) && cache().take(v, n)) return;
  v.reserve(n);
  // The untouched capacity of a large buffer about to be filled (see huge_pages.h).
  advise_huge_pages(v.data() + v.size(), (v.capacity() - v.size()) * sizeof(T));
}

}  // namespace

Limits limits() { return cache().limits(); }
void set_limits(const Limits& limits) { cache().set_limits(limits); }
Stats stats() { return cache().stats(); }
void release() { cache().release(); }

void donate(std::vector<std::int64_t>& v) { cache().donate(v); }
void donate(std::vector<double>& v) { cache().donate(v); }
void donate(std::vector<std::uint8_t>& v) { cache().donate(v); }

void reserve(std::vector<std::int64_t>& v, std::size_t n) { reserve_from_cache(v, n); }
void reserve(std::vector<double>& v, std::size_t n) { reserve_from_cache(v, n); }
void reserve(std::vector<std::uint8_t>& v, std::size_t n) { reserve_from_cache(v, n); }

}  // namespace tandem::store::buffer_cache
