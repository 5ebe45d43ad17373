// s3:// and s3s:// — the store on S3-compatible object storage (docs/s3.md).
//
// Every store key is one object (see object_names.h for the naming). Reads go straight to the
// bucket: S3's read-after-write consistency makes every committed object visible at once, and
// since a version's segments are written before the records that reference them, and a record
// is a single object, a reader sees either the old or the new version, never half of one.
// Commits are serialized across processes by the commit lock (commit_lock.h): blobs (segments)
// are PUT first, then, holding the lock, decide() runs on the current state and its mutation is
// applied — all or nothing, through the intent kept in the lock ticket.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/s3/commit_lock.h"
#include "store/s3/object_names.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_config.h"
#include "store/storage.h"

namespace tandem::store::s3 {

class S3Storage : public Storage {
 public:
  // Connects and checks that the bucket exists (a clear error naming it if not).
  explicit S3Storage(const S3Config& config);

  std::string describe() const override { return uri_; }
  std::unique_ptr<StorageView> read_view() const override;
  void commit(std::vector<KeyValue> blobs,
              const std::function<Mutation(const StorageView& view)>& decide) override;

  // The client, for request counts (benchmarks, tests).
  S3Client& client() const { return *client_; }
  const ObjectNames& names() const { return names_; }

 private:
  class View;
  void apply(const Mutation& mutation, std::chrono::milliseconds timeout) const;
  void delete_quietly(const std::vector<std::string>& objects) const;
  static void release_quietly(CommitLock::Lease& lease);

  std::string uri_;
  std::shared_ptr<S3Client> client_;
  ObjectNames names_;
  std::unique_ptr<CommitLock> lock_;
  std::mutex commit_mutex_;  // threads of this process queue here, not on the bucket
};

// Opens the backend of an s3:// or s3s:// URI (Store::open's entry point).
std::shared_ptr<Storage> open_s3_storage(std::string_view uri);

}  // namespace tandem::store::s3
