#include "account/cash_ledger.h"

#include <fmt/format.h>

#include <utility>

#include "core/error.h"
#include "core/tolerance.h"

namespace tandem::account {

CashLedger::CashLedger(double initial_cash, std::size_t instruments, std::string currency)
    : cash_(initial_cash),
      currency_(std::move(currency)),
      position_(instruments, 0.0),
      traded_(instruments, 0),
      holders_(instruments) {
  if (!(initial_cash > 0) || !std::isfinite(initial_cash)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("initial cash must be positive, got {}", initial_cash), "cash");
  }
}

void CashLedger::book(std::size_t instrument, double shares, double cash_change) {
  cash_ += cash_change;
  double& position = position_[instrument];
  position += shares;
  if (std::abs(position) <= kShareEpsilon) position = 0;
  auto at = std::lower_bound(open_.begin(), open_.end(), instrument);
  const bool listed = at != open_.end() && *at == instrument;
  if (position == 0) {
    if (listed) open_.erase(at);
  } else if (!listed) {
    open_.insert(at, instrument);
  }
  traded_[instrument] = 1;
}

bool CashLedger::add_holder(std::size_t instrument, std::size_t strategy,
                            const broker::PositionBook::Holding* holding) {
  std::vector<Holder>& holders = holders_[instrument];
  for (const Holder& holder : holders) {
    if (holder.strategy == strategy) return false;
  }
  holders.push_back(Holder{strategy, holding});
  return true;
}

}  // namespace tandem::account
