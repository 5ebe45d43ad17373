// `tandem store copy`: copies whole libraries — every version, snapshot and segment, byte for
// byte — from one store to another of any backend (lmdb://, s3://, mem://), then proves the copy
// by reading every object back from the destination and comparing checksums, and by decoding
// every segment there.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "store/store.h"

namespace tandem::cli {

struct LibraryCopyReport {
  std::string library;
  std::uint64_t symbols = 0;
  std::uint64_t version_records = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t segments = 0;
  std::uint64_t objects = 0;  // everything copied, the library marker included
  std::uint64_t bytes = 0;
};

// Refuses (tandem::Error, nothing written) if `library` is missing in `from` or exists in `to`.
// The library appears in `to` only once all of it is there (its marker is written last), so an
// interrupted copy leaves nothing visible and can simply be run again. Throws if the read-back
// finds any difference — e.g. when the source changed during the copy.
// `on_progress` (optional) is called after each batch with the objects copied so far.
LibraryCopyReport copy_library(store::Store& from, store::Store& to, const std::string& library,
                               const std::function<void(std::uint64_t objects)>& on_progress = {});

}  // namespace tandem::cli
