// The closest valid word offered by usage errors.
#include "cli/usage.h"

#include <gtest/gtest.h>

namespace tandem::cli {
namespace {

TEST(Closest, ATypoFindsItsWordAndAnUnrelatedWordFindsNone) {
  const std::vector<std::string> commands = {"backup", "libraries", "symbols", "copy", "verify"};
  EXPECT_EQ(closest("sybmols", commands), "symbols");
  EXPECT_EQ(closest("verfy", commands), "verify");
  EXPECT_EQ(closest("symb", commands), "symbols");  // a prefix
  EXPECT_EQ(closest("nope", commands), "");
  EXPECT_EQ(closest("--stategy", {"--strategy", "--symbols"}), "--strategy");
}

}  // namespace
}  // namespace tandem::cli
