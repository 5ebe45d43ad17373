// The backend seam: an ordered key → bytes store. The version chain, codecs and compaction above
// it never know which backend they run on (mem/, lmdb/, later s3/). Keys are printable ASCII
// (see store/keys.h for the layout); values are arbitrary bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace tandem::store {

struct KeyValue {
  std::string key;
  std::string value;
};

struct ListRange {
  ListRange(std::string_view prefix_, std::string_view start_after_ = {},  // NOLINT: implicit
            std::size_t limit_ = SIZE_MAX, bool reverse_ = false)
      : prefix(prefix_), start_after(start_after_), limit(limit_), reverse(reverse_) {}
  std::string_view prefix;       // only keys starting with this
  std::string_view start_after;  // if non-empty: only keys strictly after it in scan direction
  std::size_t limit = SIZE_MAX;
  bool reverse = false;  // descending key order
};

// A consistent point-in-time view: every read through one view sees the same committed state
// (LMDB: one read transaction; mem: a shared lock). Keep views short-lived.
class StorageView {
 public:
  virtual ~StorageView() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  // Calls `use` with the value's bytes without copying where the backend can (valid only during
  // the call); returns false, without calling, if the key is absent.
  virtual bool visit(std::string_view key,
                     const std::function<void(std::string_view)>& use) const = 0;
  virtual std::vector<std::string> list(const ListRange& range) const = 0;
  virtual std::vector<KeyValue> scan(const ListRange& range) const = 0;
  // A hint that these keys are about to be visited, in this order (a version's segments).
  // Backends with slow round trips fetch them ahead, in parallel (s3); others ignore it.
  virtual void prefetch(const std::vector<std::string>& keys) const { (void)keys; }
  // True when a symbol's head may lag its version records: version records above the head's
  // version are committed versions, folded onto the head by readers (LibraryEngine::load_head),
  // and version numbers are never reused — a symbol deleted and written again continues its
  // numbering after the deletion marker. Only the S3 backend's chain protocol (docs/s3.md,
  // *Commits by conditional writes*) commits a version by creating its record; everywhere
  // else the head is exact and a record above it was never committed.
  virtual bool heads_may_lag() const { return false; }
};

// Thrown by a reader of a view whose reads are not one snapshot (heads_may_lag) when what it
// read cannot be one state: the fold from a head (or a delta chain) skips a version record that
// the state it started from promised, because a prune retired it between two of the view's
// requests (docs/s3.md, *Readers against prunes*). Nothing is wrong with the store: read again
// on a fresh view. Read-only operations do (LibraryEngine, bounded); a commit's decide that
// throws it lost a race, and the S3 chain committer decides again.
class TornRead : public Error {
 public:
  using Error::Error;
};

// What a commit writes besides its blobs: puts are applied first, then removes.
struct Mutation {
  std::vector<KeyValue> puts;
  std::vector<std::string> removes;
  // Set by the store engine (never guessed by a backend from key names) when the commit is
  // safe to apply one put at a time, in the listed order, without any atomicity mechanism: it
  // has no removes, and until its last put lands, every prefix of its puts is invisible —
  // readers see the state before the commit, and the next commit, deciding on that state,
  // overwrites what the prefix wrote. The engine sets it for a new version: the version record
  // N, then the head that makes it visible (readers never trust a record above the head's
  // version; see library_read.cc). mem and lmdb apply every commit atomically anyway and ignore
  // it; s3 applies such a commit in order instead of first writing its intent (docs/s3.md).
  bool prefix_invisible = false;
  // Set by the engine when puts[0] is a version record that must not exist yet: creating it is
  // the commit (where commits are not serialized by a lock, a taken key means another writer
  // committed that version first, and decide runs again on the newer state). With it,
  // `last_put_is_hint` says the last put is the symbol's head, which a backend whose views
  // report heads_may_lag() may write later or not at all. Other backends ignore both.
  bool create_first = false;
  bool last_put_is_hint = false;
  // Version records removed for good. Backends whose commits are serialized remove them like
  // `removes` (before them); where they are not (S3 chain protocol) the key stays taken by an
  // empty object, so that a late create of that version number by a writer holding an old
  // state fails instead of forking the chain. Views never return such empty objects.
  std::vector<std::string> retires;
  // For backends that treat retires as plain removes.
  void retire_as_removes() {
    removes.insert(removes.begin(), retires.begin(), retires.end());
    retires.clear();
  }
};

class Storage {
 public:
  virtual ~Storage() = default;

  // For messages: the URI or path.
  virtual std::string describe() const = 0;

  virtual std::unique_ptr<StorageView> read_view() const = 0;

  // The one operation whose mechanics differ by backend: an atomic, serialized
  // read-modify-write. Writes `blobs` (new, immutable keys — segments), then calls `decide`
  // with a view of the current state (which includes the blobs) and applies the Mutation it
  // returns (version record, head, removals). Concurrent commits — from threads or processes —
  // are serialized: each decide sees every earlier commit. If decide throws, nothing is written
  // and the exception propagates. decide may be called more than once (after a transparent
  // retry, e.g. LMDB map growth), so it must depend only on the view.
  // Every backend makes a commit all or nothing: a writer that dies or fails part-way never
  // leaves part of a Mutation visible.
  //   mem:  one exclusive lock.  lmdb: one write transaction (serialized across processes by
  //   LMDB's lock file; all of it lands or none of it does).
  //   s3:   blobs are PUT as objects first; a commit lock built from PUT/LIST/DELETE serializes
  //   writers; a Mutation is made atomic by its intent, written into the lock ticket before it
  //   is applied and re-applied by the next writer if its writer died — or, when it is
  //   prefix_invisible, simply by applying its puts in order (docs/s3.md). On servers that
  //   enforce conditional writes a store instead commits a new version by the create-only PUT
  //   of its record (create_first; heads_may_lag), each other commit request by request
  //   conditional on what decide saw (decide then runs again after a lost race); stores made
  //   before that commit by compare-and-swap of a journal object holding the intent.
  virtual void commit(std::vector<KeyValue> blobs,
                      const std::function<Mutation(const StorageView& view)>& decide) = 0;

  // Conveniences over read_view() and commit().
  std::optional<std::string> get(std::string_view key) const { return read_view()->get(key); }
  std::vector<std::string> list(const ListRange& range) const { return read_view()->list(range); }
  void put(std::string key, std::string value) {
    Mutation m;
    m.puts.push_back({std::move(key), std::move(value)});
    commit({}, [&](const StorageView&) { return m; });
  }
  void remove(std::string key) {
    Mutation m;
    m.removes.push_back(std::move(key));
    commit({}, [&](const StorageView&) { return m; });
  }
};

}  // namespace tandem::store
