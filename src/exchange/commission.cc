#include "exchange/commission.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"

namespace tandem::exchange {
namespace {

// IB Pro fixed pricing, US stocks and ETFs.
constexpr double kIbPerShare = 0.005;
constexpr double kIbMinimum = 1.00;
constexpr double kIbMaximumFractionOfValue = 0.01;

}  // namespace

CommissionModel CommissionModel::percent(double percent) {
  if (!(percent >= 0 && percent < 100) || !std::isfinite(percent)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("percent commission must be in [0, 100), got {}", percent),
                "commission");
  }
  return CommissionModel(Kind::kPercent, percent / 100.0);
}

CommissionModel CommissionModel::parse(std::string_view text) {
  if (text == "none") return none();
  if (text == "ib") return ib_fixed();
  constexpr std::string_view kPercentPrefix = "percent:";
  if (text.substr(0, kPercentPrefix.size()) == kPercentPrefix) {
    std::string_view number = text.substr(kPercentPrefix.size());
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec == std::errc() && end == number.data() + number.size() && !number.empty()) {
      return percent(value);
    }
  }
  throw Error(ErrorKind::InvalidArgument,
              "unknown commission model '" + std::string(text) +
                  "'; expected none, ib or percent:P (e.g. percent:0.1 for 0.1 %)",
              "commission");
}

double CommissionModel::commission(double shares, double price, double multiplier) const {
  double value = std::abs(shares * price * multiplier);
  switch (kind_) {
    case Kind::kNone:
      return 0.0;
    case Kind::kIbFixed: {
      double fee = std::max(kIbPerShare * std::abs(shares), kIbMinimum);
      return std::min(fee, kIbMaximumFractionOfValue * value);
    }
    case Kind::kPercent:
      return rate_ * value;
  }
  return 0.0;
}

std::string CommissionModel::describe() const {
  switch (kind_) {
    case Kind::kNone:
      return "none";
    case Kind::kIbFixed:
      return "ib";
    case Kind::kPercent:
      return fmt::format("percent:{}", rate_ * 100.0);
  }
  return "?";
}

}  // namespace tandem::exchange
