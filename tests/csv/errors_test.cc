// Every malformed input is an Error whose where() is "FILE:LINE:COLUMN" and whose message says
// what is wrong.
#include <gmock/gmock.h>

#include "csv_test_support.h"

namespace tandem::csv {
namespace {

using ::testing::HasSubstr;
using testing::parse_error;

TEST(CsvErrors, TooManyFields) {
  Error e = parse_error("timestamp,a,b\n1,2,3\n2,3,4,5\n");
  EXPECT_EQ(e.where(), "test.csv:3:4");
  EXPECT_THAT(e.message(), HasSubstr("4 fields, the header has 3"));
}

TEST(CsvErrors, TooFewFieldsNamesTheFirstMissingColumn) {
  Error e = parse_error("timestamp,a,b\n1,2,3\n2,3\n");
  EXPECT_EQ(e.where(), "test.csv:3:3");
  EXPECT_THAT(e.message(), HasSubstr("column 'b'"));
}

TEST(CsvErrors, LineNumbersCountLineBreaksInsideQuotes) {
  Error e = parse_error("timestamp,a\n1,\"x\ny\r\nz\"\n2,b,c\n");
  EXPECT_EQ(e.where(), "test.csv:5:3");
}

TEST(CsvErrors, UnterminatedQuoteNamesWhereItOpened) {
  Error e = parse_error("timestamp,a,b\n1,x,\"never closed\n2,y,z\n");
  EXPECT_EQ(e.where(), "test.csv:2:3");
  EXPECT_THAT(e.message(), HasSubstr("unterminated quoted field"));
}

TEST(CsvErrors, QuoteInsideUnquotedField) {
  Error e = parse_error("timestamp,a\n1,ab\"c\n");
  EXPECT_EQ(e.where(), "test.csv:2:2");
  EXPECT_THAT(e.message(), HasSubstr("quote character inside an unquoted field"));
}

TEST(CsvErrors, TextAfterClosingQuote) {
  Error e = parse_error("timestamp,a,b\n1,\"ab\"c,2\n");
  EXPECT_EQ(e.where(), "test.csv:2:2");
  EXPECT_THAT(e.message(), HasSubstr("unexpected character 'c' after the closing quote"));
}

TEST(CsvErrors, MissingTimestampColumn) {
  Error e = parse_error("date,close\n2024-01-01,1\n");
  EXPECT_EQ(e.where(), "test.csv:1:1");
  EXPECT_THAT(e.message(), HasSubstr("no 'timestamp' column"));
  EXPECT_THAT(e.message(), HasSubstr("columns: date, close"));
  ReadOptions options;
  options.index_aliases = {"time"};
  EXPECT_THAT(parse_error("date,close\n", options).message(),
              HasSubstr("no 'timestamp' or 'time' column"));
}

TEST(CsvErrors, BadTimestamp) {
  Error e = parse_error("a,timestamp\nx,2024-01-01\ny,2024-13-01\n");
  EXPECT_EQ(e.where(), "test.csv:3:2");
  EXPECT_THAT(e.message(), HasSubstr("'2024-13-01' is not a timestamp"));
  EXPECT_EQ(parse_error("timestamp\nyesterday\n").where(), "test.csv:2:1");
  EXPECT_EQ(parse_error("timestamp\n2024-01-01T25:00:00\n").where(), "test.csv:2:1");
  EXPECT_EQ(parse_error("timestamp\n1.5\n").where(), "test.csv:2:1");
}

TEST(CsvErrors, TimestampOutsideInt64NanosecondsIsRefusedNotWrapped) {
  EXPECT_EQ(parse_error("timestamp\n9999-12-31\n").where(), "test.csv:2:1");
  EXPECT_EQ(parse_error("timestamp\n1500-01-01\n").where(), "test.csv:2:1");
  EXPECT_EQ(parse_error("timestamp\n99999999999999999999\n").where(), "test.csv:2:1");
}

TEST(CsvErrors, EmptyTimestamp) {
  Error e = parse_error("timestamp,a\n2024-01-01,1\n,2\n");
  EXPECT_EQ(e.where(), "test.csv:3:1");
  EXPECT_THAT(e.message(), HasSubstr("empty timestamp"));
}

TEST(CsvErrors, TimestampGoingBackwards) {
  Error e = parse_error("timestamp,a\n2024-01-02,1\n2024-01-02,1\n2024-01-01,2\n");
  EXPECT_EQ(e.where(), "test.csv:4:1");
  EXPECT_THAT(e.message(), HasSubstr("2024-01-01T00:00:00Z is before the previous row's "
                                     "2024-01-02T00:00:00Z"));
}

TEST(CsvErrors, ForcedTypeMismatchNamesColumnAndText) {
  ReadOptions options;
  options.types = parse_type_overrides("close=float64,n=int64,ok=bool,at=timestamp");
  Error e = parse_error("timestamp,close,n,ok,at\n1,1.5,1,true,1\n2,abc,1,true,1\n", options);
  EXPECT_EQ(e.where(), "test.csv:3:2");
  EXPECT_THAT(e.message(), HasSubstr("column 'close': 'abc' is not a float64"));
  EXPECT_EQ(parse_error("timestamp,close,n,ok,at\n1,1,1.5,true,1\n", options).where(),
            "test.csv:2:3");
  EXPECT_EQ(parse_error("timestamp,close,n,ok,at\n1,1,1,maybe,1\n", options).where(),
            "test.csv:2:4");
  EXPECT_EQ(parse_error("timestamp,close,n,ok,at\n1,1,1,1,soon\n", options).where(),
            "test.csv:2:5");
}

TEST(CsvErrors, TypeForAColumnTheHeaderLacks) {
  ReadOptions options;
  options.types = parse_type_overrides("volume=int64");
  Error e = parse_error("timestamp,close\n1,1\n", options);
  EXPECT_EQ(e.where(), "test.csv:1:1");
  EXPECT_THAT(e.message(), HasSubstr("column 'volume', which the header lacks"));
}

TEST(CsvErrors, IndexForcedToAnotherType) {
  ReadOptions options;
  options.types = parse_type_overrides("x=int64,timestamp=int64");
  Error e = parse_error("x,timestamp\n1,1\n", options);
  EXPECT_EQ(e.where(), "test.csv:1:2");
  EXPECT_THAT(e.message(), HasSubstr("always a timestamp"));
}

TEST(CsvErrors, DuplicateAndEmptyColumnNames) {
  Error duplicate = parse_error("timestamp,a,b,a\n");
  EXPECT_EQ(duplicate.where(), "test.csv:1:4");
  EXPECT_THAT(duplicate.message(), HasSubstr("'a' appears twice"));
  Error empty = parse_error("timestamp,,b\n");
  EXPECT_EQ(empty.where(), "test.csv:1:2");
  EXPECT_THAT(empty.message(), HasSubstr("empty name"));
}

TEST(CsvErrors, ColumnNameTheStoreRefuses) {
  ReadOptions options;
  options.index_column = "date";
  Error e = parse_error("date,timestamp\n2024-01-01,1\n", options);
  EXPECT_EQ(e.where(), "test.csv:1:2");
  EXPECT_THAT(e.message(), HasSubstr("reserved"));
}

TEST(CsvErrors, EmptyInput) {
  EXPECT_EQ(parse_error("").where(), "test.csv:1:1");
  EXPECT_THAT(parse_error("\n\n").message(), HasSubstr("no header row"));
}

TEST(CsvErrors, ControlBytesAreEscapedInMessages) {
  ReadOptions options;
  options.types = parse_type_overrides("x=int64");
  Error e = parse_error("timestamp,x\n1,a\x01\x7f\n", options);
  EXPECT_THAT(e.message(), HasSubstr("'a\\x01\\x7f'"));
}

TEST(CsvErrors, LaterErrorsAfterATypeWideningStillNameTheirLine) {
  // Column a widens to string on line 3 (forcing a second pass); the error is on line 5.
  Error e = parse_error("timestamp,a\n1,1\n2,x\n3,2\n4,5,6\n");
  EXPECT_EQ(e.where(), "test.csv:5:3");
}

}  // namespace
}  // namespace tandem::csv
