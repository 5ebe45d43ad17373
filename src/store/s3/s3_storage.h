// s3:// and s3s:// — the store on S3-compatible object storage (docs/s3.md).
//
// Every store key is one object (see object_names.h for the naming). Reads go straight to the
// bucket: S3's read-after-write consistency makes every committed object visible at once, and
// since a version's segments are written before the records that reference them, and a record
// is a single object, a reader sees either the old or the new version, never half of one.
// Commits are serialized across processes by one of three protocols, recorded per store
// (commit_protocol.h): with conditional writes, by creating each version's record (the version
// chain, chain_commit.h) or, for stores made before it, by compare-and-swap of the store's
// journal (conditional_commit.h); otherwise by the commit lock (commit_lock.h), described here:
// blobs (segments) are PUT first, then, holding the lock, decide() runs on the current state and
// its mutation is applied — all or nothing, through the intent kept in the lock ticket.
//
// Commits of one object, and commits the engine marks prefix_invisible (a new version: record,
// then head), are applied object by object in order, without an intent: a crash after any
// prefix leaves nothing visible (see storage.h).
//
// A writer keeps the lock while it keeps committing (until it has been idle for idle_release;
// after max_hold it LISTs the waiting marks and lets go only if someone waits, then looks again
// after 2 x, 4 x max_hold..., at most every max_check): a burst of appends then costs no lock
// round trips, and while it holds the lock nobody else can change the store, so the values it
// has read or written are cached and decide() reads them without a request. One-row appends in
// a burst cost three requests: the segment, the version record and the head (plus one LIST per
// look for waiting writers).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "store/s3/chain_commit.h"
#include "store/s3/commit_lock.h"
#include "store/s3/commit_protocol.h"
#include "store/s3/conditional_commit.h"
#include "store/s3/object_names.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_config.h"
#include "store/storage.h"

namespace tandem::store::s3 {

// How long a writer keeps the commit lock after a commit (see above).
struct S3HoldOptions {
  std::chrono::milliseconds idle_release{150};
  // Held this long, the writer looks for waiting writers and lets go if there is one; while
  // there is none it looks again after twice as long each time, up to max_check.
  std::chrono::milliseconds max_hold{500};
  std::chrono::milliseconds max_check{2000};
};

class S3Storage : public Storage {
 public:
  // Connects and checks that the bucket exists (a clear error naming it if not).
  explicit S3Storage(const S3Config& config, S3HoldOptions hold = S3HoldOptions());
  ~S3Storage() override;

  std::string describe() const override { return uri_; }
  std::unique_ptr<StorageView> read_view() const override;
  void commit(std::vector<KeyValue> blobs,
              const std::function<Mutation(const StorageView& view)>& decide) override;

  // The client, for request counts (benchmarks, tests).
  S3Client& client() const { return *client_; }
  const ObjectNames& names() const { return names_; }

  // Testing: the next commit applied in order (see commit()) fails, as if the connection broke,
  // after `puts` of its puts were written — what a writer that dies there leaves behind. In
  // journal mode: after its journal entry and `puts` of its puts; in chain mode: after `puts`
  // of its requests.
  void fail_next_in_order_commit_after(std::size_t puts) {
    fail_after_puts_ = puts;
    if (committer_) committer_->fail_next_commit_after(puts);
    if (chain_) chain_->fail_next_commit_after(puts);
  }

  // The commit protocol this writer uses, settled by the first commit or by this call (which,
  // for a new store, probes the server and writes the record: see commit_protocol.h).
  CommitProtocol protocol();
  // Conditional mode: commits that lost the race for the journal and decided again.
  std::uint64_t lost_races() const {
    return (committer_ ? committer_->lost_races() : 0) + (chain_ ? chain_->lost_races() : 0);
  }

 private:
  class View;
  // Values read or written while holding the lock (nullopt: absent). Valid only while the lock
  // is held without a break; bounded in size.
  struct HolderCache {
    std::map<std::string, std::optional<std::string>, std::less<>> values;
    std::size_t bytes = 0;
    void remember(const std::string& key, const std::optional<std::string>& value);
    void clear() {
      values.clear();
      bytes = 0;
    }
  };

  void apply(const Mutation& mutation, std::chrono::milliseconds timeout) const;
  // One object after the other (commits that need no intent).
  void apply_in_order(const Mutation& mutation, std::chrono::milliseconds timeout) const;
  // With commit_mutex_ held, after a commit was applied.
  void remember_applied(const Mutation& mutation);
  void delete_quietly(const std::vector<std::string>& objects) const;
  // With commit_mutex_ held: a lease to commit under (the held one if still reusable).
  CommitLock::Lease& take_lease();
  void drop_lease();  // with commit_mutex_ held: releases the lock (best effort)
  // With commit_mutex_ held, after a failed commit: leaves the ticket to expire (it may hold
  // an intent the next holder must finish) and forgets what was cached under the lock.
  void abandon_lease();
  void idle_releaser();
  // With commit_mutex_ held.
  CommitProtocol settle_protocol_locked();
  void commit_conditionally(const std::function<Mutation(const StorageView& view)>& decide);
  // Do reads fold heads (the store records the chain protocol)? Reads the record once.
  bool reads_chain() const;

  std::string uri_;
  std::shared_ptr<S3Client> client_;
  ObjectNames names_;
  S3HoldOptions hold_;
  ConditionalWrites conditional_writes_;
  std::optional<CommitProtocol> protocol_;  // settled by the first commit
  std::unique_ptr<ConditionalCommitter> committer_;
  std::unique_ptr<ChainCommitter> chain_;
  mutable std::mutex read_protocol_mutex_;
  mutable std::optional<CommitProtocol> read_protocol_;
  std::unique_ptr<CommitLock> lock_;
  std::mutex commit_mutex_;  // threads of this process queue here, not on the bucket
  std::optional<CommitLock::Lease> lease_;
  HolderCache cache_;
  std::chrono::steady_clock::time_point last_commit_;
  std::chrono::milliseconds check_after_{0};  // look for waiting writers once held this long
  bool yielded_ = false;  // the last lease ended at max_hold: let waiting writers in first
  mutable std::optional<std::size_t> fail_after_puts_;  // testing only
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread releaser_;
};

// Opens the backend of an s3:// or s3s:// URI (Store::open's entry point).
std::shared_ptr<Storage> open_s3_storage(std::string_view uri);

}  // namespace tandem::store::s3
