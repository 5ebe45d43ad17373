// Library: the public handle; every call goes to the LibraryEngine.
#include <string>

#include "core/error.h"
#include "store/library_engine.h"
#include "store/store.h"

namespace tandem::store {

const std::string& Library::name() const { return engine_->name(); }

std::uint64_t Library::write(std::string_view symbol, const Table& table,
                             std::optional<std::string> metadata) {
  return engine_->write(symbol, table, std::move(metadata));
}
std::uint64_t Library::append(std::string_view symbol, const Table& table, AppendMode mode,
                              std::optional<std::string> metadata) {
  return engine_->append(symbol, table, mode, std::move(metadata));
}
std::uint64_t Library::append_if_latest(std::string_view symbol, const Table& table,
                                        std::optional<std::uint64_t> expected_version,
                                        AppendMode mode) {
  return engine_->append(
      symbol, table, mode, std::nullopt,
      std::optional<std::optional<std::uint64_t>>(std::in_place, expected_version));
}
std::uint64_t Library::update(std::string_view symbol, const Table& table,
                              std::optional<std::string> metadata) {
  return engine_->update(symbol, table, std::move(metadata));
}
std::uint64_t Library::delete_range(std::string_view symbol, Timestamp start, Timestamp end,
                                    std::optional<std::string> metadata) {
  return engine_->delete_range(symbol, start, end, std::move(metadata));
}
Library Library::with_compression(Compression codec, int zstd_level) const {
  StoreOptions options = engine_->options();
  options.compression = codec;
  options.zstd_level = zstd_level;
  if (codec == Compression::kZstd && (zstd_level < -7 || zstd_level > 22)) {
    throw Error(ErrorKind::InvalidArgument,
                "zstd level " + std::to_string(zstd_level) + " is outside -7..22",
                "library " + engine_->name());
  }
  return Library(
      std::make_shared<LibraryEngine>(engine_->shared_storage(), engine_->name(), options));
}
ReadResult Library::read(std::string_view symbol, const ReadOptions& options) const {
  return engine_->read(symbol, options, Table{});
}

ReadResult Library::read(std::string_view symbol, const ReadOptions& options,
                         Table recycled) const {
  return engine_->read(symbol, options, std::move(recycled));
}
std::vector<std::string> Library::list_symbols() const { return engine_->list_symbols(); }
bool Library::has_symbol(std::string_view symbol) const { return engine_->has_symbol(symbol); }
void Library::delete_symbol(std::string_view symbol) { engine_->delete_symbol(symbol); }
std::vector<VersionInfo> Library::list_versions(std::string_view symbol, std::size_t limit,
                                                std::optional<std::uint64_t> before) const {
  return engine_->list_versions(symbol, limit, before);
}
void Library::snapshot(std::string_view name, std::optional<std::string> metadata) {
  engine_->snapshot(name, std::move(metadata));
}
std::vector<SnapshotInfo> Library::list_snapshots() const { return engine_->list_snapshots(); }
std::vector<std::pair<std::string, std::uint64_t>> Library::snapshot_versions(
    std::string_view name) const {
  return engine_->snapshot_versions(name);
}
void Library::delete_snapshot(std::string_view name) { engine_->delete_snapshot(name); }
PruneResult Library::prune_previous_versions(std::string_view symbol) {
  return engine_->prune_previous_versions(symbol);
}
CompactResult Library::compact(std::string_view symbol) { return engine_->compact(symbol, true); }
VerifyReport Library::verify() const { return engine_->verify(std::nullopt); }
VerifyReport Library::verify(std::string_view symbol) const { return engine_->verify(symbol); }
SymbolStats Library::stats(std::string_view symbol) const { return engine_->stats(symbol); }

}  // namespace tandem::store
