// The broker contract: what a strategy may ask of the account it trades in. One implementation
// serves both modes — broker::AccountView (account_view.h), a view of the backtest's or the
// live account — and a strategy written against this header runs unchanged in both.
//
// A Broker object is one strategy's view of one account: equity(), positions() and
// open_trades() are that strategy's, identified by its key (by default the symbol it trades).
// Every order it places carries order_ref = key, which is how fills are attributed to it live.
//
// Threading: all calls happen on the strategy's event loop (the engine's thread in a backtest,
// the io_context in live trading); a Broker is not thread-safe and needs no locking.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/routing.h"
#include "core/domain.h"

namespace tandem::broker {

// A handle on a placed order. The broker keeps it current (status, fills, log) as events
// arrive; strategies only read it.
using TradeHandle = std::shared_ptr<const Trade>;

// What modify_order may change on a working order; unset fields stay as they are.
struct OrderChanges {
  std::optional<double> total_quantity;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  std::optional<TimeInForce> tif;
};

// The three orders of a bracket (Broker::place_bracket).
struct Bracket {
  TradeHandle parent;
  TradeHandle stop_loss;
  TradeHandle take_profit;
};

class Broker {
 public:
  virtual ~Broker() = default;

  // The account id: "DU1234567", "U1234567" or "BT_20240131_143000".
  virtual const std::string& account() const = 0;
  // The strategy's key (order_ref of its orders; KEY in strategy_{KEY}_equity).
  virtual const std::string& strategy_key() const = 0;
  // The current time: the current bar's time in a backtest, the wall clock live.
  virtual Timestamp now() const = 0;
  // The strategy's routing preference (general/routing as the run started; docs/routing.md),
  // applied by place_order to every order unless the order says otherwise. Empty when none.
  virtual const Routing& routing() const = 0;

  // This strategy's equity, two-tier: the latest `equity` of strategy_{KEY}_equity in the
  // account library if that symbol exists; else target_weight × total_equity() with the weight
  // from general/strategies. Throws tandem::Error naming both places when neither is present.
  virtual double equity() const = 0;
  // The whole account's equity: NetLiquidation live; cash + positions marked at the latest
  // close in a backtest.
  virtual double total_equity() const = 0;
  // The latest price of the contract (the current bar's close); throws for an unknown contract
  // or when no price has been seen yet.
  virtual double last_price(const Contract& contract) const = 0;

  // Places `order` sized as a fraction of this strategy's equity: size in (0, 1];
  // quantity = floor(size × equity() / last_price(contract)) (unrounded when fractional shares
  // are enabled). Throws tandem::Error — and sends nothing — for a size outside (0, 1], a
  // computed quantity of 0, an unknown contract, or an order that already carries a quantity.
  virtual TradeHandle place_order(const Contract& contract, Order order, double size) = 0;
  // Places `order` for its explicit order.total_quantity (> 0); same refusals otherwise.
  virtual TradeHandle place_order(const Contract& contract, Order order) = 0;
  // A bracket: `parent` (any type), then a GTC STP at `stop_loss` and a GTC LMT at
  // `take_profit` on the other side for the parent's quantity, both attached to the parent
  // (parent_id: they work only once it has filled, and end with it if it does not) and in one
  // OCA group (type 1, "KEY.bracket.PARENT_ID": the first to fill cancels the other). Placed as
  // IB's API places one — parent and stop-loss with transmit false, the take-profit with
  // transmit true — so nothing goes out before all three are in. Throws, sending nothing, for
  // exit prices on the wrong side (a BUY parent's take-profit must be above its stop-loss) or
  // any refusal of place_order. The stop-loss is placed before the take-profit so that when one
  // bar reaches both, the backtest fills the stop-loss (the worse case; docs/backtest.md).
  Bracket place_bracket(const Contract& contract, Order parent, double take_profit,
                        double stop_loss, double size);
  Bracket place_bracket(const Contract& contract, Order parent, double take_profit,
                        double stop_loss);

  // Asks to cancel a working order; the trade's status becomes Cancelled when confirmed.
  // Cancelling a finished order is an error; cancelling one twice is harmless.
  virtual void cancel_order(const TradeHandle& trade) = 0;
  // Changes quantity, prices or TIF of a working order of this strategy.
  virtual void modify_order(const TradeHandle& trade, const OrderChanges& changes) = 0;

  // This strategy's non-zero positions (not the whole account's).
  virtual std::vector<Position> positions() const = 0;
  // This strategy's position in one contract (0 when flat).
  virtual double position(const Contract& contract) const = 0;
  // This strategy's orders that are not done yet, in the order they were placed (live: or
  // adopted from the store or IB).
  virtual std::vector<TradeHandle> open_trades() const = 0;
  // Account-wide figures (NetLiquidation, TotalCashValue, GrossPositionValue, ...).
  virtual std::vector<AccountValue> account_values() const = 0;
  // The account's AvailableFunds (else TotalCashValue) from account_values(); nullopt when it
  // reports neither (e.g. before the first account update live). A broker that knows the figure
  // directly overrides this to skip building every account value (a backtest asks on each buy).
  virtual std::optional<double> available_funds() const {
    std::optional<double> cash;
    for (const AccountValue& value : account_values()) {
      if (value.tag == "AvailableFunds") return value.value;
      if (value.tag == "TotalCashValue") cash = value.value;
    }
    return cash;
  }
};

}  // namespace tandem::broker
