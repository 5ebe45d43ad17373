#include "core/heap.h"

#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tandem {

bool release_free_heap(std::chrono::milliseconds min_interval) {
#if defined(__GLIBC__)
  // The allocator is the process's, so is the interval: one clock for every caller.
  static std::atomic<std::chrono::steady_clock::rep> last{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  auto previous = last.load(std::memory_order_relaxed);
  const auto interval =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(min_interval).count();
  if (previous != 0 && now - previous < interval) return false;
  if (!last.compare_exchange_strong(previous, now, std::memory_order_relaxed)) return false;
  malloc_trim(0);
  return true;
#else
  (void)min_interval;
  return false;
#endif
}

bool fix_heap_thresholds() {
#if defined(__GLIBC__)
  constexpr int kThreshold = 128 * 1024;
  // Setting either turns glibc's dynamic adjustment of both off.
  return mallopt(M_MMAP_THRESHOLD, kThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kThreshold) == 1;
#else
  return false;
#endif
}

}  // namespace tandem
