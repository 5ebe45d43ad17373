#include "broker/routing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include "core/error.h"

namespace tandem::broker {
namespace {

// The IB algos tandem routes to and the parameters each takes (IB's tag names). A value is
// one of `choices` when that is non-empty; else a number in [low, high] when `number`; else a
// 0/1 flag when `flag`; else free text (times like "09:30:00 US/Eastern").
struct ParamSpec {
  std::string_view tag;
  std::string_view alias;  // a shorter name accepted on the command line
  std::vector<std::string_view> choices;
  bool number = false;
  double low = 0;
  double high = 0;
  bool flag = false;
};
struct AlgoSpec {
  std::string_view name;
  std::vector<ParamSpec> params;
};

const std::vector<AlgoSpec>& algo_catalogue() {
  static const std::vector<AlgoSpec> catalogue = {
      {"Adaptive", {{"adaptivePriority", "priority", {"Urgent", "Normal", "Patient"}}}},
      {"Twap",
       {{"strategyType",
         "",
         {"Marketable", "Matching Midpoint", "Matching Same Side", "Matching Last"}},
        {"startTime", "", {}},
        {"endTime", "", {}},
        {"allowPastEndTime", "", {}, false, 0, 0, true}}},
      {"Vwap",
       {{"maxPctVol", "", {}, true, 0.01, 0.5},
        {"startTime", "", {}},
        {"endTime", "", {}},
        {"allowPastEndTime", "", {}, false, 0, 0, true},
        {"noTakeLiq", "", {}, false, 0, 0, true},
        {"speedUp", "", {}, false, 0, 0, true}}},
  };
  return catalogue;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

std::string checked_value(const AlgoSpec& algo, const ParamSpec& param, std::string_view value,
                          std::string_view where) {
  auto refuse = [&](std::string_view expected) {
    return Error(
        ErrorKind::InvalidArgument,
        fmt::format("{} parameter {}='{}' is not {}", algo.name, param.tag, value, expected),
        std::string(where));
  };
  if (!param.choices.empty()) {
    for (std::string_view choice : param.choices) {
      if (same_name(choice, value)) return std::string(choice);
    }
    std::string list;
    for (std::string_view choice : param.choices) {
      list += (list.empty() ? "" : ", ") + std::string(choice);
    }
    throw refuse("one of " + list);
  }
  if (param.flag) {
    if (value == "1" || same_name(value, "true")) return "1";
    if (value == "0" || same_name(value, "false")) return "0";
    throw refuse("0 or 1");
  }
  if (param.number) {
    const std::string text(value);
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(number >= param.low) ||
        !(number <= param.high)) {
      throw refuse(fmt::format("a number in [{}, {}]", param.low, param.high));
    }
    return text;
  }
  if (value.empty()) throw refuse("a non-empty value");
  return std::string(value);
}

bool is_code(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
  });
}

}  // namespace

bool Routing::empty() const {
  return exchange.empty() && primary_exchange.empty() && currency.empty() && account.empty() &&
         !order_type && !tif && !outside_rth && algo_strategy.empty();
}

std::pair<std::string, AlgoParams> parse_algo(std::string_view text, std::string_view where) {
  text = trim(text);
  const std::size_t colon = text.find(':');
  const std::string_view name = trim(text.substr(0, colon));
  const AlgoSpec* algo = nullptr;
  for (const AlgoSpec& spec : algo_catalogue()) {
    if (same_name(spec.name, name)) algo = &spec;
  }
  if (algo == nullptr) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("unknown algo '{}': one of Adaptive, Twap, Vwap (as "
                            "Adaptive:priority=Normal)",
                            name),
                std::string(where));
  }
  AlgoParams params;
  std::string_view rest = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  while (!trim(rest).empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("algo parameter '{}' is not NAME=VALUE", item), std::string(where));
    }
    const std::string_view tag = trim(item.substr(0, equals));
    const ParamSpec* param = nullptr;
    for (const ParamSpec& spec : algo->params) {
      if (same_name(spec.tag, tag) || (!spec.alias.empty() && same_name(spec.alias, tag))) {
        param = &spec;
      }
    }
    if (param == nullptr) {
      std::string known;
      for (const ParamSpec& spec : algo->params) {
        known += (known.empty() ? "" : ", ") + std::string(spec.tag);
      }
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("{} has no parameter '{}' (it takes {})", algo->name, tag, known),
                  std::string(where));
    }
    for (const auto& [given, value] : params) {
      if (given == param->tag) {
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("{} parameter {} is given twice", algo->name, param->tag),
                    std::string(where));
      }
    }
    params.emplace_back(std::string(param->tag),
                        checked_value(*algo, *param, trim(item.substr(equals + 1)), where));
  }
  return {std::string(algo->name), std::move(params)};
}

std::string algo_text(const std::string& strategy, const AlgoParams& params) {
  if (strategy.empty()) return {};
  std::string text = strategy;
  for (std::size_t i = 0; i < params.size(); ++i) {
    text += (i == 0 ? ":" : ",") + params[i].first + "=" + params[i].second;
  }
  return text;
}

void validate_routing(const Routing& routing, std::string_view where) {
  auto code = [&](const std::string& value, std::string_view what) {
    if (!is_code(value)) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("{} '{}' must be an upper-case code like {}", what, value,
                              what == "currency" ? "USD" : "ISLAND"),
                  std::string(where));
    }
  };
  code(routing.exchange, "exchange");
  code(routing.primary_exchange, "primary exchange");
  code(routing.currency, "currency");
  if (!routing.currency.empty() && routing.currency.size() != 3) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("currency '{}' must be a three-letter code like USD", routing.currency),
                std::string(where));
  }
  if (routing.order_type && routing.order_type != OrderType::kMarket &&
      routing.order_type != OrderType::kLimit) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("the default order type must be MKT or LMT, not {} (a stop price "
                            "cannot be chosen for every order)",
                            order_type_name(*routing.order_type)),
                std::string(where));
  }
  if (!routing.algo_strategy.empty()) {
    // Re-parsing the stored form checks the algo, its parameter names and values.
    parse_algo(algo_text(routing.algo_strategy, routing.algo_params), where);
    if (!routing.exchange.empty() && routing.exchange != "SMART") {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("the {} algo needs exchange SMART; TWS refuses an algo on an order "
                              "routed directly to {}",
                              routing.algo_strategy, routing.exchange),
                  std::string(where));
    }
  }
}

bool routing_prices_order(const Routing& routing, const Order& order) {
  return order.use_routing && routing.order_type == OrderType::kLimit &&
         order.order_type == OrderType::kMarket && !order.limit_price && !order.stop_price;
}

void apply_routing(const Routing& routing, Contract& contract, Order& order, double last_price) {
  if (!order.use_routing) return;
  if (!routing.exchange.empty() && contract.exchange == "SMART") {
    contract.exchange = routing.exchange;
  }
  if (!routing.primary_exchange.empty() && contract.primary_exchange.empty()) {
    contract.primary_exchange = routing.primary_exchange;
  }
  if (!routing.currency.empty() && contract.currency == "USD") contract.currency = routing.currency;
  if (!routing.account.empty() && order.account.empty()) order.account = routing.account;
  if (routing_prices_order(routing, order)) {
    order.order_type = OrderType::kLimit;
    order.limit_price = last_price;
  }
  if (routing.tif && order.tif == TimeInForce::kDay) order.tif = *routing.tif;
  if (routing.outside_rth) order.outside_rth = true;
  if (!routing.algo_strategy.empty() && order.algo_strategy.empty()) {
    order.algo_strategy = routing.algo_strategy;
    order.algo_params = routing.algo_params;
  }
}

std::string describe_routing(const Routing& routing) {
  std::string text;
  auto add = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    text += (text.empty() ? "" : " ") + std::string(name) + "=" + value;
  };
  add("exchange", routing.exchange);
  add("primary_exchange", routing.primary_exchange);
  add("currency", routing.currency);
  add("account", routing.account);
  if (routing.order_type) add("order_type", std::string(order_type_name(*routing.order_type)));
  if (routing.tif) add("tif", std::string(time_in_force_name(*routing.tif)));
  if (routing.outside_rth) add("outside_rth", "yes");
  add("algo", algo_text(routing.algo_strategy, routing.algo_params));
  return text.empty() ? "(none)" : text;
}

}  // namespace tandem::broker
