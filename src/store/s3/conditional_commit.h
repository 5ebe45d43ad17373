// The S3 backend's second commit protocol: compare-and-swap by conditional writes, for servers
// that enforce If-None-Match / If-Match (docs/s3.md, *Commits by conditional writes*).
//
// The store's commits form one chain in one object, the journal (PREFIX~store/journal). It holds
// the last commit: a random commit id, a sequence number and the commit's intent (its puts and
// removes, each with what its object held before: an ETag, absence, or unknown). A writer
//   1. knows the journal's ETag (read, or kept from its own last commit) and makes sure the
//      commit it holds is applied (re-applying it is harmless, see below);
//   2. runs decide() on the bucket's current state, remembering the ETag of everything it read;
//   3. replaces the journal with its own commit, If-Match the ETag of step 1 (If-None-Match: *
//      for the first commit). This is the commit point. A 412 means another commit came first:
//      the writer re-reads the journal and decides again (bounded retries with backoff);
//   4. applies its intent; every PUT and DELETE is conditional on the object's state before the
//      commit, so the first request to land does the work and every later one — a helper
//      rolling the commit forward, a retry, the writer's own request delayed in the network —
//      is refused by the server and changes nothing.
// A writer killed after step 3 leaves the journal ahead of the objects; the next writer's
// step 1 finishes the commit at once. Nothing waits for a lease.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/s3/object_names.h"
#include "store/s3/s3_client.h"
#include "store/storage.h"

namespace tandem::store::s3 {

// What a conditional-mode view has seen of one key since the journal last changed.
struct Observed {
  std::string etag;  // "" for an absent object
  bool has_value = false;
  std::string value;  // when has_value (and the object exists)
};
using Observations = std::map<std::string, Observed, std::less<>>;

// One commit as the journal holds it (object names, not store keys).
struct JournalEntry {
  struct Put {
    std::string object;
    std::string value;
    Precondition before;  // kNone: its state before the commit is not known
  };
  struct Remove {
    std::string object;
    std::string etag;  // what was deleted
  };
  std::string commit_id;  // 32 random hex digits
  std::uint64_t sequence = 0;
  bool in_order = false;  // Mutation::prefix_invisible: puts one after the other, in order
  std::vector<Put> puts;
  std::vector<Remove> removes;
};

std::string encode_journal(const JournalEntry& entry);
// Throws tandem::Error (Corruption) naming `where` if the bytes are not a journal entry.
JournalEntry decode_journal(std::string_view bytes, const std::string& where);

class ConditionalCommitter {
 public:
  // A view of the bucket that answers reads from `seen` when it can and records there the
  // ETag of everything it reads or lists.
  using MakeView = std::function<std::unique_ptr<StorageView>(Observations& seen)>;

  ConditionalCommitter(std::shared_ptr<S3Client> client, const ObjectNames& names,
                       std::string store_name, std::chrono::milliseconds give_up_after);

  // Not thread-safe: the caller serializes its threads (S3Storage's commit mutex).
  void commit(const std::function<Mutation(const StorageView&)>& decide, const MakeView& view);

  // Commits that lost the compare-and-swap and decided again (for benchmarks and tests).
  std::uint64_t lost_races() const { return lost_races_; }

  // Testing: the next commit stops, as if its process died, after its journal entry and
  // `puts` of its puts were written.
  void fail_next_commit_after(std::size_t puts) { fail_after_puts_ = puts; }

 private:
  void load_journal();
  JournalEntry build_entry(const Mutation& mutation);
  // Applies every operation of `entry` not applied yet. With `check_done_first`, an in-order
  // entry whose last put has landed is taken as applied after one GET.
  void roll_forward(const JournalEntry& entry, bool check_done_first);
  // The object's new ETag when this call wrote it, nullopt when it was applied already.
  std::optional<std::string> apply_put(const JournalEntry& entry, const JournalEntry::Put& put);
  std::optional<JournalEntry> read_journal();
  // Does the journal hold this commit ("" : does it not exist)?
  bool journal_still_holds(const std::string& commit_id);
  void forget();

  std::shared_ptr<S3Client> client_;
  const ObjectNames& names_;
  std::string journal_;
  std::string store_name_;
  std::chrono::milliseconds give_up_after_;
  bool loaded_ = false;       // journal_etag_ and last_ describe the journal as this writer left it
  std::string journal_etag_;  // "" when the journal does not exist yet
  JournalEntry last_;
  bool applied_ = true;  // last_ is known to be fully applied
  Observations seen_;    // valid while the journal holds last_
  std::uint64_t lost_races_ = 0;
  std::optional<std::size_t> fail_after_puts_;
};

}  // namespace tandem::store::s3
