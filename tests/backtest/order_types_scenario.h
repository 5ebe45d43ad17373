// One scripted strategy that places every order type, time in force and link of issue 18 on
// hand-built daily bars whose outcome is known: run as a backtest and live against the paper
// gateway, both must give the same fills and the same end for every order.
#pragma once

#include <fmt/format.h>

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "broker/broker.h"
#include "core/bar.h"
#include "core/domain.h"
#include "store/table.h"
#include "strategy/daily_config.h"
#include "strategy/strategy.h"

namespace tandem::testing {

// 20 flat warm-up bars at 100 (the gateway starts at bar 20), then the scenario bars. `day(i)`
// is bar i's time.
inline Timestamp scenario_day(int i) { return (19723LL + i) * kNanosPerDay; }

inline std::vector<Bar> order_types_bars() {
  std::vector<Bar> bars;
  for (int i = 0; i < 21; ++i) bars.push_back({scenario_day(i), 100, 100.5, 99.5, 100, 1000});
  // open, high, low, close of scenario bar n (n = 1 is bars[21], the strategy's first bar).
  const std::vector<std::vector<double>> ohlc = {
      {100, 101, 99, 100},     // 1  buy 100 at market; TRAIL sell 5; TRAIL LIMIT sell 10 %
      {102, 106, 101, 105},    // 2  trails move up: stops 101 and 95.4
      {104, 104.5, 100, 101},  // 3  touch: TRAIL fills at 101
      {90, 91, 88, 89},        // 4  gap down: TRAIL LIMIT triggered, its limit 94.4 not reached
      {93, 95, 92, 94},        // 5  limit touched: fills 94.4; MOC at 94; LOC 93 no, LOC 95 yes
      {95, 96, 93, 95.5},      // 6  IOC 90 cancelled; FOK 96 fills 95.5; GTD limit 92 placed
      {93, 94, 91, 92},        // 7  below the GTD limit, but before its good_after
      {94, 95, 93, 94.5},      // 8  no touch
      {93, 94, 91, 92},        // 9  at good_till: cancelled, not filled
      {95, 96, 94.5, 95},      // 10 bracket: BUY LMT 94, stop-loss 90, take-profit 98
      {95, 96, 93.5, 95},      // 11 parent fills inside the bar at 94
      {96, 97, 95, 96.5},      // 12 nothing
      {97, 99, 96, 98.5},      // 13 take-profit at 98; the stop-loss is cancelled
      {99, 99.5, 98.5, 99},    // 14 OCA type 1: SELL LMT 100 and SELL LMT 101
      {99, 100.5, 98, 100},    // 15 the 100 fills; the 101 is cancelled
      {100, 101, 99, 100},     // 16 gap-up trail: BUY TRAIL 2 from 100 (stop 102)
      {104, 105, 103, 104},    // 17 gap up through 102: fills at the open 104
      {104, 105, 103, 104},    // 18
  };
  for (std::size_t n = 0; n < ohlc.size(); ++n) {
    const auto& b = ohlc[n];
    bars.push_back({scenario_day(21 + static_cast<int>(n)), b[0], b[1], b[2], b[3], 1000});
  }
  return bars;
}

class OrderTypesScenario : public strategy::Strategy {
 public:
  explicit OrderTypesScenario(const std::string& symbol) : Strategy(config(symbol)) {}
  void on_bar(const strategy::BarEvent& event) override {
    const Contract& c = contracts()[0];
    auto place = [&](Order order, double quantity = 10) {
      order.total_quantity = quantity;
      return broker().place_order(c, std::move(order));
    };
    auto gtc = [](Order order) {
      order.tif = TimeInForce::kGtc;
      return order;
    };
    switch (++bars_) {
      case 1:
        place(market_order(Action::kBuy), 100);
        place(gtc(trailing_stop_order(Action::kSell, 5)));
        place(gtc(trailing_stop_limit_order(Action::kSell, 10, 1, true)));
        break;
      case 5:
        place(market_on_close_order(Action::kBuy));
        place(limit_on_close_order(Action::kBuy, 93));
        place(limit_on_close_order(Action::kBuy, 95));
        break;
      case 6: {
        Order ioc = limit_order(Action::kBuy, 90);
        ioc.tif = TimeInForce::kIoc;
        place(ioc);
        Order fok = limit_order(Action::kBuy, 96);
        fok.tif = TimeInForce::kFok;
        place(fok);
        Order gtd = limit_order(Action::kBuy, 92);
        gtd.tif = TimeInForce::kGtd;
        gtd.good_after = event.bar.time + 2 * kNanosPerDay;
        gtd.good_till = event.bar.time + 3 * kNanosPerDay;
        place(gtd);
        break;
      }
      case 10: {
        Order parent = limit_order(Action::kBuy, 94, 10);
        parent.tif = TimeInForce::kGtc;
        bracket_ = broker().place_bracket(c, parent, 98, 90);
        break;
      }
      case 14:
        for (double price : {100.0, 101.0}) {
          Order sell = gtc(limit_order(Action::kSell, price));
          sell.oca_group = "exit";
          sell.oca_type = OcaType::kCancelWithBlock;
          place(sell);
        }
        break;
      case 16: {
        Order buy = gtc(trailing_stop_order(Action::kBuy, 2));
        place(buy);
        break;
      }
      default:
        break;
    }
  }
  const broker::Bracket& bracket() const { return bracket_; }

 private:
  static strategy::StrategyConfig config(const std::string& symbol) {
    return tandem::testing::daily_config(symbol);
  }
  int bars_ = 0;
  broker::Bracket bracket_;
};

// What every order of an account's `orders` table came to, in the order placed (by order id):
// "TYPE ACTION TIF STATUS FILLED".
inline std::vector<std::string> final_orders(const store::Table& orders) {
  std::map<std::int64_t, std::string> last;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    last[orders.int64s("order_id")[i]] = fmt::format(
        "{} {} {} {} {}", orders.strings("order_type")[i], orders.strings("action")[i],
        orders.strings("tif")[i], orders.strings("status")[i], orders.float64s("filled")[i]);
  }
  std::vector<std::string> result;
  for (auto& [id, text] : last) result.push_back(std::move(text));
  return result;
}

// The scenario's expected ends, in the order the orders are placed.
inline const std::vector<std::string> kScenarioEnds = {
    "MKT BUY DAY Filled 100",  "TRAIL SELL GTC Filled 10", "TRAIL LIMIT SELL GTC Filled 10",
    "MOC BUY DAY Filled 10",   "LOC BUY DAY Cancelled 0",  "LOC BUY DAY Filled 10",
    "LMT BUY IOC Cancelled 0", "LMT BUY FOK Filled 10",    "LMT BUY GTD Cancelled 0",
    "LMT BUY GTC Filled 10",   "STP SELL GTC Cancelled 0", "LMT SELL GTC Filled 10",
    "LMT SELL GTC Filled 10",  "LMT SELL GTC Cancelled 0", "TRAIL BUY GTC Filled 10",
};

// The scenario's fills in time order: (scenario bar, side, price).
inline const std::vector<std::tuple<int, std::string, double>> kScenarioFills = {
    {1, "BUY", 100},  {3, "SELL", 101}, {5, "SELL", 94.4}, {5, "BUY", 94},    {5, "BUY", 94},
    {6, "BUY", 95.5}, {11, "BUY", 94},  {13, "SELL", 98},  {15, "SELL", 100}, {17, "BUY", 104},
};

}  // namespace tandem::testing
