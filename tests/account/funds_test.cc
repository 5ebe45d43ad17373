// The account's funds: each mode's funds source alone (the backtest's cash ledger, live's
// reported values and portfolio) and what the account core makes of a snapshot — the
// account_summary and portfolio rows of a day, account_values(), the risk gate's facts.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "account/account_core.h"
#include "account/cash_ledger.h"
#include "account/core_test_support.h"
#include "account/reported_funds.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::account {
namespace {

using test_support::batching;
using test_support::weight;

using PositionBook = broker::PositionBook;

// What CashLedger asks of a market: its instruments with their latest closes.
struct FakeMarket {
  std::vector<Contract> contracts;
  std::vector<double> closes;
  std::size_t size() const { return contracts.size(); }
  double last_close(std::size_t i) const { return closes[i]; }
  const Contract& contract(std::size_t i) const { return contracts[i]; }
};

FakeMarket three_instruments() {
  FakeMarket market;
  market.contracts = {stock("AAA"), stock("BBB"), stock("CCC")};
  market.contracts[1].multiplier = 10;
  market.contracts[0].con_id = 11;
  market.closes = {100, 20, 5};
  return market;
}

// A fill booked as a backtest books one: into the strategy's book and the ledger.
void buy(AccountCore& core, CashLedger& ledger, std::size_t strategy, std::size_t instrument,
         const FakeMarket& market, double shares, double price, double commission = 0) {
  std::vector<broker::RoundTrip> trips;
  const Contract& contract = market.contract(instrument);
  PositionBook& book = core.strategy(strategy).book;
  book.apply_fill(contract.symbol, shares > 0 ? Action::kBuy : Action::kSell, std::abs(shares),
                  price, commission, contract.multiplier, 1, trips);
  ledger.book(instrument, shares, -(shares * price * contract.multiplier + commission));
  ledger.add_holder(instrument, strategy, book.find(contract.symbol));
}

class FundsTest : public ::testing::Test {
 protected:
  FundsTest()
      : store_(store::Store::open("mem://")),
        recorder_(store_->library("DU42")),
        core_(batching(&recorder_, &log_)) {
    core_.add_strategy("A", weight(0.5));
    core_.add_strategy("B", weight(0.5));
  }

  std::unique_ptr<store::Store> store_;
  broker::AccountRecorder recorder_;
  std::vector<std::string> log_;
  AccountCore core_;
};

TEST(CashLedgerTest, CashAndPositionsMakeTheEquityAndTheSnapshot) {
  const FakeMarket market = three_instruments();
  CashLedger ledger(10'000, market.size(), "EUR");
  EXPECT_DOUBLE_EQ(ledger.total_equity(market), 10'000);
  ledger.book(0, 10, -1'001);       // 10 AAA at 100, 1 commission
  ledger.book(1, -2, 2 * 25 * 10);  // short 2 BBB (multiplier 10) at 25
  EXPECT_DOUBLE_EQ(ledger.cash(), 10'000 - 1'001 + 500);
  EXPECT_EQ(ledger.position(0), 10);
  EXPECT_EQ(ledger.position(1), -2);
  // Marked at the closes: 10 × 100 − 2 × 20 × 10.
  EXPECT_DOUBLE_EQ(ledger.total_equity(market), 9'499 + 1'000 - 400);
  EXPECT_DOUBLE_EQ(ledger.gross_position_value(market), 1'000 + 400);

  const FundsSnapshot funds = ledger.snapshot(market);
  EXPECT_DOUBLE_EQ(*funds.net_liquidation, 10'099);
  EXPECT_DOUBLE_EQ(*funds.total_cash, 9'499);
  EXPECT_DOUBLE_EQ(*funds.available_funds, 9'499);
  EXPECT_DOUBLE_EQ(*funds.buying_power, 9'499);
  EXPECT_DOUBLE_EQ(*funds.gross_position_value, 1'400);
  EXPECT_TRUE(funds.pnl_from_strategies);
  EXPECT_EQ(funds.currency, "EUR");
  EXPECT_EQ(*ledger.available_funds(), 9'499);

  // Closed out (within rounding residue): flat, no longer in the equity.
  ledger.book(0, -10 + 1e-12, 1'100);
  EXPECT_EQ(ledger.position(0), 0);
  EXPECT_DOUBLE_EQ(ledger.total_equity(market), 10'599 - 400);
}

TEST(CashLedgerTest, ANonPositiveInitialCashIsAnInvalidArgument) {
  for (double cash : {0.0, -5.0, std::nan("")}) {
    try {
      CashLedger ledger(cash, 1, "USD");
      FAIL() << "accepted " << cash;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find("initial cash must be positive"), std::string::npos);
    }
  }
}

TEST_F(FundsTest, TheBacktestsDayRowsComeFromItsLedgerAndItsStrategies) {
  const FakeMarket market = three_instruments();
  CashLedger ledger(100'000, market.size(), "USD");
  core_.start(ledger.total_equity(market));
  buy(core_, ledger, 0, 0, market, 10, 90, 1);  // A: 10 AAA at 90
  buy(core_, ledger, 1, 0, market, 30, 98, 1);  // B: 30 AAA at 98
  buy(core_, ledger, 1, 2, market, 100, 5);     // B: 100 CCC at 5 …
  buy(core_, ledger, 1, 2, market, -100, 6);    // … sold at 6: flat, traded today
  core_.add_commission(3);                      // what fill_booked counts

  const auto price_of = [&](const std::string& symbol) -> std::optional<double> {
    for (std::size_t i = 0; i < market.size(); ++i) {
      if (market.contract(i).symbol == symbol) return market.last_close(i);
    }
    return std::nullopt;
  };
  core_.end_day(
      86'400, ledger.snapshot(market),
      [&](auto&& add) { ledger.portfolio_rows(86'400, market, add); },
      [](std::size_t) { return 0; },
      [&](std::size_t index, broker::PerformanceDay& day) {
        for (const auto& [symbol, holding] : core_.strategy(index).book.holdings()) {
          day.add(holding, price_of(symbol));
        }
      },
      price_of);

  // Portfolio: AAA held (40 at 100, average cost weighted by shares: (900+1 + 2940+1) / 40),
  // CCC traded and flat; BBB neither.
  broker::AccountRecorder::Rows& rows = core_.rows();
  ASSERT_EQ(rows.portfolio.size(), 2u);
  ASSERT_EQ(rows.account_summary.size(), 1u);
  const broker::AccountSummaryRow& summary = rows.account_summary[0];
  const double cash = 100'000 - 901 - 2'941 - 500 + 600;
  EXPECT_DOUBLE_EQ(summary.total_cash, cash);
  EXPECT_DOUBLE_EQ(summary.buying_power, cash);
  EXPECT_DOUBLE_EQ(summary.net_liquidation, cash + 4'000);
  EXPECT_DOUBLE_EQ(summary.gross_position_value, 4'000);
  // The strategies' sums: A +100 − 1 unrealized (its commission is in its average cost);
  // B +60 − 1 on AAA; B's CCC round trip +100 realized.
  EXPECT_NEAR(summary.unrealized_pnl, 99 + 59, 1e-9);
  EXPECT_NEAR(summary.realized_pnl, 100, 1e-9);
  EXPECT_DOUBLE_EQ(summary.commission, 3);
  EXPECT_EQ(rows.strategy(core_.strategy(0).recorder_slot).performance.size(), 1u);
  EXPECT_EQ(rows.strategy(core_.strategy(1).recorder_slot).performance.size(), 1u);
  EXPECT_TRUE(log_.empty());  // nothing unattributed in a backtest

  // The next day: CCC is no longer due (flat, not traded), AAA still is.
  std::vector<broker::PortfolioRow> next;
  ledger.portfolio_rows(2 * 86'400, market,
                        [&](const broker::PortfolioRow& row) { next.push_back(row); });
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].symbol, "AAA");
  EXPECT_EQ(next[0].con_id, 11);
  EXPECT_EQ(next[0].position, 40);
  EXPECT_DOUBLE_EQ(next[0].market_value, 4'000);
  EXPECT_DOUBLE_EQ(next[0].avg_cost, (901.0 + 2'941.0) / 40);
  EXPECT_NEAR(next[0].unrealized_pnl, 99 + 59, 1e-9);

  // account_values(): the same figures under IB's tags, in FundsSnapshot's order.
  const std::vector<AccountValue> values = core_.account_values(ledger.snapshot(market), price_of);
  const std::vector<std::string> tags = {"NetLiquidation", "TotalCashValue",     "AvailableFunds",
                                         "BuyingPower",    "GrossPositionValue", "UnrealizedPnL",
                                         "RealizedPnL"};
  ASSERT_EQ(values.size(), tags.size());
  for (std::size_t i = 0; i < tags.size(); ++i) {
    EXPECT_EQ(values[i].tag, tags[i]);
    EXPECT_EQ(values[i].account, "DU42");
  }
  EXPECT_EQ(values[0].value, summary.net_liquidation);
  EXPECT_EQ(values[5].value, summary.unrealized_pnl);  // summed the same way, to the bit
  EXPECT_EQ(values[6].value, summary.realized_pnl);
}

TEST(ReportedFundsTest, ValuesAreIbsAsReported) {
  ReportedFunds funds("DU42");
  EXPECT_FALSE(funds.net_liquidation());
  EXPECT_FALSE(funds.available_funds());
  try {
    (void)funds.total_equity();
    FAIL() << "a total equity before NetLiquidation arrived";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
    EXPECT_NE(std::string(e.what()).find("NetLiquidation of account DU42"), std::string::npos);
  }
  funds.account_value({"DU42", "TotalCashValue", 700, "USD"});
  EXPECT_EQ(*funds.available_funds(), 700);  // no AvailableFunds yet: the cash
  funds.account_value({"DU42", "AvailableFunds", 650, "USD"});
  funds.account_value({"DU42", "NetLiquidation", 1'000, "USD"});
  funds.account_value({"DU42", "NetLiquidation", 1'010, "USD"});  // the latest wins
  funds.account_value({"DU42", "ExcessLiquidity", 640, "USD"});
  EXPECT_EQ(*funds.available_funds(), 650);
  EXPECT_EQ(funds.total_equity(), 1'010);

  const FundsSnapshot snapshot = funds.snapshot();
  EXPECT_EQ(*snapshot.net_liquidation, 1'010);
  EXPECT_EQ(*snapshot.total_cash, 700);
  EXPECT_FALSE(snapshot.gross_position_value);
  EXPECT_FALSE(snapshot.pnl_from_strategies);
  ASSERT_EQ(snapshot.other.size(), 1u);
  EXPECT_EQ(snapshot.other[0].first, "ExcessLiquidity");
}

TEST(ReportedFundsTest, PortfolioRowsSetIbsPositionBesideTheStrategies) {
  ReportedFunds funds("DU42");
  std::vector<broker::PortfolioRow> rows;
  // Before any account update, a holding of the strategies is not called unattributed.
  funds.portfolio_rows(1, {{"AAA", 5}}, rows);
  EXPECT_TRUE(rows.empty());

  funds.account_value({"DU42", "NetLiquidation", 1'000, "USD"});
  broker::VenueHolding tqqq{.contract = stock("TQQQ"),
                            .position = 7,
                            .market_price = 50,
                            .market_value = 350,
                            .average_cost = 45,
                            .unrealized_pnl = 35,
                            .realized_pnl = 2};
  funds.holding(tqqq);
  broker::VenueHolding flat{.contract = stock("FLAT")};
  funds.holding(flat);
  broker::VenueHolding spy{.contract = stock("SPY"), .position = 3};
  funds.holding(spy);
  funds.traded("FLAT");
  EXPECT_EQ(*funds.position("TQQQ"), 7);
  EXPECT_FALSE(funds.position("QQQ"));

  // The strategies hold 4 TQQQ, 3 SPY and 5 AAA (which IB does not report).
  funds.portfolio_rows(2, {{"TQQQ", 4}, {"SPY", 3}, {"AAA", 5}}, rows);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].symbol, "AAA");
  EXPECT_EQ(rows[0].position, 0);
  EXPECT_EQ(rows[0].unattributed, -5);
  EXPECT_EQ(rows[1].symbol, "FLAT");  // traded today
  EXPECT_EQ(rows[1].unattributed, 0);
  EXPECT_EQ(rows[2].symbol, "SPY");
  EXPECT_EQ(rows[2].unattributed, 0);
  EXPECT_EQ(rows[3].symbol, "TQQQ");
  EXPECT_EQ(rows[3].position, 7);
  EXPECT_EQ(rows[3].unattributed, 3);
  EXPECT_EQ(rows[3].avg_cost, 45);
  EXPECT_EQ(rows[3].market_value, 350);
  EXPECT_EQ(rows[3].realized_pnl, 2);
  EXPECT_EQ(rows[3].time, 2);

  // The next day FLAT is neither held nor traded.
  rows.clear();
  funds.portfolio_rows(3, {{"TQQQ", 7}, {"SPY", 3}}, rows);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].symbol, "SPY");
  EXPECT_EQ(rows[1].symbol, "TQQQ");
  EXPECT_EQ(rows[1].unattributed, 0);
}

TEST_F(FundsTest, LivesDayRowsComeFromIbsFiguresAndNameTheUnattributedRest) {
  ReportedFunds funds("DU42");
  core_.start(0);
  std::vector<broker::RoundTrip> trips;
  core_.strategy(0).book.apply_fill("TQQQ", Action::kBuy, 4, 40, 0, 1, 1, trips);
  const auto end_day = [&](Timestamp time) {
    core_.end_day(
        time, funds.snapshot(),
        [&](auto&& add) {
          std::vector<broker::PortfolioRow> rows;
          funds.portfolio_rows(time, core_.attributed_positions(), rows);
          for (const broker::PortfolioRow& row : rows) add(row);
        },
        [](std::size_t) { return 0; }, [](std::size_t, broker::PerformanceDay&) {},
        [](const std::string&) { return std::nullopt; });
  };
  // No NetLiquidation yet: the performance rows, no summary row.
  end_day(1);
  EXPECT_TRUE(core_.rows().account_summary.empty());
  EXPECT_EQ(core_.rows().strategy(core_.strategy(0).recorder_slot).performance.size(), 1u);

  for (const auto& [tag, value] : std::map<std::string, double>{{"NetLiquidation", 1'000},
                                                                {"TotalCashValue", 600},
                                                                {"BuyingPower", 2'400},
                                                                {"UnrealizedPnL", 35}}) {
    funds.account_value({"DU42", tag, value, "USD"});
  }
  funds.holding(broker::VenueHolding{.contract = stock("TQQQ"), .position = 7});
  end_day(2);
  ASSERT_EQ(core_.rows().account_summary.size(), 1u);
  const broker::AccountSummaryRow& summary = core_.rows().account_summary[0];
  EXPECT_EQ(summary.net_liquidation, 1'000);
  EXPECT_EQ(summary.total_cash, 600);
  EXPECT_EQ(summary.buying_power, 2'400);
  EXPECT_EQ(summary.gross_position_value, 0);  // not reported: 0
  EXPECT_EQ(summary.unrealized_pnl, 35);       // IB's, not the strategies'
  EXPECT_EQ(summary.realized_pnl, 0);
  ASSERT_EQ(core_.rows().portfolio.size(), 1u);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_[0], "UNATTRIBUTED TQQQ: the account holds 7, its strategies 4; unattributed 3");

  // account_values(): the known figures first, in order, then IB's other tags.
  funds.account_value({"DU42", "Cushion", 0.5, "USD"});
  const std::vector<AccountValue> values =
      core_.account_values(funds.snapshot(), [](const std::string&) { return std::nullopt; });
  std::vector<std::string> tags;
  for (const AccountValue& value : values) tags.push_back(value.tag);
  EXPECT_EQ(tags, (std::vector<std::string>{"NetLiquidation", "TotalCashValue", "BuyingPower",
                                            "UnrealizedPnL", "Cushion"}));
}

TEST_F(FundsTest, TheRiskGateReadsTheSourcesPositionElseTheStrategiesSum) {
  risk::Limits account;
  account.max_position_value = 1'000;
  core_.set_risk_limits(account, {});
  std::vector<broker::RoundTrip> trips;
  core_.strategy(0).book.apply_fill("AAA", Action::kBuy, 4, 100, 0, 1, 1, trips);
  core_.strategy(1).book.apply_fill("AAA", Action::kBuy, 4, 100, 0, 1, 1, trips);
  const auto facts = [] { return risk::order_facts(market_order(Action::kBuy, 1), 10, 100, 1); };
  const auto funds = [] { return FundsSnapshot{}; };
  const auto no_price = [](const std::string&) { return std::nullopt; };
  // The strategies hold 8 together: 9 × 100 stays under 1,000.
  EXPECT_FALSE(core_.check_risk(0, "AAA", facts(), std::nullopt, funds, no_price));
  // The source says the account holds 9 (a manual trade): 10 × 100 reaches it.
  const std::optional<risk::Refusal> refusal =
      core_.check_risk(0, "AAA", facts(), 9.0, funds, no_price);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->limit, "max_position_value");
}

TEST_F(FundsTest, TheGatesFiguresAreTheSnapshotsAndTheDayStartIsNotedOnceKnown) {
  risk::Limits account;
  account.max_gross_leverage = 2;
  account.max_daily_loss = 100;
  core_.set_risk_limits(account, {});
  FundsSnapshot funds;
  int asked = 0;
  const auto snapshot = [&] {
    ++asked;
    return funds;
  };
  const auto no_price = [](const std::string&) { return std::nullopt; };
  const auto buy = [](double quantity) {
    return risk::order_facts(market_order(Action::kBuy, quantity), 10, 100, 1);
  };
  // NetLiquidation unknown: 0, so any position is infinite leverage.
  EXPECT_TRUE(core_.check_risk(0, "AAA", buy(1), 0.0, snapshot, no_price));
  EXPECT_EQ(asked, 1);
  EXPECT_FALSE(core_.account_day_start());

  funds.net_liquidation = 10'000;
  funds.gross_position_value = 15'000;
  // 15,000 + 4,000 < 2 × 10,000; the day starts at 10,000 now.
  EXPECT_FALSE(core_.check_risk(0, "AAA", buy(40), 0.0, snapshot, no_price));
  EXPECT_EQ(core_.account_day_start(), 10'000);
  // 15,000 + 5,000 reaches it.
  EXPECT_TRUE(core_.check_risk(0, "AAA", buy(50), 0.0, snapshot, no_price));
  // A loss of 100 since the day's start reaches the daily-loss limit.
  funds.net_liquidation = 9'900;
  const std::optional<risk::Refusal> refusal =
      core_.check_risk(0, "AAA", buy(1), 0.0, snapshot, no_price);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->limit, "max_daily_loss");
}

TEST_F(FundsTest, AnActiveGateKeepsTheEquitiesEachDayStartsFrom) {
  const auto price_of = [](const std::string&) -> std::optional<double> { return 110.0; };
  std::vector<broker::RoundTrip> trips;
  const auto end_day = [&](Timestamp time, double net_liquidation) {
    FundsSnapshot funds;
    funds.net_liquidation = net_liquidation;
    core_.end_day(
        time, funds, [](auto&&) {}, [](std::size_t) { return 0; },
        [](std::size_t, broker::PerformanceDay&) {}, price_of);
  };
  // No limit: nothing is kept (the marks are never asked for).
  core_.start(10'000, price_of);
  end_day(1, 9'000);
  EXPECT_FALSE(core_.account_day_start());

  risk::Limits limits;
  limits.max_daily_loss = 500;
  core_.set_risk_limits(limits, {});
  core_.start(10'000, price_of);
  EXPECT_EQ(core_.account_day_start(), 10'000);
  core_.strategy(0).book.apply_fill("AAA", Action::kBuy, 10, 100, 0, 1, 1, trips);
  end_day(2, 9'000);
  EXPECT_EQ(core_.account_day_start(), 9'000);
  // Strategy A's day starts at its capital (5,000) plus 10 AAA marked at 110: +100.
  EXPECT_DOUBLE_EQ(core_.strategy(0).day_start_equity, 5'100);
  EXPECT_DOUBLE_EQ(core_.strategy(1).day_start_equity, 5'000);
}

}  // namespace
}  // namespace tandem::account
