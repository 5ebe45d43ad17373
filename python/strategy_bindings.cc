// The strategy API's types as Python sees them (tandem.Contract, Order, Trade, Fill, Bar,
// Position, AccountValue and the broker view), with IB's field names in snake_case
// (sec_type, con_id, total_quantity, lmt_price, aux_price, order_status.avg_fill_price, ...).
// Enumerations are IB's strings ("BUY", "MKT", "DAY", "Filled", "BOT").
#include "strategy_bindings.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>

#include "broker/routing.h"
#include "core/domain.h"
#include "core/error.h"
#include "python_strategy.h"
#include "strategy/sizing.h"

namespace tandem::python {
namespace {

template <typename T>
T parsed(std::optional<T> value, const std::string& text, const char* what) {
  if (!value) {
    throw Error(ErrorKind::InvalidArgument, "unknown " + std::string(what) + " '" + text + "'",
                "tandem." + std::string(what));
  }
  return *value;
}

// A sizing helper's trade, or None when it placed nothing (its quantity rounded to 0).
py::object wrap_or_none(StrategyContext& c, const broker::TradeHandle& handle) {
  return handle ? c.wrap(handle) : py::object(py::none());
}

Action to_action(const std::string& text) { return parsed(parse_action(text), text, "action"); }
OrderType to_order_type(const std::string& text) {
  return parsed(parse_order_type(text), text, "order_type");
}
TimeInForce to_tif(const std::string& text) {
  return parsed(parse_time_in_force(text), text, "tif");
}
OcaType to_oca_type(int type) {
  if (type < 0 || type > 3) {
    throw Error(ErrorKind::InvalidArgument,
                "oca_type must be 0 (none), 1, 2 or 3, got " + std::to_string(type),
                "tandem.Order");
  }
  return static_cast<OcaType>(type);
}
bool is_trailing(const Order& o) {
  return o.order_type == OrderType::kTrail || o.order_type == OrderType::kTrailLimit;
}
std::optional<double> aux_price_of(const Order& o) {
  return is_trailing(o) ? o.trailing_amount : o.stop_price;
}
void set_aux_price(Order& o, std::optional<double> price) {
  (is_trailing(o) ? o.trailing_amount : o.stop_price) = price;
}

// A contract argument: a tandem.Contract, or a symbol ("SPY" is stock("SPY")).
Contract as_contract(const py::handle& value) {
  if (py::isinstance<py::str>(value)) return stock(value.cast<std::string>());
  return value.cast<Contract>();
}

// The broker's own handle for `trade` (a snapshot handed to a callback is matched by order id).
broker::TradeHandle resolve(const broker::Broker& broker, const PyTrade& trade) {
  for (const broker::TradeHandle& open : broker.open_trades()) {
    if (open == trade.handle) return open;
  }
  for (const broker::TradeHandle& open : broker.open_trades()) {
    if (open->order.order_id == trade.handle->order.order_id) return open;
  }
  return trade.handle;
}

std::string contract_repr(const Contract& c) {
  return "Contract(symbol='" + c.symbol + "', sec_type='" + c.sec_type + "', exchange='" +
         c.exchange + "', currency='" + c.currency + "', con_id=" + std::to_string(c.con_id) + ")";
}

template <typename Array>
py::array_t<Array> copy_of(std::span<const Array> values) {
  py::array_t<Array> array(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), array.mutable_data());
  return array;
}

void bind_values(py::module_& m) {
  py::class_<Contract>(m, "Contract")
      .def(py::init([](std::string symbol, std::string sec_type, std::string exchange,
                       std::string primary_exchange, std::string currency, std::int64_t con_id,
                       double multiplier) {
             return Contract{std::move(symbol),   std::move(sec_type),
                             std::move(exchange), std::move(primary_exchange),
                             std::move(currency), con_id,
                             multiplier};
           }),
           py::arg("symbol") = "", py::arg("sec_type") = "STK", py::arg("exchange") = "SMART",
           py::arg("primary_exchange") = "", py::arg("currency") = "USD", py::arg("con_id") = 0,
           py::arg("multiplier") = 1.0)
      .def_readwrite("symbol", &Contract::symbol)
      .def_readwrite("sec_type", &Contract::sec_type)
      .def_readwrite("exchange", &Contract::exchange)
      .def_readwrite("primary_exchange", &Contract::primary_exchange)
      .def_readwrite("currency", &Contract::currency)
      .def_readwrite("con_id", &Contract::con_id)
      .def_readwrite("multiplier", &Contract::multiplier)
      .def("same_instrument", &Contract::same_instrument)
      .def("__eq__", [](const Contract& a, const Contract& b) { return a.same_instrument(b); })
      .def("__hash__", [](const Contract& c) { return py::hash(py::str(c.symbol)); })
      .def("__repr__", &contract_repr);
  m.def("stock", &stock, py::arg("symbol"));

  py::class_<Order>(m, "Order")
      .def(py::init(
               [](const std::string& action, double total_quantity, const std::string& order_type,
                  std::optional<double> lmt_price, std::optional<double> aux_price,
                  const std::string& tif, bool outside_rth, std::optional<double> trailing_percent,
                  std::optional<double> trail_stop_price, std::optional<double> lmt_price_offset,
                  std::optional<Timestamp> good_after_time, std::optional<Timestamp> good_till_date,
                  const std::string& oca_group, int oca_type, std::int64_t parent_id,
                  bool transmit) {
                 Order order;
                 order.action = to_action(action);
                 order.total_quantity = total_quantity;
                 order.order_type = to_order_type(order_type);
                 order.limit_price = lmt_price;
                 set_aux_price(order, aux_price);
                 order.tif = to_tif(tif);
                 order.outside_rth = outside_rth;
                 order.trailing_percent = trailing_percent;
                 order.trail_stop_price = trail_stop_price;
                 order.limit_offset = lmt_price_offset;
                 order.good_after = good_after_time;
                 order.good_till = good_till_date;
                 order.oca_group = oca_group;
                 order.oca_type = to_oca_type(oca_type);
                 order.parent_id = parent_id;
                 order.transmit = transmit;
                 return order;
               }),
           py::arg("action") = "BUY", py::arg("total_quantity") = 0.0,
           py::arg("order_type") = "MKT", py::arg("lmt_price") = py::none(),
           py::arg("aux_price") = py::none(), py::arg("tif") = "DAY",
           py::arg("outside_rth") = false, py::arg("trailing_percent") = py::none(),
           py::arg("trail_stop_price") = py::none(), py::arg("lmt_price_offset") = py::none(),
           py::arg("good_after_time") = py::none(), py::arg("good_till_date") = py::none(),
           py::arg("oca_group") = "", py::arg("oca_type") = 0, py::arg("parent_id") = 0,
           py::arg("transmit") = true)
      .def_readonly("order_id", &Order::order_id)
      .def_readonly("perm_id", &Order::perm_id)
      .def_property(
          "action", [](const Order& o) { return std::string(action_name(o.action)); },
          [](Order& o, const std::string& text) { o.action = to_action(text); })
      .def_readwrite("total_quantity", &Order::total_quantity)
      .def_property(
          "order_type", [](const Order& o) { return std::string(order_type_name(o.order_type)); },
          [](Order& o, const std::string& text) { o.order_type = to_order_type(text); })
      .def_readwrite("lmt_price", &Order::limit_price)
      // IB's auxPrice: the stop of STP / STP LMT, the trailing amount of TRAIL / TRAIL LIMIT.
      .def_property("aux_price", &aux_price_of, &set_aux_price)
      .def_property(
          "tif", [](const Order& o) { return std::string(time_in_force_name(o.tif)); },
          [](Order& o, const std::string& text) { o.tif = to_tif(text); })
      .def_readonly("order_ref", &Order::order_ref)
      .def_readwrite("account", &Order::account)
      .def_readwrite("outside_rth", &Order::outside_rth)
      .def_readwrite("trailing_percent", &Order::trailing_percent)
      .def_readwrite("trail_stop_price", &Order::trail_stop_price)
      .def_readwrite("lmt_price_offset", &Order::limit_offset)
      .def_readwrite("good_after_time", &Order::good_after)  // ns since the epoch, UTC
      .def_readwrite("good_till_date", &Order::good_till)
      .def_readwrite("oca_group", &Order::oca_group)
      .def_property(
          "oca_type", [](const Order& o) { return static_cast<int>(o.oca_type); },
          [](Order& o, int type) { o.oca_type = to_oca_type(type); })
      .def_readwrite("parent_id", &Order::parent_id)
      .def_readwrite("transmit", &Order::transmit)
      .def_readwrite("algo_strategy", &Order::algo_strategy)
      .def_readwrite("algo_params", &Order::algo_params)
      .def_readwrite("use_routing", &Order::use_routing)
      .def("__repr__", [](const Order& o) {
        return "Order(order_id=" + std::to_string(o.order_id) + ", action='" +
               std::string(action_name(o.action)) +
               "', total_quantity=" + py::repr(py::float_(o.total_quantity)).cast<std::string>() +
               ", order_type='" + std::string(order_type_name(o.order_type)) + "')";
      });
  // A strategy's routing preference (docs/routing.md), read-only: set with `tandem alloc route`.
  py::class_<broker::Routing>(m, "Routing")
      .def_readonly("exchange", &broker::Routing::exchange)
      .def_readonly("primary_exchange", &broker::Routing::primary_exchange)
      .def_readonly("currency", &broker::Routing::currency)
      .def_readonly("account", &broker::Routing::account)
      .def_property_readonly("order_type",
                             [](const broker::Routing& r) -> std::optional<std::string> {
                               if (!r.order_type) return std::nullopt;
                               return std::string(order_type_name(*r.order_type));
                             })
      .def_property_readonly("tif",
                             [](const broker::Routing& r) -> std::optional<std::string> {
                               if (!r.tif) return std::nullopt;
                               return std::string(time_in_force_name(*r.tif));
                             })
      .def_readonly("outside_rth", &broker::Routing::outside_rth)
      .def_readonly("algo_strategy", &broker::Routing::algo_strategy)
      .def_readonly("algo_params", &broker::Routing::algo_params)
      .def("empty", &broker::Routing::empty)
      .def("__repr__",
           [](const broker::Routing& r) { return "Routing(" + broker::describe_routing(r) + ")"; });
  auto action_arg = [](const std::string& text) { return to_action(text); };
  m.def(
      "market_order",
      [action_arg](const std::string& action, double quantity) {
        return market_order(action_arg(action), quantity);
      },
      py::arg("action"), py::arg("total_quantity") = 0.0);
  m.def(
      "limit_order",
      [action_arg](const std::string& action, double lmt_price, double quantity) {
        return limit_order(action_arg(action), lmt_price, quantity);
      },
      py::arg("action"), py::arg("lmt_price"), py::arg("total_quantity") = 0.0);
  m.def(
      "stop_order",
      [action_arg](const std::string& action, double aux_price, double quantity) {
        return stop_order(action_arg(action), aux_price, quantity);
      },
      py::arg("action"), py::arg("aux_price"), py::arg("total_quantity") = 0.0);
  m.def(
      "stop_limit_order",
      [action_arg](const std::string& action, double aux_price, double lmt_price, double quantity) {
        return stop_limit_order(action_arg(action), aux_price, lmt_price, quantity);
      },
      py::arg("action"), py::arg("aux_price"), py::arg("lmt_price"),
      py::arg("total_quantity") = 0.0);
  m.def(
      "market_on_close_order",
      [action_arg](const std::string& action, double quantity) {
        return market_on_close_order(action_arg(action), quantity);
      },
      py::arg("action"), py::arg("total_quantity") = 0.0);
  m.def(
      "limit_on_close_order",
      [action_arg](const std::string& action, double lmt_price, double quantity) {
        return limit_on_close_order(action_arg(action), lmt_price, quantity);
      },
      py::arg("action"), py::arg("lmt_price"), py::arg("total_quantity") = 0.0);
  // TRAIL / TRAIL LIMIT by an amount (aux_price) or trailing_percent: give exactly one.
  auto trailing = [action_arg](const std::string& action, std::optional<double> aux_price,
                               std::optional<double> trailing_percent, double quantity,
                               std::optional<double> trail_stop_price) {
    Order order = market_order(action_arg(action), quantity);
    order.order_type = OrderType::kTrail;
    order.trailing_amount = aux_price;
    order.trailing_percent = trailing_percent;
    order.trail_stop_price = trail_stop_price;
    return order;
  };
  m.def("trailing_stop_order", trailing, py::arg("action"), py::arg("aux_price") = py::none(),
        py::arg("trailing_percent") = py::none(), py::arg("total_quantity") = 0.0,
        py::arg("trail_stop_price") = py::none());
  m.def(
      "trailing_stop_limit_order",
      [trailing](const std::string& action, double lmt_price_offset,
                 std::optional<double> aux_price, std::optional<double> trailing_percent,
                 double quantity, std::optional<double> trail_stop_price) {
        Order order = trailing(action, aux_price, trailing_percent, quantity, trail_stop_price);
        order.order_type = OrderType::kTrailLimit;
        order.limit_offset = lmt_price_offset;
        return order;
      },
      py::arg("action"), py::arg("lmt_price_offset"), py::arg("aux_price") = py::none(),
      py::arg("trailing_percent") = py::none(), py::arg("total_quantity") = 0.0,
      py::arg("trail_stop_price") = py::none());

  py::class_<OrderState>(m, "OrderStatus")
      .def_property_readonly(
          "status", [](const OrderState& s) { return std::string(order_status_name(s.status)); })
      .def_readonly("filled", &OrderState::filled)
      .def_readonly("remaining", &OrderState::remaining)
      .def_readonly("avg_fill_price", &OrderState::avg_fill_price);

  py::class_<TradeLogEntry>(m, "TradeLogEntry")
      .def_readonly("time", &TradeLogEntry::time)
      .def_property_readonly(
          "status", [](const TradeLogEntry& e) { return std::string(order_status_name(e.status)); })
      .def_readonly("message", &TradeLogEntry::message);

  py::class_<Execution>(m, "Execution")
      .def_readonly("exec_id", &Execution::exec_id)
      .def_readonly("time", &Execution::time)
      .def_readonly("acct_number", &Execution::account)
      .def_readonly("exchange", &Execution::exchange)
      .def_property_readonly(
          "side", [](const Execution& e) { return e.side == Action::kBuy ? "BOT" : "SLD"; })
      .def_readonly("shares", &Execution::shares)
      .def_readonly("price", &Execution::price)
      .def_readonly("order_id", &Execution::order_id)
      .def_readonly("perm_id", &Execution::perm_id)
      .def_readonly("cum_qty", &Execution::cum_qty)
      .def_readonly("avg_price", &Execution::avg_price)
      .def_readonly("order_ref", &Execution::order_ref);

  py::class_<CommissionReport>(m, "CommissionReport")
      .def_readonly("exec_id", &CommissionReport::exec_id)
      .def_readonly("commission", &CommissionReport::commission)
      .def_readonly("currency", &CommissionReport::currency)
      .def_readonly("realized_pnl", &CommissionReport::realized_pnl);

  py::class_<Fill>(m, "Fill")
      .def_readonly("contract", &Fill::contract)
      .def_readonly("execution", &Fill::execution)
      .def_readonly("commission_report", &Fill::commission_report)
      .def_readonly("time", &Fill::time)
      .def("__repr__", [](const Fill& f) {
        return "Fill(" + f.contract.symbol + ", exec_id='" + f.execution.exec_id +
               "', shares=" + py::repr(py::float_(f.execution.shares)).cast<std::string>() +
               ", price=" + py::repr(py::float_(f.execution.price)).cast<std::string>() + ")";
      });

  py::class_<Position>(m, "Position")
      .def_readonly("account", &Position::account)
      .def_readonly("contract", &Position::contract)
      .def_readonly("position", &Position::position)
      .def_readonly("avg_cost", &Position::avg_cost)
      .def("__repr__", [](const Position& p) {
        return "Position(" + p.contract.symbol +
               ", position=" + py::repr(py::float_(p.position)).cast<std::string>() +
               ", avg_cost=" + py::repr(py::float_(p.avg_cost)).cast<std::string>() + ")";
      });

  py::class_<AccountValue>(m, "AccountValue")
      .def_readonly("account", &AccountValue::account)
      .def_readonly("tag", &AccountValue::tag)
      .def_readonly("value", &AccountValue::value)
      .def_readonly("currency", &AccountValue::currency)
      .def("__repr__", [](const AccountValue& v) {
        return "AccountValue(" + v.tag + "=" + py::repr(py::float_(v.value)).cast<std::string>() +
               " " + v.currency + ")";
      });

  init_bar_type(m);
}

py::object history_bar(const PyHistory& h, py::ssize_t i) {
  const BarHistory& bars = h.checked();
  auto size = static_cast<py::ssize_t>(bars.size());
  if (i < 0) i += size;
  if (i < 0 || i >= size) throw py::index_error("bar index out of range");
  return make_bar(bars[static_cast<std::size_t>(i)], h.instrument, py::none());
}

void bind_trading(py::module_& m) {
  py::class_<PyTrade>(m, "Trade")
      .def_property_readonly("contract", [](const PyTrade& t) { return t.view().contract; })
      .def_property_readonly("order", [](const PyTrade& t) { return t.view().order; })
      .def_property_readonly("order_status", [](const PyTrade& t) { return t.view().state; })
      .def_property_readonly("fills", [](const PyTrade& t) { return t.view().fills; })
      .def_property_readonly("log", [](const PyTrade& t) { return t.view().log; })
      .def("is_done", [](const PyTrade& t) { return t.view().is_done(); })
      .def("is_active", [](const PyTrade& t) { return t.view().is_active(); })
      .def("commission", [](const PyTrade& t) { return t.view().commission(); })
      .def("__repr__", [](const PyTrade& t) {
        const Trade& trade = t.view();
        return "Trade(" + trade.contract.symbol +
               ", order_id=" + std::to_string(trade.order.order_id) + ", status='" +
               std::string(order_status_name(trade.state.status)) + "')";
      });

  py::class_<PyHistory>(m, "History")
      .def("__len__", [](const PyHistory& h) { return h.checked().size(); })
      .def("__getitem__", &history_bar)
      .def("ago",
           [](const PyHistory& h, std::size_t k) {
             return make_bar(h.checked().ago(k), h.instrument, py::none());
           })
      .def_property_readonly("times",
                             [](const PyHistory& h) { return copy_of(h.checked().times()); })
      .def_property_readonly("opens",
                             [](const PyHistory& h) { return copy_of(h.checked().opens()); })
      .def_property_readonly("highs",
                             [](const PyHistory& h) { return copy_of(h.checked().highs()); })
      .def_property_readonly("lows", [](const PyHistory& h) { return copy_of(h.checked().lows()); })
      .def_property_readonly("closes",
                             [](const PyHistory& h) { return copy_of(h.checked().closes()); })
      .def_property_readonly("volumes",
                             [](const PyHistory& h) { return copy_of(h.checked().volumes()); });

  using Context = StrategyContext;
  py::class_<Context, std::shared_ptr<Context>>(m, "Broker")
      .def_property_readonly("account", [](const Context& c) { return c.broker().account(); })
      .def_property_readonly("strategy_key", &Context::key)
      .def("now", [](const Context& c) { return c.broker().now(); })
      .def_property_readonly("routing", [](const Context& c) { return c.broker().routing(); })
      .def("get_equity", [](const Context& c) { return c.broker().equity(); })
      .def("get_total_equity", [](const Context& c) { return c.broker().total_equity(); })
      .def("available_funds", [](const Context& c) { return c.broker().available_funds(); })
      .def("last_price",
           [](const Context& c, const py::handle& contract) {
             return c.broker().last_price(as_contract(contract));
           })
      .def(
          "place_order",
          [](Context& c, const py::handle& contract, Order order, std::optional<double> size) {
            broker::TradeHandle handle =
                size ? c.broker().place_order(as_contract(contract), std::move(order), *size)
                     : c.broker().place_order(as_contract(contract), std::move(order));
            return c.wrap(handle);
          },
          py::arg("contract"), py::arg("order"), py::arg("size") = py::none())
      .def(
          "place_bracket",
          [](Context& c, const py::handle& contract, Order parent, double take_profit,
             double stop_loss, std::optional<double> size) {
            const Contract target = as_contract(contract);
            broker::Bracket b =
                size ? c.broker().place_bracket(target, std::move(parent), take_profit, stop_loss,
                                                *size)
                     : c.broker().place_bracket(target, std::move(parent), take_profit, stop_loss);
            return py::make_tuple(c.wrap(b.parent), c.wrap(b.stop_loss), c.wrap(b.take_profit));
          },
          py::arg("contract"), py::arg("parent"), py::arg("take_profit"), py::arg("stop_loss"),
          py::arg("size") = py::none())
      .def("cancel_order",
           [](Context& c, const PyTrade& trade) {
             c.broker().cancel_order(resolve(c.broker(), trade));
           })
      .def(
          "modify_order",
          [](Context& c, const PyTrade& trade, std::optional<double> total_quantity,
             std::optional<double> lmt_price, std::optional<double> aux_price,
             std::optional<std::string> tif) {
            broker::OrderChanges changes;
            changes.total_quantity = total_quantity;
            changes.limit_price = lmt_price;
            changes.stop_price = aux_price;
            if (tif) changes.tif = to_tif(*tif);
            c.broker().modify_order(resolve(c.broker(), trade), changes);
          },
          py::arg("trade"), py::arg("total_quantity") = py::none(),
          py::arg("lmt_price") = py::none(), py::arg("aux_price") = py::none(),
          py::arg("tif") = py::none())
      // Sizing helpers (docs/strategies.md, "Sizing"): each returns the Trade, or None when the
      // quantity rounds to 0 and nothing is placed.
      .def(
          "order_quantity",
          [](Context& c, const py::handle& contract, double quantity, double lot, bool fractional,
             bool cap_to_funds) {
            return wrap_or_none(
                c, strategy::order_quantity(c.broker(), as_contract(contract), quantity,
                                            {lot, fractional, cap_to_funds}));
          },
          py::arg("contract"), py::arg("quantity"), py::kw_only(), py::arg("lot") = 1.0,
          py::arg("fractional") = false, py::arg("cap_to_funds") = false)
      .def(
          "order_percent",
          [](Context& c, const py::handle& contract, double fraction, double lot, bool fractional,
             bool cap_to_funds) {
            return wrap_or_none(c,
                                strategy::order_percent(c.broker(), as_contract(contract), fraction,
                                                        {lot, fractional, cap_to_funds}));
          },
          py::arg("contract"), py::arg("fraction"), py::kw_only(), py::arg("lot") = 1.0,
          py::arg("fractional") = false, py::arg("cap_to_funds") = false)
      .def(
          "order_target_quantity",
          [](Context& c, const py::handle& contract, double target, double lot, bool fractional,
             bool cap_to_funds) {
            return wrap_or_none(
                c, strategy::order_target_quantity(c.broker(), as_contract(contract), target,
                                                   {lot, fractional, cap_to_funds}));
          },
          py::arg("contract"), py::arg("target"), py::kw_only(), py::arg("lot") = 1.0,
          py::arg("fractional") = false, py::arg("cap_to_funds") = false)
      .def(
          "order_target_percent",
          [](Context& c, const py::handle& contract, double weight, double lot, bool fractional,
             bool cap_to_funds) {
            return wrap_or_none(
                c, strategy::order_target_percent(c.broker(), as_contract(contract), weight,
                                                  {lot, fractional, cap_to_funds}));
          },
          py::arg("contract"), py::arg("weight"), py::kw_only(), py::arg("lot") = 1.0,
          py::arg("fractional") = false, py::arg("cap_to_funds") = false)
      .def(
          "order_volatility_target",
          [](Context& c, const py::handle& contract, std::vector<double> closes,
             double annual_target, double budget_fraction, double periods_per_year, double lot,
             bool fractional, bool cap_to_funds) {
            return wrap_or_none(
                c, strategy::order_volatility_target(
                       c.broker(), as_contract(contract), closes, annual_target, budget_fraction,
                       periods_per_year, {lot, fractional, cap_to_funds}));
          },
          py::arg("contract"), py::arg("closes"), py::arg("annual_target"), py::kw_only(),
          py::arg("budget_fraction") = 1.0, py::arg("periods_per_year") = 252.0,
          py::arg("lot") = 1.0, py::arg("fractional") = false, py::arg("cap_to_funds") = false)
      .def(
          "order_risk_per_trade",
          [](Context& c, const py::handle& contract, const std::string& action, double risk_amount,
             double stop_price, double lot, bool fractional, bool cap_to_funds) {
            return wrap_or_none(c, strategy::order_risk_per_trade(
                                       c.broker(), as_contract(contract), to_action(action),
                                       risk_amount, stop_price, {lot, fractional, cap_to_funds}));
          },
          py::arg("contract"), py::arg("action"), py::arg("risk_amount"), py::arg("stop_price"),
          py::kw_only(), py::arg("lot") = 1.0, py::arg("fractional") = false,
          py::arg("cap_to_funds") = false)
      .def("get_positions", [](const Context& c) { return c.broker().positions(); })
      .def("position",
           [](const Context& c, const py::handle& contract) {
             return c.broker().position(as_contract(contract));
           })
      .def("open_trades",
           [](Context& c) {
             py::list trades;
             for (const broker::TradeHandle& handle : c.broker().open_trades()) {
               trades.append(c.wrap(handle));
             }
             return trades;
           })
      .def("account_values", [](const Context& c) { return c.broker().account_values(); })
      .def(
          "_history",
          [](const std::shared_ptr<Context>& c, std::size_t instrument) {
            return PyHistory{c->history(instrument), instrument, c, c->epoch()};
          },
          py::arg("instrument") = 0);
}

}  // namespace

void bind_strategy_api(py::module_& m) {
  bind_values(m);
  bind_trading(m);
}

}  // namespace tandem::python
