// Damage LMDB cannot see (issue 21, item 3): the page-damage cases of the issue, made on a real
// data.mdb, and `tandem store verify` naming what is gone. LMDB does not checksum its pages, so
// before the store kept a catalog each of these passed verify (exit 0) with data silently gone.
//
// LMDB's on-disk layout used here (64-bit, 4096-byte pages; lmdb's mdb.c): pages 0 and 1 are the
// meta pages, the current one has the larger txnid. A page starts with a 16-byte header: pgno
// (8), pad (2), flags (2: 1 branch, 2 leaf, 4 overflow, 8 meta), lower (2), upper (2), then the
// node pointer array (2 bytes each, (lower - 16) / 2 of them). In a meta page, after the header:
// magic (4), version (4), address (8), mapsize (8), two 48-byte MDB_db (free pages, main: pad
// (4), flags (2), depth (2), branch/leaf/overflow page counts, entries, root), last_pg, txnid;
// so the meta fields start 40 bytes into the page.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lmdb.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include "cli_runner.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kPage = 4096;
constexpr std::size_t kMainDepth = 40 + 48 + 6;  // md_depth of the main DB in a meta page
constexpr std::size_t kMainRoot = 40 + 48 + 40;  // md_root of the main DB
constexpr std::size_t kTxnId = 40 + 96 + 8;      // mm_txnid

template <typename T>
T field(const std::string& file, std::size_t at) {
  T v;
  std::memcpy(&v, file.data() + at, sizeof v);
  return v;
}
template <typename T>
void set_field(std::string& file, std::size_t at, T v) {
  std::memcpy(file.data() + at, &v, sizeof v);
}

std::string fmt_symbol(int i) { return "S" + std::to_string(100 + i); }

class LmdbDamage : public ::testing::Test {
 protected:
  std::filesystem::path store() const { return dir_.path() / "db"; }
  CliResult tandem(std::vector<std::string> args) {
    return run_cli({std::move(args), {{"TANDEM_STORE", "lmdb://" + store().string()}}, {}});
  }
  void ok(std::vector<std::string> args) {
    CliResult r = tandem(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
  }
  void write_symbol(const std::string& symbol, int rows = 3) {
    const auto csv = dir_.path() / (symbol + ".csv");
    std::ofstream out(csv);
    out << "timestamp,close\n";
    // Nanosecond timestamps from 2024-01-02.
    for (int i = 0; i < rows; ++i)
      out << 1704153600000000000 + i * 60000000000LL << "," << i << "\n";
    out.close();
    ok({"store", "write", "market", symbol, "--csv", csv.string()});
  }
  std::string data() const {
    std::ifstream in(store() / "data.mdb", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void put_data(const std::string& bytes) {
    std::ofstream(store() / "data.mdb", std::ios::binary | std::ios::trunc) << bytes;
  }
  // The offset of the current meta page (the one with the larger txnid) and of the other.
  static std::pair<std::size_t, std::size_t> metas(const std::string& file) {
    return field<std::uint64_t>(file, kTxnId) > field<std::uint64_t>(file, kPage + kTxnId)
               ? std::pair{std::size_t{0}, kPage}
               : std::pair{kPage, std::size_t{0}};
  }
  // Leaf pages reachable from the current root, in tree order.
  static std::vector<std::uint64_t> leaves(const std::string& file) {
    std::vector<std::uint64_t> out;
    const std::uint64_t root = field<std::uint64_t>(file, metas(file).first + kMainRoot);
    std::vector<std::uint64_t> stack{root};
    while (!stack.empty()) {
      const std::uint64_t page = stack.back();
      stack.pop_back();
      const std::size_t at = page * kPage;
      const auto flags = field<std::uint16_t>(file, at + 10);
      const auto lower = field<std::uint16_t>(file, at + 12);
      if (flags & 0x02) {
        out.push_back(page);
        continue;
      }
      std::vector<std::uint64_t> children;
      for (std::size_t i = 0; i < (lower - 16u) / 2; ++i) {
        const std::size_t node = at + field<std::uint16_t>(file, at + 16 + 2 * i);
        // A branch node's child: lo (2) | hi (2) << 16 | flags (2) << 32.
        children.push_back(field<std::uint16_t>(file, node) |
                           std::uint64_t{field<std::uint16_t>(file, node + 2)} << 16 |
                           std::uint64_t{field<std::uint16_t>(file, node + 4)} << 32);
      }
      stack.insert(stack.end(), children.rbegin(), children.rend());
    }
    return out;
  }

  TempDir dir_;
};

// The first case: the current meta page's root pointed at the tree the commit before
// left. Verify names the symbol that commit wrote as gone, and writes are refused until the
// loss is accepted or the store restored.
TEST_F(LmdbDamage, ARootPointedAtAnOlderTreeIsARollbackNamingWhatIsGone) {
  write_symbol("AAA");
  write_symbol("BBB");
  ok({"store", "verify"});
  std::string file = data();
  const auto [current, previous] = metas(file);
  set_field(file, current + kMainRoot, field<std::uint64_t>(file, previous + kMainRoot));
  set_field(file, current + kMainDepth, field<std::uint16_t>(file, previous + kMainDepth));
  put_data(file);

  CliResult verify = tandem({"store", "verify"});
  EXPECT_EQ(verify.exit_code, 7) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("symbol market/BBB (head version 0) is gone")) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("older tree")) << verify.out;
  EXPECT_THAT(verify.err, HasSubstr("corruption")) << verify.err;
  EXPECT_THAT(verify.err, HasSubstr("docs/operations.md")) << verify.err;

  // Writing on the rolled-back tree would make the loss the store's new state: refused.
  const auto csv = dir_.path() / "CCC.csv";
  std::ofstream(csv) << "timestamp,close\n2024-01-02,1\n";
  CliResult write = tandem({"store", "write", "market", "CCC", "--csv", csv.string()});
  EXPECT_EQ(write.exit_code, 7);
  EXPECT_THAT(write.err, HasSubstr("rolled back or damaged")) << write.err;
  EXPECT_THAT(write.err, HasSubstr("nothing was written")) << write.err;

  // Accepting the store as it is: the catalog is rebuilt from the tree, and writes go on.
  CliResult accepted = tandem({"store", "verify", "--rebuild-catalog"});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.out << accepted.err;
  ok({"store", "write", "market", "CCC", "--csv", csv.string()});
  ok({"store", "verify"});
}

// The second case: the root pointed elsewhere — here at each leaf of the tree in turn
// (a valid node, so LMDB reads a smaller store without complaint). Verify fails every time,
// never by a signal, and names what went missing.
TEST_F(LmdbDamage, ARootPointedAtAnotherNodeIsNamed) {
  for (int i = 0; i < 40; ++i) write_symbol(fmt_symbol(i), 20);
  ok({"store", "verify"});
  const std::string pristine = data();
  const auto pages = leaves(pristine);
  ASSERT_GE(pages.size(), 3u) << "the tree should span several leaves";
  int named = 0;
  for (const std::uint64_t leaf : pages) {
    std::string file = pristine;
    const std::size_t current = metas(file).first;
    set_field(file, current + kMainRoot, leaf);
    set_field(file, current + kMainDepth, std::uint16_t{1});
    put_data(file);
    CliResult verify = tandem({"store", "verify"});
    EXPECT_EQ(verify.exit_code, 7) << "leaf " << leaf << ":\n" << verify.out << verify.err;
    if (verify.out.find("is gone") != std::string::npos) ++named;
  }
  EXPECT_GE(named, static_cast<int>(pages.size()) - 1) << "verify did not name what is gone";
  put_data(pristine);
  ok({"store", "verify"});
}

// The third case: one byte of a leaf page's node pointer array changed, for every
// pointer of every leaf. The node it pointed at is then read at another offset — a garbled key,
// a key that is not found. Each must fail verify (before the catalog and the key walk some
// passed: a version record or a library marker silently unreachable).
TEST_F(LmdbDamage, AFlippedLeafPointerFailsVerify) {
  for (int i = 0; i < 6; ++i) write_symbol(fmt_symbol(i), 5);
  ok({"store", "verify"});
  const std::string pristine = data();
  int runs = 0;
  for (const std::uint64_t leaf : leaves(pristine)) {
    const std::size_t at = leaf * kPage;
    const auto lower = field<std::uint16_t>(pristine, at + 12);
    for (std::size_t i = 0; i < (lower - 16u) / 2; ++i) {
      std::string file = pristine;
      file[at + 16 + 2 * i] = static_cast<char>(file[at + 16 + 2 * i] ^ 0x08);
      put_data(file);
      CliResult verify = tandem({"store", "verify"});
      ++runs;
      EXPECT_EQ(verify.exit_code, 7) << "leaf " << leaf << " pointer " << i << ":\n"
                                     << verify.out << verify.err;
    }
  }
  EXPECT_GE(runs, 10);
  put_data(pristine);
  ok({"store", "verify"});
}

// A store written before the catalog existed (no catalog record in the tree, no side file)
// opens and verifies, saying it has none; its first write builds the catalog.
TEST_F(LmdbDamage, AStoreWithoutACatalogVerifiesAndGetsOneOnItsNextWrite) {
  write_symbol("AAA");
  {  // Back to what an older tandem left: the record deleted with LMDB itself, the file removed.
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_mapsize(env, std::size_t{1} << 30), 0);
    ASSERT_EQ(mdb_env_open(env, store().c_str(), 0, 0664), 0);
    MDB_txn* txn = nullptr;
    MDB_dbi dbi = 0;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
    MDB_val key{8, const_cast<char*>("#catalog")};
    ASSERT_EQ(mdb_del(txn, dbi, &key, nullptr), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    std::filesystem::remove(store() / "tandem-catalog");
  }
  CliResult old = tandem({"store", "verify"});
  EXPECT_EQ(old.exit_code, 0) << old.out << old.err;
  EXPECT_THAT(old.out, HasSubstr("catalog: none")) << old.out;
  EXPECT_THAT(old.out, HasSubstr("the next write builds it")) << old.out;
  write_symbol("BBB");
  CliResult built = tandem({"store", "verify"});
  EXPECT_EQ(built.exit_code, 0) << built.out << built.err;
  EXPECT_THAT(built.out, HasSubstr("catalog: ok")) << built.out;
  EXPECT_TRUE(std::filesystem::exists(store() / "tandem-catalog"));
}

// A backup (a compacted copy) is a store whose catalog matches its tree.
TEST_F(LmdbDamage, ABackupVerifies) {
  write_symbol("AAA");
  write_symbol("BBB");
  const auto copy = dir_.path() / "copy";
  ok({"store", "backup", copy.string()});
  CliResult verify = run_cli({{"--store", "lmdb://" + copy.string(), "store", "verify"}, {}, {}});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("catalog: ok")) << verify.out;
}

}  // namespace
}  // namespace tandem::e2e
