// Ledger: the paper account's money and holdings, derived from its executions alone — cash,
// positions (FIFO lots, as the backtest keeps them), realized PnL, commissions — so that a
// restart or an execution correction recomputes exactly the same figures from the journal.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "broker/position_book.h"
#include "core/order.h"
#include "core/time.h"
#include "exchange/commission.h"

namespace tandem::gateway {

// One execution as the gateway reports and journals it.
struct ExecutionRecord {
  std::string exec_id;  // "<instance>.<permId>.<seq>.01"; a correction ends in ".02"
  std::int64_t perm_id = 0;
  int client_id = 0;
  int order_id = 0;
  std::string symbol;
  Action side = Action::kBuy;
  double shares = 0;
  double price = 0;
  double cum_qty = 0;    // of the order, this execution included
  double avg_price = 0;  // of those shares
  std::string order_ref;
  Timestamp time = 0;  // replay time of the execution
  double commission = 0;
  std::optional<double> realized_pnl;  // set when the execution closed shares
  // The exec id without its last ".NN" part: a correction shares it with what it replaces.
  std::string exec_key() const;
};

// Account-wide figures marked at the current prices.
struct AccountFigures {
  double cash = 0;
  double net_liquidation = 0;
  double gross_position_value = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
  double commission = 0;
};

class Ledger {
 public:
  Ledger(double initial_cash, exchange::CommissionModel commission);

  double initial_cash() const { return initial_cash_; }
  double commission_for(double shares, double price) const {
    return commission_.commission(shares, price);
  }

  // The cash account's rule, the backtest's (exchange/cash_account.h): a buy may cost (value +
  // commission) at most the cash; a sell may not exceed the shares the account holds. Returns
  // the reason when refused.
  std::optional<std::string> refuse(const std::string& symbol, Action side, double shares,
                                    double price) const;

  // Books an execution (its commission already set); returns the net PnL it realized, if it
  // closed shares.
  std::optional<double> apply(const ExecutionRecord& execution);
  // Forgets everything and books `executions` in order (after a correction or on reload).
  void rebuild(const std::vector<const ExecutionRecord*>& executions);

  double cash() const { return cash_; }
  double position(const std::string& symbol) const { return book_.quantity(symbol); }
  const broker::PositionBook& book() const { return book_; }
  // `price_of` gives the mark price of a symbol (its latest replayed close).
  AccountFigures figures(const std::function<double(const std::string&)>& price_of) const;

 private:
  double initial_cash_;
  exchange::CommissionModel commission_;
  double cash_;
  broker::PositionBook book_;
  std::vector<broker::RoundTrip> round_trips_;  // scratch for PositionBook
};

}  // namespace tandem::gateway
