#include "store/s3/s3_storage.h"

#include <algorithm>

#include "core/error.h"

namespace tandem::store::s3 {
namespace {

using std::chrono::milliseconds;

bool is_empty(const Mutation& mutation) {
  return mutation.puts.empty() && mutation.removes.empty();
}

}  // namespace

// Reads straight from the bucket. Lists come back in the keys' byte order (see list()).
class S3Storage::View : public StorageView {
 public:
  View(const S3Storage& storage, milliseconds timeout) : storage_(storage), timeout_(timeout) {}

  std::optional<std::string> get(std::string_view key) const override {
    return storage_.client_->get_object(storage_.names_.object(key), timeout_);
  }

  bool visit(std::string_view key,
             const std::function<void(std::string_view)>& use) const override {
    std::optional<std::string> value = get(key);
    if (!value) return false;
    use(*value);
    return true;
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
    std::vector<std::string> objects;
    objects.reserve(keys.size());
    for (const std::string& key : keys) objects.push_back(storage_.names_.object(key));
    std::vector<std::optional<std::string>> values =
        storage_.client_->get_objects(objects, timeout_);
    std::vector<KeyValue> out;
    out.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      // A key removed between the listing and the read is simply no longer there.
      if (values[i]) out.push_back({std::move(keys[i]), std::move(*values[i])});
    }
    return out;
  }

 private:
  // Forward listing with a limit or start: streams S3's own pages, which are in byte order as
  // long as the range holds no deeper '/' level (object names order each level on its own).
  // nullopt when it does (then the caller lists everything and sorts).
  std::optional<std::vector<std::string>> list_one_level(const ListRange& range) const {
    const ObjectNames& names = storage_.names_;
    const std::string prefix = names.object_prefix(range.prefix);
    std::string after = range.start_after.empty() ? std::string() : names.object(range.start_after);
    if (!after.empty() && after < prefix) after.clear();
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
        if (key && key->starts_with(range.prefix)) keys.push_back(std::move(*key));
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

  const S3Storage& storage_;
  milliseconds timeout_;
};

S3Storage::S3Storage(const S3Config& config)
    : uri_(config.uri),
      client_(std::make_shared<S3Client>(config.endpoint, config.credentials, config.client)),
      names_(config.path_prefix) {
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
      client_, names_.lock_prefix(), uri_, CommitLockOptions{config.lock_lease, config.lock_wait},
      [this](const Mutation& mutation, milliseconds timeout) { apply(mutation, timeout); });
}

std::unique_ptr<StorageView> S3Storage::read_view() const {
  return std::make_unique<View>(*this, milliseconds(0));
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

void S3Storage::release_quietly(CommitLock::Lease& lease) {
  try {
    lease.release();
  } catch (const Error&) {
    // The ticket expires after the lease.
  }
}

void S3Storage::delete_quietly(const std::vector<std::string>& objects) const {
  try {
    client_->delete_objects(objects);
  } catch (const Error&) {
    // Unreferenced objects are garbage, not data: leaving them behind loses nothing.
  }
}

void S3Storage::commit(std::vector<KeyValue> blobs,
                       const std::function<Mutation(const StorageView& view)>& decide) {
  // Blobs are new, uniquely named objects no record references yet: written before the lock,
  // in parallel, so the lock is held only for the small records.
  std::vector<ObjectPut> blob_puts;
  std::vector<std::string> blob_objects;
  for (const KeyValue& blob : blobs) {
    blob_objects.push_back(names_.object(blob.key));
    blob_puts.push_back({blob_objects.back(), blob.value});
  }
  client_->put_objects(blob_puts);

  std::lock_guard local(commit_mutex_);
  for (;;) {
    CommitLock::Lease lease = lock_->acquire();
    Mutation mutation;
    try {
      View view(*this, lease.request_timeout());
      mutation = decide(view);
      for (const KeyValue& put : mutation.puts) ObjectNames::validate_key(put.key);
      for (const std::string& key : mutation.removes) ObjectNames::validate_key(key);
    } catch (...) {
      release_quietly(lease);
      delete_quietly(blob_objects);
      throw;
    }
    if (is_empty(mutation)) {
      lease.release();
      delete_quietly(blob_objects);
      return;
    }
    if (!lease.fresh()) {
      // decide took so long that the lease could run out while writing: start over.
      lease.release();
      continue;
    }
    const bool with_intent = mutation.puts.size() + mutation.removes.size() > 1;
    if (with_intent) lease.record_intent(encode_intent(mutation));
    try {
      apply(mutation, lease.request_timeout());
    } catch (const Error& e) {
      if (!with_intent) {
        release_quietly(lease);
        throw;
      }
      // Some objects may be written: the intent stays in the ticket, and whoever takes the
      // lock next (this process included) finishes the commit before doing anything else.
      lease.abandon();
      throw Error("commit interrupted: " + e.message() +
                      " (it is finished by the next commit to this store once the lock's lease "
                      "expires)",
                  uri_);
    }
    lease.release();
    return;
  }
}

std::shared_ptr<Storage> open_s3_storage(std::string_view uri) {
  return std::make_shared<S3Storage>(parse_s3_uri(uri));
}

}  // namespace tandem::store::s3
