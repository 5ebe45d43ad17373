// core/heap.h: fixed allocator thresholds keep large transient blocks out of the arenas.
#include "core/heap.h"

#include <gtest/gtest.h>

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tandem {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST(Heap, AfterFixingTheThresholdsABlockOver128KiBIsMappedEvenAfterALargerOneWasFreed) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "mallopt and mallinfo2 are glibc's";
#else
  if (kSanitized) GTEST_SKIP() << "the sanitizer's allocator replaces glibc's malloc";
  ASSERT_TRUE(fix_heap_thresholds());
  // Left dynamic, freeing this mapped block would raise the mmap threshold to its size, and the
  // next block below that would come from an arena (and stay resident there once freed).
  // Volatile and written to, so the compiler cannot leave the allocations out.
  char* volatile large = static_cast<char*>(std::malloc(std::size_t{2} << 20));
  ASSERT_NE(large, nullptr);
  large[0] = 1;
  std::free(large);
  const std::size_t mapped_before = mallinfo2().hblks;
  char* volatile block = static_cast<char*>(std::malloc(std::size_t{512} << 10));
  ASSERT_NE(block, nullptr);
  block[0] = 1;
  EXPECT_EQ(mallinfo2().hblks, mapped_before + 1);
  std::free(block);
  EXPECT_EQ(mallinfo2().hblks, mapped_before);
#endif
}

}  // namespace
}  // namespace tandem
