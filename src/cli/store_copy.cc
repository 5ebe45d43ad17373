#include "cli/store_copy.h"

#include <xxhash.h>

#include <map>
#include <vector>

#include "core/error.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/record.h"
#include "store/storage.h"

namespace tandem::cli {
namespace {

using store::KeyValue;
using store::ListRange;
using store::Mutation;
using store::Storage;
using store::StorageView;

// Values per batch: a batch is read (in parallel on S3), written in one commit, then dropped.
constexpr std::size_t kBatch = 32;

std::uint64_t checksum(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

// Calls `use` with successive batches of the key/values under `prefix`.
template <typename Use>
void for_each_batch(const Storage& storage, const std::string& prefix, Use use) {
  std::string after;
  for (;;) {
    std::vector<KeyValue> batch = storage.read_view()->scan(ListRange(prefix, after, kBatch));
    if (batch.empty()) return;
    after = batch.back().key;
    use(batch);
    if (batch.size() < kBatch) return;
  }
}

}  // namespace

LibraryCopyReport copy_library(store::Store& from, store::Store& to, const std::string& library,
                               const std::function<void(std::uint64_t objects)>& on_progress) {
  store::validate_name("library", library);
  Storage& source = from.storage();
  Storage& target = to.storage();
  const std::string marker_key = store::keys::library(library);
  const std::optional<std::string> marker = source.get(marker_key);
  if (!marker) throw Error("no library named " + library, from.uri());
  if (target.get(marker_key)) {
    throw Error("library " + library + " already exists (copy never merges into a library; " +
                    "delete it there or copy to another store)",
                to.uri());
  }

  LibraryCopyReport report;
  report.library = library;
  std::map<std::string, std::uint64_t> expected;  // key → checksum of what was copied
  auto copy_batch = [&](std::vector<KeyValue>& batch) {
    for (const KeyValue& kv : batch) {
      expected[kv.key] = checksum(kv.value);
      report.bytes += kv.value.size();
      ++report.objects;
    }
    // New keys in a library the target does not show yet: written as the commit's blobs.
    target.commit(std::move(batch), [](const StorageView&) { return Mutation{}; });
    if (on_progress) on_progress(report.objects);
  };

  // Records first: every segment they reference was stored before them, so copying the
  // segments afterwards finds them all (unless pruned meanwhile, which the check below reports).
  std::vector<KeyValue> records;
  // A chain store's heads may lag (docs/s3.md): a target whose heads are exact gets each head
  // at the symbol's latest version, folded from the records above it.
  const bool fold_heads =
      source.read_view()->heads_may_lag() && !target.read_view()->heads_may_lag();
  store::LibraryEngine source_engine(std::shared_ptr<Storage>(std::shared_ptr<Storage>(), &source),
                                     library, from.options());
  for (char space : {'H', 'V', 'P'}) {
    const std::string prefix = store::keys::symbol_data_prefix(space, library);
    for_each_batch(source, prefix, [&](std::vector<KeyValue>& batch) {
      for (KeyValue& kv : batch) {
        // A chain store's pending snapshots and prune epoch (store/keys.h) are its own
        // protocol state, not data: the copy is a new store.
        if (space == 'P' &&
            store::keys::is_snapshot_protocol_name(store::keys::suffix(kv.key, prefix))) {
          continue;
        }
        if (space == 'H' && fold_heads) {
          const auto view = source.read_view();
          const auto latest = source_engine.load_head(*view, store::keys::suffix(kv.key, prefix));
          if (!latest) continue;  // deleted since the listing
          kv.value = store::encode_record(*latest);
        }
        if (space == 'H') ++report.symbols;
        if (space == 'V') ++report.version_records;
        if (space == 'P') ++report.snapshots;
        records.push_back(std::move(kv));
      }
    });
  }
  for_each_batch(source, store::keys::symbol_data_prefix('S', library),
                 [&](std::vector<KeyValue>& batch) {
                   report.segments += batch.size();
                   copy_batch(batch);
                 });
  for (std::size_t begin = 0; begin < records.size(); begin += kBatch) {
    std::vector<KeyValue> batch(
        std::make_move_iterator(records.begin() + static_cast<std::ptrdiff_t>(begin)),
        std::make_move_iterator(records.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(records.size(), begin + kBatch))));
    copy_batch(batch);
  }

  // Read every object back from the target and compare.
  std::uint64_t verified = 0;
  for (char space : {'S', 'H', 'V', 'P'}) {
    for_each_batch(
        target, store::keys::symbol_data_prefix(space, library), [&](std::vector<KeyValue>& batch) {
          for (const KeyValue& kv : batch) {
            auto it = expected.find(kv.key);
            if (it == expected.end()) {
              throw Error("the copy holds " + kv.key + ", which was not copied", to.uri());
            }
            if (it->second != checksum(kv.value)) {
              throw Error("checksum mismatch for " + kv.key + " after copying", to.uri());
            }
            ++verified;
          }
        });
  }
  if (verified != expected.size()) {
    throw Error(std::to_string(expected.size() - verified) + " of " +
                    std::to_string(expected.size()) + " copied objects are missing when read back",
                to.uri());
  }
  // Only now does the library appear in the target.
  target.commit({}, [&](const StorageView& view) {
    if (view.get(marker_key)) throw Error("library " + library + " appeared meanwhile", to.uri());
    Mutation m;
    m.puts.push_back({marker_key, *marker});
    return m;
  });
  ++report.objects;
  report.bytes += marker->size();

  // Every segment decodes and every version resolves there. A segment pruned in the source
  // during the copy shows up as missing: the copy is then removed again, not left half-true.
  store::VerifyReport check = to.existing_library(library).verify();
  if (!check.ok()) {
    const store::Corruption& first = check.corruptions.front();
    to.delete_library(library);
    throw Error("the copy of library " + library + " failed verification (" +
                    std::to_string(check.corruptions.size()) + " problem(s), first: " + first.key +
                    ": " + first.problem +
                    "); it was removed — was the source changed during the copy?",
                to.uri());
  }
  return report;
}

}  // namespace tandem::cli
