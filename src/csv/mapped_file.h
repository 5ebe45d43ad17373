// A read-only view of a whole file's bytes: memory-mapped when possible, so a multi-gigabyte CSV is
// parsed without copying it into the heap.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tandem::csv {

class MappedFile {
 public:
  // Throws tandem::Error naming the path when the file cannot be opened or read.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  void* mapping_ = nullptr;  // non-null when data_ comes from mmap
  std::string fallback_;     // holds the bytes of files that cannot be mapped (pipes, /dev/stdin)
};

}  // namespace tandem::csv
