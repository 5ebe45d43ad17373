// The S3 backend's commit lock: mutual exclusion among every process that commits to one store,
// built only from PUT, LIST and DELETE (no conditional writes, which many S3-compatible servers
// ignore). Relies on the read-after-write and list-after-write consistency that AWS S3, MinIO
// and Ceph RGW provide.
//
// To take the lock a writer PUTs a uniquely named ticket under PREFIX~commit/ and then LISTs the
// tickets. It holds the lock iff its ticket is the only live one; otherwise it deletes its ticket,
// waits until no live ticket is left and tries again. Two writers can never both hold it: of two
// tickets, the one written second was written before its writer listed, and that listing also
// shows the first ticket — unless the first was already deleted.
//
// A holder may keep the lock for a burst of commits. So that it knows when to let others in, a
// writer that finds the lock taken PUTs a uniquely named waiting mark under PREFIX~waiting/ (and
// deletes it once it holds the lock or gives up); a holder that has held the lock for a while
// LISTs the marks and lets go only if there is one. Marks do not take part in the exclusion:
// a mark the holder misses (written just after its LIST) only delays the waiter by one hold.
//
// A ticket whose LastModified is more than the lease older than the server's clock (the Date of
// the LIST reply) belongs to a writer that died; it is ignored, and the next holder removes it.
// Before applying a commit of more than one object the holder writes the commit (its intent) into
// its ticket, so that if it dies half-way the next holder re-applies the intent first: a commit is
// then all or nothing. (Commits whose every prefix is invisible need no intent; the ticket is
// then kept empty, see S3Storage::commit.) A holder never sends a request after lease/2 has passed
// since its ticket (each request's deadline is cut to fit), so a live holder is never mistaken for
// a dead one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "store/s3/s3_client.h"
#include "store/storage.h"

namespace tandem::store::s3 {

struct CommitLockOptions {
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds max_wait{300'000};  // give up taking the lock after this long
};

// The commit a holder writes into its ticket before applying it (and the inverse).
std::string encode_intent(const Mutation& mutation);
// Throws tandem::Error naming `where` if the bytes are not an intent written by encode_intent.
Mutation decode_intent(std::string_view bytes, const std::string& where);

class CommitLock {
 public:
  // `apply` writes a (recovered) intent's objects: all puts, then all removes.
  using Apply = std::function<void(const Mutation& mutation, std::chrono::milliseconds timeout)>;

  // Tickets live under lock_prefix, waiting writers' marks under waiting_prefix.
  CommitLock(std::shared_ptr<S3Client> client, std::string lock_prefix, std::string waiting_prefix,
             std::string store_name, CommitLockOptions options, Apply apply);

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();  // releases (best effort) if still held and no intent is pending

    // Deadline for the holder's next request: what is left of lease/2, at least 100 ms.
    std::chrono::milliseconds request_timeout() const;
    // False once lease/2 has passed: the holder must not start writing.
    bool fresh() const;
    // Writes the commit into the ticket (from now on a crash leaves it for the next holder).
    // Rewriting the ticket also renews the lease. The intent stays after the commit is applied:
    // re-applying the last applied commit changes nothing, and the next intent replaces it.
    void record_intent(const std::string& intent);
    // Before a commit applied without an intent: empties the ticket if it holds one (an
    // applied commit that a later holder must not re-apply on top of this one). No request if
    // the ticket is empty already, as it is after acquire().
    void clear_intent();
    // Between commits: rewrites the ticket, empty, when it is older than lease/4, so that it
    // is surely still seen as live (an applied intent is not needed any more). False if the
    // lease is too old to renew (the holder must take the lock anew).
    bool renew_if_old();
    // Has the holder held the lock for max_hold (since taking it or the last extend())?
    bool hold_expired(std::chrono::milliseconds max_hold) const;
    // Holds on for another max_hold (after the holder saw that nobody waits).
    void extend() { acquired_ = std::chrono::steady_clock::now(); }
    // Deletes the ticket.
    void release();
    // Leaves the ticket (and its intent) for the next holder to finish.
    void abandon() { held_ = false; }
    const std::string& ticket() const { return ticket_; }

   private:
    friend class CommitLock;
    Lease(CommitLock& lock, std::string ticket, std::chrono::steady_clock::time_point start);
    CommitLock* lock_;
    std::string ticket_;
    std::chrono::steady_clock::time_point start_;     // the ticket's last write
    std::chrono::steady_clock::time_point acquired_;  // when the lock was taken (or extended)
    bool held_ = true;
    bool holds_intent_ = false;  // the ticket is not empty
  };

  // Blocks until this writer holds the lock; finishes a dead holder's pending intent first.
  // Throws tandem::Error if the lock stays taken for options.max_wait.
  Lease acquire();

  // Every lock ticket there is now, for messages and tests.
  std::vector<ObjectInfo> tickets(std::int64_t* server_time = nullptr);

  // Does another writer wait for the lock? One LIST of the waiting marks (see acquire()); a
  // mark older than the lease belongs to a writer that died and is removed.
  bool others_waiting(std::chrono::milliseconds timeout);

 private:
  bool is_stale(const ObjectInfo& ticket, std::int64_t server_time) const;
  void recover(const ObjectInfo& ticket, std::chrono::milliseconds timeout);
  std::string new_ticket_name();
  void pause(std::chrono::milliseconds longest);

  std::vector<ObjectInfo> list_all(const std::string& prefix, std::int64_t* server_time,
                                   std::chrono::milliseconds timeout);
  std::string new_name(const std::string& prefix);

  std::shared_ptr<S3Client> client_;
  std::string prefix_;
  std::string waiting_prefix_;
  std::string store_name_;
  CommitLockOptions options_;
  Apply apply_;
  std::mt19937_64 random_;
};

}  // namespace tandem::store::s3
