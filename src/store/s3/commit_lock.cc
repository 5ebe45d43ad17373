#include "store/s3/commit_lock.h"

#include <sys/random.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "core/time.h"
#include "store/s3/record_framing.h"

namespace tandem::store::s3 {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kIntentMagic = "tandem-s3-intent-1\n";

}  // namespace

std::string encode_intent(const Mutation& mutation) {
  std::string out(kIntentMagic);
  put_u64(out, mutation.puts.size());
  for (const KeyValue& put : mutation.puts) {
    put_bytes(out, put.key);
    put_bytes(out, put.value);
  }
  put_u64(out, mutation.removes.size());
  for (const std::string& key : mutation.removes) put_bytes(out, key);
  put_u64(out, XXH3_64bits(out.data(), out.size()));
  return out;
}

Mutation decode_intent(std::string_view bytes, const std::string& where) {
  if (!bytes.starts_with(kIntentMagic) || bytes.size() < kIntentMagic.size() + 24) {
    throw Error("corrupt commit intent: not an intent", where);
  }
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  RecordReader checksum_reader(bytes.substr(bytes.size() - 8), "commit intent", where);
  if (checksum_reader.u64() != XXH3_64bits(body.data(), body.size())) {
    throw Error("corrupt commit intent: checksum mismatch", where);
  }
  RecordReader reader(body.substr(kIntentMagic.size()), "commit intent", where);
  Mutation mutation;
  for (std::uint64_t n = reader.count(); n > 0; --n) {
    KeyValue put;
    put.key = reader.bytes();
    put.value = reader.bytes();
    mutation.puts.push_back(std::move(put));
  }
  for (std::uint64_t n = reader.count(); n > 0; --n) mutation.removes.push_back(reader.bytes());
  if (!reader.at_end()) reader.fail("trailing bytes");
  return mutation;
}

CommitLock::CommitLock(std::shared_ptr<S3Client> client, std::string lock_prefix,
                       std::string waiting_prefix, std::string store_name,
                       CommitLockOptions options, Apply apply)
    : client_(std::move(client)),
      prefix_(std::move(lock_prefix)),
      waiting_prefix_(std::move(waiting_prefix)),
      store_name_(std::move(store_name)),
      options_(options),
      apply_(std::move(apply)),
      random_(std::random_device{}()) {}

std::string CommitLock::new_ticket_name() { return new_name(prefix_); }

std::string CommitLock::new_name(const std::string& prefix) {
  // 128 bits from the kernel for every ticket: two writers must never share a name, and a
  // generator's state could be duplicated by fork().
  unsigned char bits[16];
  std::size_t got = 0;
  while (got < sizeof bits) {
    const ssize_t n = getrandom(bits + got, sizeof bits - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("getrandom failed: errno " + std::to_string(errno), store_name_);
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = prefix;
  for (unsigned char b : bits) {
    name.push_back(kHex[b >> 4]);
    name.push_back(kHex[b & 0xF]);
  }
  return name;
}

void CommitLock::pause(milliseconds longest) {
  std::uniform_int_distribution<long> spread(1, std::max<long>(2, longest.count()));
  std::this_thread::sleep_for(milliseconds(spread(random_)));
}

std::vector<ObjectInfo> CommitLock::tickets(std::int64_t* server_time) {
  return list_all(prefix_, server_time, {});
}

bool CommitLock::others_waiting(milliseconds timeout) {
  std::int64_t server_time = 0;
  bool waiting = false;
  std::vector<std::string> dead;
  for (const ObjectInfo& mark : list_all(waiting_prefix_, &server_time, timeout)) {
    if (is_stale(mark, server_time)) {
      dead.push_back(mark.key);
    } else {
      waiting = true;
    }
  }
  if (!dead.empty()) client_->delete_objects(dead, timeout);
  return waiting;
}

std::vector<ObjectInfo> CommitLock::list_all(const std::string& prefix, std::int64_t* server_time,
                                             milliseconds timeout) {
  std::vector<ObjectInfo> all;
  std::string after;
  for (;;) {
    S3Client::ListQuery query;
    query.prefix = prefix;
    query.start_after = after;
    query.timeout = timeout;
    ListPage page = client_->list_objects(query);
    if (server_time != nullptr) *server_time = page.server_time;
    for (ObjectInfo& ticket : page.objects) all.push_back(std::move(ticket));
    if (!page.truncated || all.empty()) return all;
    after = all.back().key;
  }
}

bool CommitLock::is_stale(const ObjectInfo& ticket, std::int64_t server_time) const {
  if (server_time == 0) server_time = now_utc();  // no Date header: trust the local clock
  // LastModified and Date have one-second resolution: allow for it.
  const std::int64_t lease_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.lease).count();
  return ticket.last_modified != 0 &&
         server_time - ticket.last_modified > lease_ns + kNanosPerSecond;
}

void CommitLock::recover(const ObjectInfo& ticket, milliseconds timeout) {
  if (ticket.size > 0) {
    std::optional<std::string> intent = client_->get_object(ticket.key, timeout);
    if (intent && !intent->empty()) {
      // A holder died after deciding its commit and before finishing it: finish it now, before
      // anything else is committed on top of the state it saw.
      apply_(decode_intent(*intent, client_->describe(ticket.key)), timeout);
    }
  }
  client_->delete_object(ticket.key, timeout);
}

CommitLock::Lease CommitLock::acquire() {
  // The mark that tells a holder keeping the lock through a burst that someone waits: written
  // on the first contention, rewritten before it could look stale, deleted when done.
  std::string mark;
  Clock::time_point mark_written;
  auto mark_waiting = [&] {
    if (!mark.empty() && Clock::now() - mark_written < options_.lease / 4) return;
    if (mark.empty()) mark = new_name(waiting_prefix_);
    mark_written = Clock::now();
    client_->put_object(mark, "", options_.lease / 4);
  };
  struct Unmark {
    S3Client& client;
    const std::string& mark;
    ~Unmark() {
      if (mark.empty()) return;
      try {
        client.delete_object(mark);
      } catch (const Error&) {
        // A mark left behind is removed once it is older than the lease.
      }
    }
  } unmark{*client_, mark};

  const Clock::time_point deadline = Clock::now() + options_.max_wait;
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) {
      mark_waiting();
      // Wait until no live ticket is left, so writers rarely collide twice in a row.
      for (;;) {
        std::int64_t server_time = 0;
        std::vector<ObjectInfo> present = tickets(&server_time);
        bool busy = std::any_of(present.begin(), present.end(),
                                [&](const ObjectInfo& t) { return !is_stale(t, server_time); });
        if (!busy) break;
        if (Clock::now() > deadline) {
          throw Error("gave up waiting for the commit lock after " +
                          std::to_string(options_.max_wait.count() / 1000) +
                          " s: " + std::to_string(present.size()) + " ticket(s) under " + prefix_ +
                          " (another writer is committing; a dead writer's ticket expires " +
                          std::to_string(options_.lease.count() / 1000) +
                          " s after it was written)",
                      store_name_);
        }
        pause(milliseconds(20));
        mark_waiting();
      }
    }
    const std::string ticket = new_ticket_name();
    const Clock::time_point start = Clock::now();
    const milliseconds budget = options_.lease / 2;
    client_->put_object(ticket, "", budget);
    std::int64_t server_time = 0;
    std::vector<ObjectInfo> present;
    try {
      present = tickets(&server_time);
    } catch (const Error&) {
      // Do not leave a live ticket behind to block everyone for a lease.
      try {
        client_->delete_object(ticket);
      } catch (const Error&) {
      }
      throw;
    }
    bool mine_listed = false;
    bool contended = false;
    std::vector<ObjectInfo> stale;
    for (const ObjectInfo& t : present) {
      if (t.key == ticket) {
        mine_listed = true;
      } else if (is_stale(t, server_time)) {
        stale.push_back(t);
      } else {
        contended = true;
      }
    }
    if (!mine_listed) {
      client_->delete_object(ticket);
      throw Error("the server's listing does not show the lock ticket just written (" + ticket +
                      "): this backend needs an S3 server with list-after-write consistency",
                  store_name_);
    }
    if (!contended) {
      Lease lease(*this, ticket, start);
      for (const ObjectInfo& t : stale) recover(t, lease.request_timeout());
      return lease;
    }
    client_->delete_object(ticket);
    if (Clock::now() > deadline) {
      throw Error("gave up taking the commit lock after " +
                      std::to_string(options_.max_wait.count() / 1000) + " s of contention",
                  store_name_);
    }
    pause(milliseconds(std::min(100, 5 << std::min(attempt, 4))));
  }
}

CommitLock::Lease::Lease(CommitLock& lock, std::string ticket, Clock::time_point start)
    : lock_(&lock), ticket_(std::move(ticket)), start_(start), acquired_(start) {}

CommitLock::Lease::Lease(Lease&& other) noexcept
    : lock_(other.lock_),
      ticket_(std::move(other.ticket_)),
      start_(other.start_),
      acquired_(other.acquired_),
      held_(other.held_),
      holds_intent_(other.holds_intent_) {
  other.held_ = false;
}

CommitLock::Lease::~Lease() {
  if (!held_) return;
  try {
    release();
  } catch (...) {
    // The ticket expires after the lease; nothing else to do in a destructor.
  }
}

milliseconds CommitLock::Lease::request_timeout() const {
  const milliseconds used = std::chrono::duration_cast<milliseconds>(Clock::now() - start_);
  return std::max(milliseconds(100), lock_->options_.lease / 2 - used);
}

bool CommitLock::Lease::fresh() const {
  return Clock::now() - start_ < lock_->options_.lease / 2 - milliseconds(100);
}

void CommitLock::Lease::record_intent(const std::string& intent) {
  const Clock::time_point before = Clock::now();
  // From here on the ticket may hold an intent (if the PUT landed, whatever it returns).
  holds_intent_ = holds_intent_ || !intent.empty();
  lock_->client_->put_object(ticket_, intent, request_timeout());
  // The rewritten ticket's LastModified is at least `before`: the lease counts from there now.
  start_ = before;
  holds_intent_ = !intent.empty();
}

void CommitLock::Lease::clear_intent() {
  if (holds_intent_) record_intent(std::string());
}

bool CommitLock::Lease::renew_if_old() {
  if (!held_ || !fresh()) return false;
  if (Clock::now() - start_ >= lock_->options_.lease / 4) record_intent(std::string());
  return true;
}

bool CommitLock::Lease::hold_expired(milliseconds max_hold) const {
  return Clock::now() - acquired_ >= max_hold;
}

void CommitLock::Lease::release() {
  held_ = false;
  lock_->client_->delete_object(ticket_);
}

}  // namespace tandem::store::s3
