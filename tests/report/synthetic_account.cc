#include "synthetic_account.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace tandem::report::testing {
namespace {

bool is_weekend(Timestamp day) {
  std::int64_t days = day / kNanosPerDay;
  int weekday = static_cast<int>((days + 4) % 7);  // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday == 0 || weekday == 6;
}

std::vector<Timestamp> business_days(Timestamp start, std::size_t n) {
  std::vector<Timestamp> out;
  out.reserve(n);
  for (Timestamp d = day_start(start); out.size() < n; d += kNanosPerDay) {
    if (!is_weekend(d)) out.push_back(d);
  }
  return out;
}

}  // namespace

AccountData synthetic_account(const SyntheticSpec& spec) {
  std::mt19937_64 rng(spec.seed);
  std::normal_distribution<double> market_noise(0.0003, 0.011);
  std::normal_distribution<double> own_noise(0.0, 0.008);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);

  AccountData data;
  data.account_id = "BT_20240131_120000";
  data.currency = "USD";
  const std::vector<Timestamp> days = business_days(spec.start, spec.days);
  const std::size_t n_strat = spec.strategies;

  std::vector<double> equity(n_strat, spec.initial_equity_per_strategy);
  std::vector<double> price(n_strat);
  std::vector<bool> invested(n_strat, true);
  for (std::size_t s = 0; s < n_strat; ++s) {
    price[s] = 20.0 + 15.0 * static_cast<double>(s);
    data.strategies.push_back({"S" + std::to_string(s), {}});
  }
  // Each day's closing price of each strategy's symbol, for fills and snapshots below.
  std::vector<std::vector<double>> close(n_strat, std::vector<double>(days.size()));
  double bench = 100.0;
  const double cash_outside = 10'000;
  if (spec.benchmark) data.benchmark = Benchmark{"SPY.1d", {}};

  for (std::size_t d = 0; d < days.size(); ++d) {
    double market = d == 0 ? 0.0 : market_noise(rng);
    bench *= 1 + market;
    if (data.benchmark) {
      data.benchmark->close.time.push_back(days[d]);
      data.benchmark->close.value.push_back(bench);
    }
    double nlv = cash_outside, gross = 0;
    for (std::size_t s = 0; s < n_strat; ++s) {
      double beta = 0.3 + 0.15 * static_cast<double>(s);
      double asset = d == 0 ? 0.0 : beta * market + own_noise(rng);
      price[s] *= 1 + asset;
      close[s][d] = price[s];
      double exposure = invested[s] ? 0.95 : 0.0;
      equity[s] *= 1 + exposure * asset;
      if (uniform(rng) < 0.03) invested[s] = !invested[s];
      double position_value = exposure * equity[s];
      StrategyDay row;
      row.time = days[d] + 20 * 3600 * kNanosPerSecond;  // 20:00 UTC, after the US close
      row.equity = equity[s];
      row.allocated_cash = spec.initial_equity_per_strategy;
      row.position_value = position_value;
      row.unrealized_pnl = position_value * 0.01;
      row.exposure = exposure;
      data.strategies[s].days.push_back(row);
      nlv += equity[s];
      gross += position_value;
    }
    AccountDay summary;
    summary.time = days[d] + 20 * 3600 * kNanosPerSecond;
    summary.net_liquidation = nlv;
    summary.gross_position_value = gross;
    summary.total_cash = nlv - gross;
    data.summary.push_back(summary);
  }

  // Fills alternate BUY / SELL per strategy; each SELL closes the previous BUY as a round trip.
  std::vector<double> open_shares(n_strat, 0), open_price(n_strat, 0), open_commission(n_strat, 0);
  std::vector<Timestamp> open_time(n_strat, 0);
  std::uniform_int_distribution<int> share_count(10, 1000);
  for (std::size_t k = 0; k < spec.fills; ++k) {
    std::size_t d = spec.fills > 0 ? k * days.size() / spec.fills : 0;
    std::size_t s = k % n_strat;
    Timestamp t =
        days[d] + (14 * 3600 + 30 * 60 + static_cast<Timestamp>(k % 3600)) * kNanosPerSecond;
    bool buy = open_shares[s] == 0;
    double shares = buy ? share_count(rng) : open_shares[s];
    double px = close[s][d];
    FillRow f;
    f.time = t;
    f.exec_id = "0001f4e8." + std::to_string(100000 + k) + ".01.01";
    f.order_id = static_cast<std::int64_t>(k + 1);
    f.perm_id = 900000000 + static_cast<std::int64_t>(k);
    f.strategy = data.strategies[s].key;
    f.symbol = "SYM" + std::to_string(s);
    f.side = buy ? "BOT" : "SLD";
    f.shares = shares;
    f.price = px;
    f.cum_qty = shares;
    f.avg_price = px;
    f.exchange = "SMART";
    f.commission = std::clamp(0.005 * shares, 1.0, 0.01 * shares * px);
    if (!buy) f.realized_pnl = (px - open_price[s]) * shares - f.commission - open_commission[s];
    data.fills.push_back(f);

    OrderRow o;
    o.order_id = f.order_id;
    o.perm_id = f.perm_id;
    o.strategy = f.strategy;
    o.symbol = f.symbol;
    o.action = buy ? "BUY" : "SELL";
    o.quantity = shares;
    o.order_type = "MKT";
    o.tif = "DAY";
    o.time = t - kNanosPerSecond;
    o.status = "Submitted";
    o.remaining = shares;
    data.orders.push_back(o);
    o.time = t;
    o.status = "Filled";
    o.filled = shares;
    o.remaining = 0;
    o.avg_fill_price = px;
    data.orders.push_back(o);

    if (buy) {
      open_shares[s] = shares;
      open_price[s] = px;
      open_commission[s] = f.commission;
      open_time[s] = t;
    } else {
      TradeRow tr;
      tr.time = t;
      tr.strategy = f.strategy;
      tr.symbol = f.symbol;
      tr.quantity = shares;
      tr.entry_time = open_time[s];
      tr.exit_time = t;
      tr.entry_price = open_price[s];
      tr.exit_price = px;
      tr.commission = open_commission[s] + f.commission;
      tr.pnl = (px - open_price[s]) * shares - tr.commission;
      data.trades.push_back(tr);
      open_shares[s] = 0;
    }
    PortfolioRow p;
    p.time = t;
    p.symbol = f.symbol;
    p.position = open_shares[s];
    p.avg_cost = open_price[s];
    p.market_price = px;
    p.market_value = open_shares[s] * px;
    data.portfolio.push_back(p);
  }
  return data;
}

}  // namespace tandem::report::testing
