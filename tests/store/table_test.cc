// Table and Column behaviour the store relies on.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "store/store.h"

namespace tandem::store {
namespace {

TEST(Table, ConcatUnitesColumnsAndFillsNulls) {
  Table a(std::vector<Timestamp>{1, 2});
  a.add_column(Column::of_float64("x", {1, 2}));
  Table b(std::vector<Timestamp>{3});
  b.add_column(Column::of_string("s", {"z"}));
  const Table c = Table::concat({a, b});
  ASSERT_EQ(c.num_rows(), 3u);
  EXPECT_TRUE(std::isnan(c.float64s("x")[2]));
  EXPECT_TRUE(c.column("x").is_null(2));
  EXPECT_FALSE(c.column("x").is_null(0));
  EXPECT_TRUE(c.column("s").is_null(0));
  EXPECT_EQ(c.strings("s")[2], "z");
  Table bad(std::vector<Timestamp>{4});
  bad.add_column(Column::of_int64("x", {1}));
  EXPECT_THROW(Table::concat({a, bad}), Error);
}

TEST(Table, SliceAndTypedAccess) {
  Table t(std::vector<Timestamp>{1, 2, 3, 4});
  t.with(Column::of_int64("i", {1, 2, 3, 4})).with(Column::of_bool("b", {1, 0, 1, 0}));
  const Table s = t.slice(1, 3);
  EXPECT_EQ(s.index(), (std::vector<Timestamp>{2, 3}));
  EXPECT_EQ(s.int64s("i")[0], 2);
  EXPECT_THROW(t.float64s("i"), Error);
  EXPECT_THROW(t.column("nope"), Error);
  EXPECT_EQ(t.slice(3, 100).num_rows(), 1u);
  EXPECT_EQ(t.slice(5, 2).num_rows(), 0u);
}

TEST(Table, ValidityResetsNullValuesToFillers) {
  Column c = Column::of_int64("i", {5, 6, 7});
  c.set_validity({1, 0, 1});
  EXPECT_EQ(c.int64s()[1], 0);
  EXPECT_TRUE(c.has_nulls());
  c.set_validity({1, 1, 1});
  EXPECT_FALSE(c.has_nulls());
  EXPECT_TRUE(c.validity().empty());
  EXPECT_THROW(c.set_validity({1}), Error);
}

TEST(Table, EqualityTreatsNaNAsEqualAndNullsAsSignificant) {
  Table a(std::vector<Timestamp>{1});
  a.add_column(Column::of_float64("x", {std::nan("")}));
  Table b = a;
  EXPECT_EQ(a, b);
  b.mutable_columns()[0].set_validity({0});
  EXPECT_FALSE(a == b);
}

TEST(Table, ColumnTypeNamesRoundTrip) {
  for (ColumnType t : {ColumnType::kInt64, ColumnType::kFloat64, ColumnType::kBool,
                       ColumnType::kString, ColumnType::kTimestamp}) {
    EXPECT_EQ(parse_column_type(column_type_name(t)), t);
  }
  EXPECT_EQ(parse_column_type("double"), std::nullopt);
  EXPECT_EQ(parse_compression("lz4"), Compression::kLz4);
  EXPECT_EQ(parse_compression("gzip"), std::nullopt);
}

TEST(Table, ColumnNamesAreChecked) {
  EXPECT_THROW(validate_column_name(""), Error);
  EXPECT_THROW(validate_column_name("a\tb"), Error);
  EXPECT_THROW(validate_column_name(std::string(256, 'a')), Error);
  EXPECT_NO_THROW(validate_column_name("avg fill price (USD)"));
}

}  // namespace
}  // namespace tandem::store
