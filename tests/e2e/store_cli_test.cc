// `tandem store ...` end to end: the built binary against a temporary lmdb:// store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "store/store.h"
#include "store/testing.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class StoreCli : public ::testing::Test {
 protected:
  std::string uri() const { return "lmdb://" + (dir_.path() / "db").string(); }

  // Runs `tandem ARGS` with TANDEM_STORE pointing at this test's store.
  CliResult tandem(std::vector<std::string> args) {
    return run_cli({std::move(args), {{"TANDEM_STORE", uri()}}, dir_.path()});
  }
  // Same, and fails the test unless it exits 0.
  std::string ok(std::vector<std::string> args) {
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    CliResult r = tandem(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << "tandem" << shown << "\nstdout:\n"
                              << r.out << "stderr:\n"
                              << r.err;
    return r.out;
  }
  std::string csv_file(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  nlohmann::json read_json(std::vector<std::string> extra) {
    std::vector<std::string> args{"store", "read", "market", "AAA", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return nlohmann::json::parse(ok(args));
  }
  std::vector<std::string> closes(const nlohmann::json& result) {
    std::vector<std::string> out;
    for (const auto& row : result["rows"]) out.push_back(row["timestamp"].get<std::string>());
    return out;
  }

  // Three daily bars: 2024-01-02..04.
  void write_three_bars() {
    ok({"store", "write", "market", "AAA", "--csv",
        csv_file("bars.csv",
                 "timestamp,open,close,volume,note\n"
                 "2024-01-02,10,10.5,100,first\n"
                 "2024-01-03,10.5,11,200,\"with, comma\"\n"
                 "2024-01-04,11,10.75,,\n")});
  }

  TempDir dir_;
};

TEST_F(StoreCli, WriteThenReadAsTableCsvAndJson) {
  EXPECT_EQ(tandem({"store", "write", "market", "AAA", "--csv",
                    csv_file("bars.csv",
                             "timestamp,open,close,volume,note\n"
                             "2024-01-02,10,10.5,100,first\n"
                             "2024-01-03,10.5,11,200,\"with, comma\"\n"
                             "2024-01-04,11,10.75,,\n")})
                .out,
            "wrote 3 rows to market/AAA: version 0\n");
  EXPECT_EQ(ok({"store", "read", "market", "AAA"}),
            "timestamp             open  close  volume  note\n"
            "2024-01-02T00:00:00Z    10   10.5     100  first\n"
            "2024-01-03T00:00:00Z  10.5     11     200  with, comma\n"
            "2024-01-04T00:00:00Z    11  10.75    null  null\n"
            "(3 rows, version 0)\n");
  EXPECT_EQ(ok({"store", "read", "market", "AAA", "--format", "csv"}),
            "timestamp,open,close,volume,note\n"
            "2024-01-02T00:00:00Z,10,10.5,100,first\n"
            "2024-01-03T00:00:00Z,10.5,11,200,\"with, comma\"\n"
            "2024-01-04T00:00:00Z,11,10.75,,\n");
  nlohmann::json json = read_json({});
  EXPECT_EQ(json["library"], "market");
  EXPECT_EQ(json["symbol"], "AAA");
  EXPECT_EQ(json["version"], 0);
  ASSERT_EQ(json["rows"].size(), 3u);
  EXPECT_EQ(json["rows"][1]["timestamp"], "2024-01-03T00:00:00Z");
  EXPECT_EQ(json["rows"][1]["close"], 11.0);
  EXPECT_EQ(json["rows"][1]["volume"], 200);
  EXPECT_EQ(json["rows"][1]["note"], "with, comma");
  EXPECT_TRUE(json["rows"][2]["volume"].is_null());
  EXPECT_EQ(json["columns"][3]["name"], "volume");
  EXPECT_EQ(json["columns"][3]["type"], "int64");
  EXPECT_EQ(ok({"store", "libraries"}), "market\n");
  EXPECT_EQ(ok({"store", "symbols", "market"}), "AAA\n");
}

TEST_F(StoreCli, AppendKeepsStoredTypesAndRefusesOlderRowsUnlessAnyOrder) {
  write_three_bars();
  // close "12" would infer int64; the stored float64 type is used instead.
  EXPECT_EQ(
      ok({"store", "append", "market", "AAA", "--csv",
          csv_file("next.csv", "timestamp,open,close,volume,note\n2024-01-05,11,12,300,x\n")}),
      "appended 1 rows to market/AAA: version 1\n");
  const std::string old = csv_file("old.csv",
                                   "timestamp,open,close,volume,note\n"
                                   "2024-01-01,9,9.5,50,late\n");
  CliResult refused = tandem({"store", "append", "market", "AAA", "--csv", old});
  EXPECT_EQ(refused.exit_code, 6);
  EXPECT_THAT(refused.err, HasSubstr("append refused"));
  EXPECT_THAT(refused.err, HasSubstr("2024-01-01T00:00:00Z is before the symbol's last"));
  EXPECT_EQ(read_json({})["version"], 1);  // nothing written

  EXPECT_EQ(ok({"store", "append", "market", "AAA", "--csv", old, "--any-order"}),
            "appended 1 rows to market/AAA: version 2\n");
  // Rows come back in index order; an any-order file may itself be unsorted.
  ok({"store", "append", "market", "AAA", "--any-order", "--csv",
      csv_file("mixed.csv",
               "timestamp,open,close,volume,note\n"
               "2024-01-06,1,1,1,b\n2023-12-31,1,1,1,a\n")});
  EXPECT_EQ(closes(read_json({})),
            (std::vector<std::string>{"2023-12-31T00:00:00Z", "2024-01-01T00:00:00Z",
                                      "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z",
                                      "2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z",
                                      "2024-01-06T00:00:00Z"}));
  // Appending to a missing symbol creates it.
  ok({"store", "append", "market", "BBB", "--csv", old});
  EXPECT_EQ(ok({"store", "symbols", "market"}), "AAA\nBBB\n");
}

TEST_F(StoreCli, ReadOptions) {
  write_three_bars();
  EXPECT_EQ(closes(read_json({"--start", "2024-01-03"})),
            (std::vector<std::string>{"2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"}));
  EXPECT_EQ(closes(read_json({"--end", "2024-01-03T00:00:00Z"})),
            (std::vector<std::string>{"2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"}));
  EXPECT_EQ(closes(read_json({"--start", "2024-01-03", "--end", "2024-01-03"})),
            (std::vector<std::string>{"2024-01-03T00:00:00Z"}));
  EXPECT_EQ(closes(read_json({"--head", "1"})), (std::vector<std::string>{"2024-01-02T00:00:00Z"}));
  EXPECT_EQ(closes(read_json({"--tail", "2"})),
            (std::vector<std::string>{"2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"}));
  EXPECT_EQ(ok({"store", "read", "market", "AAA", "--columns", "close,volume", "--format", "csv",
                "--tail", "1"}),
            "timestamp,close,volume\n2024-01-04T00:00:00Z,10.75,\n");

  CliResult both = tandem({"store", "read", "market", "AAA", "--head", "1", "--tail", "1"});
  EXPECT_NE(both.exit_code, 0);
  EXPECT_THAT(both.err, HasSubstr("excludes"));
  CliResult bad_column = tandem({"store", "read", "market", "AAA", "--columns", "nope"});
  EXPECT_EQ(bad_column.exit_code, 2);
  EXPECT_THAT(bad_column.err, HasSubstr("nope"));
  CliResult bad_time = tandem({"store", "read", "market", "AAA", "--start", "yesterday"});
  EXPECT_EQ(bad_time.exit_code, 1);
  EXPECT_THAT(bad_time.err, HasSubstr("--start"));
  CliResult bad_format = tandem({"store", "read", "market", "AAA", "--format", "xml"});
  EXPECT_NE(bad_format.exit_code, 0);
  CliResult missing = tandem({"store", "read", "market", "ZZZ"});
  EXPECT_EQ(missing.exit_code, 5);
  EXPECT_THAT(missing.err, HasSubstr("ZZZ"));
}

TEST_F(StoreCli, VersionsSnapshotsAndAsOf) {
  write_three_bars();
  const std::string v0_time = read_json({})["written_at"];
  ok({"store", "snapshot", "market", "eod"});
  ok({"store", "append", "market", "AAA", "--csv",
      csv_file("next.csv", "timestamp,open,close,volume,note\n2024-01-05,11,12,300,x\n")});
  ok({"store", "write", "market", "AAA", "--csv",
      csv_file("replace.csv", "timestamp,close\n2025-01-01,1\n")});

  const std::string versions = ok({"store", "versions", "market", "AAA"});
  EXPECT_THAT(versions, HasSubstr("version  kind    written_at"));
  EXPECT_THAT(versions, testing::ContainsRegex("\n +2  write +[0-9T:.Z-]+ +1 +1"));
  EXPECT_THAT(versions, testing::ContainsRegex("\n +1  append +[0-9T:.Z-]+ +4 +1"));
  EXPECT_THAT(versions, testing::ContainsRegex("\n +0  write +[0-9T:.Z-]+ +3 +3"));
  EXPECT_EQ(read_json({})["rows"].size(), 1u);
  EXPECT_EQ(read_json({"--as-of", "1"})["rows"].size(), 4u);
  nlohmann::json at_snapshot = read_json({"--as-of", "eod"});
  EXPECT_EQ(at_snapshot["version"], 0);
  EXPECT_EQ(at_snapshot["rows"].size(), 3u);
  nlohmann::json at_time = read_json({"--as-of", v0_time});
  EXPECT_EQ(at_time["version"], 0);
  EXPECT_THAT(ok({"store", "snapshots", "market"}), HasSubstr("eod"));
  CliResult duplicate = tandem({"store", "snapshot", "market", "eod"});
  EXPECT_EQ(duplicate.exit_code, 6);
}

TEST_F(StoreCli, VersionsPaging) {
  write_three_bars();
  for (int day = 5; day <= 7; ++day) {
    ok({"store", "append", "market", "AAA", "--csv",
        csv_file("d.csv", "timestamp,close\n2024-01-0" + std::to_string(day) + ",1\n")});
  }
  const std::string page =
      ok({"store", "versions", "market", "AAA", "--limit", "2", "--before", "3"});
  EXPECT_THAT(page, testing::ContainsRegex("\n +2  append"));
  EXPECT_THAT(page, testing::ContainsRegex("\n +1  append"));
  EXPECT_THAT(page, Not(testing::ContainsRegex("\n +3  ")));
  EXPECT_THAT(page, Not(testing::ContainsRegex("\n +0  ")));
}

TEST_F(StoreCli, PruneCompactAndStats) {
  write_three_bars();
  for (int day = 5; day <= 9; ++day) {
    ok({"store", "append", "market", "AAA", "--csv",
        csv_file("d.csv", "timestamp,close\n2024-01-0" + std::to_string(day) + ",1\n")});
  }
  const std::string before = ok({"store", "stats", "market", "AAA"});
  EXPECT_THAT(before, testing::ContainsRegex("AAA +5 +6 +6 +8 +[0-9]+ +[0-9]+ +[0-9.]+x"));
  EXPECT_THAT(ok({"store", "compact", "market", "AAA"}),
              HasSubstr("market/AAA: 6 segments -> 1 segments, version 6"));
  EXPECT_THAT(ok({"store", "stats", "market"}),
              testing::ContainsRegex("AAA +6 +7 +1 +8 .*\n\\(total\\) +7 +1 +8"));
  EXPECT_THAT(
      ok({"store", "prune", "market", "AAA"}),
      testing::ContainsRegex("pruned market/AAA: removed 6 versions and [1-9][0-9]* segments"));
  EXPECT_THAT(ok({"store", "stats", "market", "AAA"}), testing::ContainsRegex("AAA +6 +1 +1 +8"));
  EXPECT_EQ(read_json({})["rows"].size(), 8u);
  EXPECT_THAT(ok({"store", "compact", "market"}), HasSubstr("nothing to compact"));
}

TEST_F(StoreCli, VerifyNamesTheCorruptSegmentAndExitsNonZero) {
  write_three_bars();
  ok({"store", "write", "other", "X", "--csv", csv_file("x.csv", "timestamp,a\n1,1\n")});
  EXPECT_THAT(ok({"store", "verify"}), HasSubstr("market: 1 segments and"));
  std::string segment;
  {
    auto store = store::Store::open(uri());
    segment = store::testing::latest_segment_keys(*store, "market", "AAA").at(0);
    store::testing::corrupt_value(*store, segment, 40);
  }
  CliResult verify = tandem({"store", "verify"});
  EXPECT_EQ(verify.exit_code, 7);
  EXPECT_THAT(verify.out, HasSubstr("market: 1 segments and"));
  EXPECT_THAT(verify.out, HasSubstr("1 corrupt"));
  EXPECT_THAT(verify.err, HasSubstr("library market, symbol AAA, version 0, key " + segment));
  EXPECT_EQ(tandem({"store", "verify", "other"}).exit_code, 0);
  CliResult read = tandem({"store", "read", "market", "AAA"});
  EXPECT_EQ(read.exit_code, 7);
  EXPECT_THAT(read.err, HasSubstr("AAA"));
  EXPECT_EQ(read.out, "");  // never wrong data
}

TEST_F(StoreCli, MalformedCsvNamesFileLineColumnAndWritesNothing) {
  write_three_bars();
  const std::string bad = csv_file("bad.csv",
                                   "timestamp,open,close,volume,note\n"
                                   "2024-01-05,1,2,3,x\n"
                                   "2024-01-06,1,2\n");
  CliResult append = tandem({"store", "append", "market", "AAA", "--csv", bad});
  EXPECT_EQ(append.exit_code, 2);
  EXPECT_THAT(append.err, HasSubstr("tandem: error: " + bad + ":3:4: "));
  EXPECT_THAT(append.err, HasSubstr("column 'volume'"));
  EXPECT_EQ(read_json({})["version"], 0);

  CliResult typed =
      tandem({"store", "append", "market", "AAA", "--csv",
              csv_file("typed.csv", "timestamp,close\n2024-01-05,1\n2024-01-06,n/a\n")});
  EXPECT_EQ(typed.exit_code, 2);
  EXPECT_THAT(typed.err, HasSubstr("typed.csv:3:2: column 'close': 'n/a' is not a float64"));

  // A new library stays uncreated when its first write's CSV is malformed.
  const struct {
    const char* text;
    const char* where;
    const char* what;
  } cases[] = {
      {"timestamp,a\n1,\"never closed\n", ":2:2: ", "unterminated quoted field"},
      {"timestamp,a\n1,x\"y\n", ":2:2: ", "quote character inside an unquoted field"},
      {"date,a\n2024-01-01,1\n", ":1:1: ", "no 'timestamp' column"},
      {"a,timestamp\n1,2024-01-01\n2,2024-02-30\n", ":3:2: ", "'2024-02-30' is not a timestamp"},
      {"timestamp,a\n2024-01-02,1\n2024-01-01,2\n", ":3:1: ", "is before the previous row's"},
      {"timestamp,a\n2024-01-02,1,2\n", ":2:3: ", "3 fields, the header has 2"},
  };
  for (const auto& c : cases) {
    const std::string path = csv_file("new.csv", c.text);
    CliResult r = tandem({"store", "write", "fresh", "S", "--csv", path});
    EXPECT_EQ(r.exit_code, 2) << c.text;
    EXPECT_THAT(r.err, HasSubstr(path + c.where)) << c.text;
    EXPECT_THAT(r.err, HasSubstr(c.what)) << c.text;
  }
  EXPECT_EQ(ok({"store", "libraries"}), "market\n");
  CliResult missing_file = tandem({"store", "write", "fresh", "S", "--csv", "/nonexistent.csv"});
  EXPECT_EQ(missing_file.exit_code, 5);
  EXPECT_THAT(missing_file.err, HasSubstr("/nonexistent.csv: cannot open"));
}

TEST_F(StoreCli, TypesOverride) {
  ok({"store", "write", "market", "AAA", "--types", "volume=float64,code=string", "--csv",
      csv_file("t.csv", "timestamp,volume,code\n2024-01-02,100,007\n")});
  nlohmann::json json = read_json({});
  EXPECT_EQ(json["columns"][1]["type"], "float64");
  EXPECT_EQ(json["columns"][2]["type"], "string");
  EXPECT_EQ(json["rows"][0]["code"], "007");
  CliResult bad = tandem({"store", "write", "market", "AAA", "--types", "volume=decimal", "--csv",
                          csv_file("t.csv", "timestamp,volume\n2024-01-02,100\n")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--types: unknown type 'decimal' for column 'volume'"));
  CliResult absent = tandem({"store", "write", "market", "AAA", "--types", "vol=int64", "--csv",
                             csv_file("t.csv", "timestamp,volume\n2024-01-02,100\n")});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_THAT(absent.err, HasSubstr("column 'vol', which the header lacks"));
}

TEST_F(StoreCli, StoreUriFromFlagThenEnvironmentThenDefault) {
  const std::string csv = csv_file("a.csv", "timestamp,a\n1,1\n");
  const std::string flag_uri = "lmdb://" + (dir_.path() / "flag").string();
  const std::string env_uri = "lmdb://" + (dir_.path() / "env").string();
  auto run = [&](std::vector<std::string> args, std::optional<std::string> env) {
    return run_cli({std::move(args), {{"TANDEM_STORE", env}}, dir_.path()});
  };
  // --store before or after the subcommand wins over TANDEM_STORE.
  EXPECT_EQ(
      run({"--store", flag_uri, "store", "write", "lib", "F", "--csv", csv}, env_uri).exit_code, 0);
  EXPECT_EQ(
      run({"store", "write", "lib", "G", "--csv", csv, "--store", flag_uri}, env_uri).exit_code, 0);
  EXPECT_EQ(run({"store", "write", "lib", "E", "--csv", csv}, env_uri).exit_code, 0);
  EXPECT_EQ(run({"store", "write", "lib", "D", "--csv", csv}, std::nullopt).exit_code, 0);
  EXPECT_EQ(run({"--store", flag_uri, "store", "symbols", "lib"}, env_uri).out, "F\nG\n");
  EXPECT_EQ(run({"store", "symbols", "lib"}, env_uri).out, "E\n");
  // Unset (and empty) TANDEM_STORE: lmdb://./tandem-data in the working directory.
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "tandem-data"));
  EXPECT_EQ(run({"store", "symbols", "lib"}, std::nullopt).out, "D\n");
  EXPECT_EQ(run({"store", "symbols", "lib"}, std::string()).out, "D\n");

  CliResult bad_uri = run({"store", "libraries"}, std::string("ftp://nowhere"));
  EXPECT_EQ(bad_uri.exit_code, 2);
  EXPECT_THAT(bad_uri.err, HasSubstr("ftp://nowhere"));
}

TEST_F(StoreCli, BadNamesAreRefusedBeforeAnythingIsWritten) {
  const std::string csv = csv_file("a.csv", "timestamp,a\n1,1\n");
  CliResult bad_symbol = tandem({"store", "write", "market", "../x", "--csv", csv});
  EXPECT_EQ(bad_symbol.exit_code, 2);
  EXPECT_THAT(bad_symbol.err, HasSubstr("symbol"));
  CliResult bad_library = tandem({"store", "write", "a/b", "X", "--csv", csv});
  EXPECT_EQ(bad_library.exit_code, 2);
  EXPECT_THAT(bad_library.err, HasSubstr("library"));
  // Nothing was written: not even the store exists (and listing it does not create it).
  CliResult libraries = tandem({"store", "libraries"});
  EXPECT_EQ(libraries.exit_code, 5);
  EXPECT_THAT(libraries.err, HasSubstr("there is no store at"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "db"));
  EXPECT_EQ(tandem({"store", "symbols", "nope"}).exit_code, 5);
}

TEST_F(StoreCli, BackupIsAWholeStoreThatReadsTheSameAndNeverOverwrites) {
  write_three_bars();
  const std::string copy = (dir_.path() / "copy").string();
  EXPECT_THAT(ok({"store", "backup", copy}), HasSubstr("compacted"));
  CliResult from_copy = run_cli(
      {{"--store", "lmdb://" + copy, "store", "read", "market", "AAA", "--format", "csv"}, {}, {}});
  EXPECT_EQ(from_copy.exit_code, 0) << from_copy.err;
  EXPECT_EQ(from_copy.out, ok({"store", "read", "market", "AAA", "--format", "csv"}));
  CliResult again = tandem({"store", "backup", copy});
  EXPECT_EQ(again.exit_code, 6);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  CliResult memory = run_cli({{"--store", "mem://", "store", "backup", copy + "2"}, {}, {}});
  EXPECT_EQ(memory.exit_code, 2);
  EXPECT_THAT(memory.err, HasSubstr("lmdb:// stores only"));
}

// One flipped pointer in a leaf page of LMDB's tree made `verify` die of SIGBUS (issue 21). Each
// leaf page in turn gets a first node pointer far past the page, then a page type that is
// neither branch nor leaf (LMDB's MDB_CORRUPTED): whatever verify then says, it is said as a
// corruption error, never a signal.
TEST_F(StoreCli, DamagedLmdbPagesAreAnErrorNotACrash) {
  write_three_bars();
  const auto store = dir_.path() / "db";
  std::string pristine;
  {
    std::ifstream in(store / "data.mdb", std::ios::binary);
    pristine.assign(std::istreambuf_iterator<char>(in), {});
  }
  constexpr std::size_t kPage = 4096;
  int damaged_reports = 0;
  for (std::size_t page = 2; page < pristine.size() / kPage; ++page) {
    const std::size_t at = page * kPage;
    const auto flags = static_cast<unsigned char>(pristine[at + 10]);
    if ((flags & 0x02) == 0) continue;  // not a leaf (P_LEAF)
    for (const std::size_t field : {std::size_t{16}, std::size_t{10}}) {
      std::string damaged = pristine;
      // 16: the first node pointer becomes 0xfff0; 10: the page flags become 0 (no type)
      damaged[at + field] = static_cast<char>(field == 16 ? 0xf0 : 0);
      damaged[at + field + 1] = static_cast<char>(field == 16 ? 0xff : 0);
      std::ofstream(store / "data.mdb", std::ios::binary | std::ios::trunc) << damaged;
      CliResult r = tandem({"store", "verify"});
      EXPECT_LT(r.exit_code, 128) << "page " << page << " killed verify: " << r.err;
      if (r.exit_code != 0) {
        ++damaged_reports;
        EXPECT_THAT(r.err, HasSubstr("corruption")) << r.err;
        EXPECT_THAT(r.err, HasSubstr("docs/operations.md")) << r.err;
      }
    }
  }
  EXPECT_GE(damaged_reports, 1) << "no damaged page was noticed: the test proves nothing";
  std::ofstream(store / "data.mdb", std::ios::binary | std::ios::trunc) << pristine;
  ok({"store", "verify"});
}

}  // namespace
}  // namespace tandem::e2e
