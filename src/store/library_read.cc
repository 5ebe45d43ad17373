// Reads: resolve the version, pick the segments that can hold the requested rows (by the
// min/max each reference carries, so others are never fetched), decode them straight into the
// output columns, and merge into index order when segments overlap (any-order appends).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <limits>
#include <numeric>
#include <thread>

#include "core/error.h"
#include "store/buffer_cache.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/segment.h"
#include "store/segment_source.h"

namespace tandem::store {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 19 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// Indices (in list order) of the segments that can hold rows of the requested range and
// head/tail.
std::vector<std::size_t> select_segments(const std::vector<SegmentRef>& segments,
                                         const ReadOptions& options) {
  const Timestamp lo = options.start.value_or(std::numeric_limits<Timestamp>::min());
  const Timestamp hi = options.end.value_or(std::numeric_limits<Timestamp>::max());
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].index_max >= lo && segments[i].index_min <= hi) candidates.push_back(i);
  }
  if (!options.head && !options.tail) return candidates;
  const bool head = options.head.has_value();
  const std::size_t want = head ? *options.head : *options.tail;
  // Walk segments from the requested end; once the segments taken surely hold `want` rows in
  // range, any segment entirely beyond the farthest timestamp taken cannot contribute.
  std::vector<std::size_t> order = candidates;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return head ? segments[a].index_min < segments[b].index_min
                : segments[a].index_max > segments[b].index_max;
  });
  std::uint64_t counted = 0;
  std::optional<Timestamp> bound;
  for (std::size_t i : order) {
    const SegmentRef& s = segments[i];
    bound = !bound ? (head ? s.index_max : s.index_min)
                   : (head ? std::max(*bound, s.index_max) : std::min(*bound, s.index_min));
    if (s.index_min >= lo && s.index_max <= hi) counted += s.rows;
    if (counted >= want) break;
  }
  if (counted < want || !bound) return candidates;
  std::vector<std::size_t> chosen;
  for (std::size_t i : candidates) {
    if (head ? segments[i].index_min <= *bound : segments[i].index_max >= *bound) {
      chosen.push_back(i);
    }
  }
  return chosen;
}

// Stable merge into index order: rows with equal timestamps keep their segment (list) order.
Table merge_in_index_order(Table table) {
  const auto& idx = table.index();
  if (std::is_sorted(idx.begin(), idx.end())) return table;
  std::vector<std::size_t> perm(idx.size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::stable_sort(perm.begin(), perm.end(),
                   [&](std::size_t a, std::size_t b) { return idx[a] < idx[b]; });
  std::vector<Timestamp> index(idx.size());
  for (std::size_t i = 0; i < perm.size(); ++i) index[i] = idx[perm[i]];
  Table out(std::move(index));
  for (const Column& c : table.columns()) {
    Column g(c.name(), c.type());
    std::visit(
        [&](const auto& values) {
          using V = std::decay_t<decltype(values)>;
          V gathered(values.size());
          for (std::size_t i = 0; i < perm.size(); ++i) gathered[i] = values[perm[i]];
          g.mutable_values() = std::move(gathered);
        },
        c.values());
    if (!c.validity().empty()) {
      std::vector<std::uint8_t> mask(perm.size());
      for (std::size_t i = 0; i < perm.size(); ++i) mask[i] = c.validity()[perm[i]];
      g.mutable_validity() = std::move(mask);
    }
    out.mutable_columns().push_back(std::move(g));
  }
  return out;
}

// Output columns for `schema` restricted to `names` (all when nullopt), in the requested order.
std::vector<SchemaField> project(const std::vector<SchemaField>& schema,
                                 const std::optional<std::vector<std::string>>& names,
                                 const std::string& where) {
  if (!names) return schema;
  std::vector<SchemaField> out;
  for (const auto& name : *names) {
    if (name == kIndexColumnName) continue;
    auto it = std::find_if(schema.begin(), schema.end(),
                           [&](const SchemaField& f) { return f.name == name; });
    if (it == schema.end()) {
      std::string known;
      for (const auto& f : schema) known += (known.empty() ? "" : ", ") + f.name;
      throw Error(ErrorKind::InvalidArgument,
                  "no column \"" + name + "\" (columns: " + (known.empty() ? "none" : known) + ")",
                  where);
    }
    if (std::none_of(out.begin(), out.end(),
                     [&](const SchemaField& f) { return f.name == name; })) {
      out.push_back(*it);
    }
  }
  return out;
}

// Appends every row of the segment to `out`, decoding straight into its columns.
// The buffers of a table handed back for reuse (Library::read with `recycled`), given out to the
// columns of the next result: emptied, capacity kept, so refilling them touches mapped pages.
class RecycledBuffers {
 public:
  explicit RecycledBuffers(Table table)
      : index_(std::move(table.mutable_index())), columns_(std::move(table.mutable_columns())) {}

  std::vector<Timestamp> take_index() {
    index_.clear();
    return std::move(index_);
  }

  // An empty column `name` of `type`, in the largest spare buffer holding its value type.
  Column take_column(const std::string& name, ColumnType type) {
    Column column(name, type);
    Column* best = nullptr;
    for (Column& spare : columns_) {
      if (spare.mutable_values().index() != column.mutable_values().index()) continue;
      if (best == nullptr || capacity(spare) > capacity(*best)) best = &spare;
    }
    if (best != nullptr) {
      std::visit([](auto& values) { values.clear(); }, best->mutable_values());
      best->mutable_validity().clear();
      std::swap(column.mutable_values(), best->mutable_values());
      std::swap(column.mutable_validity(), best->mutable_validity());
    }
    return column;
  }

 private:
  static std::size_t capacity(Column& c) {
    return std::visit([](auto& values) { return values.capacity(); }, c.mutable_values());
  }

  std::vector<Timestamp> index_;
  std::vector<Column> columns_;
};

void decode_whole_segment(const SegmentReader& reader, Table& out) {
  reader.decode_index(out.mutable_index());
  for (Column& c : out.mutable_columns()) {
    const auto i = reader.find_column(c.name());
    if (i < 0) {
      c.append_nulls(reader.rows());
    } else {
      reader.decode_column(static_cast<std::size_t>(i), c);
    }
  }
}

// Per-thread decode buffers for segments that straddle a range end. A narrow read is dominated
// by first-touch page faults on fresh buffers; memory that stays mapped across reads avoids
// them, and only the rows in range are copied out.
class EdgeScratch {
 public:
  std::vector<Timestamp>& index() { return index_; }
  // An empty column of `type` at slot `slot`, keeping the capacity of earlier reads.
  Column& empty_column(std::size_t slot, ColumnType type) {
    while (columns_.size() <= slot) columns_.emplace_back("scratch", type);
    if (columns_[slot].type() != type) columns_[slot] = Column("scratch", type);
    Column& c = columns_[slot];
    std::visit([](auto& values) { values.clear(); }, c.mutable_values());
    c.mutable_validity().clear();
    return c;
  }
  // Gives memory back after an unusually large segment rather than holding it for the thread's
  // lifetime.
  void trim() {
    std::size_t bytes = index_.capacity() * sizeof(Timestamp);
    for (Column& c : columns_) {
      std::visit(
          [&](auto& values) {
            bytes +=
                values.capacity() * sizeof(typename std::decay_t<decltype(values)>::value_type);
          },
          c.mutable_values());
    }
    if (bytes > kKeepBytes) {
      index_ = {};
      columns_.clear();
      columns_.shrink_to_fit();
    }
  }

 private:
  static constexpr std::size_t kKeepBytes = std::size_t{64} << 20;
  std::vector<Timestamp> index_;
  std::vector<Column> columns_;
};

// Appends the segment's rows with timestamps in [lo, hi] to `out`.
void decode_rows_in_range(const SegmentReader& reader, Timestamp lo, Timestamp hi, Table& out) {
  thread_local EdgeScratch scratch;
  std::vector<Timestamp>& segment_index = scratch.index();
  segment_index.clear();
  reader.decode_index(segment_index);
  const auto first = std::lower_bound(segment_index.begin(), segment_index.end(), lo);
  const auto last = std::upper_bound(first, segment_index.end(), hi);
  if (first == last) return;
  const auto begin = static_cast<std::size_t>(first - segment_index.begin());
  const auto end = static_cast<std::size_t>(last - segment_index.begin());
  out.mutable_index().insert(out.mutable_index().end(), first, last);
  std::size_t slot = 0;
  for (Column& c : out.mutable_columns()) {
    const auto i = reader.find_column(c.name());
    if (i < 0) {
      c.append_nulls(end - begin);
      continue;
    }
    Column& decoded = scratch.empty_column(slot++, c.type());
    reader.decode_column(static_cast<std::size_t>(i), decoded);
    c.append_rows(decoded, begin, end);
  }
  scratch.trim();
}

}  // namespace

void LibraryEngine::pause_before_reading_again(int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(1 << std::min(attempt, 6)));
}

TornRead LibraryEngine::torn_fold(std::string_view symbol, std::uint64_t from,
                                  std::uint64_t to) const {
  return TornRead(ErrorKind::Conflict,
                  "version records between " + std::to_string(from) + " and " + std::to_string(to) +
                      " vanished while this read walked them (a prune retired them meanwhile)",
                  where(symbol, to));
}

std::optional<VersionRecord> LibraryEngine::load_head(const StorageView& view,
                                                      std::string_view symbol) const {
  const std::string key = keys::head(library_, symbol);
  auto bytes = view.get(key);
  std::optional<VersionRecord> head;
  if (bytes) {
    try {
      head = decode_record(*bytes);
    } catch (const Error& e) {
      throw Error(e.kind(), e.message() + " (head " + key + ")", where(symbol));
    }
  }
  if (!view.heads_may_lag()) return head;
  return fold_newer_records(view, symbol, std::move(head));
}

// Where the head may lag (StorageView::heads_may_lag), every version record above it is a
// committed version: fold them onto the head in order. Without a head object, the fold starts
// at the symbol's first record — the symbol may be new (its creator's head not written yet) or
// deleted (a deletion marker ends the chain; records before it were retired). A delta that
// opens a fold from nothing is what a writer racing the symbol's deletion leaves behind: it
// has no base and belongs to no version anyone can read.
std::optional<VersionRecord> LibraryEngine::fold_newer_records(
    const StorageView& view, std::string_view symbol, std::optional<VersionRecord> state) const {
  constexpr std::size_t kPage = 1000;
  const std::string prefix = keys::versions_prefix(library_, symbol);
  std::string after = state ? keys::version(library_, symbol, state->version) : std::string();
  for (;;) {
    const auto page = view.scan({prefix, after, kPage, false});
    for (const auto& kv : page) {
      const auto n = keys::version_of(kv.key);
      VersionRecord rec;
      try {
        rec = decode_record(kv.value);
      } catch (const Error& e) {
        throw Error(e.kind(), e.message() + " (record " + kv.key + ")",
                    where(symbol, n.value_or(0)));
      }
      rec.inline_segments.clear();
      if (rec.kind == VersionKind::kDeleted) {
        state.reset();
      } else if (rec.full) {
        state = std::move(rec);
      } else if (state) {
        // Numbers are never reused and a prune retires records only below a head it wrote
        // first, so the records after any head are contiguous up to a full one. A delta after
        // a hole was listed before a prune retired the records in between and read after:
        // folding it would leave their rows out of this version.
        if (n && *n != state->version + 1) throw torn_fold(symbol, state->version, *n);
        std::vector<SegmentRef> segments = std::move(state->segments);
        segments.insert(segments.end(), rec.segments.begin(), rec.segments.end());
        if (!rec.metadata_given) rec.metadata = std::move(state->metadata);
        rec.segments = std::move(segments);
        rec.full = true;
        state = std::move(rec);
      }
    }
    if (page.size() < kPage) break;
    after = page.back().key;
  }
  return state;
}

std::uint64_t LibraryEngine::next_version(const StorageView& view, std::string_view symbol,
                                          const std::optional<VersionRecord>& head) const {
  if (head) return head->version + 1;
  if (!view.heads_may_lag()) return 0;
  // Numbers are never reused here: continue after the last record (a deletion marker, or what
  // a writer racing a deletion left).
  const auto all = view.list({keys::versions_prefix(library_, symbol)});
  if (all.empty()) return 0;
  return keys::version_of(all.back()).value_or(0) + 1;
}

// "No version v", with the range that is stored: the oldest record up to the head's version.
// A record above the head's version may exist — a commit that wrote its version record and
// died before its head (possible on backends without transactions, see Mutation) — but it was
// never committed, so it is neither read nor named.
static Error no_such_version(const LibraryEngine& engine, const StorageView& view,
                             std::string_view symbol, std::uint64_t v, std::uint64_t newest) {
  const auto first = view.list({keys::versions_prefix(engine.name(), symbol), {}, 1, false});
  const std::uint64_t oldest =
      first.empty() ? newest : std::min(newest, keys::version_of(first[0]).value_or(newest));
  return Error(ErrorKind::NotFound,
               "no version " + std::to_string(v) + " (stored versions: " + std::to_string(oldest) +
                   ".." + std::to_string(newest) + ")",
               engine.where(symbol));
}

VersionRecord LibraryEngine::resolve_version(const StorageView& view, std::string_view symbol,
                                             std::uint64_t v, std::uint64_t newest) const {
  if (v > newest) throw no_such_version(*this, view, symbol, v, newest);
  const std::string key = keys::version(library_, symbol, v);
  auto decode = [&](std::string_view bytes, const std::string& k, std::uint64_t version) {
    try {
      return decode_record(bytes);
    } catch (const Error& e) {
      throw Error(e.kind(), e.message() + " (record " + k + ")", where(symbol, version));
    }
  };
  auto bytes = view.get(key);
  if (!bytes) throw no_such_version(*this, view, symbol, v, newest);
  VersionRecord rec = decode(*bytes, key, v);
  if (rec.kind == VersionKind::kDeleted) throw no_such_version(*this, view, symbol, v, newest);
  // The resolved form references inline segments; their bytes stay in the records.
  rec.inline_segments.clear();
  if (rec.full) return rec;
  // A delta: its chain base_version .. v is contiguous (prune keeps only whole chains). Where
  // commits are not serialized (heads_may_lag), a prune may have rewritten a later version of
  // the chain as a full record and retired the base while this delta was being written: the
  // chain then starts at the newest full record below v.
  if (view.heads_may_lag() && !view.get(keys::version(library_, symbol, rec.base_version))) {
    const auto below = view.scan({keys::versions_prefix(library_, symbol),
                                  keys::version(library_, symbol, v), SIZE_MAX, true});
    for (const auto& kv : below) {
      if (decode(kv.value, kv.key, keys::version_of(kv.key).value_or(0)).full) {
        rec.base_version = keys::version_of(kv.key).value_or(rec.base_version);
        break;
      }
    }
  }
  const auto chain =
      view.scan({keys::versions_prefix(library_, symbol),
                 keys::version(library_, symbol, rec.base_version), v - rec.base_version, false});
  auto base_bytes = view.get(keys::version(library_, symbol, rec.base_version));
  // Where a view is not one snapshot (heads_may_lag), a record missing from the chain of a
  // version read a moment ago was retired by a prune meanwhile: read again (TornRead).
  const bool torn_possible = view.heads_may_lag();
  if (!base_bytes && torn_possible) throw torn_fold(symbol, rec.base_version, v);
  if (!base_bytes) {
    throw Error(
        ErrorKind::Corruption,
        "version chain broken: full record " + std::to_string(rec.base_version) + " is missing",
        where(symbol, v));
  }
  VersionRecord out =
      decode(*base_bytes, keys::version(library_, symbol, rec.base_version), rec.base_version);
  std::string metadata = out.metadata;
  std::uint64_t expect = rec.base_version + 1;
  for (const auto& kv : chain) {
    const auto n = keys::version_of(kv.key);
    if (!n || *n > v) break;
    VersionRecord delta = decode(kv.value, kv.key, *n);
    if (delta.full && view.heads_may_lag() && *n < v) {
      // Rewritten in full by a prune that raced the delta's writer (see above).
      delta.inline_segments.clear();
      metadata = delta.metadata;
      out = std::move(delta);
      expect = *n + 1;
      continue;
    }
    if (torn_possible && !delta.full && *n != expect) throw torn_fold(symbol, expect - 1, *n);
    expect = *n + 1;
    if (delta.full) {
      throw Error(ErrorKind::Corruption,
                  "version chain broken: version " + std::to_string(*n) +
                      " is a full record inside the chain of version " + std::to_string(v),
                  where(symbol, v));
    }
    out.segments.insert(out.segments.end(), delta.segments.begin(), delta.segments.end());
    if (delta.metadata_given) metadata = delta.metadata;
    if (*n == v) {
      delta.segments = std::move(out.segments);
      delta.inline_segments.clear();
      delta.metadata = metadata;
      delta.full = true;
      return delta;
    }
  }
  if (torn_possible) throw torn_fold(symbol, expect - 1, v);
  throw Error(ErrorKind::Corruption,
              "version chain broken between versions " + std::to_string(rec.base_version) +
                  " and " + std::to_string(v),
              where(symbol, v));
}

VersionRecord LibraryEngine::resolve(const StorageView& view, std::string_view symbol,
                                     const AsOf& as_of) const {
  switch (as_of.kind()) {
    case AsOf::Kind::kLatest: {
      auto head = load_head(view, symbol);
      if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
      return *head;
    }
    case AsOf::Kind::kVersion: {
      auto head = load_head(view, symbol);
      if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
      if (head->version == as_of.version_number()) return *head;
      return resolve_version(view, symbol, as_of.version_number(), head->version);
    }
    case AsOf::Kind::kSnapshot: {
      validate_name("snapshot", as_of.text());
      const std::string key = keys::snapshot(library_, as_of.text());
      auto bytes = view.get(key);
      if (!bytes)
        throw Error(ErrorKind::NotFound, "no snapshot named " + as_of.text(),
                    "library " + library_);
      SnapshotRecord snap;
      try {
        snap = decode_snapshot(*bytes);
      } catch (const Error& e) {
        throw Error(e.kind(), e.message() + " (" + key + ")", "library " + library_);
      }
      for (auto& [name, record] : snap.symbols) {
        if (name == symbol) return std::move(record);
      }
      throw Error(ErrorKind::NotFound, "snapshot " + as_of.text() + " does not hold this symbol",
                  where(symbol));
    }
    case AsOf::Kind::kTime: {
      auto head = load_head(view, symbol);
      if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
      if (head->written_at <= as_of.time_point()) return *head;
      // written_at never decreases with the version number, and stored versions are a contiguous
      // range ending at the head: binary search it.
      const auto first = view.list({keys::versions_prefix(library_, symbol), {}, 1, false});
      std::uint64_t lo =
          first.empty() ? head->version : keys::version_of(first[0]).value_or(head->version);
      std::uint64_t hi = head->version;  // written after the time
      auto written_at = [&](std::uint64_t v) {
        auto bytes = view.get(keys::version(library_, symbol, v));
        if (!bytes)
          throw Error(ErrorKind::NotFound, "version " + std::to_string(v) + " is missing",
                      where(symbol));
        return decode_record(*bytes, true).written_at;
      };
      if (written_at(lo) > as_of.time_point()) {
        throw Error(ErrorKind::NotFound,
                    "no version existed at " + format_timestamp(as_of.time_point()) +
                        " (the oldest stored version was written at " +
                        format_timestamp(written_at(lo)) + ")",
                    where(symbol));
      }
      while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        (written_at(mid) <= as_of.time_point() ? lo : hi) = mid;
      }
      return resolve_version(view, symbol, lo, head->version);
    }
    case AsOf::Kind::kText: {
      const std::string& text = as_of.text();
      if (all_digits(text)) return resolve(view, symbol, AsOf::version(std::stoull(text)));
      if (is_valid_name(text) && view.get(keys::snapshot(library_, text))) {
        return resolve(view, symbol, AsOf::snapshot(text));
      }
      if (auto t = parse_timestamp(text)) return resolve(view, symbol, AsOf::time(*t));
      throw Error(ErrorKind::InvalidArgument,
                  "as_of \"" + text +
                      "\" is neither a version number, a snapshot of this library, nor a time",
                  where(symbol));
    }
  }
  throw Error("unknown as_of kind", where(symbol));
}

Table LibraryEngine::read_segments(const StorageView& view, std::string_view symbol,
                                   std::uint64_t version, const std::vector<SchemaField>& schema,
                                   const std::vector<SegmentRef>& segments, Timestamp lo,
                                   Timestamp hi, Table recycled) const {
  // An upper bound when the range cuts segments: reserving does not touch (fault in) the pages.
  std::uint64_t total = 0;
  for (const auto& s : segments) total += s.rows;
  RecycledBuffers buffers(std::move(recycled));
  Table out(buffers.take_index());
  std::vector<Timestamp>& index = out.mutable_index();
  buffer_cache::reserve(index, total);  // a recycled or parked buffer, or new memory
  for (const auto& f : schema) {
    out.mutable_columns().push_back(buffers.take_column(f.name, f.type));
    out.mutable_columns().back().reserve(total);
  }
  const SegmentSource source(view, library_, symbol);
  source.prefetch(segments);  // s3: fetches them in parallel instead of one round trip each
  for (const SegmentRef& ref : segments) {
    const bool whole = ref.index_min >= lo && ref.index_max <= hi;
    bool found = false;
    try {
      found = source.visit(ref, [&](std::string_view bytes) {
        SegmentReader reader(bytes);
        if (reader.rows() != ref.rows || reader.index_min() != ref.index_min ||
            reader.index_max() != ref.index_max) {
          throw Error(ErrorKind::Corruption,
                      "corrupt segment: header does not match the version's reference");
        }
        if (whole) {
          decode_whole_segment(reader, out);
        } else {
          decode_rows_in_range(reader, lo, hi, out);
        }
      });
    } catch (const Error& e) {
      throw Error(e.kind(), e.message(), where(symbol, version) + ", segment " + ref.key);
    }
    if (!found) {
      throw Error(ErrorKind::Corruption, "segment is missing",
                  where(symbol, version) + ", segment " + ref.key);
    }
  }
  if (!segments_ordered(segments)) out = merge_in_index_order(std::move(out));
  return out;
}

ReadResult LibraryEngine::read(std::string_view symbol, const ReadOptions& options,
                               Table recycled) const {
  validate_name("symbol", symbol);
  const std::string w = where(symbol);
  if (options.head && options.tail)
    throw Error(ErrorKind::InvalidArgument, "read: give head or tail, not both", w);
  if (options.start && options.end && *options.start > *options.end) {
    throw Error(ErrorKind::InvalidArgument,
                "read: date range start " + format_timestamp(*options.start) +
                    " is after its end " + format_timestamp(*options.end),
                w);
  }
  VersionRecord version;
  std::vector<SchemaField> schema;
  std::vector<SegmentRef> chosen;
  Table rows = on_whole_view([&](const StorageView& view) {
    version = resolve(view, symbol, options.as_of);
    schema = project(version.schema, options.columns, w);
    chosen.clear();
    for (std::size_t i : select_segments(version.segments, options)) {
      chosen.push_back(version.segments[i]);
    }
    return read_segments(view, symbol, version.version, schema, chosen,
                         options.start.value_or(std::numeric_limits<Timestamp>::min()),
                         options.end.value_or(std::numeric_limits<Timestamp>::max()),
                         std::move(recycled));
  });
  // read_segments kept only rows in the date range; head/tail trim further (the bounds below
  // are then the whole table unless head or tail cut it).
  const auto& idx = rows.index();
  std::size_t begin = 0;
  std::size_t end = idx.size();
  if (options.start) {
    begin = static_cast<std::size_t>(std::lower_bound(idx.begin(), idx.end(), *options.start) -
                                     idx.begin());
  }
  if (options.end) {
    end = static_cast<std::size_t>(std::upper_bound(idx.begin(), idx.end(), *options.end) -
                                   idx.begin());
  }
  end = std::max(begin, end);
  if (options.head) end = std::min(end, begin + *options.head);
  if (options.tail && end - begin > *options.tail) begin = end - *options.tail;
  ReadResult result;
  result.table = (begin == 0 && end == rows.num_rows()) ? std::move(rows) : rows.slice(begin, end);
  for (auto& c : result.table.mutable_columns()) {
    if (!c.has_nulls()) c.mutable_validity().clear();
  }
  result.version = version.version;
  result.metadata = version.metadata;
  result.written_at = version.written_at;
  return result;
}

}  // namespace tandem::store
