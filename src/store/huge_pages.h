// Transparent huge pages for large, freshly reserved buffers.
//
// A full read decodes hundreds of MB into new column buffers. Large allocations come straight from
// mmap, so every 4 KiB page costs a page fault on first touch; on virtual machines those faults
// cost more than decoding the data (measured: a 3,000,000-row read spent ~4/5 of its time in
// them). Where the kernel's THP mode is `madvise` (Debian's default), asking for huge pages on the
// buffer before it is touched cuts the faults 512-fold. Harmless where THP is off or `always`.
#pragma once

#include <cstddef>

namespace tandem::store {

// Advises huge pages for the 2 MiB-aligned part of [data, data + bytes) when it spans at least
// 4 MiB; a no-op for smaller buffers. Call it on reserved capacity before writing into it.
void advise_huge_pages(const void* data, std::size_t bytes);

}  // namespace tandem::store
