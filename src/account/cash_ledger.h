// CashLedger: a backtest's funds source (account/funds.h) — the simulated cash account's cash
// and the account's position in each instrument, marked at the market's latest closes. It
// answers the account's total equity (the sweep's hot path: cash plus the open positions, no
// lookup by name), its funds snapshot and its portfolio rows; the account core makes the
// account_summary row, account_values() and the risk figures from them.
//
// Instruments are the market's indexes 0…n-1. `Market` is any type with `size()`,
// `last_close(i)` and `contract(i)` (the backtest's MarketState); a position is only ever held
// in an instrument that has a price (it was bought at one).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "account/funds.h"
#include "broker/account_schema.h"
#include "broker/daily_rows.h"
#include "broker/position_book.h"
#include "core/time.h"

namespace tandem::account {

class CashLedger {
 public:
  // Throws tandem::Error (InvalidArgument) for an initial cash that is not a positive number.
  CashLedger(double initial_cash, std::size_t instruments, std::string currency);

  double cash() const { return cash_; }
  // The cash account's AvailableFunds: its cash.
  std::optional<double> available_funds() const { return cash_; }
  // The account's position in `instrument` (all strategies).
  double position(std::size_t instrument) const { return position_[instrument]; }

  // A fill booked: `shares` of `instrument` (negative: sold) for `cash_change` (negative: paid,
  // commission included).
  void book(std::size_t instrument, double shares, double cash_change);
  // `strategy`'s holding of `instrument` (its book's, whose nodes never move), kept for the
  // portfolio rows; true when the strategy had not traded the instrument before.
  bool add_holder(std::size_t instrument, std::size_t strategy,
                  const broker::PositionBook::Holding* holding);

  // Cash plus every open position at its latest close.
  template <class Market>
  double total_equity(const Market& market) const;
  // The open positions' absolute value at their latest closes.
  template <class Market>
  double gross_position_value(const Market& market) const;
  // NetLiquidation = total_equity; TotalCashValue, AvailableFunds and BuyingPower = the cash;
  // the PnL is the strategies' (the account is its strategies).
  template <class Market>
  FundsSnapshot snapshot(const Market& market) const;
  // A row per instrument held or traded since the last call (broker::portfolio_row_due), at
  // `time`, each given to `add(const broker::PortfolioRow&)`: the account's position at its
  // latest close, the holders' average cost (weighted by shares) and PnL. The rows are the
  // ledger's, one per instrument kept from call to call, so an instrument's symbol is copied
  // into its row once, not once a day (a backtest makes a row per held symbol per day).
  template <class Market, class Add>
  void portfolio_rows(Timestamp time, const Market& market, Add&& add);

 private:
  struct Holder {
    std::size_t strategy = 0;
    const broker::PositionBook::Holding* holding = nullptr;
  };

  double cash_;
  std::string currency_;
  std::vector<double> position_;   // by instrument, all strategies
  std::vector<std::size_t> open_;  // the instruments whose position is not 0, ascending
  // By instrument, since the last portfolio_rows() (bytes: that loop reads them all, each day).
  std::vector<char> traded_;
  std::vector<std::vector<Holder>> holders_;  // by instrument: who ever traded it, first first
  // By instrument: its portfolio row, its symbol set by its first; sized by the first
  // portfolio_rows() (a sweep's in-memory runs never ask).
  std::vector<broker::PortfolioRow> rows_;
};

template <class Market>
double CashLedger::total_equity(const Market& market) const {
  double equity = cash_;
  // Ascending: the same terms in the same order as a loop over every instrument that skips the
  // flat ones, without visiting those (each day's end asks).
  for (std::size_t i : open_) {
    equity += position_[i] * market.last_close(i) * market.contract(i).multiplier;
  }
  return equity;
}

template <class Market>
double CashLedger::gross_position_value(const Market& market) const {
  double gross = 0;
  for (std::size_t i : open_) {
    gross += std::abs(position_[i] * market.last_close(i) * market.contract(i).multiplier);
  }
  return gross;
}

template <class Market>
FundsSnapshot CashLedger::snapshot(const Market& market) const {
  FundsSnapshot funds;
  funds.net_liquidation = total_equity(market);
  funds.total_cash = cash_;
  funds.available_funds = cash_;
  funds.buying_power = cash_;
  funds.gross_position_value = gross_position_value(market);
  funds.pnl_from_strategies = true;
  funds.currency = currency_;
  return funds;
}

template <class Market, class Add>
void CashLedger::portfolio_rows(Timestamp time, const Market& market, Add&& add) {
  if (rows_.size() != position_.size()) rows_.resize(position_.size());
  for (std::size_t i = 0; i < position_.size(); ++i) {
    if (!broker::portfolio_row_due(position_[i], traded_[i])) continue;
    traded_[i] = 0;
    const auto& contract = market.contract(i);
    const double price = market.last_close(i);
    broker::PortfolioRow& row = rows_[i];
    if (row.symbol.empty()) {
      row.symbol = contract.symbol;
      row.con_id = contract.con_id;
    }
    row.time = time;
    row.position = position_[i];
    row.market_price = price;
    row.market_value = row.position * price * contract.multiplier;
    row.unrealized_pnl = 0;
    row.realized_pnl = 0;
    double cost_shares = 0;
    double cost = 0;
    for (const Holder& holder : holders_[i]) {
      row.unrealized_pnl += holder.holding->unrealized_pnl(price);
      row.realized_pnl += holder.holding->realized_pnl;
      cost_shares += std::abs(holder.holding->quantity);
      cost += std::abs(holder.holding->quantity) * holder.holding->avg_cost();
    }
    row.avg_cost = cost_shares > 0 ? cost / cost_shares : 0.0;
    add(std::as_const(row));
  }
}

}  // namespace tandem::account
