// The kill switch's table: ACCOUNT/halts, append-only; the latest row decides.
#include <algorithm>

#include "core/error.h"
#include "risk/risk.h"

namespace tandem::risk {

std::vector<HaltRow> read_halts(const store::Library& library) {
  std::vector<HaltRow> rows;
  if (!library.has_symbol(kHaltsSymbol)) return rows;
  store::Table table = library.read(kHaltsSymbol).table;
  auto actions = table.strings("action");
  auto cancel_open = table.bools("cancel_open");
  auto flatten = table.bools("flatten");
  auto reasons = table.strings("reason");
  const auto& index = table.index();
  rows.reserve(table.num_rows());
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    if (actions[i] != "halt" && actions[i] != "resume") {
      throw Error(
          ErrorKind::Corruption,
          "row " + std::to_string(i) + " has action '" + actions[i] + "' (expected halt or resume)",
          library.name() + "/" + std::string(kHaltsSymbol));
    }
    rows.push_back(
        HaltRow{index[i], actions[i] == "halt", cancel_open[i] != 0, flatten[i] != 0, reasons[i]});
  }
  return rows;
}

void append_halt(store::Library& library, const HaltRow& row) {
  store::Table table({row.time});
  table.with(store::Column::of_string("action", {row.halted ? "halt" : "resume"}))
      .with(store::Column::of_bool("cancel_open", {static_cast<std::uint8_t>(row.cancel_open)}))
      .with(store::Column::of_bool("flatten", {static_cast<std::uint8_t>(row.flatten)}))
      .with(store::Column::of_string("reason", {row.reason}));
  // Any order: halts from several machines interleave; reads return them in time order.
  library.append(kHaltsSymbol, table, store::AppendMode::kAnyOrder);
}

std::uint64_t halts_head(const store::Library& library) {
  if (!library.has_symbol(kHaltsSymbol)) return 0;
  std::vector<store::VersionInfo> versions = library.list_versions(kHaltsSymbol, 1);
  // Versions count from 0: + 1 keeps 0 for "no table".
  return versions.empty() ? 0 : versions.front().version + 1;
}

std::optional<HaltRow> halt_at(const std::vector<HaltRow>& rows, Timestamp time) {
  auto after = std::upper_bound(rows.begin(), rows.end(), time,
                                [](Timestamp t, const HaltRow& row) { return t < row.time; });
  if (after == rows.begin()) return std::nullopt;
  return *std::prev(after);
}

}  // namespace tandem::risk
