// general/routing: one row per change of a strategy's routing preference (routing.h).
#include <fmt/format.h>

#include <map>

#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "broker/routing.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::broker {
namespace {

const std::string kWhere = "general/routing";

Routing routing_of_row(const store::Table& table, std::size_t row) {
  Routing routing;
  routing.exchange = table.strings("exchange")[row];
  routing.primary_exchange = table.strings("primary_exchange")[row];
  routing.currency = table.strings("currency")[row];
  routing.account = table.strings("account")[row];
  const std::string where = fmt::format("{} row {}", kWhere, row);
  if (const std::string& type = table.strings("order_type")[row]; !type.empty()) {
    routing.order_type = parse_order_type(type);
    if (!routing.order_type) {
      throw Error(ErrorKind::Corruption, fmt::format("unknown order_type '{}'", type), where);
    }
  }
  if (const std::string& tif = table.strings("tif")[row]; !tif.empty()) {
    routing.tif = parse_time_in_force(tif);
    if (!routing.tif) {
      throw Error(ErrorKind::Corruption, fmt::format("unknown tif '{}'", tif), where);
    }
  }
  routing.outside_rth = table.bools("outside_rth")[row] != 0;
  if (const std::string& algo = table.strings("algo")[row]; !algo.empty()) {
    auto [strategy, params] = parse_algo(algo, where);
    routing.algo_strategy = std::move(strategy);
    routing.algo_params = std::move(params);
  }
  return routing;
}

void append_row(store::Store& store, std::string_view key, const Routing& routing, bool cleared,
                Timestamp now) {
  auto text = [](std::string value) { return std::vector<std::string>{std::move(value)}; };
  auto flag = [](bool value) {
    return std::vector<std::uint8_t>{static_cast<std::uint8_t>(value ? 1 : 0)};
  };
  store::Table row({now});
  row.with(store::Column::of_string("strategy", text(std::string(key))))
      .with(store::Column::of_string("exchange", text(routing.exchange)))
      .with(store::Column::of_string("primary_exchange", text(routing.primary_exchange)))
      .with(store::Column::of_string("currency", text(routing.currency)))
      .with(store::Column::of_string("account", text(routing.account)))
      .with(store::Column::of_string(
          "order_type",
          text(routing.order_type ? std::string(order_type_name(*routing.order_type)) : "")))
      .with(store::Column::of_string(
          "tif", text(routing.tif ? std::string(time_in_force_name(*routing.tif)) : "")))
      .with(store::Column::of_bool("outside_rth", flag(routing.outside_rth)))
      .with(store::Column::of_string("algo",
                                     text(algo_text(routing.algo_strategy, routing.algo_params))))
      .with(store::Column::of_bool("cleared", flag(cleared)));
  store.library(kGeneralLibrary).append(kRoutingSymbol, row, store::AppendMode::kAnyOrder);
}

}  // namespace

std::vector<StoredRouting> read_routings(const store::Store& store) {
  std::vector<StoredRouting> current;
  if (!store.has_library(kGeneralLibrary)) return current;
  store::Library general = store.existing_library(kGeneralLibrary);
  if (!general.has_symbol(kRoutingSymbol)) return current;
  store::Table table = general.read(kRoutingSymbol).table;
  const auto& names = table.strings("strategy");
  const auto& cleared = table.bools("cleared");
  const auto& index = table.index();
  // Later rows win; the store keeps append order for equal times.
  std::map<std::string, StoredRouting> by_name;
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    if (cleared[i] != 0) {
      by_name.erase(names[i]);
      continue;
    }
    by_name[names[i]] = StoredRouting{names[i], routing_of_row(table, i), index[i]};
  }
  for (auto& [name, stored] : by_name) current.push_back(std::move(stored));
  return current;
}

Routing read_routing(const store::Store& store, std::string_view key) {
  for (StoredRouting& stored : read_routings(store)) {
    if (stored.strategy == key) return std::move(stored.routing);
  }
  return {};
}

void set_routing(store::Store& store, std::string_view key, const Routing& routing, Timestamp now) {
  validate_strategy_key(key);
  validate_routing(routing, kWhere + "/" + std::string(key));
  append_row(store, key, routing, false, now);
}

void clear_routing(store::Store& store, std::string_view key, Timestamp now) {
  validate_strategy_key(key);
  bool present = false;
  for (const StoredRouting& stored : read_routings(store)) present |= stored.strategy == key;
  if (!present) {
    throw Error(ErrorKind::NotFound,
                fmt::format("strategy '{}' has no routing preference to clear", key), kWhere);
  }
  append_row(store, key, Routing{}, true, now);
}

}  // namespace tandem::broker
