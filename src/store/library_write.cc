// Mutations: write, append, update, delete_range. Segments are encoded before the commit and
// handed to it as blobs under fresh keys; the commit's decide step validates against the head it
// sees inside the (serialized) commit, so concurrent writers never lose each other's versions.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/log.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/record.h"
#include "store/segment.h"

namespace tandem::store {
namespace {

constexpr int kMaxReplans = 1000;

std::vector<SchemaField> schema_of(const Table& table) {
  std::vector<SchemaField> schema;
  for (const auto& c : table.columns()) schema.push_back({c.name(), c.type()});
  return schema;
}

// `base` plus the columns of `table` it lacks; refuses a column whose type changes.
std::vector<SchemaField> merge_schema(const std::vector<SchemaField>& base, const Table& table,
                                      const std::string& where) {
  std::vector<SchemaField> merged = base;
  for (const auto& c : table.columns()) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const SchemaField& f) { return f.name == c.name(); });
    if (it == merged.end()) {
      merged.push_back({c.name(), c.type()});
    } else if (it->type != c.type()) {
      throw Error(ErrorKind::InvalidArgument,
                  "column \"" + c.name() + "\" is " + std::string(column_type_name(it->type)) +
                      " in the stored symbol but " + std::string(column_type_name(c.type())) +
                      " in the new data; changing a column's type is refused (write a new "
                      "version with write() to replace the schema)",
                  where);
    }
  }
  return merged;
}

}  // namespace

// Version record N, then the head that makes it visible: until the head lands, readers see
// version N - 1 (they never trust a record above the head's version), and the next commit
// decides on N - 1 and overwrites record N. So the puts may be applied in this order without
// any atomicity mechanism (Mutation::prefix_invisible).
Mutation put_version(const LibraryEngine& engine, std::string_view symbol,
                     const VersionRecord& record, const VersionRecord& head) {
  Mutation m;
  m.puts.push_back({keys::version(engine.name(), symbol, record.version), encode_record(record)});
  if (head.inline_segments.empty()) {
    m.puts.push_back({keys::head(engine.name(), symbol), encode_record(head)});
  } else {
    // Inline bytes live in the version record only; the head just references them.
    VersionRecord bare = head;
    bare.inline_segments.clear();
    m.puts.push_back({keys::head(engine.name(), symbol), encode_record(bare)});
  }
  m.prefix_invisible = true;
  m.create_first = true;
  m.last_put_is_hint = true;
  return m;
}

LibraryEngine::LibraryEngine(std::shared_ptr<Storage> storage, std::string library,
                             StoreOptions options)
    : storage_(std::move(storage)), library_(std::move(library)), options_(std::move(options)) {}

std::string LibraryEngine::where(std::string_view symbol) const {
  return "library " + library_ + ", symbol " + std::string(symbol);
}

std::string LibraryEngine::where(std::string_view symbol, std::uint64_t version) const {
  return where(symbol) + ", version " + std::to_string(version);
}

Timestamp LibraryEngine::now() const { return options_.clock ? options_.clock() : now_utc(); }

void LibraryEngine::require_library(const StorageView& view) const {
  if (!view.get(keys::library(library_))) {
    throw Error(ErrorKind::NotFound, "library " + library_ + " does not exist (it was deleted)",
                storage_->describe());
  }
}

void LibraryEngine::validate_metadata(const std::optional<std::string>& metadata,
                                      const std::string& where) {
  if (metadata && !metadata->empty() && !nlohmann::json::accept(*metadata)) {
    throw Error(ErrorKind::InvalidArgument,
                "metadata is not valid JSON: " + metadata->substr(0, 80), where);
  }
}

void LibraryEngine::encode_segments(std::string_view symbol, const Table& table,
                                    std::vector<KeyValue>& blobs,
                                    std::vector<SegmentRef>& refs) const {
  const std::size_t step = std::max<std::size_t>(1, options_.segment_rows);
  for (std::size_t begin = 0; begin < table.num_rows(); begin += step) {
    const std::size_t end = std::min(table.num_rows(), begin + step);
    EncodedSegment seg =
        encode_segment(table, begin, end, options_.compression, options_.zstd_level);
    SegmentRef ref{keys::new_segment(library_, symbol),
                   seg.rows,
                   seg.index_min,
                   seg.index_max,
                   seg.bytes.size(),
                   seg.raw_bytes};
    blobs.push_back({ref.key, std::move(seg.bytes)});
    refs.push_back(std::move(ref));
  }
}

std::uint64_t LibraryEngine::write(std::string_view symbol, const Table& table,
                                   std::optional<std::string> metadata) {
  validate_name("symbol", symbol);
  const std::string w = where(symbol);
  table.validate(w);
  validate_metadata(metadata, w);
  std::vector<KeyValue> blobs;
  std::vector<SegmentRef> refs;
  encode_segments(symbol, table, blobs, refs);
  const Timestamp t = now();
  std::uint64_t version = 0;
  storage_->commit(std::move(blobs), [&](const StorageView& view) {
    require_library(view);
    const auto head = load_head(view, symbol);
    VersionRecord rec;
    rec.version = next_version(view, symbol, head);
    rec.kind = VersionKind::kWrite;
    rec.written_at = head ? std::max(t, head->written_at) : t;
    rec.base_version = rec.version;
    rec.rows = rec.rows_added = table.num_rows();
    if (table.num_rows() > 0) {
      rec.index_min = table.index().front();
      rec.index_max = table.index().back();
    }
    rec.metadata_given = metadata.has_value();
    rec.metadata = metadata.value_or("");
    rec.schema = schema_of(table);
    rec.segments = refs;
    version = rec.version;
    return put_version(*this, symbol, rec, rec);
  });
  return version;
}

std::uint64_t LibraryEngine::append(std::string_view symbol, const Table& table, AppendMode mode,
                                    std::optional<std::string> metadata,
                                    std::optional<std::optional<std::uint64_t>> expected) {
  validate_name("symbol", symbol);
  const std::string w = where(symbol);
  table.validate(w);
  validate_metadata(metadata, w);
  std::vector<KeyValue> blobs;
  std::vector<SegmentRef> refs;
  encode_segments(symbol, table, blobs, refs);
  // Small segments travel inside the version record instead of as objects of their own.
  std::vector<InlineSegment> inlined;
  std::vector<bool> is_inline(refs.size(), false);
  {
    std::vector<KeyValue> objects;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      if (blobs[i].value.size() <= options_.inline_segment_bytes) {
        inlined.push_back({std::move(blobs[i].key), std::move(blobs[i].value)});
        is_inline[i] = true;
      } else {
        objects.push_back(std::move(blobs[i]));
      }
    }
    blobs = std::move(objects);
  }
  const Timestamp t = now();
  std::uint64_t version = 0;
  std::uint64_t appends_since_full = 0;
  bool wrote = false;
  storage_->commit(std::move(blobs), [&](const StorageView& view) {
    require_library(view);
    const auto head = load_head(view, symbol);
    wrote = false;
    if (expected) {
      const std::optional<std::uint64_t> latest =
          head ? std::optional<std::uint64_t>(head->version) : std::nullopt;
      if (latest != *expected) {
        throw Error(ErrorKind::Conflict,
                    "append refused: the symbol's latest version is " +
                        (latest ? std::to_string(*latest) : std::string("none")) +
                        ", not the expected " +
                        (*expected ? std::to_string(**expected) : std::string("none")) +
                        " (another writer committed first; nothing was written)",
                    w);
      }
    }
    if (head && table.num_rows() == 0) {
      version = head->version;
      return Mutation{};
    }
    const std::vector<SchemaField> schema =
        merge_schema(head ? head->schema : std::vector<SchemaField>{}, table, w);
    if (mode == AppendMode::kStrict && head && head->rows > 0 &&
        table.index().front() < head->index_max) {
      throw Error(ErrorKind::Conflict,
                  "append refused: its first timestamp " + format_timestamp(table.index().front()) +
                      " is before the symbol's last timestamp " +
                      format_timestamp(head->index_max) +
                      " (nothing was written; the any-order append mode accepts older rows)",
                  w);
    }
    VersionRecord rec;
    rec.kind = VersionKind::kAppend;
    rec.version = next_version(view, symbol, head);
    rec.rows_added = table.num_rows();
    rec.metadata_given = metadata.has_value();
    rec.metadata = metadata.value_or("");
    rec.schema = schema;
    rec.segments = refs;
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (is_inline[i]) rec.segments[i].inline_in = rec.version;
    }
    rec.inline_segments = inlined;
    VersionRecord new_head;
    if (!head) {
      rec.written_at = t;
      rec.full = true;
      rec.base_version = rec.version;
      rec.rows = table.num_rows();
      if (rec.rows > 0) {
        rec.index_min = table.index().front();
        rec.index_max = table.index().back();
      }
      new_head = rec;
    } else {
      rec.written_at = std::max(t, head->written_at);
      rec.full = false;
      rec.base_version = head->base_version;
      rec.appends_since_full = head->appends_since_full + 1;
      rec.rows = head->rows + table.num_rows();
      rec.index_min =
          head->rows > 0 ? std::min(head->index_min, table.index().front()) : table.index().front();
      rec.index_max =
          head->rows > 0 ? std::max(head->index_max, table.index().back()) : table.index().back();
      new_head = rec;
      new_head.full = true;
      new_head.metadata = metadata.value_or(head->metadata);
      new_head.segments = head->segments;
      new_head.segments.insert(new_head.segments.end(), rec.segments.begin(), rec.segments.end());
    }
    new_head.inline_segments.clear();
    version = rec.version;
    appends_since_full = rec.appends_since_full;
    wrote = true;
    return put_version(*this, symbol, rec, new_head);
  });
  const std::size_t threshold = options_.compaction_threshold;
  if (wrote && threshold > 0 && appends_since_full > 0 && appends_since_full % threshold == 0) {
    // The append has committed; compaction is housekeeping. If it fails (a concurrent writer
    // rebased the chain, or a segment is corrupt — which reads and verify() report), the data
    // is intact and the next threshold crossing tries again.
    try {
      compact(symbol, false);
    } catch (const Error& e) {
      log::dropped("store", "automatic compaction of " + name() + "/" + std::string(symbol), e);
    }
  }
  return version;
}

namespace {

// The plan for replacing the rows in [first, last]: which segments stay, which are trimmed.
struct RangeRewrite {
  std::vector<KeyValue> blobs;
  std::vector<SegmentRef> before;  // parts entirely before `first`, in list order
  std::vector<SegmentRef> after;   // parts entirely after `last`, in list order
  std::uint64_t rows = 0;
};

RangeRewrite plan_range_rewrite(const LibraryEngine& engine, const StorageView& view,
                                std::string_view symbol, const VersionRecord& head, Timestamp first,
                                Timestamp last) {
  RangeRewrite plan;
  for (const SegmentRef& s : head.segments) {
    if (s.index_max < first) {
      plan.before.push_back(s);
    } else if (s.index_min > last) {
      plan.after.push_back(s);
    } else if (s.index_min < first || s.index_max > last) {
      const Table rows = engine.read_segments(view, symbol, head.version, head.schema, {s});
      const auto& idx = rows.index();
      const auto lo =
          static_cast<std::size_t>(std::lower_bound(idx.begin(), idx.end(), first) - idx.begin());
      const auto hi =
          static_cast<std::size_t>(std::upper_bound(idx.begin(), idx.end(), last) - idx.begin());
      if (lo > 0) engine.encode_segments(symbol, rows.slice(0, lo), plan.blobs, plan.before);
      if (hi < rows.num_rows()) {
        engine.encode_segments(symbol, rows.slice(hi, rows.num_rows()), plan.blobs, plan.after);
      }
    }
  }
  for (const auto* part : {&plan.before, &plan.after}) {
    for (const auto& s : *part) plan.rows += s.rows;
  }
  return plan;
}

}  // namespace

// Replaces the rows of [first, last] by `insert` (may be empty) as a new full version.
static std::uint64_t replace_range(LibraryEngine& engine, std::string_view symbol, Timestamp first,
                                   Timestamp last, const Table& insert, VersionKind kind,
                                   const std::optional<std::string>& metadata,
                                   bool create_missing) {
  const std::string w = engine.where(symbol);
  for (int attempt = 0; attempt < kMaxReplans; ++attempt) {
    std::optional<VersionRecord> planned;
    RangeRewrite plan;
    {
      const auto view = engine.storage().read_view();
      planned =
          engine.on_whole_view([&](const StorageView& v) { return engine.load_head(v, symbol); });
      if (!planned && !create_missing) throw Error(ErrorKind::NotFound, "no such symbol", w);
      if (planned) plan = plan_range_rewrite(engine, *view, symbol, *planned, first, last);
    }
    std::vector<SegmentRef> inserted;
    engine.encode_segments(symbol, insert, plan.blobs, inserted);
    const std::vector<SchemaField> schema =
        merge_schema(planned ? planned->schema : std::vector<SchemaField>{}, insert, w);
    const Timestamp t = engine.now();
    std::uint64_t version = 0;
    try {
      engine.storage().commit(std::move(plan.blobs), [&](const StorageView& view) {
        engine.require_library(view);
        const auto head = engine.load_head(view, symbol);
        if (head.has_value() != planned.has_value() ||
            (head && head->version != planned->version)) {
          throw HeadMoved{};
        }
        VersionRecord rec;
        rec.version = engine.next_version(view, symbol, head);
        rec.kind = kind;
        rec.written_at = head ? std::max(t, head->written_at) : t;
        rec.base_version = rec.version;
        rec.rows_added = insert.num_rows();
        rec.rows = plan.rows + insert.num_rows();
        rec.metadata_given = metadata.has_value();
        rec.metadata = metadata ? *metadata : (head ? head->metadata : "");
        rec.schema = schema;
        rec.segments = plan.before;
        rec.segments.insert(rec.segments.end(), inserted.begin(), inserted.end());
        rec.segments.insert(rec.segments.end(), plan.after.begin(), plan.after.end());
        bool any = false;
        for (const auto& s : rec.segments) {
          rec.index_min = any ? std::min(rec.index_min, s.index_min) : s.index_min;
          rec.index_max = any ? std::max(rec.index_max, s.index_max) : s.index_max;
          any = true;
        }
        version = rec.version;
        return put_version(engine, symbol, rec, rec);
      });
      return version;
    } catch (const HeadMoved&) {
      // Another writer committed meanwhile; plan again on top of its version.
    }
  }
  throw Error(ErrorKind::Conflict,
              "gave up after " + std::to_string(kMaxReplans) +
                  " attempts: other writers keep changing the symbol",
              w);
}

std::uint64_t LibraryEngine::update(std::string_view symbol, const Table& table,
                                    std::optional<std::string> metadata) {
  validate_name("symbol", symbol);
  const std::string w = where(symbol);
  table.validate(w);
  validate_metadata(metadata, w);
  if (table.num_rows() == 0) {
    const auto head = on_whole_view([&](const StorageView& v) { return load_head(v, symbol); });
    if (!head) throw Error(ErrorKind::NotFound, "update with no rows of a missing symbol", w);
    return head->version;
  }
  return replace_range(*this, symbol, table.index().front(), table.index().back(), table,
                       VersionKind::kUpdate, metadata, true);
}

std::uint64_t LibraryEngine::delete_range(std::string_view symbol, Timestamp start, Timestamp end,
                                          std::optional<std::string> metadata) {
  validate_name("symbol", symbol);
  const std::string w = where(symbol);
  validate_metadata(metadata, w);
  if (start > end) {
    throw Error(ErrorKind::InvalidArgument,
                "delete_range start " + format_timestamp(start) + " is after its end " +
                    format_timestamp(end),
                w);
  }
  return replace_range(*this, symbol, start, end, Table(), VersionKind::kDeleteRange, metadata,
                       false);
}

}  // namespace tandem::store
