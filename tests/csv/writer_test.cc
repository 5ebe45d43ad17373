// write_csv: the text it produces and that parse_csv reads it back to an equal table.
#include <cmath>
#include <limits>
#include <sstream>

#include "csv_test_support.h"

namespace tandem::csv {
namespace {

using store::Column;
using store::ColumnType;
using testing::ts;

std::string to_csv(const store::Table& table) {
  std::ostringstream out;
  write_csv(table, out);
  return out.str();
}

ReadOptions types_of(const store::Table& table) {
  ReadOptions options;
  for (const Column& c : table.columns()) options.types[c.name()] = c.type();
  return options;
}

TEST(CsvWrite, FormatsEachType) {
  store::Table t(std::vector<Timestamp>{ts("2024-01-31"), ts("2024-01-31T14:30:00.5Z")});
  t.with(Column::of_float64("close", {1.5, 0.1}))
      .with(Column::of_int64("volume", {100, -7}))
      .with(Column::of_bool("halted", {0, 1}))
      .with(Column::of_string("note", {"plain", "a,b \"q\""}))
      .with(Column::of_timestamp("at", {ts("2020-01-01"), 0}));
  EXPECT_EQ(to_csv(t),
            "timestamp,close,volume,halted,note,at\n"
            "2024-01-31T00:00:00Z,1.5,100,false,plain,2020-01-01T00:00:00Z\n"
            "2024-01-31T14:30:00.5Z,0.1,-7,true,\"a,b \"\"q\"\"\",1970-01-01T00:00:00Z\n");
}

TEST(CsvWrite, NullsAreEmptyAndEmptyStringsAreQuoted) {
  store::Table t(std::vector<Timestamp>{1, 2});
  Column s = Column::of_string("s", {"", "x"});
  Column f = Column::of_float64("f", {0, 2});
  f.set_validity({0, 1});
  Column n = Column::of_string("n", {"", ""});
  n.set_validity({1, 0});
  t.with(std::move(s)).with(std::move(f)).with(std::move(n));
  EXPECT_EQ(to_csv(t),
            "timestamp,s,f,n\n"
            "1970-01-01T00:00:00.000000001Z,\"\",,\"\"\n"
            "1970-01-01T00:00:00.000000002Z,x,2,\n");
}

TEST(CsvWrite, RoundTripsThroughTheReader) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // The index stays within the years 1678..2261 (the reader refuses rows outside them, see
  // IndexOutsideTheDocumentedYearsIsRefused); other timestamp columns take any int64.
  store::Table t(std::vector<Timestamp>{ts("1678-01-01"), 0, 0, ts("2261-06-30"),
                                        ts("2261-12-31T23:59:59.999999999Z")});
  Column f = Column::of_float64(
      "f", {0.1 + 0.2, -0.0, nan, std::numeric_limits<double>::infinity(), 1e-310});
  Column i = Column::of_int64("i", {INT64_MIN, INT64_MAX, 0, -1, 42});
  i.set_validity({1, 1, 0, 1, 1});
  Column s = Column::of_string("text, quoted", {" lead", "trail ", "line\nbreak\r\n", "", "\"q\""});
  s.set_validity({1, 1, 1, 1, 0});
  Column b = Column::of_bool("b", {1, 0, 1, 0, 1});
  Column at = Column::of_timestamp(
      "at", {std::numeric_limits<Timestamp>::min(), -1, 0, 1, ts("2024-02-29T12:00:00Z")});
  t.with(std::move(f)).with(std::move(i)).with(std::move(s)).with(std::move(b)).with(std::move(at));
  const std::string text = to_csv(t);
  EXPECT_EQ(parse_csv(text, "roundtrip.csv", types_of(t)), t) << text;
}

TEST(CsvWrite, IndexOutsideTheDocumentedYearsIsRefused) {
  for (Timestamp bad : {std::numeric_limits<Timestamp>::min(), ts("1677-12-31T23:59:59Z"),
                        ts("2262-01-01"), std::numeric_limits<Timestamp>::max()}) {
    store::Table t(std::vector<Timestamp>{ts("2024-01-02"), bad});
    t.with(Column::of_int64("v", {1, 2}));
    try {
      parse_csv(to_csv(t), "range.csv", types_of(t));
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      EXPECT_EQ(e.where(), "range.csv:3:1") << e.what();
      EXPECT_NE(e.message().find("1678..2261"), std::string::npos) << e.what();
    }
  }
}

TEST(CsvWrite, InferredTypesOfWrittenOhlcvMatch) {
  store::Table t(std::vector<Timestamp>{ts("2024-01-02"), ts("2024-01-03")});
  t.with(Column::of_float64("close", {10.25, 11})).with(Column::of_int64("volume", {5, 6}));
  EXPECT_EQ(parse_csv(to_csv(t), "t.csv"), t);
}

TEST(CsvWrite, NoHeaderAndOtherDelimiter) {
  store::Table t(std::vector<Timestamp>{0});
  t.with(Column::of_string("s", {"a;b"}));
  std::ostringstream out;
  write_csv(t, out, WriteOptions{.delimiter = ';', .header = false});
  EXPECT_EQ(out.str(), "1970-01-01T00:00:00Z;\"a;b\"\n");
}

TEST(TextTable, AlignsNumbersRightAndTextLeftWithNullsAndEscapes) {
  store::Table t(std::vector<Timestamp>{ts("2024-01-02"), ts("2024-01-03T09:30:00.5Z")});
  Column close = Column::of_float64("close", {10.5, 9});
  Column note = Column::of_string("note", {"two\nlines", "x"});
  note.set_validity({1, 0});
  t.with(std::move(close)).with(std::move(note)).with(Column::of_bool("ok", {1, 0}));
  std::ostringstream out;
  write_text_table(t, out);
  EXPECT_EQ(out.str(),
            "timestamp               close  note        ok\n"
            "2024-01-02T00:00:00Z     10.5  two\\nlines  true\n"
            "2024-01-03T09:30:00.5Z      9  null        false\n");
}

TEST(TextTable, EmptyTableShowsTheHeader) {
  store::Table t;
  t.with(Column::of_int64("n", {}));
  std::ostringstream out;
  write_text_table(t, out);
  EXPECT_EQ(out.str(), "timestamp  n\n");
}

TEST(JsonRows, OneObjectPerRowWithNullsForMissingAndNonFiniteValues) {
  store::Table t(std::vector<Timestamp>{ts("2024-01-02"), ts("2024-01-03")});
  Column n = Column::of_int64("n", {1, 0});
  n.set_validity({1, 0});
  t.with(std::move(n))
      .with(Column::of_float64("f", {1.5, std::numeric_limits<double>::quiet_NaN()}))
      .with(Column::of_string("s\"q", {"a\"b", "\xff"}))
      .with(Column::of_bool("b", {1, 0}))
      .with(Column::of_timestamp("at", {0, ts("2024-01-01")}));
  std::ostringstream out;
  write_json_rows(t, out);
  EXPECT_EQ(
      out.str(),
      "[\n"
      "{\"timestamp\":\"2024-01-02T00:00:00Z\",\"n\":1,\"f\":1.5,\"s\\\"q\":\"a\\\"b\","
      "\"b\":true,\"at\":\"1970-01-01T00:00:00Z\"},\n"
      "{\"timestamp\":\"2024-01-03T00:00:00Z\",\"n\":null,\"f\":null,\"s\\\"q\":\"\xEF\xBF\xBD\","
      "\"b\":false,\"at\":\"2024-01-01T00:00:00Z\"}\n"
      "]");
  std::ostringstream empty;
  write_json_rows(store::Table(), empty);
  EXPECT_EQ(empty.str(), "[]");
}

}  // namespace
}  // namespace tandem::csv
