// The S3 backend's chain protocol: commits by conditional writes without any store-wide object
// (docs/s3.md, *Commits by conditional writes*). For servers that enforce If-None-Match and
// If-Match.
//
// A new version of a symbol is committed by ONE request: a create-only PUT (If-None-Match: *)
// of its version record N. The server lets exactly one writer create N, so the versions of a
// symbol form one chain without a lock; a writer refused with 412 re-reads the symbol and
// decides again (the storage contract's decide, with bounded retries and backoff). The head is
// a hint that may lag: readers fold every record above it (LibraryEngine::load_head). A
// writer keeps what it last committed, so in a burst it decides without reading anything and
// the commit costs that one PUT; the head is written every `hint_every` versions and when the
// writer has been idle (flush_hints), each time If-Match the head it last saw, so a head never
// moves backwards.
//
// Version numbers are never reused (StorageView::heads_may_lag): a record that a prune or a
// deletion removes is replaced by an empty object (Mutation::retires), so a late create of its
// number — by a writer deciding on an old state — is refused instead of forking the chain.
// Every other commit (prune, snapshots, library markers, deletions) decides on a fresh view of
// the bucket and is applied request by request, each conditional on what decide saw; its
// first request is its commit point (refused: decide again).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "store/s3/conditional_commit.h"
#include "store/s3/object_names.h"
#include "store/s3/s3_client.h"
#include "store/storage.h"

namespace tandem::store::s3 {

class ChainCommitter {
 public:
  // A view of the bucket that answers reads from `seen` when it can and records there the ETag
  // of everything it reads or lists. Optimistic views trust what `seen` holds (the versions
  // this writer committed last) and report heads_may_lag() false: the commit's create-only PUT
  // checks that nobody committed since.
  using MakeView = std::function<std::unique_ptr<StorageView>(Observations& seen, bool optimistic)>;

  ChainCommitter(std::shared_ptr<S3Client> client, const ObjectNames& names, std::string store_name,
                 std::chrono::milliseconds give_up_after, std::size_t hint_every = 16);

  // Not thread-safe: the caller serializes its threads (S3Storage's commit mutex).
  void commit(const std::function<Mutation(const StorageView&)>& decide, const MakeView& view);

  // Heads this writer moved past that are not written yet (the idle writer writes them).
  bool hints_pending() const;
  // Writes them (best effort: a head someone else wrote meanwhile is left as it is).
  void flush_hints();

  // Commits refused at their commit point that decided again (benchmarks, tests).
  std::uint64_t lost_races() const { return lost_races_; }

  // Testing: the next commit stops, as if its process died, after `requests` of its requests.
  void fail_next_commit_after(std::size_t requests) { fail_after_ = requests; }

 private:
  // What this writer knows of one symbol's head object.
  struct Hint {
    std::optional<std::string> etag;  // the object's ETag as last seen ("" absent; unknown)
    std::string pending;              // the head after this writer's last commit
    std::size_t lag = 0;              // versions committed since the object was written
    bool dirty = false;
  };

  Precondition seen_state(const std::string& key) const;
  void count_request();
  // The requests after the commit point, in order: puts, retires, removes.
  void apply_rest(const Mutation& mutation, std::size_t first_put, std::size_t end_put);
  void note_hint(const std::string& key, const std::string& bytes,
                 const std::optional<std::string>& seen_etag);
  void write_hint(const std::string& key, Hint& hint);

  std::shared_ptr<S3Client> client_;
  const ObjectNames& names_;
  std::string store_name_;
  std::chrono::milliseconds give_up_after_;
  std::size_t hint_every_;
  Observations seen_;  // what the last commits read and wrote (may be stale: optimistic only)
  std::map<std::string, Hint, std::less<>> hints_;  // by head key
  bool proven_next_ = false;
  std::uint64_t lost_races_ = 0;
  std::optional<std::size_t> fail_after_;
  std::size_t requests_ = 0;  // of the current commit (for fail_after_)
};

}  // namespace tandem::store::s3
