// ReportedFunds: live trading's funds source (account/funds.h) — the account values and the
// portfolio the venue reports (IB's reqAccountUpdates: values by tag in the base currency, a
// holding per instrument), and which instruments were traded since the day's last rows. The
// account core makes the account_summary row, account_values() and the risk figures from its
// snapshot; its portfolio rows set the account's position (IB's) beside what the strategies
// hold, the rest being unattributed (a manual trade in TWS, another program's).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "account/funds.h"
#include "broker/account_schema.h"
#include "broker/venue.h"
#include "core/domain.h"
#include "core/time.h"

namespace tandem::account {

class ReportedFunds {
 public:
  // `account`: the account id its errors name.
  explicit ReportedFunds(std::string account) : account_(std::move(account)) {}

  // What the venue reports: an account value (a tag's latest value wins), a holding.
  void account_value(const AccountValue& value) { values_[value.tag] = value.value; }
  void holding(const broker::VenueHolding& holding) {
    portfolio_[holding.contract.symbol] = holding;
  }
  // A fill of `symbol` was booked: the day's portfolio rows include it.
  void traded(const std::string& symbol) { traded_.insert(symbol); }

  // The reported value of `tag`; nullopt before it arrived.
  std::optional<double> value(std::string_view tag) const;
  std::optional<double> net_liquidation() const { return value(kNetLiquidation); }
  // NetLiquidation; throws tandem::Error (Unavailable) before IB reported it.
  double total_equity() const;
  // AvailableFunds, else TotalCashValue; nullopt before either arrived.
  std::optional<double> available_funds() const {
    return spendable(value(kAvailableFunds), value(kTotalCashValue));
  }
  // The account's position in `symbol` as the venue reports it (manual trades included);
  // nullopt before the venue reported a holding of it.
  std::optional<double> position(const std::string& symbol) const;
  // Every reported value: the snapshot's figures under their tags, the rest in `other`.
  FundsSnapshot snapshot() const;

  // The day's portfolio rows at `time`, appended to `out`, given `attributed` (what the
  // strategies hold together, by symbol; no zeros): a row per reported holding that is held,
  // traded since the last call, or differs from what the strategies hold (its `unattributed`
  // the difference); and, once the account values have begun to arrive, a row per symbol the
  // strategies hold that the venue reports no holding of (the account holds none:
  // `unattributed` is minus theirs). Forgets what was traded.
  void portfolio_rows(Timestamp time, const std::map<std::string, double>& attributed,
                      std::vector<broker::PortfolioRow>& out);

 private:
  std::string account_;
  std::map<std::string, double, std::less<>> values_;      // by tag (base currency)
  std::map<std::string, broker::VenueHolding> portfolio_;  // by symbol
  std::set<std::string> traded_;  // symbols with a fill booked since the last portfolio rows
};

}  // namespace tandem::account
