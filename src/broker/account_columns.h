// Column buffers for the account's per-day tables, strategy_{KEY}_performance and portfolio.
//
// A backtest makes a performance row per strategy per day and a portfolio row per held symbol
// per day (the 100-symbol benchmark: 252,000 and ~126,000 of them, most of its ~400,000 rows).
// Kept as rows, the recorder's writer first gathered each table's rows and then converted them
// to columns for the store — ~15 % of its time, on the slower of the run's two threads. These
// buffers take a row's values straight into one vector per column (about what storing the row
// struct costs the caller), gathering is a copy of whole vectors, and the store gets the vectors
// themselves as a store::Table, moved in and back: no conversion and no copy. The columns, their
// names and order are exactly those of to_table() on the row types (account_schema.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "broker/account_schema.h"
#include "store/table.h"

namespace tandem::broker {

class PerformanceColumns {
 public:
  static constexpr std::size_t kFloatColumns = 9;  // equity ... turnover, then int64 trades

  void push_back(const PerformanceRow& row);
  std::size_t size() const { return time_.size(); }
  bool empty() const { return time_.empty(); }
  std::size_t capacity() const { return time_.capacity(); }  // the rows held without growing
  void clear();                                              // keeps the capacity
  void reserve(std::size_t rows);
  // Moves the rows of `other` behind these and empties `other` (keeping its capacity).
  void take_rows(PerformanceColumns& other);
  // Calls `use` with the rows as the table to_table(std::vector<PerformanceRow>) would make.
  // The vectors are moved into the table and back afterwards, also when `use` throws.
  void with_table(const std::function<void(const store::Table&)>& use);

 private:
  std::vector<Timestamp> time_;
  std::array<std::vector<double>, kFloatColumns> floats_;
  std::vector<std::int64_t> trades_;
};

class PortfolioColumns {
 public:
  static constexpr std::size_t kFloatColumns = 7;  // after symbol and con_id

  void push_back(const PortfolioRow& row);
  std::size_t size() const { return time_.size(); }
  bool empty() const { return time_.empty(); }
  std::size_t capacity() const { return time_.capacity(); }
  void clear();
  void reserve(std::size_t rows);
  void take_rows(PortfolioColumns& other);
  // As PerformanceColumns::with_table, for to_table(std::vector<PortfolioRow>).
  void with_table(const std::function<void(const store::Table&)>& use);

 private:
  std::vector<Timestamp> time_;
  std::vector<std::string> symbol_;
  std::vector<std::int64_t> con_id_;
  std::array<std::vector<double>, kFloatColumns> floats_;
};

}  // namespace tandem::broker
