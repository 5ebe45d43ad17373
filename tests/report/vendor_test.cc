// The charting library the report inlines (src/report/vendor) is byte for byte the file of the
// npm package pinned in tests/e2e/package-lock.json, as `npm ci` installs it: the lock file and
// the committed copy cannot drift apart (src/report/vendor/README.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/html_parts.h"

namespace tandem::report {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ReportVendor, InlinedLibraryIsThePinnedNpmPackage) {
  const fs::path source = fs::path(TANDEM_REPORT_TEST_SOURCE_DIR).parent_path().parent_path();
  const fs::path lock = source / "tests" / "e2e" / "package-lock.json";
  const nlohmann::json pinned =
      nlohmann::json::parse(slurp(lock))["packages"]["node_modules/lightweight-charts"];
  ASSERT_TRUE(pinned.is_object()) << "lightweight-charts is not pinned in " << lock;
  const std::string version = pinned["version"];
  const std::string vendored =
      slurp(source / "src" / "report" / "vendor" / "lightweight-charts.standalone.production.js");
  ASSERT_GT(vendored.size(), 100'000u);
  EXPECT_NE(vendored.find("Lightweight Charts™ v" + version + "\n"), std::string::npos)
      << "the vendored file is not version " << version;
  // What the build compiled in is the vendored file.
  EXPECT_EQ(html::charting_library(), vendored);
  const fs::path installed = source / "tests" / "e2e" / "node_modules" / "lightweight-charts" /
                             "dist" / "lightweight-charts.standalone.production.js";
  ASSERT_TRUE(fs::exists(installed)) << "run `npm ci` in tests/e2e (scripts/test does)";
  EXPECT_TRUE(slurp(installed) == vendored)
      << "src/report/vendor differs from the npm package " << version << " (README.md there)";
}

}  // namespace
}  // namespace tandem::report
