#include "csv/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/error.h"

namespace tandem::csv {
namespace {

// Closes the descriptor on every path out of the constructor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string system_error_text(int error_number) { return std::strerror(error_number); }

}  // namespace

MappedFile::MappedFile(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    throw Error(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::Unavailable,
                "cannot open: " + system_error_text(errno), path.string());
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw Error("cannot stat: " + system_error_text(errno), path.string());
  }
  if (S_ISDIR(info.st_mode)) throw Error("is a directory, expected a CSV file", path.string());
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    // MAP_POPULATE maps the (usually cached) pages in one go rather than one fault at a time.
    void* mapping = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ,
                           MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
    if (mapping != MAP_FAILED) {
      ::madvise(mapping, static_cast<std::size_t>(info.st_size), MADV_SEQUENTIAL);
      mapping_ = mapping;
      data_ = static_cast<const char*>(mapping);
      size_ = static_cast<std::size_t>(info.st_size);
      return;
    }
  }
  // Pipes, character devices and empty files: read everything into memory.
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read: " + system_error_text(errno), path.string());
    }
    fallback_.append(buffer, static_cast<std::size_t>(n));
  }
  data_ = fallback_.data();
  size_ = fallback_.size();
}

MappedFile::~MappedFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
}

}  // namespace tandem::csv
