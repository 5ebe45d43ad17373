#include "strategy/strategy_slot.h"

#include <fmt/format.h>

#include <exception>

#include "core/error.h"

namespace tandem::strategy {

BarHistory StrategySlot::history(std::size_t instrument) const {
  if (instrument >= instruments_.size()) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("history({}) asked, but the strategy trades {} instrument(s)",
                            instrument, instruments_.size()),
                "strategy " + key());
  }
  return histories_->history(instruments_[instrument]);
}

void StrategySlot::rethrow_within(const char* callback, Timestamp time) const {
  const std::string where =
      fmt::format("strategy {} ({}) at {}", key(), callback, format_timestamp(time));
  try {
    throw;
  } catch (const Error& e) {
    throw e.within(where);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::Internal, e.what(), where);
  }
}

}  // namespace tandem::strategy
