#include "exchange/cash_account.h"

#include <fmt/format.h>

namespace tandem::exchange {

std::string cash_account_refusal(const CashAccountFill& fill) {
  if (fill.side == Action::kBuy) {
    return fmt::format(
        "cash account: buying {} {} at {:.4f} costs {:.2f} with commission {:.2f}, more than the "
        "available cash {:.2f}",
        fill.shares, fill.symbol, fill.price, fill.value + fill.commission, fill.commission,
        fill.cash);
  }
  const std::string holder = fill.strategy.empty() ? std::string("the account")
                                                   : fmt::format("strategy {}", fill.strategy);
  return fmt::format(
      "cash account: selling {} {} but {} holds {}; short sales need a margin account", fill.shares,
      fill.symbol, holder, fill.held);
}

}  // namespace tandem::exchange
