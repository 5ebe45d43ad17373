// Cash + positions marked at the close = equity, on every bar, checked against an independent
// ledger the strategy keeps from its own fills, while it trades every order type with
// commissions and slippage (and sometimes gets rejected or cancels).
#include <gtest/gtest.h>

#include <cmath>

#include "backtest/backtest_fixture.h"
#include "market_data/synthetic_bars.h"

namespace tandem::testing {
namespace {

class LedgerProbe : public strategy::Strategy {
 public:
  LedgerProbe(strategy::StrategyConfig config, double initial_cash)
      : Strategy(std::move(config)), ledger_cash_(initial_cash) {}

  void on_bar(const strategy::BarEvent& event) override {
    ++bars_;
    const double close = event.bar.close;
    // The broker's view equals the ledger's, to the cent and beyond.
    EXPECT_NEAR(broker().total_equity(), ledger_cash_ + ledger_position_ * close, 1e-6)
        << "bar " << bars_;
    EXPECT_NEAR(broker().position(event.contract), ledger_position_, 1e-12);
    for (const AccountValue& value : broker().account_values()) {
      if (value.tag == "TotalCashValue") {
        EXPECT_NEAR(value.value, ledger_cash_, 1e-6);
      }
      if (value.tag == "NetLiquidation") {
        EXPECT_NEAR(value.value, ledger_cash_ + ledger_position_ * close, 1e-6);
      }
    }
    ++checks_;

    switch (bars_ % 10) {
      case 1:
        if (ledger_position_ == 0) {
          broker().place_order(event.contract, market_order(Action::kBuy), 0.6);
        }
        break;
      case 2:
        // Twice what the account is worth: the cash account rejects it as Inactive.
        broker().place_order(
            event.contract,
            market_order(Action::kBuy, std::floor(2 * broker().total_equity() / close)));
        break;
      case 4:
        if (ledger_position_ >= 2) {
          Order order = limit_order(Action::kSell, close * 1.01, std::floor(ledger_position_ / 2));
          order.tif = TimeInForce::kGtc;
          broker().place_order(event.contract, order);
        }
        break;
      case 6:
        broker().place_order(event.contract,
                             stop_limit_order(Action::kBuy, close * 1.02, close * 1.04, 5));
        break;
      case 7:
        if (ledger_position_ > 0) {
          broker().place_order(event.contract,
                               stop_order(Action::kSell, close * 0.98, ledger_position_));
        }
        break;
      case 9:
        for (const broker::TradeHandle& trade : broker().open_trades()) {
          broker().cancel_order(trade);
        }
        break;
      case 0:
        if (ledger_position_ > 0) {
          broker().place_order(event.contract, market_order(Action::kSell, ledger_position_));
        }
        break;
      default:
        break;
    }
  }

  void on_fill(const Trade&, const Fill& fill) override {
    double sign = fill.execution.side == Action::kBuy ? 1.0 : -1.0;
    ledger_cash_ -=
        sign * fill.execution.shares * fill.execution.price + fill.commission_report.commission;
    ledger_position_ += sign * fill.execution.shares;
    ++fills_;
  }

  int bars_ = 0;
  int checks_ = 0;
  int fills_ = 0;
  double ledger_cash_;
  double ledger_position_ = 0;
};

class EquityIdentity : public BacktestTest,
                       public ::testing::WithParamInterface<exchange::FillModel> {};

TEST_P(EquityIdentity, HoldsOnEveryBar) {
  market_data::SyntheticSpec spec{"SYN", 50, 0.1, 0.45, 1e6, 42};
  write_bars(*store_, "SYN", market_data::synthetic_bars(spec, day(1), kNanosPerDay, 400, true));
  backtest::BacktestConfig config;
  config.initial_cash = 25'000;
  config.weights = {{"SYN", 1.0}};
  config.fill_model = GetParam();
  config.commission = exchange::CommissionModel::ib_fixed();
  config.slippage_bps = 5;
  backtest::Engine engine(*store_, config);
  strategy::StrategyConfig strategy_config;
  strategy_config.key = "SYN";
  strategy_config.contracts = {stock("SYN")};
  auto probe = std::make_unique<LedgerProbe>(std::move(strategy_config), config.initial_cash);
  LedgerProbe* observer = probe.get();
  engine.add_strategy(std::move(probe), "ledger_probe");
  backtest::BacktestResult result = engine.run();

  EXPECT_EQ(observer->checks_, 400);
  EXPECT_GT(observer->fills_, 40);
  EXPECT_NEAR(result.final_cash, observer->ledger_cash_, 1e-6);
  // Every order type ended somewhere: fills, cancellations and cash-account rejections.
  store::Table orders = read(result.account_id, "orders");
  std::map<std::string, int> final_statuses;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) final_statuses[orders.strings("status")[i]]++;
  EXPECT_GT(final_statuses["Filled"], 0);
  EXPECT_GT(final_statuses["Cancelled"], 0);
  EXPECT_GT(final_statuses["Inactive"], 0);
  // The daily rows obey the same identity.
  store::Table summary = read(result.account_id, "account_summary");
  for (std::size_t i = 0; i < summary.num_rows(); ++i) {
    ASSERT_NEAR(summary.float64s("net_liquidation")[i],
                summary.float64s("total_cash")[i] + summary.float64s("gross_position_value")[i],
                1e-6);
  }
  // Realized PnL of the round trips + unrealized at the end = the account's whole PnL.
  store::Table trades = read(result.account_id, "trades");
  double realized = 0;
  for (double pnl : trades.float64s("pnl")) realized += pnl;
  store::Table performance = read(result.account_id, "strategy_SYN_performance");
  double unrealized = performance.float64s("unrealized_pnl").back();
  EXPECT_NEAR(realized + unrealized, result.summary.final_equity - config.initial_cash, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(FillModels, EquityIdentity,
                         ::testing::Values(exchange::FillModel::kClose,
                                           exchange::FillModel::kNextOpen));

}  // namespace
}  // namespace tandem::testing
