#include "gateway/ledger.h"

#include <cmath>

#include "core/tolerance.h"
#include "exchange/cash_account.h"

namespace tandem::gateway {

std::string ExecutionRecord::exec_key() const {
  const std::size_t dot = exec_id.rfind('.');
  return dot == std::string::npos ? exec_id : exec_id.substr(0, dot);
}

Ledger::Ledger(double initial_cash, exchange::CommissionModel commission)
    : initial_cash_(initial_cash), commission_(commission), cash_(initial_cash) {}

std::optional<std::string> Ledger::refuse(const std::string& symbol, Action side, double shares,
                                          double price) const {
  const exchange::CashAccountFill fill{.side = side,
                                       .symbol = symbol,
                                       .shares = shares,
                                       .price = price,
                                       .value = shares * price,
                                       .commission = commission_for(shares, price),
                                       .cash = cash_,
                                       .held = book_.quantity(symbol),
                                       .strategy = {}};  // the account's shares
  if (!exchange::cash_account_refuses(fill)) return std::nullopt;
  return exchange::cash_account_refusal(fill);
}

std::optional<double> Ledger::apply(const ExecutionRecord& execution) {
  const double sign = execution.side == Action::kBuy ? 1.0 : -1.0;
  cash_ -= sign * execution.shares * execution.price + execution.commission;
  round_trips_.clear();
  broker::FillEffect effect =
      book_.apply_fill(execution.symbol, execution.side, execution.shares, execution.price,
                       execution.commission, 1.0, execution.time, round_trips_);
  if (!effect.closed_any) return std::nullopt;
  return effect.realized_pnl;
}

void Ledger::rebuild(const std::vector<const ExecutionRecord*>& executions) {
  cash_ = initial_cash_;
  book_ = broker::PositionBook();
  for (const ExecutionRecord* execution : executions) apply(*execution);
}

AccountFigures Ledger::figures(const std::function<double(const std::string&)>& price_of) const {
  AccountFigures f;
  f.cash = cash_;
  for (const auto& [symbol, holding] : book_.holdings()) {
    if (std::abs(holding.quantity) <= kShareEpsilon) continue;
    const double price = price_of(symbol);
    const double value = holding.market_value(price);
    f.gross_position_value += std::abs(value);
    f.net_liquidation += value;
    f.unrealized_pnl += holding.unrealized_pnl(price);
  }
  f.net_liquidation += cash_;
  f.realized_pnl = book_.realized_pnl();
  f.commission = book_.commission();
  return f;
}

}  // namespace tandem::gateway
