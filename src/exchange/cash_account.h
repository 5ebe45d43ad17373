// The cash account's rule, written once for the backtest's account and the paper gateway
// (docs/backtest.md, "Cash account"; docs/gateway.md): a fill is refused when it is a buy whose
// value plus commission exceeds the cash, or a sale of more shares than the holder holds (a
// short sale needs a margin account). Both the cash and the shares are compared with the
// system's tolerances (core/tolerance.h), so rounding residue never refuses a fill.
#pragma once

#include <string>
#include <string_view>

#include "core/contract.h"
#include "core/fill.h"
#include "core/order.h"
#include "core/tolerance.h"

namespace tandem::exchange {

// A fill about to be booked on a cash account, with what the account has.
struct CashAccountFill {
  Action side = Action::kBuy;
  std::string_view symbol;
  double shares = 0;
  double price = 0;
  double value = 0;       // shares × price × multiplier
  double commission = 0;  // for the whole fill
  double cash = 0;        // the account's cash before it
  double held = 0;        // the holder's shares of `symbol` before it
  // The strategy whose shares `held` are (a backtest books each strategy's apart): the refusal
  // names "strategy KEY"; empty: the account's (the gateway), named "the account".
  std::string_view strategy;
};

// The rule's view of an account's fill of `contract` (its multiplier gives the value), with the
// holder's `cash` and `held` shares before it; `strategy` as CashAccountFill::strategy.
inline CashAccountFill cash_account_fill(const Fill& fill, const Contract& contract, double cash,
                                         double held, std::string_view strategy) {
  return CashAccountFill{
      .side = fill.execution.side,
      .symbol = contract.symbol,
      .shares = fill.execution.shares,
      .price = fill.execution.price,
      .value = fill.execution.shares * fill.execution.price * contract.multiplier,
      .commission = fill.commission_report.commission,
      .cash = cash,
      .held = held,
      .strategy = strategy};
}

// Whether the rule refuses the fill. Inline: a backtest asks on every fill (the sweep's hot
// path), and nearly every fill passes.
inline bool cash_account_refuses(const CashAccountFill& fill) {
  if (fill.side == Action::kBuy) return fill.value + fill.commission > fill.cash + kCashEpsilon;
  return fill.shares > fill.held + kShareEpsilon;
}

// Why the rule refuses the fill — the one message of both: "cash account: buying 150 AAA at
// 100.0000 costs 15000.00 with commission 0.00, more than the available cash 10000.00", or
// "cash account: selling 5 AAA but strategy sma holds 3; short sales need a margin account".
std::string cash_account_refusal(const CashAccountFill& fill);

}  // namespace tandem::exchange
