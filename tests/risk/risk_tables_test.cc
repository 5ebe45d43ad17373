// general/risk_limits and ACCOUNT/halts: what `tandem risk set`, `tandem halt` and the sessions
// write and read.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "risk/risk.h"
#include "store/store.h"

namespace tandem::risk {
namespace {

TEST(RiskLimits, AssignmentsSetAndClearLimits) {
  Limits limits;
  apply_assignment(limits, "max_order_value=50000");
  apply_assignment(limits, "max_gross_leverage=1.5");
  apply_assignment(limits, "max_orders_per_minute=30");
  EXPECT_EQ(limits.describe(),
            "max_order_value=50000 max_gross_leverage=1.5 max_orders_per_minute=30");
  apply_assignment(limits, "max_gross_leverage=none");
  EXPECT_FALSE(limits.max_gross_leverage);
  EXPECT_EQ(Limits{}.describe(), "none");
}

TEST(RiskLimits, BadAssignmentsNameWhatIsWrong) {
  Limits limits;
  auto message = [&](const char* text) {
    try {
      apply_assignment(limits, text);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("max_order_value").find("expected NAME=VALUE"), std::string::npos);
  EXPECT_NE(message("max_order=5")
                .find("unknown limit 'max_order'; the limits are "
                      "max_order_value, max_position_value"),
            std::string::npos);
  EXPECT_NE(message("price_band_pct=-1").find("must be a positive number"), std::string::npos);
  EXPECT_NE(message("price_band_pct=5x").find("got '5x'"), std::string::npos);
  EXPECT_NE(message("max_orders_per_minute=2.5").find("a whole number"), std::string::npos);
  EXPECT_TRUE(limits.empty());  // nothing half-applied
}

TEST(RiskLimits, AccountIdsAndStrategyKeysAreToldApart) {
  EXPECT_EQ(guess_scope("DU1234567"), Scope::kAccount);
  EXPECT_EQ(guess_scope("U1234567"), Scope::kAccount);
  EXPECT_EQ(guess_scope("DF123"), Scope::kAccount);
  EXPECT_EQ(guess_scope("BT_20240131_143000"), Scope::kAccount);
  EXPECT_EQ(guess_scope("TQQQ"), Scope::kStrategy);
  EXPECT_EQ(guess_scope("U"), Scope::kStrategy);
  EXPECT_EQ(guess_scope("UPRO"), Scope::kStrategy);
  EXPECT_EQ(guess_scope("DUST"), Scope::kStrategy);
}

TEST(RiskLimits, TheLatestRowPerScopeAndNameWins) {
  auto store = store::Store::open("mem://");
  EXPECT_TRUE(read_limits(*store).empty());  // no general library yet
  Limits first;
  first.max_order_value = 1'000;
  write_limits(*store, Scope::kAccount, "DU1", first, 10);
  Limits key;
  key.price_band_pct = 5;
  write_limits(*store, Scope::kStrategy, "DU1", key, 11);  // a strategy keyed like an account
  Limits second;
  second.max_daily_loss = 2'000;
  write_limits(*store, Scope::kAccount, "DU1", second, 12);
  const std::vector<LimitsRow> rows = read_limits(*store);
  ASSERT_EQ(rows.size(), 2u);
  const Limits account = find_limits(rows, Scope::kAccount, "DU1");
  EXPECT_FALSE(account.max_order_value);  // replaced by the whole later row
  EXPECT_EQ(account.max_daily_loss, 2'000);
  EXPECT_EQ(find_limits(rows, Scope::kStrategy, "DU1").price_band_pct, 5);
  EXPECT_TRUE(find_limits(rows, Scope::kStrategy, "OTHER").empty());
}

TEST(Halts, RowsReadBackAndTheOneInForceIsTheLatestAtOrBefore) {
  auto store = store::Store::open("mem://");
  store::Library library = store->library("DU1");
  EXPECT_EQ(halts_head(library), 0u);
  EXPECT_TRUE(read_halts(library).empty());
  append_halt(library, HaltRow{100, true, true, false, "fat finger"});
  const std::uint64_t after_halt = halts_head(library);
  EXPECT_GT(after_halt, 0u);
  append_halt(library, HaltRow{200, false, false, false, ""});
  EXPECT_GT(halts_head(library), after_halt);
  const std::vector<HaltRow> rows = read_halts(library);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].halted);
  EXPECT_TRUE(rows[0].cancel_open);
  EXPECT_FALSE(rows[0].flatten);
  EXPECT_EQ(rows[0].reason, "fat finger");
  EXPECT_FALSE(rows[1].halted);
  EXPECT_FALSE(halt_at(rows, 99));
  EXPECT_TRUE(halt_at(rows, 100)->halted);
  EXPECT_TRUE(halt_at(rows, 199)->halted);
  EXPECT_FALSE(halt_at(rows, 200)->halted);
}

}  // namespace
}  // namespace tandem::risk
