// An account's funds at one moment, as the account core's rules read them (docs/architecture.md,
// "The account core"): its account_summary row, the values a strategy reads
// (account_values(), available_funds()) and the risk gate's account figures are all made from
// one FundsSnapshot, by the core. What differs per mode is only where the snapshot comes from —
// its funds source: a backtest's cash ledger and marks (account/cash_ledger.h), live IB's
// reported account values and portfolio (account/reported_funds.h).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tandem::account {

struct FundsSnapshot {
  // Each figure under IB's tag (NetLiquidation, TotalCashValue, AvailableFunds, BuyingPower,
  // GrossPositionValue); nullopt: the source does not know it (live, before IB reported it).
  std::optional<double> net_liquidation;
  std::optional<double> total_cash;
  std::optional<double> available_funds;
  std::optional<double> buying_power;
  std::optional<double> gross_position_value;
  // The account's unrealized and realized PnL (UnrealizedPnL, RealizedPnL) as the source
  // reports them (live: IB's). Unused when pnl_from_strategies.
  std::optional<double> unrealized_pnl;
  std::optional<double> realized_pnl;
  // true: the account is its strategies (a backtest), so its unrealized and realized PnL are
  // the sums of theirs, each holding marked by the one rule (broker::mark_price).
  bool pnl_from_strategies = false;
  std::string currency = "USD";
  // The source's other tags with their values (live: whatever else IB reports), by tag.
  std::vector<std::pair<std::string, double>> other;
};

// The tags of FundsSnapshot's figures, in the order account_values() lists them.
inline constexpr const char* kNetLiquidation = "NetLiquidation";
inline constexpr const char* kTotalCashValue = "TotalCashValue";
inline constexpr const char* kAvailableFunds = "AvailableFunds";
inline constexpr const char* kBuyingPower = "BuyingPower";
inline constexpr const char* kGrossPositionValue = "GrossPositionValue";
inline constexpr const char* kUnrealizedPnL = "UnrealizedPnL";
inline constexpr const char* kRealizedPnL = "RealizedPnL";

// The funds a strategy may spend: AvailableFunds, else TotalCashValue; nullopt while neither is
// known.
inline std::optional<double> spendable(std::optional<double> available_funds,
                                       std::optional<double> total_cash) {
  return available_funds ? available_funds : total_cash;
}

}  // namespace tandem::account
