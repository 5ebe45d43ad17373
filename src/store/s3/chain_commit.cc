#include "store/s3/chain_commit.h"

#include <algorithm>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/log.h"

namespace tandem::store::s3 {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What an optimistic view holds for a head this writer moved past: its own latest version, not
// the object's bytes (which may lag). Never sent as a precondition: only commits that create
// their first put decide optimistically, and their later requests do not touch the head.
constexpr std::string_view kOwnHead = "own-head";

bool refused(const ConditionalResult& result) {
  return result.outcome == ConditionalOutcome::kPreconditionFailed;
}

}  // namespace

ChainCommitter::ChainCommitter(std::shared_ptr<S3Client> client, const ObjectNames& names,
                               std::string store_name, milliseconds give_up_after,
                               std::size_t hint_every)
    : client_(std::move(client)),
      names_(names),
      store_name_(std::move(store_name)),
      give_up_after_(give_up_after),
      hint_every_(std::max<std::size_t>(1, hint_every)) {}

Precondition ChainCommitter::seen_state(const std::string& key) const {
  auto it = seen_.find(key);
  if (it == seen_.end() || it->second.etag == kOwnHead) return {};
  return it->second.etag.empty() ? Precondition::absent() : Precondition::matches(it->second.etag);
}

void ChainCommitter::count_request() {
  if (fail_after_ && requests_ == *fail_after_) {
    fail_after_.reset();
    throw Error(ErrorKind::Unavailable,
                "injected failure after " + std::to_string(requests_) + " of the commit's requests",
                "s3 testing");
  }
  ++requests_;
}

void ChainCommitter::apply_rest(const Mutation& mutation, std::size_t first_put,
                                std::size_t end_put) {
  for (std::size_t i = first_put; i < end_put; ++i) {
    const KeyValue& put = mutation.puts[i];
    count_request();
    // Refused: the object changed since decide read it — only by a commit that came later
    // and decided on top of this one's commit point, so its value stands.
    ConditionalResult result =
        client_->put_object_if(names_.object(put.key), put.value, seen_state(put.key));
    if (result.outcome == ConditionalOutcome::kDone) {
      seen_[put.key] = Observed{result.etag, true, put.value};
    } else {
      seen_.erase(put.key);
    }
  }
  for (const std::string& key : mutation.retires) {
    count_request();
    // An empty object keeps the version number taken (views never return it).
    client_->put_object(names_.object(key), "");
    seen_[key] = Observed{{}, true, {}};
  }
  for (const std::string& key : mutation.removes) {
    count_request();
    const Precondition state = seen_state(key);
    if (state.kind == Precondition::Kind::kEtag) {
      client_->delete_object_if(names_.object(key), state);
    } else if (state.kind == Precondition::Kind::kNone) {
      client_->delete_object(names_.object(key));
    }
    seen_[key] = Observed{{}, true, {}};
  }
}

void ChainCommitter::note_hint(const std::string& key, const std::string& bytes,
                               const std::optional<std::string>& seen_etag) {
  Hint& hint = hints_[key];
  if (seen_etag) hint.etag = seen_etag;
  hint.pending = bytes;
  hint.dirty = true;
  ++hint.lag;
  seen_[key] = Observed{std::string(kOwnHead), true, bytes};
  const bool creating = hint.etag && hint.etag->empty();
  if (creating || hint.lag >= hint_every_) {
    try {
      write_hint(key, hint);
    } catch (const Error& e) {
      // The version is committed; only the head lags (readers fold the newer records).
      hint.etag.reset();
      hint.dirty = false;
      log::dropped("s3", "writing the head " + key, e);
    }
  }
  // A head nobody here knows the ETag of cannot be written safely; after a while, decide on
  // the bucket once (which reads the head) so that readers do not fold ever longer chains.
  if (hint.dirty && !hint.etag && hint.lag >= 4 * hint_every_) proven_next_ = true;
}

void ChainCommitter::write_hint(const std::string& key, Hint& hint) {
  if (!hint.dirty || !hint.etag) return;
  // If-Match the head as this writer last saw it, which is older than what it writes: a head
  // only ever moves forward (a reader folding from an older head could miss retired records).
  ConditionalResult result = client_->put_object_if(
      names_.object(key), hint.pending,
      hint.etag->empty() ? Precondition::absent() : Precondition::matches(*hint.etag));
  if (result.outcome == ConditionalOutcome::kDone && !result.etag.empty()) {
    hint.etag = result.etag;
    hint.lag = 0;
  } else {
    hint.etag.reset();  // someone else wrote it; seen again on the next fresh decide
  }
  hint.dirty = false;
}

bool ChainCommitter::hints_pending() const {
  return std::any_of(hints_.begin(), hints_.end(),
                     [](const auto& entry) { return entry.second.dirty && entry.second.etag; });
}

void ChainCommitter::flush_hints() {
  for (auto& [key, hint] : hints_) {
    try {
      write_hint(key, hint);
    } catch (const Error& e) {
      hint.etag.reset();
      hint.dirty = false;
      log::dropped("s3", "writing the head " + key, e);
    }
  }
}

void ChainCommitter::commit(const std::function<Mutation(const StorageView&)>& decide,
                            const MakeView& make_view) {
  const Clock::time_point give_up = Clock::now() + give_up_after_;
  std::minstd_rand jitter(std::random_device{}());
  int lost_in_a_row = 0;
  std::string last_torn;  // what the last torn read said (for the give-up error)
  for (;;) {
    if (lost_in_a_row > 0) {
      if (Clock::now() > give_up) {
        throw Error(ErrorKind::Conflict,
                    "gave up after " + std::to_string(lost_in_a_row) +
                        " commits in a row found their version taken by other writers" +
                        (last_torn.empty()
                             ? std::string()
                             : " or their reads torn by prunes (the last: " + last_torn + ")"),
                    store_name_);
      }
      // Writers that collided should not collide again at once.
      const int longest = std::min(20, 2 << std::min(lost_in_a_row, 4));
      std::this_thread::sleep_for(
          milliseconds(std::uniform_int_distribution<int>(1, longest)(jitter)));
    }
    const bool optimistic = !proven_next_;
    // A fresh decide reads the bucket: nothing this writer remembers is trusted.
    if (!optimistic) seen_.clear();
    proven_next_ = false;
    requests_ = 0;
    Mutation mutation;
    try {
      std::unique_ptr<StorageView> view = make_view(seen_, optimistic);
      mutation = decide(*view);
      for (const KeyValue& put : mutation.puts) ObjectNames::validate_key(put.key);
      for (const std::string& key : mutation.retires) ObjectNames::validate_key(key);
      for (const std::string& key : mutation.removes) ObjectNames::validate_key(key);
    } catch (const TornRead& e) {
      last_torn = e.what();
      // A prune retired records between two of the fresh view's requests, so what decide read
      // is no one state of the bucket: a lost race like a refused create — decide again on a
      // new view (docs/s3.md, *Readers against prunes*).
      ++lost_races_;
      ++lost_in_a_row;
      proven_next_ = true;
      continue;
    } catch (...) {
      // What it remembered may be stale: only an error (or the engine's "the head moved, plan
      // again") on the bucket's current state stands.
      if (!optimistic) throw;
      proven_next_ = true;
      continue;
    }
    if (mutation.puts.empty() && mutation.retires.empty() && mutation.removes.empty()) {
      if (!optimistic) return;
      proven_next_ = true;  // "nothing to do" may rest on a stale memory too
      continue;
    }
    const bool versioned = mutation.create_first && !mutation.puts.empty();
    if (optimistic && !(versioned && mutation.last_put_is_hint)) {
      // Only a new version checks its own premise (its record's number is free only if nobody
      // committed since); everything else decides on a fresh view.
      proven_next_ = true;
      continue;
    }
    const bool hinted = versioned && mutation.last_put_is_hint && mutation.puts.size() > 1;
    const std::size_t end_put = mutation.puts.size() - (hinted ? 1 : 0);
    // The head object as decide read it (not this writer's own memory of its latest version):
    // a head write If-Match that state never moves it backwards.
    std::optional<std::string> head_etag;
    if (hinted) {
      auto it = seen_.find(mutation.puts.back().key);
      if (it != seen_.end() && it->second.has_value && it->second.etag != kOwnHead) {
        head_etag = it->second.etag;
      }
    }

    // The commit point: the first request.
    ConditionalResult first;
    std::size_t next_put = 0;
    try {
      count_request();
      if (!mutation.puts.empty()) {
        const KeyValue& put = mutation.puts[0];
        first = client_->put_object_if(names_.object(put.key), put.value,
                                       versioned ? Precondition::absent() : seen_state(put.key));
        if (refused(first) && first.attempts > 1) {
          // A retried request may have been refused because its own first attempt landed.
          std::optional<std::string> now = client_->get_object(names_.object(put.key));
          if (now && *now == put.value) first.outcome = ConditionalOutcome::kDone;
        }
        if (first.outcome == ConditionalOutcome::kDone) {
          seen_[put.key] = Observed{first.etag, true, put.value};
        }
        next_put = 1;
      } else {
        // No puts: the first removal is the commit point (a retire has no condition).
        apply_rest(mutation, 0, 0);
        return;
      }
    } catch (const Error& e) {
      seen_.clear();
      proven_next_ = true;
      throw Error(ErrorKind::Unavailable,
                  "commit outcome unknown: " + e.message() +
                      " (if its first object was written, it is committed)",
                  store_name_);
    }
    if (refused(first) || first.outcome == ConditionalOutcome::kMissing) {
      ++lost_races_;
      ++lost_in_a_row;
      proven_next_ = true;
      continue;
    }
    try {
      apply_rest(mutation, next_put, end_put);
      if (hinted) note_hint(mutation.puts.back().key, mutation.puts.back().value, head_etag);
    } catch (const Error& e) {
      seen_.clear();
      proven_next_ = true;
      throw Error(e.kind(),
                  "committed, but applying it was interrupted: " + e.message() +
                      " (what is left is garbage or a head that lags, which readers fold)",
                  store_name_);
    }
    return;
  }
}

}  // namespace tandem::store::s3
