// Store: URI parsing, backend selection and the library registry.
#include "store/store.h"

#include <charconv>

#include "core/error.h"
#include "core/redact.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/lmdb/lmdb_storage.h"
#include "store/mem/mem_storage.h"
#include "store/record.h"
#include "store/s3/s3_storage.h"
#include "store/segment.h"

namespace tandem::store {
namespace {

// "64MiB", "1GiB", "65536" → bytes.
std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  const std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  std::size_t scale = 1;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "KiB" || unit == "K") {
    scale = std::size_t{1} << 10;
  } else if (unit == "MiB" || unit == "M") {
    scale = std::size_t{1} << 20;
  } else if (unit == "GiB" || unit == "G") {
    scale = std::size_t{1} << 30;
  } else {
    return std::nullopt;
  }
  if (value > SIZE_MAX / scale) return std::nullopt;
  return value * scale;
}

void validate_options(const StoreOptions& o, const std::string& uri) {
  if (o.segment_rows == 0 || o.segment_rows > kMaxSegmentRows) {
    throw Error(ErrorKind::InvalidArgument,
                "segment_rows must be between 1 and " + std::to_string(kMaxSegmentRows), uri);
  }
  if (o.compression == Compression::kZstd && (o.zstd_level < -7 || o.zstd_level > 22)) {
    throw Error(ErrorKind::InvalidArgument,
                "zstd level " + std::to_string(o.zstd_level) + " is outside -7..22", uri);
  }
}

std::shared_ptr<Storage> open_lmdb(std::string_view rest, const std::string& uri,
                                   StoreOptions& options) {
  std::string_view path = rest;
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    path = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  if (path.empty())
    throw Error(ErrorKind::InvalidArgument,
                "lmdb:// needs a directory path, e.g. lmdb://./tandem-data", uri);
  LmdbOptions lmdb{options.lmdb_map_size, options.lmdb_sync, options.must_exist};
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (key == "map_size") {
      const auto size = parse_size(value);
      if (!size || *size < 4096) {
        throw Error(ErrorKind::InvalidArgument,
                    "map_size \"" + std::string(value) +
                        "\" is not a size of at least 4096 bytes (e.g. 65536, 64MiB, 1GiB)",
                    uri);
      }
      lmdb.initial_map_size = (*size + 4095) / 4096 * 4096;  // LMDB wants whole pages
    } else if (key == "sync") {
      if (value != "0" && value != "1")
        throw Error(ErrorKind::InvalidArgument, "sync must be 0 or 1", uri);
      lmdb.sync = value == "1";
    } else {
      throw Error(ErrorKind::InvalidArgument,
                  "unknown lmdb:// option \"" + std::string(key) + "\" (known: map_size, sync)",
                  uri);
    }
  }
  options.lmdb_map_size = lmdb.initial_map_size;
  options.lmdb_sync = lmdb.sync;
  return open_lmdb_storage(std::string(path), uri, lmdb);
}

}  // namespace

std::unique_ptr<Store> Store::open(std::string_view uri_view, StoreOptions options) {
  // Every message and the Store's uri() name the store without its secrets; only the backends'
  // parsers below see the URI as given.
  const std::string uri = redact_uri(uri_view);
  validate_options(options, uri);
  const auto sep = uri_view.find("://");
  if (sep == std::string_view::npos) {
    throw Error(ErrorKind::InvalidArgument, "not a store URI: expected lmdb://PATH or mem://[NAME]",
                uri.empty() ? "\"\"" : uri);
  }
  const std::string_view scheme = uri_view.substr(0, sep);
  const std::string_view rest = uri_view.substr(sep + 3);
  std::shared_ptr<Storage> storage;
  if (scheme == "mem") {
    if (rest.empty()) {
      storage = std::make_shared<MemStorage>("");
    } else {
      if (!is_valid_name(rest)) {
        throw Error(ErrorKind::InvalidArgument,
                    "mem:// store name \"" + std::string(rest) +
                        "\" must match [A-Za-z0-9][A-Za-z0-9_.-]{0,99}",
                    uri);
      }
      storage = MemStorage::named(std::string(rest));
    }
  } else if (scheme == "lmdb") {
    storage = open_lmdb(rest, uri, options);
  } else if (scheme == "s3" || scheme == "s3s") {
    // The S3 backend's describe() is its URI redacted the same way, in its canonical form.
    storage = s3::open_s3_storage(uri_view);
    std::string masked = storage->describe();
    return std::make_unique<Store>(Passkey(), std::move(masked), std::move(options),
                                   std::move(storage));
  } else {
    throw Error(ErrorKind::InvalidArgument,
                "unknown store scheme \"" + std::string(scheme) +
                    "\" (supported: lmdb://PATH, mem://[NAME], s3://HOST:PORT:BUCKET, "
                    "s3s://HOST:PORT:BUCKET, s3://BUCKET)",
                uri);
  }
  return std::make_unique<Store>(Passkey(), uri, std::move(options), std::move(storage));
}

Store::Store(Passkey, std::string uri, StoreOptions options, std::shared_ptr<Storage> storage)
    : uri_(std::move(uri)), options_(std::move(options)), storage_(std::move(storage)) {}

Store::~Store() = default;

Library Store::make_library(std::string_view name) const {
  return Library(std::make_shared<LibraryEngine>(storage_, std::string(name), options_));
}

Library Store::create_library(std::string_view name) {
  validate_name("library", name);
  const Timestamp t = options_.clock ? options_.clock() : now_utc();
  storage_->commit({}, [&](const StorageView& view) {
    if (view.get(keys::library(name))) {
      throw Error(ErrorKind::Conflict, "library " + std::string(name) + " already exists", uri_);
    }
    Mutation m;
    m.puts.push_back({keys::library(name), encode_library_marker(t)});
    return m;
  });
  return make_library(name);
}

Library Store::library(std::string_view name) {
  validate_name("library", name);
  if (!storage_->get(keys::library(name))) {
    const Timestamp t = options_.clock ? options_.clock() : now_utc();
    storage_->commit({}, [&](const StorageView& view) {
      Mutation m;
      if (!view.get(keys::library(name))) {
        m.puts.push_back({keys::library(name), encode_library_marker(t)});
      }
      return m;
    });
  }
  return make_library(name);
}

Library Store::existing_library(std::string_view name) const {
  validate_name("library", name);
  if (!storage_->get(keys::library(name))) {
    throw Error(ErrorKind::NotFound, "no library named " + std::string(name), uri_);
  }
  return make_library(name);
}

std::vector<std::string> Store::list_libraries() const {
  std::vector<std::string> out;
  for (const auto& key : storage_->list({keys::kLibraryPrefix})) {
    out.emplace_back(keys::suffix(key, keys::kLibraryPrefix));
  }
  return out;
}

bool Store::has_library(std::string_view name) const {
  validate_name("library", name);
  return storage_->get(keys::library(name)).has_value();
}

void Store::delete_library(std::string_view name) {
  validate_name("library", name);
  if (storage_->read_view()->heads_may_lag()) {
    // Version numbers are never reused (StorageView::heads_may_lag): each symbol is deleted on
    // its own first — a deletion marker ends its chain, so a writer still holding its old
    // state cannot add to it — and the library goes last. Not one commit: interrupted, the
    // library still exists with fewer symbols, and deleting it again finishes the job.
    if (!storage_->get(keys::library(name))) {
      throw Error(ErrorKind::NotFound, "no library named " + std::string(name), uri_);
    }
    Library library = make_library(name);
    for (const auto& symbol : library.list_symbols()) {
      try {
        library.delete_symbol(symbol);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::NotFound) throw;  // deleted meanwhile
      }
    }
  }
  storage_->commit({}, [&](const StorageView& view) {
    if (!view.get(keys::library(name))) {
      throw Error(ErrorKind::NotFound, "no library named " + std::string(name), uri_);
    }
    Mutation m;
    for (char space : {'H', 'V', 'S', 'P'}) {
      for (auto& key : view.list({keys::symbol_data_prefix(space, name)})) {
        (space == 'V' ? m.retires : m.removes).push_back(std::move(key));
      }
    }
    // Last: the marker is what says the library exists.
    m.removes.push_back(keys::library(name));
    return m;
  });
}

}  // namespace tandem::store
