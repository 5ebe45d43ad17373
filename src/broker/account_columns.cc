#include "broker/account_columns.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace tandem::broker {
namespace {

using store::Column;
using store::Table;

// The float columns' names in to_table()'s order (account_schema.cc); push_back() fills them in
// the same order.
constexpr std::string_view kPerformanceFloats[PerformanceColumns::kFloatColumns] = {
    "equity",         "allocation", "allocated_cash", "position_value", "realized_pnl",
    "unrealized_pnl", "commission", "exposure",       "turnover"};
constexpr std::string_view kPortfolioFloats[PortfolioColumns::kFloatColumns] = {
    "position",       "avg_cost",     "market_price", "market_value",
    "unrealized_pnl", "realized_pnl", "unattributed"};

constexpr std::size_t kFirstCapacity = 32;

template <typename Value>
void move_behind(std::vector<Value>& from, std::vector<Value>& to) {
  // Not a swap of the vectors: `from` (a batch) keeps its capacity for the next rows.
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}

// Moves a table's vectors back into their buffers when it goes out of scope, however it does.
template <typename GiveBack>
struct ScopeExit {
  GiveBack give_back;
  ~ScopeExit() { give_back(); }
};
template <typename GiveBack>
ScopeExit(GiveBack) -> ScopeExit<GiveBack>;

}  // namespace

void PerformanceColumns::push_back(const PerformanceRow& row) {
  // All columns grow together, from a first capacity that holds a batch's few weeks of a
  // strategy's days (growing eleven vectors one element at a time was most of the cost).
  if (time_.size() == time_.capacity()) reserve(std::max<std::size_t>(kFirstCapacity, 2 * size()));
  time_.push_back(row.time);
  floats_[0].push_back(row.equity);
  floats_[1].push_back(row.allocation);
  floats_[2].push_back(row.allocated_cash);
  floats_[3].push_back(row.position_value);
  floats_[4].push_back(row.realized_pnl);
  floats_[5].push_back(row.unrealized_pnl);
  floats_[6].push_back(row.commission);
  floats_[7].push_back(row.exposure);
  floats_[8].push_back(row.turnover);
  trades_.push_back(row.trades);
}

void PerformanceColumns::clear() {
  time_.clear();
  for (auto& values : floats_) values.clear();
  trades_.clear();
}

void PerformanceColumns::reserve(std::size_t rows) {
  time_.reserve(rows);
  for (auto& values : floats_) values.reserve(rows);
  trades_.reserve(rows);
}

void PerformanceColumns::take_rows(PerformanceColumns& other) {
  move_behind(other.time_, time_);
  for (std::size_t i = 0; i < kFloatColumns; ++i) move_behind(other.floats_[i], floats_[i]);
  move_behind(other.trades_, trades_);
}

void PerformanceColumns::with_table(const std::function<void(const Table&)>& use) {
  Table table(std::move(time_));
  ScopeExit back{[&] {
    time_ = std::move(table.mutable_index());
    std::vector<Column>& columns = table.mutable_columns();
    for (std::size_t i = 0; i < kFloatColumns && i < columns.size(); ++i) {
      floats_[i] = std::move(columns[i].mutable_float64s());
    }
    if (columns.size() > kFloatColumns)
      trades_ = std::move(columns[kFloatColumns].mutable_int64s());
  }};
  for (std::size_t i = 0; i < kFloatColumns; ++i) {
    table.with(Column::of_float64(std::string(kPerformanceFloats[i]), std::move(floats_[i])));
  }
  table.with(Column::of_int64("trades", std::move(trades_)));
  use(table);
}

void PortfolioColumns::push_back(const PortfolioRow& row) {
  if (time_.size() == time_.capacity()) reserve(std::max<std::size_t>(kFirstCapacity, 2 * size()));
  time_.push_back(row.time);
  symbol_.push_back(row.symbol);
  con_id_.push_back(row.con_id);
  floats_[0].push_back(row.position);
  floats_[1].push_back(row.avg_cost);
  floats_[2].push_back(row.market_price);
  floats_[3].push_back(row.market_value);
  floats_[4].push_back(row.unrealized_pnl);
  floats_[5].push_back(row.realized_pnl);
  floats_[6].push_back(row.unattributed);
}

void PortfolioColumns::clear() {
  time_.clear();
  symbol_.clear();
  con_id_.clear();
  for (auto& values : floats_) values.clear();
}

void PortfolioColumns::reserve(std::size_t rows) {
  time_.reserve(rows);
  symbol_.reserve(rows);
  con_id_.reserve(rows);
  for (auto& values : floats_) values.reserve(rows);
}

void PortfolioColumns::take_rows(PortfolioColumns& other) {
  move_behind(other.time_, time_);
  move_behind(other.symbol_, symbol_);
  move_behind(other.con_id_, con_id_);
  for (std::size_t i = 0; i < kFloatColumns; ++i) move_behind(other.floats_[i], floats_[i]);
}

void PortfolioColumns::with_table(const std::function<void(const Table&)>& use) {
  Table table(std::move(time_));
  ScopeExit back{[&] {
    time_ = std::move(table.mutable_index());
    std::vector<Column>& columns = table.mutable_columns();
    if (columns.size() > 0) symbol_ = std::move(columns[0].mutable_strings());
    if (columns.size() > 1) con_id_ = std::move(columns[1].mutable_int64s());
    for (std::size_t i = 0; i < kFloatColumns && i + 2 < columns.size(); ++i) {
      floats_[i] = std::move(columns[i + 2].mutable_float64s());
    }
  }};
  table.with(Column::of_string("symbol", std::move(symbol_)));
  table.with(Column::of_int64("con_id", std::move(con_id_)));
  for (std::size_t i = 0; i < kFloatColumns; ++i) {
    table.with(Column::of_float64(std::string(kPortfolioFloats[i]), std::move(floats_[i])));
  }
  use(table);
}

}  // namespace tandem::broker
