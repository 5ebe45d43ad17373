// Handing the heap's free memory back to the operating system, for long-running processes.
//
// Why: glibc's malloc keeps memory freed inside its heaps mapped and resident — it returns only
// the top of a heap, and only past M_TRIM_THRESHOLD — and every thread that allocates gets an
// arena of its own (live's recorder, the gateway's journal writer). A session whose transient
// buffers grow with it (a store commit's segments and compactions, the burst of messages that
// answers a reconnecting client) would keep their high-water mark resident for good: measured
// in the soak (docs/operations.md, "Soak"), that retention was a quarter of live's RssAnon
// growth. malloc_trim(0) gives back the free pages of every arena (madvise), at the cost of a
// walk over the free chunks, so it is called at quiet points (a trading day's end, a finished
// reconciliation, a replayed bar) and at most once per interval.
#pragma once

#include <chrono>

namespace tandem {

// Returns the allocator's free pages to the OS, unless that was done less than `min_interval`
// ago in this process (thread-safe; a no-op on a C library without malloc_trim). Returns
// whether it trimmed.
bool release_free_heap(std::chrono::milliseconds min_interval = std::chrono::seconds(1));

// For a long-running process, called once at its start: fixes glibc's mmap and trim thresholds
// at 128 KiB (their defaults). Left dynamic, glibc raises both each time a large block is freed
// (towards 32 MiB and 64 MiB), so later large blocks — the gateway's answer to a reconnecting
// client, which grows with the account — come from a thread's arena, and the free top of a
// thread's arena is given back only past the trim threshold: malloc_trim() madvises free
// chunks but not a thread arena's top. Measured in the soak (BENCHMARKS.md, "Soak"), the
// gateway's io thread kept ~400 kB free but resident that way. Fixed, a block of 128 KiB or
// more is mmapped and unmapped when freed, and an arena's top is trimmed past 128 KiB. Returns
// false where the C library has no mallopt.
bool fix_heap_thresholds();

}  // namespace tandem
