// Pre-trade risk: limits per account and per strategy, the kill switch (halts), and the gate
// every order of both account cores (backtest and live) passes before it may leave. One copy of
// each rule, so the modes refuse alike (docs/risk.md).
//
// Storage:
//   general/risk_limits  scope ("account" | "strategy"), name, one float64 column per limit
//                        (NaN: not set); the latest row per (scope, name) wins. `tandem risk set`
//                        appends a whole row (the previous one with the given changes).
//   ACCOUNT/halts        append-only: action ("halt" | "resume"), cancel_open, flatten, reason;
//                        the latest row decides whether the account is halted. A backtest reads
//                        the table of its own library, a row applying from its timestamp on.
//
// Boundaries: a money or percent limit is a bound an order must stay *below* — reaching it
// refuses (max_order_value=50000 refuses an order worth 50,000.00 and passes 49,999.99); a loss
// limit refuses once the day's loss reaches it. max_orders_per_minute=N lets N orders leave in
// any 60 s and refuses the next.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/order.h"
#include "core/time.h"
#include "store/store.h"

namespace tandem::risk {

inline constexpr std::string_view kLimitsSymbol = "risk_limits";
inline constexpr std::string_view kHaltsSymbol = "halts";

struct Limits {
  std::optional<double> max_order_value;        // |quantity| × price × multiplier
  std::optional<double> max_position_value;     // |position after the order| × price × mult.
  std::optional<double> max_gross_leverage;     // gross position value after / net liquidation
  std::optional<double> max_orders_per_minute;  // orders that left in the last 60 s
  std::optional<double> price_band_pct;         // |limit or stop - last| / last × 100
  std::optional<double> max_daily_loss;         // loss since the trading day began

  bool empty() const;
  // "max_order_value=50000 price_band_pct=5" (only the set ones); "none" when empty.
  std::string describe() const;
};

// The names of the limits, in column order.
const std::vector<std::string_view>& limit_names();

// Applies "NAME=VALUE" (VALUE a non-negative number, or "none" to clear it) to `limits`.
// Throws tandem::Error (InvalidArgument) naming the assignment and the known names.
void apply_assignment(Limits& limits, std::string_view assignment);

enum class Scope { kAccount, kStrategy };
std::string_view scope_name(Scope scope);  // "account", "strategy"

// What `tandem risk set NAME` means when not told: an IB account id (DU…, U…, DF…, F… followed
// by digits) or a backtest's (BT_…) is an account; anything else a strategy key.
Scope guess_scope(std::string_view name);

struct LimitsRow {
  Scope scope = Scope::kAccount;
  std::string name;
  Limits limits;
  Timestamp updated = 0;
};

// The latest row per (scope, name) of general/risk_limits, by scope then name; empty when the
// library or table is absent.
std::vector<LimitsRow> read_limits(const store::Store& store);
// The latest limits of one scope and name (empty Limits when none are stored).
Limits find_limits(const std::vector<LimitsRow>& rows, Scope scope, std::string_view name);
// Appends a row to general/risk_limits (creating both if needed).
void write_limits(store::Store& store, Scope scope, std::string_view name, const Limits& limits,
                  Timestamp now);

struct HaltRow {
  Timestamp time = 0;
  bool halted = true;  // "halt" (true) or "resume" (false)
  bool cancel_open = false;
  bool flatten = false;
  std::string reason;
};

// Every row of `library`/halts in time order; empty when the symbol is absent.
std::vector<HaltRow> read_halts(const store::Library& library);
// Appends a row to `library`/halts.
void append_halt(store::Library& library, const HaltRow& row);
// The latest version of `library`/halts + 1 (0 when absent): a cheap head read that says whether
// the table changed since the last look (docs/risk.md, "How fast a halt is seen").
std::uint64_t halts_head(const store::Library& library);
// The row in force at `time` (the latest at or before it); nullopt when none is.
std::optional<HaltRow> halt_at(const std::vector<HaltRow>& rows, Timestamp time);

// What the account core knows when a strategy places an order (in the order's currency).
struct OrderFacts {
  Timestamp time = 0;
  double signed_quantity = 0;  // + buy, - sell
  double price = 0;            // the last price: the reference of values and the price band
  double multiplier = 1;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  double strategy_position = 0;  // the strategy's, in this contract, before the order
  double account_position = 0;   // the account's, in this contract, before the order
};

// The facts of `order` itself, priced at `price` at `time` (the positions are the caller's to
// fill in: each account keeps them its own way).
OrderFacts order_facts(const Order& order, Timestamp time, double price, double multiplier);

// The account-wide figures a few limits need; computed only when such a limit is set.
struct AccountFigures {
  double gross_position_value = 0;
  double net_liquidation = 0;
  double account_day_pnl = 0;   // since the trading day began (negative: a loss)
  double strategy_day_pnl = 0;  // the placing strategy's
};

// A refusal: the limit (or the halt) and a message naming it, the figure and the scope.
struct Refusal {
  std::string limit;  // "max_order_value", ..., or "halt"
  std::string message;
};

// The gate of one account: its limits, each strategy's, its rate windows and its halt state.
// Used on the account's thread only (both cores are single-threaded).
class RiskGate {
 public:
  // `limits_owner`: whose stored limits these are when not the account's own (a backtest tries
  // a live account's); refusals name it.
  void set_account(std::string account, Limits limits, std::string limits_owner = {});
  // Registers a strategy's limits; returns its index (the account core's strategy index).
  std::size_t add_strategy(std::string key, Limits limits);
  void set_halt(std::optional<HaltRow> halt) { halt_ = std::move(halt); }
  bool halted() const { return halt_ && halt_->halted; }
  const std::optional<HaltRow>& halt() const { return halt_; }

  // False when no limit is set and the account is not halted: the account core skips the gate.
  bool active() const { return halted() || any_limits_; }
  // Whether check() will call `figures` for this strategy (a leverage or daily-loss limit).
  bool needs_figures(std::size_t strategy) const;

  // Checks an order of `strategy`. nullopt: it may leave, and it is counted in the rate
  // windows. `figures` is called at most once, only when needs_figures(strategy).
  template <class Figures>
  std::optional<Refusal> check(std::size_t strategy, const OrderFacts& facts, Figures&& figures) {
    if (halted()) return halt_refusal();
    AccountFigures computed;
    if (needs_figures(strategy)) computed = figures();
    return check_with(strategy, facts, computed);
  }

 private:
  struct Scoped {
    std::string label;  // "account DU123" or "strategy KEY"
    Limits limits;
    std::deque<Timestamp> sent;  // times of orders that left within the last minute
  };
  std::optional<Refusal> check_with(std::size_t strategy, const OrderFacts& facts,
                                    const AccountFigures& figures);
  std::optional<Refusal> check_scope(Scoped& scope, const OrderFacts& facts, double position,
                                     const AccountFigures& figures, double day_pnl);
  Refusal halt_refusal() const;

  std::string account_id_;
  Scoped account_;
  std::vector<Scoped> strategies_;
  std::optional<HaltRow> halt_;
  bool any_limits_ = false;
};

}  // namespace tandem::risk
