// Compaction: rewrite a symbol's small or overlapping tail segments into few large, ordered ones,
// as a new full version with the same rows in the same order.
//
// Policy. The segment list splits into an ordered prefix (each segment's rows come at or after
// the previous one's, and nothing later reaches back before them) and a disordered rest (left
// by any-order appends), which is always rewritten. Walking back from there, a segment that is
// not full joins the rewrite if it is the last one, or tiny, or no larger than what is already
// being rewritten — a binary-counter rule, so each appended row is rewritten O(log) times
// before it settles in a full segment, and a compaction after a burst of small appends touches
// only those appends. Manual compaction (aggressive) takes every segment that is not full.
#include <algorithm>
#include <limits>

#include "core/error.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/segment.h"

namespace tandem::store {
namespace {

constexpr int kMaxReplans = 1000;

// The first segment of the suffix to rewrite; segments.size() when there is nothing to do.
std::size_t plan_compaction(const std::vector<SegmentRef>& segments, std::size_t segment_rows,
                            bool aggressive) {
  const std::size_t n = segments.size();
  if (n < 2) return n;
  std::vector<Timestamp> suffix_min(n + 1, std::numeric_limits<Timestamp>::max());
  for (std::size_t i = n; i-- > 0;) {
    suffix_min[i] = std::min(suffix_min[i + 1], segments[i].index_min);
  }
  std::size_t ordered_end = n;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (segments[i].index_max > suffix_min[i + 1]) {
      ordered_end = i;
      break;
    }
  }
  std::uint64_t rewritten_rows = 0;
  for (std::size_t i = ordered_end; i < n; ++i) rewritten_rows += segments[i].rows;
  const std::uint64_t tiny = std::max<std::size_t>(1, segment_rows / 1000);
  std::size_t first = ordered_end;
  for (std::size_t i = ordered_end; i-- > 0;) {
    const std::uint64_t rows = segments[i].rows;
    if (rows >= segment_rows) break;
    if (!(aggressive || i == n - 1 || rows <= rewritten_rows || rows <= tiny)) break;
    first = i;
    rewritten_rows += rows;
  }
  return n - first <= 1 ? n : first;
}

}  // namespace

CompactResult LibraryEngine::compact(std::string_view symbol, bool aggressive) {
  // Whatever the outcome, the buffers sized for the rows rewritten are not kept (segment.h).
  struct ReleaseBuffers {
    ~ReleaseBuffers() { release_thread_buffers(); }
  } release_buffers;
  validate_name("symbol", symbol);
  const std::string w = where(symbol);
  for (int attempt = 0; attempt < kMaxReplans; ++attempt) {
    VersionRecord planned;
    std::size_t first = 0;
    Table rows;
    {
      const auto view = storage_->read_view();
      auto head = on_whole_view([&](const StorageView& v) { return load_head(v, symbol); });
      if (!head) throw Error(ErrorKind::NotFound, "no such symbol", w);
      planned = std::move(*head);
      first = plan_compaction(planned.segments, std::max<std::size_t>(1, options_.segment_rows),
                              aggressive);
      if (first == planned.segments.size()) {
        const auto n = planned.segments.size();
        return CompactResult{false, planned.version, n, n};
      }
      const std::vector<SegmentRef> region(
          planned.segments.begin() + static_cast<std::ptrdiff_t>(first), planned.segments.end());
      rows = read_segments(*view, symbol, planned.version, planned.schema, region);
    }
    std::vector<KeyValue> blobs;
    std::vector<SegmentRef> rewritten;
    encode_segments(symbol, rows, blobs, rewritten);
    const Timestamp t = now();
    CompactResult result;
    try {
      storage_->commit(std::move(blobs), [&](const StorageView& view) {
        require_library(view);
        const auto head = load_head(view, symbol);
        // Only appends may have landed since planning: same chain, planned segments a prefix.
        if (!head || head->base_version != planned.base_version ||
            head->version < planned.version || head->segments.size() < planned.segments.size()) {
          throw HeadMoved{};
        }
        for (std::size_t i = 0; i < planned.segments.size(); ++i) {
          if (head->segments[i].key != planned.segments[i].key) throw HeadMoved{};
        }
        VersionRecord rec = *head;
        rec.version = head->version + 1;
        rec.kind = VersionKind::kCompact;
        rec.written_at = std::max(t, head->written_at);
        rec.full = true;
        rec.base_version = rec.version;
        rec.appends_since_full = 0;
        rec.rows_added = 0;
        rec.metadata_given = false;
        rec.segments.assign(planned.segments.begin(),
                            planned.segments.begin() + static_cast<std::ptrdiff_t>(first));
        rec.segments.insert(rec.segments.end(), rewritten.begin(), rewritten.end());
        rec.segments.insert(
            rec.segments.end(),
            head->segments.begin() + static_cast<std::ptrdiff_t>(planned.segments.size()),
            head->segments.end());
        result = CompactResult{true, rec.version, head->segments.size(), rec.segments.size()};
        return put_version(*this, symbol, rec, rec);
      });
      return result;
    } catch (const HeadMoved&) {
      if (!aggressive) {
        // Automatic compaction yields to whoever changed the symbol; the next threshold
        // crossing compacts again.
        return CompactResult{false, planned.version, planned.segments.size(),
                             planned.segments.size()};
      }
    }
  }
  throw Error(ErrorKind::Conflict, "compaction gave up: other writers keep changing the symbol", w);
}

}  // namespace tandem::store
