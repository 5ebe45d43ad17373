// LiveSession's side of pre-trade risk: limits at set-up, the halt in force, the halts watch.
#include <fmt/format.h>

#include "live/session_impl.h"

namespace tandem::live {

void LiveSession::Impl::set_up_risk(const std::string& account) {
  const std::vector<risk::LimitsRow> rows = risk::read_limits(store_);
  const risk::Limits account_limits = risk::find_limits(rows, risk::Scope::kAccount, account);
  std::vector<risk::Limits> strategies;
  for (auto& slot : slots_) {
    const std::string& key = slot->strategy().key();
    strategies.push_back(risk::find_limits(rows, risk::Scope::kStrategy, key));
    if (!strategies.back().empty()) {
      log(fmt::format("RISK strategy {}: {}", key, strategies.back().describe()));
    }
  }
  if (!account_limits.empty()) {
    log(fmt::format("RISK account {}: {}", account, account_limits.describe()));
  }
  account_->set_risk_limits(account_limits, strategies);

  // The head first: a halt appended between the two reads is seen again by the watch.
  const std::uint64_t head = risk::halts_head(*library_);
  const std::vector<risk::HaltRow> halts = risk::read_halts(*library_);
  if (!halts.empty()) apply_halt(halts.back(), false);
  halt_watcher_ = std::make_unique<HaltWatcher>(
      *library_, options_.halt_poll, head,
      [this](std::optional<risk::HaltRow> row) {
        asio::post(io_, [this, row = std::move(row)] { apply_halt(row, true); });
      },
      [this](const std::string& error) {
        asio::post(io_,
                   [this, error] { log("HALT watch: reading the halts table failed: " + error); });
      });
}

void LiveSession::Impl::apply_halt(const std::optional<risk::HaltRow>& row, bool act) {
  if (!account_ || stopping_) return;
  const bool was_halted = account_->halted();
  if (row && row->halted) {
    // A halt found at start-up refuses orders; its cancel and flatten were for the sessions
    // running when it was given (docs/risk.md).
    log(fmt::format("HALT account {}: new orders are refused{}{}{}", result_.account,
                    act && row->cancel_open ? ", working orders cancelled" : "",
                    act && row->flatten ? ", positions closed at market" : "",
                    row->reason.empty() ? "" : " (" + row->reason + ")"));
    account_->apply_halt(row, act);
    if (act && started_) deliver_notices();
  } else {
    account_->apply_halt(row, act);
    if (was_halted)
      log(fmt::format("RESUME account {}: orders are allowed again", result_.account));
  }
}

}  // namespace tandem::live
