// Store::verify_keys: every key of the store, not only those the libraries' records lead to. A
// tree damaged below LMDB's notice can hold keys no record names (a segment of a version that is
// gone, data of a library whose marker is gone); they are checked here.
#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "store/keys.h"
#include "store/lmdb/catalog.h"
#include "store/segment.h"
#include "store/storage.h"
#include "store/store.h"

namespace tandem::store {
namespace {

constexpr std::size_t kPage = 1024;

std::vector<std::string_view> split(std::string_view key) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto slash = key.find('/');
    parts.push_back(key.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    key.remove_prefix(slash + 1);
  }
}

bool all_of(std::string_view s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return pred(static_cast<unsigned char>(c)) != 0;
  });
}

// What is wrong with the key's shape (store/keys.h), or empty.
std::string shape_problem(const std::vector<std::string_view>& parts) {
  const std::string_view space = parts[0];
  const std::size_t want = space == "L" ? 2 : (space == "H" || space == "P") ? 3 : 4;
  if (space.size() != 1 || std::string_view("LHPSV").find(space) == std::string_view::npos) {
    return "key outside the store's layout";
  }
  if (parts.size() != want) return "key outside the store's layout";
  for (std::size_t i = 1; i < std::min<std::size_t>(parts.size(), 3); ++i) {
    // Beside the snapshots, chain stores keep pending snapshots and the prune epoch (keys.h).
    if (space == "P" && i == 2 && keys::is_snapshot_protocol_name(parts[i])) continue;
    if (!is_valid_name(parts[i])) return "key with an invalid name";
  }
  if (space == "V" && (parts[3].size() != 20 || !all_of(parts[3], ::isdigit))) {
    return "version key without a 20-digit version";
  }
  if (space == "S" && (parts[3].size() != 32 || !all_of(parts[3], ::isxdigit))) {
    return "segment key without a 32-digit hex id";
  }
  return {};
}

}  // namespace

KeyWalkReport Store::verify_keys(const std::set<std::string>& checked_segments) const {
  KeyWalkReport report;
  const auto view = storage_->read_view();
  std::set<std::string, std::less<>> libraries;
  for (const auto& key : view->list({keys::kLibraryPrefix})) {
    libraries.emplace(keys::suffix(key, keys::kLibraryPrefix));
  }
  std::string after;
  for (;;) {
    const auto page = view->list({"", after, kPage, false});
    for (const std::string& key : page) {
      ++report.keys;
      if (key == lmdb_catalog::kCatalogKey) continue;  // checked by lmdb_check_catalog
      const auto parts = split(key);
      const std::string library = parts.size() > 1 ? std::string(parts[1]) : std::string();
      const std::string symbol =
          parts.size() > 2 && parts[0] != "P" ? std::string(parts[2]) : std::string();
      auto corrupt = [&](std::string problem) {
        report.corruptions.push_back({library, symbol, std::nullopt, key, std::move(problem)});
      };
      if (std::string problem = shape_problem(parts); !problem.empty()) {
        corrupt(std::move(problem));
        continue;
      }
      if (parts[0] != "L" && !libraries.contains(parts[1])) {
        corrupt("data of library " + library + ", which has no marker (L/" + library + ")");
      }
      if (parts[0] != "S" || checked_segments.contains(key)) continue;
      ++report.unreferenced_segments;
      try {
        view->visit(key, [&](std::string_view bytes) { (void)decode_segment(bytes); });
      } catch (const Error& e) {
        corrupt("unreferenced segment: " + e.message());
      }
    }
    if (page.size() < kPage) break;
    after = page.back();
  }
  return report;
}

}  // namespace tandem::store
