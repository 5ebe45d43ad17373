// Risk limits: their names, parsing of `NAME=VALUE`, and their table in the general library.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "core/error.h"
#include "risk/risk.h"

namespace tandem::risk {
namespace {

using Member = std::optional<double> Limits::*;

// Column order = the order `risk show` prints and docs/risk.md lists.
const std::vector<std::pair<std::string_view, Member>>& members() {
  static const std::vector<std::pair<std::string_view, Member>> kMembers = {
      {"max_order_value", &Limits::max_order_value},
      {"max_position_value", &Limits::max_position_value},
      {"max_gross_leverage", &Limits::max_gross_leverage},
      {"max_orders_per_minute", &Limits::max_orders_per_minute},
      {"price_band_pct", &Limits::price_band_pct},
      {"max_daily_loss", &Limits::max_daily_loss},
  };
  return kMembers;
}

std::string known_names() {
  std::string text;
  for (const auto& [name, member] : members())
    text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

}  // namespace

const std::vector<std::string_view>& limit_names() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names;
    for (const auto& [name, member] : members()) names.push_back(name);
    return names;
  }();
  return kNames;
}

bool Limits::empty() const {
  for (const auto& [name, member] : members()) {
    if (this->*member) return false;
  }
  return true;
}

std::string Limits::describe() const {
  std::string text;
  for (const auto& [name, member] : members()) {
    if (this->*member)
      text += fmt::format("{}{}={}", text.empty() ? "" : " ", name, *(this->*member));
  }
  return text.empty() ? "none" : text;
}

void apply_assignment(Limits& limits, std::string_view assignment) {
  const std::size_t eq = assignment.find('=');
  const std::string where = "risk limit '" + std::string(assignment) + "'";
  if (eq == std::string_view::npos || eq == 0) {
    throw Error(ErrorKind::InvalidArgument,
                "expected NAME=VALUE (NAME one of " + known_names() + "; VALUE a number or none)",
                where);
  }
  const std::string_view name = assignment.substr(0, eq);
  const std::string_view value = assignment.substr(eq + 1);
  for (const auto& [known, member] : members()) {
    if (known != name) continue;
    if (value == "none") {
      limits.*member = std::nullopt;
      return;
    }
    double number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(number) ||
        number <= 0) {
      throw Error(
          ErrorKind::InvalidArgument,
          fmt::format("{} must be a positive number (or none to clear it), got '{}'", name, value),
          where);
    }
    if (name == "max_orders_per_minute" && number != std::floor(number)) {
      throw Error(
          ErrorKind::InvalidArgument,
          fmt::format("max_orders_per_minute counts orders: a whole number, got '{}'", value),
          where);
    }
    limits.*member = number;
    return;
  }
  throw Error(ErrorKind::InvalidArgument,
              "unknown limit '" + std::string(name) + "'; the limits are " + known_names(), where);
}

std::string_view scope_name(Scope scope) {
  return scope == Scope::kAccount ? "account" : "strategy";
}

Scope guess_scope(std::string_view name) {
  if (name.rfind("BT_", 0) == 0) return Scope::kAccount;
  for (std::string_view prefix : {"DU", "DF", "U", "F"}) {
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) continue;
    bool digits = true;
    for (char c : name.substr(prefix.size())) {
      digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    }
    if (digits) return Scope::kAccount;
  }
  return Scope::kStrategy;
}

std::vector<LimitsRow> read_limits(const store::Store& store) {
  std::vector<LimitsRow> latest;
  if (!store.has_library(broker::kGeneralLibrary)) return latest;
  store::Library general = store.existing_library(broker::kGeneralLibrary);
  if (!general.has_symbol(kLimitsSymbol)) return latest;
  store::Table table = general.read(kLimitsSymbol).table;
  auto scopes = table.strings("scope");
  auto names = table.strings("name");
  const auto& index = table.index();
  std::map<std::pair<std::string, std::string>, LimitsRow> by_key;
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    LimitsRow row;
    row.scope = scopes[i] == "account" ? Scope::kAccount : Scope::kStrategy;
    row.name = names[i];
    row.updated = index[i];
    for (const auto& [name, member] : members()) {
      // A column added after a row was written reads as absent for it.
      if (!table.has_column(name)) continue;
      const double value = table.float64s(name)[i];
      if (!std::isnan(value)) row.limits.*member = value;
    }
    // Later rows win; the store keeps append order for equal times.
    by_key[{scopes[i], names[i]}] = std::move(row);
  }
  for (auto& [key, row] : by_key) latest.push_back(std::move(row));
  return latest;
}

Limits find_limits(const std::vector<LimitsRow>& rows, Scope scope, std::string_view name) {
  for (const LimitsRow& row : rows) {
    if (row.scope == scope && row.name == name) return row.limits;
  }
  return {};
}

void write_limits(store::Store& store, Scope scope, std::string_view name, const Limits& limits,
                  Timestamp now) {
  if (scope == Scope::kStrategy) {
    broker::validate_strategy_key(name);
  } else {
    store::validate_name("account", name);
  }
  store::Table row({now});
  row.with(store::Column::of_string("scope", {std::string(scope_name(scope))}))
      .with(store::Column::of_string("name", {std::string(name)}));
  for (const auto& [column, member] : members()) {
    row.with(store::Column::of_float64(
        std::string(column),
        {(limits.*member).value_or(std::numeric_limits<double>::quiet_NaN())}));
  }
  store.library(broker::kGeneralLibrary).append(kLimitsSymbol, row, store::AppendMode::kAnyOrder);
}

}  // namespace tandem::risk
