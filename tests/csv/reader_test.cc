// parse_csv / read_csv: type inference, quoting, line endings, nulls, type overrides, the index.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "csv/csv.h"
#include "csv_test_support.h"

namespace tandem::csv {
namespace {

using store::ColumnType;
using testing::ts;

TEST(CsvRead, InfersEveryTypeFromOhlcvLikeData) {
  store::Table t = parse_csv(
      "timestamp,open,volume,halted,symbol,listed\n"
      "2024-01-02,10.5,100,false,TQQQ,2010-02-11\n"
      "2024-01-03,11,200,TRUE,TQQQ,2010-02-11T09:30:00Z\n",
      "t.csv");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.index()[0], ts("2024-01-02"));
  EXPECT_EQ(t.index()[1], ts("2024-01-03"));
  EXPECT_EQ(t.column("open").type(), ColumnType::kFloat64);
  EXPECT_EQ(t.column("volume").type(), ColumnType::kInt64);
  EXPECT_EQ(t.column("halted").type(), ColumnType::kBool);
  EXPECT_EQ(t.column("symbol").type(), ColumnType::kString);
  EXPECT_EQ(t.column("listed").type(), ColumnType::kTimestamp);
  EXPECT_EQ(t.float64s("open")[1], 11.0);
  EXPECT_EQ(t.int64s("volume")[1], 200);
  EXPECT_EQ(t.bools("halted")[0], 0);
  EXPECT_EQ(t.bools("halted")[1], 1);
  EXPECT_EQ(t.strings("symbol")[0], "TQQQ");
  EXPECT_EQ(t.timestamps("listed")[1], ts("2010-02-11T09:30:00Z"));
  EXPECT_EQ(t.column_names(),
            (std::vector<std::string>{"open", "volume", "halted", "symbol", "listed"}));
}

TEST(CsvRead, IntegersFollowedByDecimalsBecomeFloat64WithExactValues) {
  store::Table t = parse_csv("timestamp,x\n1,1\n2,-3\n3,2.5\n4,7\n", "t.csv");
  ASSERT_EQ(t.column("x").type(), ColumnType::kFloat64);
  EXPECT_EQ(std::vector<double>(t.float64s("x").begin(), t.float64s("x").end()),
            (std::vector<double>{1, -3, 2.5, 7}));
}

TEST(CsvRead, HugeIntegersFollowedByDecimalsAreReadAgainNotRounded) {
  // 2^53 + 1 is not a double; widening must parse the text again, not convert the int64.
  store::Table t = parse_csv("timestamp,x\n1,9007199254740993\n2,0.5\n", "t.csv");
  ASSERT_EQ(t.column("x").type(), ColumnType::kFloat64);
  EXPECT_EQ(t.float64s("x")[0], 9007199254740992.0);  // nearest double to the text
  EXPECT_EQ(t.float64s("x")[1], 0.5);
}

TEST(CsvRead, ALateTextValueMakesTheColumnStringKeepingEarlierTextExactly) {
  store::Table t = parse_csv("timestamp,code,n\n1,007,1\n2,1.50,2\n3,N/A,3\n", "t.csv");
  ASSERT_EQ(t.column("code").type(), ColumnType::kString);
  EXPECT_EQ(std::vector<std::string>(t.strings("code").begin(), t.strings("code").end()),
            (std::vector<std::string>{"007", "1.50", "N/A"}));
  // The other columns are unaffected by the re-read.
  EXPECT_EQ(t.column("n").type(), ColumnType::kInt64);
  EXPECT_EQ(t.int64s("n")[2], 3);
}

TEST(CsvRead, MixedBoolAndNumberOrTimestampAndNumberBecomeString) {
  store::Table t = parse_csv("timestamp,a,b\n1,true,2024-01-01\n2,1,5\n", "t.csv");
  EXPECT_EQ(t.column("a").type(), ColumnType::kString);
  EXPECT_EQ(t.column("b").type(), ColumnType::kString);
  EXPECT_EQ(t.strings("b")[0], "2024-01-01");
}

TEST(CsvRead, EmptyFieldsAreNullsInEveryType) {
  store::Table t = parse_csv(
      "timestamp,i,f,b,s,t\n"
      "1,,,,,\n"
      "2,5,1.5,true,x,2024-01-01\n"
      "3,,,,,\n",
      "t.csv");
  for (const char* name : {"i", "f", "b", "s", "t"}) {
    const store::Column& c = t.column(name);
    EXPECT_TRUE(c.is_null(0)) << name;
    EXPECT_FALSE(c.is_null(1)) << name;
    EXPECT_TRUE(c.is_null(2)) << name;
  }
  EXPECT_EQ(t.column("i").type(), ColumnType::kInt64);
  EXPECT_EQ(t.column("f").type(), ColumnType::kFloat64);
  EXPECT_EQ(t.column("b").type(), ColumnType::kBool);
  EXPECT_EQ(t.column("s").type(), ColumnType::kString);
  EXPECT_EQ(t.column("t").type(), ColumnType::kTimestamp);
  EXPECT_EQ(t.int64s("i")[1], 5);
}

TEST(CsvRead, ColumnsWithoutNullsHaveNoMask) {
  store::Table t = parse_csv("timestamp,x\n1,1\n2,2\n", "t.csv");
  EXPECT_FALSE(t.column("x").has_nulls());
}

TEST(CsvRead, AColumnWithNoValuesIsFloat64Nulls) {
  store::Table t = parse_csv("timestamp,empty,x\n1,,1\n2,,2\n", "t.csv");
  EXPECT_EQ(t.column("empty").type(), ColumnType::kFloat64);
  EXPECT_TRUE(t.column("empty").is_null(0));
  EXPECT_TRUE(t.column("empty").is_null(1));
}

TEST(CsvRead, QuotedEmptyIsAnEmptyStringButUnquotedEmptyIsNull) {
  store::Table t = parse_csv("timestamp,s\n1,\"\"\n2,\n3,a\n", "t.csv");
  const store::Column& s = t.column("s");
  EXPECT_FALSE(s.is_null(0));
  EXPECT_EQ(s.strings()[0], "");
  EXPECT_TRUE(s.is_null(1));
  EXPECT_EQ(s.strings()[2], "a");
}

TEST(CsvRead, BlankTextBeforeTheFirstStringIsKeptAsText) {
  // The first two fields look like nulls until "x" shows the column holds text.
  store::Table t = parse_csv("timestamp,s\n1,\"\"\n2,  \n3,\n4,x\n", "t.csv");
  const store::Column& s = t.column("s");
  ASSERT_EQ(s.type(), ColumnType::kString);
  EXPECT_EQ(s.strings()[0], "");
  EXPECT_FALSE(s.is_null(0));
  EXPECT_EQ(s.strings()[1], "  ");
  EXPECT_FALSE(s.is_null(1));
  EXPECT_TRUE(s.is_null(2));
  EXPECT_EQ(s.strings()[3], "x");
}

TEST(CsvRead, BlanksAroundNumbersAreIgnoredButKeptInStrings) {
  store::Table t = parse_csv("timestamp,x,s\n 2024-01-01 , 1.5 , a b \n", "t.csv");
  EXPECT_EQ(t.index()[0], ts("2024-01-01"));
  EXPECT_EQ(t.float64s("x")[0], 1.5);
  EXPECT_EQ(t.strings("s")[0], " a b ");
}

TEST(CsvRead, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  store::Table t = parse_csv(
      "timestamp,\"note, long\",n\n"
      "1,\"a,b\",1\n"
      "2,\"say \"\"hi\"\"\",2\n"
      "3,\"two\nlines\",3\n"
      "4,\"\"\"\",4\n",
      "t.csv");
  ASSERT_EQ(t.num_rows(), 4u);
  auto notes = t.strings("note, long");
  EXPECT_EQ(notes[0], "a,b");
  EXPECT_EQ(notes[1], "say \"hi\"");
  EXPECT_EQ(notes[2], "two\nlines");
  EXPECT_EQ(notes[3], "\"");
  EXPECT_EQ(t.int64s("n")[3], 4);
}

TEST(CsvRead, QuotedNumbersAreNumbers) {
  store::Table t = parse_csv("\"timestamp\",\"x\"\n\"2024-01-01\",\"1.25\"\n", "t.csv");
  EXPECT_EQ(t.column("x").type(), ColumnType::kFloat64);
  EXPECT_EQ(t.float64s("x")[0], 1.25);
}

TEST(CsvRead, CrLfLoneCrNoFinalNewlineBlankLinesAndByteOrderMark) {
  const store::Table expected = parse_csv("timestamp,x\n1,1\n2,2\n3,3\n", "t.csv");
  EXPECT_EQ(parse_csv("timestamp,x\r\n1,1\r\n2,2\r\n3,3\r\n", "t.csv"), expected);
  EXPECT_EQ(parse_csv("timestamp,x\r1,1\r2,2\r3,3", "t.csv"), expected);
  EXPECT_EQ(parse_csv("timestamp,x\n1,1\n\n2,2\r\n\r\n3,3", "t.csv"), expected);
  EXPECT_EQ(parse_csv("\xEF\xBB\xBFtimestamp,x\n1,1\n2,2\n3,3\n", "t.csv"), expected);
}

TEST(CsvRead, TrailingEmptyFieldIsNull) {
  store::Table t = parse_csv("timestamp,a,b\n1,5,\n2,6,", "t.csv");
  EXPECT_EQ(t.num_rows(), 2u);
  EXPECT_TRUE(t.column("b").is_null(0));
  EXPECT_TRUE(t.column("b").is_null(1));
}

TEST(CsvRead, IndexAcceptsDatesDateTimesZonesAndIntegerNanoseconds) {
  store::Table t = parse_csv(
      "x,timestamp\n"
      "1,2024-01-31\n"
      "2,2024-01-31T14:30:00\n"
      "3,2024-01-31 15:30:00.25+01:00\n"
      "4,1706715000250000001\n",
      "t.csv");
  ASSERT_EQ(t.num_rows(), 4u);
  EXPECT_EQ(t.index()[0], ts("2024-01-31T00:00:00Z"));
  EXPECT_EQ(t.index()[1], ts("2024-01-31T14:30:00Z"));
  EXPECT_EQ(t.index()[2], ts("2024-01-31T14:30:00.25Z"));
  EXPECT_EQ(t.index()[3], 1706715000250000001);
  EXPECT_EQ(t.column_names(), std::vector<std::string>{"x"});
}

TEST(CsvRead, EqualTimestampsAreAllowed) {
  store::Table t = parse_csv("timestamp,x\n5,1\n5,2\n5,3\n", "t.csv");
  EXPECT_EQ(t.num_rows(), 3u);
}

TEST(CsvRead, DateAliasIsTheIndexWhenTimestampIsAbsent) {
  ReadOptions options;
  options.index_aliases = {"date", "time"};
  store::Table t = parse_csv("date,close\n2024-01-02,1\n2024-01-03,2\n", "t.csv", options);
  EXPECT_EQ(t.index()[1], ts("2024-01-03"));
  EXPECT_EQ(t.column_names(), std::vector<std::string>{"close"});
  // With both present, `timestamp` is the index and `date` an ordinary column.
  store::Table both = parse_csv("date,timestamp\n2020-01-01,2024-01-02\n", "t.csv", options);
  EXPECT_EQ(both.index()[0], ts("2024-01-02"));
  EXPECT_EQ(both.column("date").type(), ColumnType::kTimestamp);
}

TEST(CsvRead, UnsortedIndexIsAcceptedWhenAllowed) {
  ReadOptions options;
  options.require_sorted_index = false;
  store::Table t = parse_csv("timestamp,x\n3,1\n1,2\n2,3\n", "t.csv", options);
  EXPECT_EQ(t.index(), (std::vector<Timestamp>{3, 1, 2}));
}

TEST(CsvRead, SortRowsOrdersByTimestampKeepingFileOrderOfEqualTimes) {
  ReadOptions options;
  options.require_sorted_index = false;
  options.sort_rows = true;
  store::Table t = parse_csv("timestamp,x,s\n3,1,a\n1,,b\n3,3,c\n1,4,d\n", "t.csv", options);
  EXPECT_EQ(t.index(), (std::vector<Timestamp>{1, 1, 3, 3}));
  EXPECT_EQ(std::vector<std::string>(t.strings("s").begin(), t.strings("s").end()),
            (std::vector<std::string>{"b", "d", "a", "c"}));
  EXPECT_TRUE(t.column("x").is_null(0));
  EXPECT_EQ(t.int64s("x")[1], 4);
  EXPECT_EQ(t.int64s("x")[2], 1);
  EXPECT_NO_THROW(t.validate("sorted"));
}

TEST(CsvRead, CustomIndexParser) {
  ReadOptions options;
  // Reads zone-less times as New York winter time (UTC-5), as a time zone option would.
  options.index_parser = [](std::string_view text) -> std::optional<Timestamp> {
    auto t = parse_timestamp(text);
    if (!t) return std::nullopt;
    return *t + 5 * 3600 * kNanosPerSecond;
  };
  store::Table t = parse_csv("timestamp\n2024-01-02T09:30:00\n", "t.csv", options);
  EXPECT_EQ(t.index()[0], ts("2024-01-02T14:30:00Z"));
}

TEST(CsvRead, HeaderOnlyGivesAnEmptyTableWithTheColumns) {
  store::Table t = parse_csv("timestamp,a,b\n", "t.csv");
  EXPECT_EQ(t.num_rows(), 0u);
  EXPECT_EQ(t.num_columns(), 2u);
}

TEST(CsvRead, ForcedTypesOverrideInference) {
  ReadOptions options;
  options.types = parse_type_overrides("volume=float64, code=string,flag=bool,at=timestamp");
  store::Table t = parse_csv(
      "timestamp,volume,code,flag,at\n"
      "1,100,007,1,1700000000000000000\n"
      "2,,42,no,2024-01-01\n"
      "3,7,\"\",yes,\n",
      "t.csv", options);
  EXPECT_EQ(t.column("volume").type(), ColumnType::kFloat64);
  EXPECT_EQ(t.float64s("volume")[0], 100.0);
  EXPECT_TRUE(t.column("volume").is_null(1));
  EXPECT_EQ(t.column("code").type(), ColumnType::kString);
  EXPECT_EQ(t.strings("code")[0], "007");
  EXPECT_EQ(t.strings("code")[2], "");
  EXPECT_EQ(t.column("flag").type(), ColumnType::kBool);
  EXPECT_EQ(std::vector<std::uint8_t>(t.bools("flag").begin(), t.bools("flag").end()),
            (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_EQ(t.column("at").type(), ColumnType::kTimestamp);
  EXPECT_EQ(t.timestamps("at")[0], 1700000000000000000);
  EXPECT_EQ(t.timestamps("at")[1], ts("2024-01-01"));
  EXPECT_TRUE(t.column("at").is_null(2));
}

TEST(CsvRead, ForcedStringKeepsNumbersVerbatimAndForcedInt64OfAnEmptyColumn) {
  ReadOptions options;
  options.types = parse_type_overrides("n=int64");
  store::Table t = parse_csv("timestamp,n\n1,\n", "t.csv", options);
  EXPECT_EQ(t.column("n").type(), ColumnType::kInt64);
  EXPECT_TRUE(t.column("n").is_null(0));
}

TEST(CsvRead, NumberSpellings) {
  store::Table t = parse_csv(
      "timestamp,f,i\n1,1e3,+5\n2,-.5,-9223372036854775808\n3,nan,9223372036854775807\n4,inf,0\n",
      "t.csv");
  ASSERT_EQ(t.column("f").type(), ColumnType::kFloat64);
  ASSERT_EQ(t.column("i").type(), ColumnType::kInt64);
  EXPECT_EQ(t.float64s("f")[0], 1000.0);
  EXPECT_EQ(t.float64s("f")[1], -0.5);
  EXPECT_TRUE(std::isnan(t.float64s("f")[2]));
  EXPECT_FALSE(t.column("f").is_null(2));  // NaN written out is a value, not a null
  EXPECT_TRUE(std::isinf(t.float64s("f")[3]));
  EXPECT_EQ(t.int64s("i")[0], 5);
  EXPECT_EQ(t.int64s("i")[1], INT64_MIN);
  EXPECT_EQ(t.int64s("i")[2], INT64_MAX);
}

TEST(CsvRead, IntegerTooLargeForInt64IsFloat64) {
  store::Table t = parse_csv("timestamp,x\n1,99999999999999999999\n", "t.csv");
  EXPECT_EQ(t.column("x").type(), ColumnType::kFloat64);
  EXPECT_EQ(t.float64s("x")[0], 1e20);
}

TEST(CsvRead, OtherDelimiter) {
  ReadOptions options;
  options.delimiter = ';';
  store::Table t = parse_csv("timestamp;x\n1;1,5\n", "t.csv", options);
  EXPECT_EQ(t.strings("x")[0], "1,5");
}

TEST(CsvRead, ReadsAFileAndNamesItInErrors) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("tandem_csv_test_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "timestamp,close\n2024-01-02,1.5\n2024-01-03,x\n";
  }
  ReadOptions options;
  options.types["close"] = ColumnType::kFloat64;
  try {
    read_csv(path, options);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), path.string() + ":3:2");
  }
  options.types.clear();
  store::Table t = read_csv(path, options);
  EXPECT_EQ(t.column("close").type(), ColumnType::kString);
  std::filesystem::remove(path);

  try {
    read_csv(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), path.string());
    EXPECT_NE(e.message().find("No such file"), std::string::npos) << e.message();
  }
}

TEST(CsvTypes, ParsesOverridesAndRefusesBadOnes) {
  auto types = parse_type_overrides("a=int,b=Float64,c=double , d=str,e=datetime,f=boolean");
  EXPECT_EQ(types.at("a"), ColumnType::kInt64);
  EXPECT_EQ(types.at("b"), ColumnType::kFloat64);
  EXPECT_EQ(types.at("c"), ColumnType::kFloat64);
  EXPECT_EQ(types.at("d"), ColumnType::kString);
  EXPECT_EQ(types.at("e"), ColumnType::kTimestamp);
  EXPECT_EQ(types.at("f"), ColumnType::kBool);
  EXPECT_THROW(parse_type_overrides("a"), Error);
  EXPECT_THROW(parse_type_overrides("=int64"), Error);
  EXPECT_THROW(parse_type_overrides("a=int64,a=float64"), Error);
  try {
    parse_type_overrides("close=flot");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("unknown type 'flot' for column 'close'"), std::string::npos);
  }
}

}  // namespace
}  // namespace tandem::csv
