#include "store/s3/s3_storage.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"

namespace tandem::store::s3 {
namespace {

using std::chrono::milliseconds;

bool is_empty(const Mutation& mutation) {
  return mutation.puts.empty() && mutation.removes.empty();
}

// Commits that are all or nothing without an intent: one object (a single PUT or DELETE is
// atomic on S3), or puts the engine marked safe to apply in order (Mutation::prefix_invisible).
bool atomic_in_order(const Mutation& mutation) {
  if (mutation.puts.size() + mutation.removes.size() == 1) return true;
  return mutation.prefix_invisible && mutation.removes.empty();
}

}  // namespace

// Reads straight from the bucket. Lists come back in the keys' byte order (see list()).
class S3Storage::View : public StorageView {
 public:
  // With a cache (commits, lock held): reads of cached keys cost nothing, and what is read is
  // remembered.
  View(const S3Storage& storage, milliseconds timeout, HolderCache* cache = nullptr,
       bool chain = false)
      : storage_(storage), timeout_(timeout), cache_(cache), chain_(chain) {}
  // Conditional modes: reads are answered from, and recorded with their ETags in, `seen`.
  // `chain`: the chain protocol (chain_commit.h) — empty objects (retired version records)
  // are absent, and heads may lag unless the view is `optimistic`.
  View(const S3Storage& storage, Observations& seen, bool chain = false, bool optimistic = false)
      : storage_(storage),
        timeout_(0),
        cache_(nullptr),
        seen_(&seen),
        chain_(chain),
        optimistic_(optimistic) {}

  bool heads_may_lag() const override { return chain_ && !optimistic_; }

  std::optional<std::string> get(std::string_view key) const override {
    if (seen_ != nullptr) return get_observed(key);
    if (cache_ != nullptr) {
      if (auto it = cache_->values.find(key); it != cache_->values.end()) return it->second;
    }
    std::optional<std::string> value =
        storage_.client_->get_object(storage_.names_.object(key), timeout_);
    if (cache_ != nullptr) cache_->remember(std::string(key), value);
    if (chain_ && value && value->empty()) return std::nullopt;
    return value;
  }

  bool visit(std::string_view key,
             const std::function<void(std::string_view)>& use) const override {
    std::optional<std::string> value;
    if (!take_prefetched(key, value)) value = get(key);
    if (!value || (chain_ && value->empty())) return false;
    use(*value);
    return true;
  }

  void prefetch(const std::vector<std::string>& keys) const override {
    ahead_ = keys;
    ahead_next_ = 0;
    fetched_.clear();
  }

  std::vector<std::string> list(const ListRange& range) const override {
    const bool bounded = range.limit != SIZE_MAX || !range.start_after.empty();
    if (!range.reverse && bounded) {
      if (std::optional<std::vector<std::string>> keys = list_one_level(range)) return *keys;
    }
    return list_everything(range);
  }

  std::vector<KeyValue> scan(const ListRange& range) const override {
    std::vector<std::string> keys = list(range);
    if (seen_ != nullptr) {
      // Fetch what is not remembered in parallel first (a fold reads many records).
      std::vector<std::string> unseen;
      for (const std::string& key : keys) {
        auto it = seen_->find(key);
        if (it == seen_->end() || !it->second.has_value) {
          unseen.push_back(storage_.names_.object(key));
        }
      }
      if (unseen.size() > 1) {
        std::vector<std::optional<TaggedObject>> fetched =
            storage_.client_->get_tagged_objects(unseen);
        for (std::size_t i = 0; i < unseen.size(); ++i) {
          std::optional<std::string> key = storage_.names_.key(unseen[i]);
          if (!key) continue;
          Observed observed;
          observed.has_value = true;
          if (fetched[i]) {
            observed.etag = std::move(fetched[i]->etag);
            observed.value = std::move(fetched[i]->bytes);
          }
          seen_->insert_or_assign(std::move(*key), std::move(observed));
        }
      }
      std::vector<KeyValue> out;
      for (std::string& key : keys) {
        if (std::optional<std::string> value = get_observed(key)) {
          out.push_back({std::move(key), std::move(*value)});
        }
      }
      return out;
    }
    std::vector<std::string> objects;
    objects.reserve(keys.size());
    for (const std::string& key : keys) objects.push_back(storage_.names_.object(key));
    std::vector<std::optional<std::string>> values =
        storage_.client_->get_objects(objects, timeout_);
    std::vector<KeyValue> out;
    out.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      // A key removed between the listing and the read is simply no longer there.
      if (values[i] && !(chain_ && values[i]->empty())) {
        out.push_back({std::move(keys[i]), std::move(*values[i])});
      }
    }
    return out;
  }

 private:
  std::optional<std::string> get_observed(std::string_view key) const {
    auto it = seen_->find(key);
    if (it == seen_->end() || !it->second.has_value) {
      std::string object = storage_.names_.object(key);
      std::optional<TaggedObject> now =
          std::move(storage_.client_->get_tagged_objects({&object, 1}).front());
      Observed observed;
      observed.has_value = true;
      if (now) {
        observed.etag = std::move(now->etag);
        observed.value = std::move(now->bytes);
      }
      it = seen_->insert_or_assign(std::string(key), std::move(observed)).first;
    }
    if (it->second.etag.empty() || (chain_ && it->second.value.empty())) return std::nullopt;
    return it->second.value;
  }

  void observe_listed(const std::string& key, const ObjectInfo& object) const {
    if (seen_ != nullptr && !seen_->contains(key)) (*seen_)[key] = Observed{object.etag, false, {}};
  }

  // Forward listing with a limit or start: streams S3's own pages, which are in byte order as
  // long as the range holds no deeper '/' level (object names order each level on its own).
  // nullopt when it does (then the caller lists everything and sorts).
  std::optional<std::vector<std::string>> list_one_level(const ListRange& range) const {
    const ObjectNames& names = storage_.names_;
    const std::string prefix = names.object_prefix(range.prefix);
    std::string after;
    if (!range.start_after.empty()) {
      if (!range.start_after.starts_with(range.prefix)) return std::nullopt;
      // A deeper key "P/a/x" sorts after "P/a.b" by bytes but before it by object name ('!'
      // < '.'), so S3 would skip it if asked to start after "P/a.b". Start after "P/a" instead
      // (cut before the first character below '/'): such keys then show up as a common prefix
      // and send the caller to the exact listing; the rest is filtered below.
      std::string_view start = range.start_after;
      std::size_t cut = range.prefix.size();
      while (cut < start.size() && start[cut] > '/') ++cut;
      if (cut > range.prefix.size()) after = names.object(start.substr(0, cut));
    }
    std::vector<std::string> out;
    for (;;) {
      S3Client::ListQuery query;
      query.prefix = prefix;
      query.start_after = after;
      query.delimiter = "/";
      query.max_keys =
          std::min<std::size_t>(1000, std::max<std::size_t>(1, range.limit - out.size()));
      query.timeout = timeout_;
      ListPage page = storage_.client_->list_objects(query);
      if (!page.common_prefixes.empty()) return std::nullopt;
      for (const ObjectInfo& object : page.objects) {
        std::optional<std::string> key = names.key(object.key);
        if (!key || !key->starts_with(range.prefix)) continue;
        if (chain_ && object.size == 0) continue;  // retired
        if (!range.start_after.empty() && *key <= range.start_after) continue;
        observe_listed(*key, object);
        out.push_back(std::move(*key));
        if (out.size() >= range.limit) return out;
      }
      if (!page.truncated || page.objects.empty()) return out;
      after = page.objects.back().key;
    }
  }

  std::vector<std::string> list_everything(const ListRange& range) const {
    const ObjectNames& names = storage_.names_;
    const std::string prefix = names.object_prefix(range.prefix);
    std::vector<std::string> keys;
    std::string after;
    for (;;) {
      S3Client::ListQuery query;
      query.prefix = prefix;
      query.start_after = after;
      query.timeout = timeout_;
      ListPage page = storage_.client_->list_objects(query);
      for (const ObjectInfo& object : page.objects) {
        std::optional<std::string> key = names.key(object.key);
        if (key && key->starts_with(range.prefix) && !(chain_ && object.size == 0)) {
          observe_listed(*key, object);
          keys.push_back(std::move(*key));
        }
      }
      if (!page.truncated || page.objects.empty()) break;
      after = page.objects.back().key;
    }
    // Object names order each '/' level separately; the seam promises byte order of the keys.
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (range.reverse) std::reverse(keys.begin(), keys.end());
    std::vector<std::string> out;
    for (std::string& key : keys) {
      if (!range.start_after.empty()) {
        bool beyond = range.reverse ? key < range.start_after : key > range.start_after;
        if (!beyond) continue;
      }
      out.push_back(std::move(key));
      if (out.size() >= range.limit) break;
    }
    return out;
  }

  // Serves `key` from the prefetched window, fetching the next window (in parallel) when the
  // key is among the announced ones. Windows bound the memory held to kWindow values.
  bool take_prefetched(std::string_view key, std::optional<std::string>& value) const {
    constexpr std::size_t kWindow = 64;
    auto found = fetched_.find(key);
    if (found == fetched_.end()) {
      auto position =
          std::find(ahead_.begin() + static_cast<std::ptrdiff_t>(ahead_next_), ahead_.end(), key);
      if (position == ahead_.end()) return false;
      const std::size_t first = static_cast<std::size_t>(position - ahead_.begin());
      const std::size_t last = std::min(ahead_.size(), first + kWindow);
      std::vector<std::string> objects;
      for (std::size_t i = first; i < last; ++i) {
        objects.push_back(storage_.names_.object(ahead_[i]));
      }
      std::vector<std::optional<std::string>> values =
          storage_.client_->get_objects(objects, timeout_);
      fetched_.clear();
      for (std::size_t i = first; i < last; ++i) {
        fetched_.insert_or_assign(ahead_[i], std::move(values[i - first]));
      }
      ahead_next_ = last;
      found = fetched_.find(key);
    }
    value = std::move(found->second);
    fetched_.erase(found);
    return true;
  }

  const S3Storage& storage_;
  milliseconds timeout_;
  HolderCache* cache_;
  Observations* seen_ = nullptr;
  bool chain_ = false;
  bool optimistic_ = false;
  mutable std::vector<std::string> ahead_;  // keys announced by prefetch(), in visiting order
  mutable std::size_t ahead_next_ = 0;      // ahead_[ahead_next_..] are not fetched yet
  mutable std::map<std::string, std::optional<std::string>, std::less<>> fetched_;
};

void S3Storage::HolderCache::remember(const std::string& key,
                                      const std::optional<std::string>& value) {
  constexpr std::size_t kMaxBytes = 64 << 20;
  const std::size_t size = key.size() + (value ? value->size() : 0);
  if (size > kMaxBytes / 4) {
    values.erase(key);  // too big to keep; never serve a stale copy
    return;
  }
  if (bytes + size > kMaxBytes) clear();
  auto [it, fresh] = values.insert_or_assign(key, value);
  (void)it;
  (void)fresh;
  bytes += size;
}

S3Storage::S3Storage(const S3Config& config, S3HoldOptions hold)
    : uri_(config.uri),
      client_(std::make_shared<S3Client>(config.endpoint, config.credentials, config.client)),
      names_(config.path_prefix),
      hold_(hold),
      conditional_writes_(config.conditional_writes) {
  bool exists = false;
  try {
    exists = client_->bucket_exists();
  } catch (const Error& e) {
    throw Error("cannot reach the bucket: " + e.message() + " (credentials from " +
                    config.credentials.source + ")",
                uri_);
  }
  if (!exists) {
    throw Error("bucket \"" + config.endpoint.bucket + "\" does not exist at " +
                    config.endpoint.base_url() + " (create it first)",
                uri_);
  }
  lock_ = std::make_unique<CommitLock>(
      client_, names_.lock_prefix(), names_.waiting_prefix(), uri_,
      CommitLockOptions{config.lock_lease, config.lock_wait},
      [this](const Mutation& mutation, milliseconds timeout) { apply(mutation, timeout); });
  committer_ = std::make_unique<ConditionalCommitter>(client_, names_, uri_, config.lock_wait);
  chain_ = std::make_unique<ChainCommitter>(client_, names_, uri_, config.lock_wait);
  releaser_ = std::thread([this] { idle_releaser(); });
}

S3Storage::~S3Storage() {
  {
    std::lock_guard local(commit_mutex_);
    stopping_ = true;
    drop_lease();
    chain_->flush_hints();
  }
  wake_.notify_all();
  releaser_.join();
}

void S3Storage::idle_releaser() {
  std::unique_lock local(commit_mutex_);
  while (!stopping_) {
    const bool hints = chain_->hints_pending();
    if (!lease_ && !hints) {
      wake_.wait(local);
      continue;
    }
    const auto idle_until = last_commit_ + hold_.idle_release;
    if (std::chrono::steady_clock::now() >= idle_until) {
      drop_lease();
      // An idle chain writer writes the heads it moved past, so that the next writer (or
      // reader) starts from the latest version without folding records.
      if (hints) chain_->flush_hints();
    } else {
      wake_.wait_until(local, idle_until);
    }
  }
}

void S3Storage::drop_lease() {
  cache_.clear();
  if (!lease_) return;
  try {
    lease_->release();
  } catch (const Error& e) {
    // The ticket expires after the lease; the next writer waits that long at most.
    log::dropped("s3", "releasing the commit lock", e);
  }
  lease_.reset();
}

CommitLock::Lease& S3Storage::take_lease() {
  if (lease_) {
    try {
      // After max_hold, one LIST tells whether anyone waits; if not, the burst goes on with the
      // lock and the cache (taking the lock anew would cost five requests and the cache), and
      // the next look comes after twice as long, up to max_check.
      if (lease_->hold_expired(check_after_) && !lock_->others_waiting(lease_->request_timeout())) {
        lease_->extend();
        check_after_ = std::min(check_after_ * 2, std::max(hold_.max_hold, hold_.max_check));
      }
      if (!lease_->hold_expired(check_after_) && lease_->renew_if_old()) return *lease_;
    } catch (const Error&) {
      // The check or the renewal failed: take the lock anew below.
    }
    yielded_ = true;
    drop_lease();
  }
  if (yielded_) {
    // Writers waiting for the lock poll for it; give them a moment to take their turn.
    std::this_thread::sleep_for(milliseconds(30));
    yielded_ = false;
  }
  lease_.emplace(lock_->acquire());
  check_after_ = hold_.max_hold;
  cache_.clear();
  return *lease_;
}

std::unique_ptr<StorageView> S3Storage::read_view() const {
  return std::make_unique<View>(*this, milliseconds(0), nullptr, reads_chain());
}

bool S3Storage::reads_chain() const {
  std::lock_guard local(read_protocol_mutex_);
  if (!read_protocol_) {
    // A store without a record is read as it is; asked again next time, since its first
    // writer may be about to record the chain protocol.
    std::optional<CommitProtocol> recorded = recorded_protocol(*client_, names_);
    if (!recorded) return false;
    read_protocol_ = recorded;
  }
  return *read_protocol_ == CommitProtocol::kChain;
}

void S3Storage::apply(const Mutation& mutation, milliseconds timeout) const {
  std::vector<ObjectPut> puts;
  puts.reserve(mutation.puts.size());
  for (const KeyValue& put : mutation.puts) puts.push_back({names_.object(put.key), put.value});
  client_->put_objects(puts, timeout);
  std::vector<std::string> removes;
  removes.reserve(mutation.removes.size());
  for (const std::string& key : mutation.removes) removes.push_back(names_.object(key));
  client_->delete_objects(removes, timeout);
}

void S3Storage::apply_in_order(const Mutation& mutation, milliseconds timeout) const {
  for (std::size_t i = 0; i < mutation.puts.size(); ++i) {
    if (fail_after_puts_ && i == *fail_after_puts_) {
      fail_after_puts_.reset();
      throw Error("injected failure after " + std::to_string(i) + " of the commit's puts",
                  "s3 testing");
    }
    // Each put only once the one before it has landed: that is what keeps every prefix of
    // the commit invisible.
    client_->put_object(names_.object(mutation.puts[i].key), mutation.puts[i].value, timeout);
  }
  for (const std::string& key : mutation.removes) {
    client_->delete_object(names_.object(key), timeout);
  }
}

void S3Storage::delete_quietly(const std::vector<std::string>& objects) const {
  if (objects.empty()) return;
  try {
    client_->delete_objects(objects);
  } catch (const Error&) {
    // Unreferenced objects are garbage, not data: leaving them behind loses nothing.
  }
}

void S3Storage::abandon_lease() {
  lease_->abandon();
  lease_.reset();
  cache_.clear();
}

void S3Storage::commit(std::vector<KeyValue> blobs,
                       const std::function<Mutation(const StorageView& view)>& decide) {
  {
    // Before anything is written: a new store's protocol record must come before its first
    // object, or the store would look as if it had been made before records existed.
    std::lock_guard settle(commit_mutex_);
    settle_protocol_locked();
  }
  // Blobs are new, uniquely named objects no record references yet: written before the lock,
  // in parallel, so the lock is held only for the small records.
  std::vector<ObjectPut> blob_puts;
  std::vector<std::string> blob_objects;
  for (const KeyValue& blob : blobs) {
    blob_objects.push_back(names_.object(blob.key));
    blob_puts.push_back({blob_objects.back(), blob.value});
  }
  client_->put_objects(blob_puts);

  std::unique_lock local(commit_mutex_);
  if (*protocol_ == CommitProtocol::kConditional || *protocol_ == CommitProtocol::kChain) {
    // The blobs are removed again only when decide() threw (then nothing was committed); after
    // any other failure a journal entry may reference them.
    bool decide_threw = false;
    try {
      commit_conditionally([&](const StorageView& view) {
        decide_threw = false;
        try {
          return decide(view);
        } catch (...) {
          decide_threw = true;
          throw;
        }
      });
    } catch (...) {
      local.unlock();
      if (decide_threw) delete_quietly(blob_objects);
      throw;
    }
    return;
  }
  for (;;) {
    CommitLock::Lease& lease = take_lease();
    Mutation mutation;
    try {
      View view(*this, lease.request_timeout(), &cache_);
      mutation = decide(view);
      mutation.retire_as_removes();
      for (const KeyValue& put : mutation.puts) ObjectNames::validate_key(put.key);
      for (const std::string& key : mutation.removes) ObjectNames::validate_key(key);
    } catch (...) {
      // decide wrote nothing: the lock (and what is cached) stays good for the next commit.
      last_commit_ = std::chrono::steady_clock::now();
      wake_.notify_all();
      local.unlock();
      delete_quietly(blob_objects);
      throw;
    }
    if (is_empty(mutation)) {
      // The blobs stay, as on every backend: only a throwing decide undoes them.
      last_commit_ = std::chrono::steady_clock::now();
      wake_.notify_all();
      return;
    }
    if (!lease.fresh()) {
      // decide took so long that the lease could run out while writing: start over.
      drop_lease();
      continue;
    }
    if (atomic_in_order(mutation)) {
      // No intent: a crash after any prefix of the puts leaves nothing visible and nothing the
      // next holder must finish. The ticket must then not hold an older, applied intent, which
      // the next holder would re-apply on top of this commit.
      try {
        lease.clear_intent();
      } catch (const Error& e) {
        // The ticket holds the old, applied intent or nothing: both are safe to leave.
        abandon_lease();
        throw Error("commit failed before any of its records was written: " + e.message(), uri_);
      }
      try {
        apply_in_order(mutation, lease.request_timeout());
      } catch (const Error& e) {
        // The ticket (empty) stays until its lease expires, so that no request of this commit
        // still on its way can land after another writer's commit.
        abandon_lease();
        throw Error("commit outcome unknown: " + e.message() +
                        " (it is committed if its last object was written; otherwise what it "
                        "wrote is invisible and the next commit replaces it)",
                    uri_);
      }
      remember_applied(mutation);
      return;
    }
    // The ticket always holds the last commit decided under it, so a crash at any point leaves
    // exactly what the next holder needs to re-apply (re-applying an applied one is harmless).
    try {
      lease.record_intent(encode_intent(mutation));
    } catch (const Error& e) {
      // Whether the rewrite landed or not, the ticket holds an intent that is either the old,
      // applied one or this one: both are safe to re-apply. Leave it to expire and recover.
      abandon_lease();
      throw Error("commit outcome unknown: " + e.message() +
                      " (if its intent reached the lock ticket, the next commit to this store "
                      "applies it once the lock's lease expires)",
                  uri_);
    }
    try {
      apply(mutation, lease.request_timeout());
    } catch (const Error& e) {
      // Some objects may be written: the intent stays in the ticket, and whoever takes the
      // lock next (this process included) finishes the commit before doing anything else.
      abandon_lease();
      throw Error("commit interrupted: " + e.message() +
                      " (it is finished by the next commit to this store once the lock's lease "
                      "expires)",
                  uri_);
    }
    remember_applied(mutation);
    return;
  }
}

void S3Storage::remember_applied(const Mutation& mutation) {
  for (const KeyValue& put : mutation.puts) cache_.remember(put.key, put.value);
  for (const std::string& key : mutation.removes) cache_.remember(key, std::nullopt);
  last_commit_ = std::chrono::steady_clock::now();
  wake_.notify_all();
}

CommitProtocol S3Storage::protocol() {
  std::lock_guard local(commit_mutex_);
  return settle_protocol_locked();
}

CommitProtocol S3Storage::settle_protocol_locked() {
  if (!protocol_) {
    protocol_ = settle_protocol(*client_, names_, uri_, conditional_writes_);
    std::lock_guard local(read_protocol_mutex_);
    read_protocol_ = protocol_;
  }
  return *protocol_;
}

void S3Storage::commit_conditionally(
    const std::function<Mutation(const StorageView& view)>& decide) {
  if (*protocol_ == CommitProtocol::kChain) {
    chain_->commit(decide, [this](Observations& seen, bool optimistic) {
      return std::unique_ptr<StorageView>(std::make_unique<View>(*this, seen, true, optimistic));
    });
    last_commit_ = std::chrono::steady_clock::now();
    wake_.notify_all();
    return;
  }
  committer_->commit(decide, [this](Observations& seen) -> std::unique_ptr<StorageView> {
    return std::make_unique<View>(*this, seen);
  });
}

std::shared_ptr<Storage> open_s3_storage(std::string_view uri) {
  return std::make_shared<S3Storage>(parse_s3_uri(uri));
}

}  // namespace tandem::store::s3
