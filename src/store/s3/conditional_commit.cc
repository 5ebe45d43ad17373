#include "store/s3/conditional_commit.h"

#include <sys/random.h>
#include <xxhash.h>

#include <algorithm>
#include <random>
#include <thread>

#include "core/error.h"
#include "store/s3/record_framing.h"

namespace tandem::store::s3 {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kMagic = "tandem-s3-journal-1\n";

std::string new_commit_id() {
  unsigned char bits[16];
  std::size_t got = 0;
  while (got < sizeof bits) {
    const ssize_t n = getrandom(bits + got, sizeof bits - got, 0);
    if (n < 0) throw Error(ErrorKind::Internal, "getrandom failed", "s3 commit journal");
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bits) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xF]);
  }
  return id;
}

}  // namespace

std::string encode_journal(const JournalEntry& entry) {
  std::string out(kMagic);
  put_bytes(out, entry.commit_id);
  put_u64(out, entry.sequence);
  put_u64(out, entry.in_order ? 1 : 0);
  put_u64(out, entry.puts.size());
  for (const JournalEntry::Put& put : entry.puts) {
    put_bytes(out, put.object);
    put_bytes(out, put.value);
    put_u64(out, static_cast<std::uint64_t>(put.before.kind));
    put_bytes(out, put.before.etag);
  }
  put_u64(out, entry.removes.size());
  for (const JournalEntry::Remove& remove : entry.removes) {
    put_bytes(out, remove.object);
    put_bytes(out, remove.etag);
  }
  put_u64(out, XXH3_64bits(out.data(), out.size()));
  return out;
}

JournalEntry decode_journal(std::string_view bytes, const std::string& where) {
  if (!bytes.starts_with(kMagic) || bytes.size() < kMagic.size() + 48) {
    throw Error(ErrorKind::Corruption, "corrupt commit journal: not a journal entry", where);
  }
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  RecordReader checksum(bytes.substr(bytes.size() - 8), "commit journal", where);
  if (checksum.u64() != XXH3_64bits(body.data(), body.size())) {
    checksum.fail("checksum mismatch");
  }
  RecordReader reader(body.substr(kMagic.size()), "commit journal", where);
  JournalEntry entry;
  entry.commit_id = reader.bytes();
  entry.sequence = reader.u64();
  entry.in_order = reader.u64() != 0;
  for (std::uint64_t n = reader.count(); n > 0; --n) {
    JournalEntry::Put put;
    put.object = reader.bytes();
    put.value = reader.bytes();
    const std::uint64_t kind = reader.u64();
    if (kind > static_cast<std::uint64_t>(Precondition::Kind::kEtag)) reader.fail("bad condition");
    put.before.kind = static_cast<Precondition::Kind>(kind);
    put.before.etag = reader.bytes();
    entry.puts.push_back(std::move(put));
  }
  for (std::uint64_t n = reader.count(); n > 0; --n) {
    JournalEntry::Remove remove;
    remove.object = reader.bytes();
    remove.etag = reader.bytes();
    entry.removes.push_back(std::move(remove));
  }
  if (!reader.at_end()) reader.fail("trailing bytes");
  return entry;
}

ConditionalCommitter::ConditionalCommitter(std::shared_ptr<S3Client> client,
                                           const ObjectNames& names, std::string store_name,
                                           milliseconds give_up_after)
    : client_(std::move(client)),
      names_(names),
      journal_(names.path_prefix() + "~store/journal"),
      store_name_(std::move(store_name)),
      give_up_after_(give_up_after) {}

void ConditionalCommitter::forget() {
  loaded_ = false;
  seen_.clear();
}

void ConditionalCommitter::load_journal() {
  seen_.clear();
  std::string one = journal_;
  std::optional<TaggedObject> current = std::move(client_->get_tagged_objects({&one, 1}).front());
  if (current) {
    last_ = decode_journal(current->bytes, client_->describe(journal_));
    journal_etag_ = std::move(current->etag);
    applied_ = false;
  } else {
    last_ = JournalEntry();
    journal_etag_.clear();
    applied_ = true;
  }
  loaded_ = true;
}

std::optional<JournalEntry> ConditionalCommitter::read_journal() {
  std::optional<std::string> bytes = client_->get_object(journal_);
  if (!bytes) return std::nullopt;
  return decode_journal(*bytes, client_->describe(journal_));
}

bool ConditionalCommitter::journal_still_holds(const std::string& commit_id) {
  std::optional<JournalEntry> now = read_journal();
  return now ? now->commit_id == commit_id : commit_id.empty();
}

JournalEntry ConditionalCommitter::build_entry(const Mutation& mutation) {
  JournalEntry entry;
  entry.commit_id = new_commit_id();
  entry.sequence = last_.sequence + 1;
  entry.in_order = mutation.prefix_invisible && mutation.removes.empty();
  for (const KeyValue& put : mutation.puts) {
    JournalEntry::Put out{names_.object(put.key), put.value, {}};
    if (auto it = seen_.find(put.key); it != seen_.end()) {
      out.before =
          it->second.etag.empty() ? Precondition::absent() : Precondition::matches(it->second.etag);
    }
    entry.puts.push_back(std::move(out));
  }
  // A remove must carry the ETag of what it deletes (so that a late DELETE cannot hit a newer
  // object of the same name): fetch the ones decide() did not read or list.
  std::vector<std::string> unseen;
  for (const std::string& key : mutation.removes) {
    if (!seen_.contains(key)) unseen.push_back(names_.object(key));
  }
  std::vector<std::optional<TaggedObject>> fetched = client_->get_tagged_objects(unseen);
  std::size_t next_fetched = 0;
  for (const std::string& key : mutation.removes) {
    std::string etag;
    if (auto it = seen_.find(key); it != seen_.end()) {
      etag = it->second.etag;
    } else if (const auto& object = fetched[next_fetched++]) {
      etag = object->etag;
    }
    if (!etag.empty()) entry.removes.push_back({names_.object(key), etag});  // absent: no-op
  }
  return entry;
}

std::optional<std::string> ConditionalCommitter::apply_put(const JournalEntry& entry,
                                                           const JournalEntry::Put& put) {
  const bool known = put.before.kind != Precondition::Kind::kNone;
  ConditionalResult result =
      client_->put_object_if(put.object, put.value, known ? put.before : Precondition::absent());
  if (result.outcome == ConditionalOutcome::kDone) return result.etag;
  // The object is no longer as it was before the commit: only this commit's put can have
  // changed it first (every later commit rolls this one forward before it decides).
  if (known) return std::nullopt;
  // Not known before: the object may have existed already (then this put must replace it), or
  // this put landed already (then it may since have been replaced by a later commit).
  for (int round = 0; round < 8; ++round) {
    std::string one = put.object;
    std::optional<TaggedObject> now = std::move(client_->get_tagged_objects({&one, 1}).front());
    if (!now) {
      ConditionalResult created =
          client_->put_object_if(put.object, put.value, Precondition::absent());
      if (created.outcome == ConditionalOutcome::kDone) {
        // Deleted after this put landed would mean a later commit: then the journal moved on.
        if (!journal_still_holds(entry.commit_id)) return std::nullopt;
        return created.etag;
      }
      continue;
    }
    if (now->bytes == put.value) return std::nullopt;
    // Different bytes while the journal still holds this commit: nobody has gone past it, so
    // these are the bytes from before the commit. Replace exactly those.
    if (!journal_still_holds(entry.commit_id)) return std::nullopt;
    ConditionalResult replaced =
        client_->put_object_if(put.object, put.value, Precondition::matches(now->etag));
    if (replaced.outcome == ConditionalOutcome::kDone) return replaced.etag;
  }
  throw Error(ErrorKind::Unavailable,
              "could not apply a put of the last commit: the object keeps changing",
              client_->describe(put.object));
}

void ConditionalCommitter::roll_forward(const JournalEntry& entry, bool check_done_first) {
  if (check_done_first && entry.in_order && entry.removes.empty() && !entry.puts.empty()) {
    // Each applier writes an in-order commit's puts one after the other, so once the last one
    // has landed all have. One GET tells, and it also shows the object's current state.
    const JournalEntry::Put& last = entry.puts.back();
    std::string one = last.object;
    std::optional<TaggedObject> now = std::move(client_->get_tagged_objects({&one, 1}).front());
    bool landed = false;
    switch (last.before.kind) {
      case Precondition::Kind::kEtag:
        landed = !now || now->etag != last.before.etag;
        break;
      case Precondition::Kind::kAbsent:
        landed = now.has_value();
        break;
      case Precondition::Kind::kNone:
        landed = now && now->bytes == last.value;
        break;
    }
    if (landed) {
      if (std::optional<std::string> key = names_.key(last.object)) {
        Observed& seen = seen_[*key];
        seen.etag = now ? now->etag : std::string();
        seen.has_value = true;
        seen.value = now ? std::move(now->bytes) : std::string();
      }
      return;
    }
  }
  for (std::size_t i = 0; i < entry.puts.size(); ++i) {
    if (fail_after_puts_ && i == *fail_after_puts_) {
      fail_after_puts_.reset();
      throw Error(ErrorKind::Unavailable,
                  "injected failure after " + std::to_string(i) + " of the commit's puts",
                  "s3 testing");
    }
    const JournalEntry::Put& put = entry.puts[i];
    std::optional<std::string> etag = apply_put(entry, put);
    if (std::optional<std::string> key = names_.key(put.object)) {
      if (etag && !etag->empty()) {
        seen_[*key] = Observed{*etag, true, put.value};
      } else {
        seen_.erase(*key);  // written by someone else: its ETag is not known here
      }
    }
  }
  for (const JournalEntry::Remove& remove : entry.removes) {
    // Done, already gone, or (412) gone and written anew by a later commit: all mean applied.
    client_->delete_object_if(remove.object, Precondition::matches(remove.etag));
    if (std::optional<std::string> key = names_.key(remove.object)) {
      seen_[*key] = Observed{{}, true, {}};
    }
  }
}

void ConditionalCommitter::commit(const std::function<Mutation(const StorageView&)>& decide,
                                  const MakeView& make_view) {
  const Clock::time_point give_up = Clock::now() + give_up_after_;
  std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) {
      ++lost_races_;
      if (Clock::now() > give_up) {
        throw Error(ErrorKind::Conflict,
                    "gave up after " + std::to_string(attempt) +
                        " commits in a row lost the race for the journal to other writers",
                    store_name_);
      }
      // Writers that collided should not collide again at once.
      const int longest = std::min(20, 2 << std::min(attempt, 4));
      std::this_thread::sleep_for(
          milliseconds(std::uniform_int_distribution<int>(1, longest)(jitter)));
    }
    if (!loaded_) load_journal();
    if (!applied_) {
      roll_forward(last_, true);
      applied_ = true;
    }
    Mutation mutation;
    try {
      std::unique_ptr<StorageView> view = make_view(seen_);
      mutation = decide(*view);
      mutation.retire_as_removes();
      for (const KeyValue& put : mutation.puts) ObjectNames::validate_key(put.key);
      for (const std::string& key : mutation.removes) ObjectNames::validate_key(key);
    } catch (const Error&) {
      // decide() may have read a newer commit's objects half-applied: only an error from a
      // state that is still current stands.
      if (journal_still_holds(last_.commit_id)) throw;
      forget();
      continue;
    }
    if (mutation.puts.empty() && mutation.removes.empty()) return;
    JournalEntry entry = build_entry(mutation);
    const std::string bytes = encode_journal(entry);
    ConditionalResult swapped;
    try {
      swapped = client_->put_object_if(
          journal_, bytes,
          journal_etag_.empty() ? Precondition::absent() : Precondition::matches(journal_etag_));
    } catch (const Error& e) {
      forget();
      throw Error(ErrorKind::Unavailable,
                  "commit outcome unknown: " + e.message() +
                      " (if its journal entry landed, the next commit to this store applies it)",
                  store_name_);
    }
    if (swapped.outcome != ConditionalOutcome::kDone) {
      forget();
      // A retried request may have been refused because its own first attempt landed.
      bool mine = false;
      if (swapped.attempts > 1) {
        load_journal();
        mine = last_.commit_id == entry.commit_id;
        if (!mine && last_.sequence > entry.sequence) {
          forget();
          throw Error(ErrorKind::Unavailable,
                      "commit outcome unknown: the journal moved on past this commit's place "
                      "while its request was retried (it is committed if its first attempt "
                      "landed)",
                      store_name_);
        }
      }
      if (!mine) continue;
      swapped.etag = journal_etag_;
    }
    last_ = std::move(entry);
    journal_etag_ = swapped.etag;
    loaded_ = !journal_etag_.empty();  // no ETag in the reply: read the journal next time
    applied_ = false;
    try {
      roll_forward(last_, false);
    } catch (const Error& e) {
      forget();
      throw Error(e.kind(),
                  "committed, but applying it was interrupted: " + e.message() +
                      " (the next commit to this store finishes it)",
                  store_name_);
    }
    applied_ = true;
    return;
  }
}

}  // namespace tandem::store::s3
