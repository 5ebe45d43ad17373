// Reordering a table's rows by its index, for inputs whose rows are not in time order.
#pragma once

#include "store/table.h"

namespace tandem::csv {

// Stable sort by timestamp: rows with equal timestamps keep their relative order. No-op (and no
// copy) when the index is already non-decreasing.
void sort_rows_by_index(store::Table& table);

}  // namespace tandem::csv
