// What differs per mode in booking a fill into a strategy's book, stated once as a small policy;
// the step itself is AccountCore::book_fill (account/account_core_fills.h; docs/architecture.md,
// "The account core").
//
// The core's book_fill() runs the same steps in both modes: the fill's strategy (position
// attribution, broker/order_registry.h), the mode's refusal check, the strategy's book, the
// funds source told, the fill in its trade's fills (one per exec key: a correction replaces
// it), the rows, counts and notice of a booked fill, the round trips it closed, and the
// trade's filled quantity and average price from its fills by one rule.
//
// The mode hands book_fill() a *side*: an object with the calls below, passed as a template
// parameter so that a backtest's calls are direct (the sweep's hot path).
//
//   FillPolicy policy() const;
//   std::optional<std::string> refusal(std::size_t strategy, const broker::OrderEntry* entry,
//                                      const Fill& fill, const Contract& contract);
//       why the account refuses the fill before booking it (a backtest: the cash-account rule,
//       exchange/cash_account.h), else nullopt (live: IB has executed it already);
//   void refused(std::int64_t order_id, Timestamp time);
//       the venue is told of a refused fill (a backtest: the children the simulated exchange
//       released with it are cancelled);
//   const broker::PositionBook::Holding* booked(std::size_t strategy,
//                                               const broker::OrderEntry* entry,
//                                               const Fill& fill, const Contract& contract);
//       the funds source is told of the booked fill (a backtest: the cash ledger and the
//       instrument's holders; live: the reported funds' traded symbols); returns the
//       strategy's holding of the instrument after it (null: none);
//   void reuse_buffers(Fill& fill);
//       a new fill about to be made in its trade's fills may take spare string buffers (a
//       backtest reuses a released trade's, so a fill allocates nothing);
//   void trips(std::size_t strategy, std::span<const broker::RoundTrip> trips);
//       the round trips the fill closed (a backtest keeps each one's PnL for its summary);
//   Timestamp now() const;                          the account's clock
#pragma once

namespace tandem::account {

struct FillPolicy {
  // The core keeps each strategy's executions, by exec key, and rebuilds its book from them
  // when a correction or a late commission arrives (live: IB corrects executions and reports
  // commissions late). Otherwise the book is updated in place and nothing is kept (a backtest:
  // its venue never corrects, and keeping every execution would grow with millions of bars); a
  // late commission then finds no execution to apply to.
  bool keep_executions = false;
  // A fill's realized PnL (its commission report's) is the strategy book's when the fill closed
  // shares (a backtest: the simulated venue states none); otherwise the venue's, as reported
  // (live: IB's figure, over the whole account's lots).
  bool realized_pnl_from_book = false;
  // The order becomes Filled — or a refused fill Inactive — at the execution's time (a
  // backtest: the bar's); otherwise at the account's clock when the fill arrives (live).
  bool status_at_execution_time = false;
};

}  // namespace tandem::account
