// The "Prices and trades" section: per instrument, a candlestick chart of its bars with a marker
// for every fill and the lines its strategies declare, drawn in the browser by the inlined
// charting library (price_chart_script.cc); a plain SVG close-price chart stands in for readers
// without script. The data travels as one JSON block, times in UTC seconds.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "report/html_parts.h"
#include "report/svg_chart.h"
#include "report/text_format.h"

namespace tandem::report::html {
namespace {

constexpr Timestamp kNanosPerSecond = 1'000'000'000;
const char* const kLineColors[] = {"#f59e0b", "#7c3aed", "#0891b2", "#db2777"};

std::int64_t seconds(Timestamp t) { return t / kNanosPerSecond; }

bool is_buy(const std::string& side) { return side == "BOT" || side == "BUY"; }

// The element id of an instrument's chart: symbols may hold characters an id should not.
std::string chart_id(std::size_t index) { return "price-" + std::to_string(index); }

// Index of the bar a fill belongs to: the last bar at or before it (the first bar for a fill
// before any bar). Bars are in time order.
std::size_t bar_of(const std::vector<PriceBar>& bars, Timestamp time) {
  auto it = std::upper_bound(bars.begin(), bars.end(), time,
                             [](Timestamp t, const PriceBar& b) { return t < b.time; });
  return it == bars.begin() ? 0 : static_cast<std::size_t>(it - bars.begin()) - 1;
}

std::string legend(const InstrumentPrices& p, std::size_t buys, std::size_t sells) {
  std::string out = "<div class=\"legend\">";
  out += "<span class=\"key\"><i style=\"border-color:#16a34a\"></i>bars (" +
         format_count(p.bars.size()) + ")</span>";
  for (std::size_t i = 0; i < p.indicators.size(); ++i) {
    out += fmt::format("<span class=\"key\"><i style=\"border-color:{}\"></i>{}</span>",
                       kLineColors[i % std::size(kLineColors)], html_escape(p.indicators[i].label));
  }
  out += fmt::format(
      "<span class=\"key\"><b class=\"buy\">▲</b>buy ({})</span>"
      "<span class=\"key\"><b class=\"sell\">▼</b>sell ({})</span>"
      "<span class=\"key hint\">wheel or pinch to zoom, drag to pan, double-click to fit</span>",
      format_count(buys), format_count(sells));
  return out + "</div>";
}

}  // namespace

std::string price_charts(const AccountData& data) {
  if (data.prices.empty()) return {};
  nlohmann::json instruments = nlohmann::json::array();
  std::string cards;
  for (std::size_t index = 0; index < data.prices.size(); ++index) {
    const InstrumentPrices& p = data.prices[index];
    if (p.bars.empty()) continue;
    nlohmann::json bars = nlohmann::json::array();
    for (const PriceBar& b : p.bars) {
      bars.push_back({seconds(b.time), b.open, b.high, b.low, b.close});
    }
    nlohmann::json lines = nlohmann::json::array();
    for (std::size_t i = 0; i < p.indicators.size(); ++i) {
      nlohmann::json points = nlohmann::json::array();
      const IndicatorLine& line = p.indicators[i];
      for (std::size_t j = 0; j < p.bars.size() && j < line.value.size(); ++j) {
        if (std::isfinite(line.value[j]))
          points.push_back({seconds(p.bars[j].time), line.value[j]});
      }
      lines.push_back({{"label", line.label},
                       {"color", kLineColors[i % std::size(kLineColors)]},
                       {"points", std::move(points)}});
    }
    // Every fill of the instrument the page holds, at the bar it happened in.
    nlohmann::json fills = nlohmann::json::array();
    std::size_t buys = 0, sells = 0;
    for (const FillRow& f : data.fills) {
      if (f.symbol != p.symbol) continue;
      const bool buy = is_buy(f.side);
      (buy ? buys : sells) += 1;
      fills.push_back({seconds(p.bars[bar_of(p.bars, f.time)].time), buy ? "B" : "S", f.shares,
                       f.price, f.strategy, format_timestamp(f.time)});
    }
    const std::string id = chart_id(index);
    instruments.push_back({{"id", id},
                           {"symbol", p.symbol},
                           {"barSize", p.bar_size},
                           {"bars", std::move(bars)},
                           {"lines", std::move(lines)},
                           {"fills", std::move(fills)}});

    Series close;
    for (const PriceBar& b : p.bars) {
      close.time.push_back(b.time);
      close.value.push_back(b.close);
    }
    const std::vector<ChartLine> fallback{{p.symbol + " close", "#2563eb", &close}};
    cards += fmt::format(
        "<div class=\"card\"><h3>{} · {} bars</h3>{}"
        "<div class=\"price-chart\" id=\"{}\" data-symbol=\"{}\"></div>"
        "<div class=\"price-tip\" id=\"{}-tip\">Hover over a bar for its prices and fills.</div>"
        "<noscript>{}</noscript></div>",
        html_escape(p.symbol), html_escape(p.bar_size), legend(p, buys, sells), id,
        html_escape(p.symbol), id,
        render_line_chart(fallback, {.id = id + "-svg",
                                     .title = p.symbol + " close",
                                     .height = 300,
                                     .y_axis = YAxis::kAmount}));
  }
  if (cards.empty()) return {};
  // "</" inside a <script> block would end it early; JSON allows "<\/" for "</".
  std::string json = nlohmann::json{{"instruments", std::move(instruments)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (std::size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 3)) {
    json.replace(at, 2, "<\\/");
  }
  return "<section id=\"prices\"><h2>Prices and trades</h2>" + cards +
         "<script type=\"application/json\" id=\"price-data\">" + json + "</script></section>";
}

}  // namespace tandem::report::html
