// The lmdb:// catalog's incremental text (catalog_text.h) against the reference encode(): over
// random commit sequences — new libraries, new symbols, head bumps, removes, undecodable heads,
// keys the catalog ignores, txn ids crossing a digit boundary — the spliced text must equal
// encode() of the catalog apply() builds, byte for byte.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "store/lmdb/catalog.h"
#include "store/lmdb/catalog_text.h"
#include "store/record.h"

namespace tandem::store::lmdb_catalog {
namespace {

// Names chosen so that prefixes, '_' and '.' (below and above letters), case and digits all
// take part in the ordering the binary search must follow.
const std::vector<std::string> kLibraries = {"a", "ab", "a_b", "a.b", "acct", "acct2", "B", "zz"};
const std::vector<std::string> kSymbols = {"x",   "X",  "xy",  "x_y", "AAPL",
                                           "AAP", "s1", "s10", "s2",  "acct"};

std::string head_value(std::uint64_t version) {
  VersionRecord record;
  record.version = version;
  return encode_record(record);
}

class CommitGenerator {
 public:
  explicit CommitGenerator(std::uint32_t seed) : random_(seed) {}

  Mutation next() {
    Mutation m;
    const int puts = pick(0, 6);
    for (int i = 0; i < puts; ++i) {
      const int what = pick(0, 9);
      if (what == 0) {
        m.puts.push_back({"L/" + library(), "marker"});
      } else if (what == 1) {
        m.puts.push_back({"H/" + library() + "/" + symbol(), "not a record"});
      } else if (what == 2) {
        m.puts.push_back({"V/" + library() + "/" + symbol() + "/1", head_value(1)});
      } else {
        m.puts.push_back({"H/" + library() + "/" + symbol(),
                          head_value(static_cast<std::uint64_t>(
                              pick(0, 3) == 0 ? pick(1, 3) : pick(1, 100'000)))});
      }
    }
    const int removes = pick(0, 4) == 0 ? pick(1, 4) : 0;
    for (int i = 0; i < removes; ++i) {
      m.removes.push_back(pick(0, 3) == 0 ? "L/" + library() : "H/" + library() + "/" + symbol());
    }
    return m;
  }

  std::uint64_t next_txn(std::uint64_t txn) {
    // Mostly the next id; sometimes one just below a power of ten, so the txn line's length
    // changes and every line after it moves.
    if (pick(0, 20) == 0) {
      std::uint64_t power = 10;
      for (int i = pick(1, 12); i > 0; --i) power *= 10;
      return std::max(txn + 1, power - 1);
    }
    return txn + 1;
  }

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }

 private:
  const std::string& library() {
    return kLibraries[static_cast<std::size_t>(pick(0, static_cast<int>(kLibraries.size()) - 1))];
  }
  const std::string& symbol() {
    return kSymbols[static_cast<std::size_t>(pick(0, static_cast<int>(kSymbols.size()) - 1))];
  }

  std::mt19937 random_;
};

TEST(LmdbCatalogText, StartsAsTheReferenceEncoding) {
  Catalog catalog;
  catalog.txn = 42;
  catalog.libraries = {"a", "b"};
  catalog.heads[{"a", "x"}] = 3;
  CatalogText text(catalog);
  EXPECT_EQ(text.text(), encode(catalog));
  EXPECT_EQ(CatalogText(Catalog{}).text(), encode(Catalog{}));
}

TEST(LmdbCatalogText, SplicesAHeadBumpAndTheTxnLine) {
  Catalog catalog;
  catalog.txn = 9;
  catalog.libraries = {"acct"};
  catalog.heads[{"acct", "AAPL"}] = 1;
  catalog.heads[{"acct", "MSFT"}] = 99;
  CatalogText text(catalog);
  Mutation m;
  m.puts.push_back({"H/acct/MSFT", head_value(100)});
  text.apply(m);
  text.set_txn(10);
  EXPECT_EQ(text.text(), "tandem-catalog 1\ntxn 10\nL acct\nH acct AAPL 1\nH acct MSFT 100\n" +
                             std::string(text.text().substr(text.text().rfind("xxh3 "))));
  catalog.heads[{"acct", "MSFT"}] = 100;
  catalog.txn = 10;
  EXPECT_EQ(text.text(), encode(catalog));
  EXPECT_EQ(decode(text.text()).heads, catalog.heads);
}

// The property: many random commit sequences, each from an empty catalog or from a decoded
// one, with the checksum line sometimes computed between commits and sometimes not.
TEST(LmdbCatalogText, EqualsEncodeOverRandomCommitSequences) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    CommitGenerator commits(seed);
    Catalog reference;
    std::uint64_t txn = 1;
    if (seed % 3 == 0) {
      for (int i = 0; i < 20; ++i) apply(reference, commits.next());
      reference.txn = txn;
    }
    CatalogText fast(seed % 2 == 0 ? decode(encode(reference)) : reference);
    for (int commit = 0; commit < 200; ++commit) {
      const Mutation m = commits.next();
      txn = commits.next_txn(txn);
      apply(reference, m);
      reference.txn = txn;
      if (commits.pick(0, 1) == 0) {
        fast.apply(m);
      } else {
        fast.apply(edit_of(m));
      }
      fast.set_txn(txn);
      if (commits.pick(0, 4) == 0 && commit != 199) continue;  // several commits unsealed
      ASSERT_EQ(fast.text(), encode(reference)) << "seed " << seed << ", commit " << commit;
      ASSERT_EQ(fast.catalog().heads, reference.heads);
      ASSERT_EQ(fast.catalog().libraries, reference.libraries);
      if (commits.pick(0, 9) == 0) fast = CatalogText(decode(fast.text()));  // a cache miss
    }
  }
}

TEST(LmdbCatalogText, RemovesEveryLineAndAddsBack) {
  Catalog reference;
  reference.txn = 1;
  CatalogText fast(reference);
  Mutation add;
  for (const auto& lib : kLibraries) {
    add.puts.push_back({"L/" + lib, "marker"});
    for (const auto& sym : kSymbols) add.puts.push_back({"H/" + lib + "/" + sym, head_value(7)});
  }
  Mutation remove;
  for (const auto& kv : add.puts) remove.removes.push_back(kv.key);
  for (const Mutation* m : {&add, &remove, &add}) {
    apply(reference, *m);
    fast.apply(*m);
    ASSERT_EQ(fast.text(), encode(reference));
  }
  EXPECT_EQ(reference.heads.size(), kLibraries.size() * kSymbols.size());
}

}  // namespace
}  // namespace tandem::store::lmdb_catalog
