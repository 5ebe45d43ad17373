// Event tables of the HTML report: open positions, trades, orders and fills. Long histories
// keep the latest rows so the page stays small; the note under a table says what was left out.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "report/html_parts.h"
#include "report/text_format.h"

namespace tandem::report::html {
namespace {

std::string price_text(double price) { return format_amount(price, std::abs(price) < 1 ? 4 : 2); }

// Whole shares without decimals; fractional quantities with up to four.
std::string quantity_text(double q) {
  if (q == std::round(q)) return format_amount(q, 0);
  std::string s = format_amount(q, 4);
  while (s.back() == '0') s.pop_back();
  return s;
}

std::string date_time_text(Timestamp t) {
  if (t == day_start(t)) return format_date(t);  // daily rows: the date says it all
  std::string s = format_timestamp(t);           // 2024-01-31T14:30:00Z
  s[10] = ' ';
  s.pop_back();
  return s;
}

std::string text_cell(const std::string& text) { return "<td>" + html_escape(text) + "</td>"; }

std::string opt_price_cell(std::optional<double> price) {
  if (!price || !std::isfinite(*price)) return numeric_cell("");
  return numeric_cell(price_text(*price));
}

// The table's frame, and the note when rows were left out.
std::string table_frame(std::string_view id, std::string_view head, const std::string& body,
                        std::size_t shown, std::size_t total, std::string_view what,
                        const std::string& account, std::string_view store_symbol) {
  std::string out = fmt::format(
      "<div class=\"scroll\"><table class=\"sortable\" id=\"{}\"><thead><tr>{}</tr></thead>"
      "<tbody>{}</tbody></table></div>",
      id, head, body);
  if (total == 0) {
    out += fmt::format("<p class=\"note\">No {}.</p>", what);
  } else if (shown < total) {
    out += fmt::format(
        "<p class=\"note\">Showing the latest {} of {} {} (newest first); all of them: "
        "<code>tandem store read {} {}</code>. Figures above use every row.</p>",
        format_count(shown), format_count(total), what, html_escape(account), store_symbol);
  } else {
    out += fmt::format("<p class=\"note\">All {} ({}), newest first. Click a column to sort.</p>",
                       what, format_count(total));
  }
  return out;
}

}  // namespace

std::string positions_table(const RiskReport& risk, const std::string& currency) {
  if (risk.positions.empty()) return "<p class=\"note\">No open position.</p>";
  std::string out = fmt::format(
      "<div class=\"wide\"><table class=\"sortable compact\" "
      "id=\"positions\"><thead><tr><th>Symbol</th>"
      "<th class=\"n\">Position</th><th class=\"n\">Price</th><th class=\"n\">Market value{}</th>"
      "<th class=\"n\">Unrealized</th><th class=\"n\">Share of equity</th></tr></thead><tbody>",
      currency.empty() ? "" : " (" + html_escape(currency) + ")");
  for (const PositionExposure& p : risk.positions) {
    out += "<tr>" + text_cell(p.symbol);
    out += numeric_cell(quantity_text(p.position));
    out += numeric_cell(price_text(p.market_price));
    out += numeric_cell(format_amount(p.market_value, 0));
    out += numeric_cell(format_amount(p.unrealized_pnl, 0), sign_class(p.unrealized_pnl));
    out += numeric_cell(format_percent(p.share_of_equity, 1));
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string trades_table(const AccountData& data, const TradeStats& stats, std::size_t max_rows) {
  std::string summary = fmt::format(
      "<p class=\"note\">Round trips {} · won {} · lost {} · net {} · profit factor {} · average "
      "win {} · average loss {} · largest win {} · largest loss {}</p>",
      format_count(stats.trades), format_count(stats.wins), format_count(stats.losses),
      format_amount(stats.net_pnl), format_number(stats.profit_factor),
      format_amount(stats.average_win), format_amount(stats.average_loss),
      format_amount(stats.largest_win), format_amount(stats.largest_loss));
  std::size_t shown = std::min(max_rows, data.trades.size());
  std::string body;
  body.reserve(shown * 420);
  for (std::size_t n = 0; n < shown; ++n) {
    const TradeRow& t = data.trades[data.trades.size() - 1 - n];
    double cost = std::abs(t.quantity * t.entry_price);
    std::optional<double> ret;
    if (cost > 0) ret = t.pnl / cost;
    double held = static_cast<double>(calendar_days_between(t.entry_time, t.exit_time));
    body += "<tr>" + text_cell(date_time_text(t.exit_time)) + text_cell(t.strategy) +
            text_cell(t.symbol) + text_cell(t.quantity >= 0 ? "Long" : "Short");
    body += numeric_cell(quantity_text(std::abs(t.quantity)));
    body += text_cell(date_time_text(t.entry_time));
    body += numeric_cell(price_text(t.entry_price));
    body += numeric_cell(price_text(t.exit_price));
    body += numeric_cell(fmt::format("{:.0f}", held));
    body += numeric_cell(format_amount(t.pnl), sign_class(t.pnl));
    body += numeric_cell(format_percent(ret), sign_class(ret));
    body += numeric_cell(format_amount(t.commission));
    body += "</tr>";
  }
  return summary +
         table_frame("trades",
                     "<th>Exit</th><th>Strategy</th><th>Symbol</th><th>Side</th>"
                     "<th class=\"n\">Quantity</th><th>Entry</th><th class=\"n\">Entry price</th>"
                     "<th class=\"n\">Exit price</th><th class=\"n\">Days held</th>"
                     "<th class=\"n\">Net PnL</th><th class=\"n\">Return</th>"
                     "<th class=\"n\">Commission</th>",
                     body, shown, data.trades.size(), "trades", data.account_id, "trades");
}

std::string orders_table(const AccountData& data, std::size_t total, std::size_t max_rows) {
  std::size_t shown = std::min(max_rows, data.orders.size());
  std::string body;
  body.reserve(shown * 480);
  for (std::size_t n = 0; n < shown; ++n) {
    const OrderRow& o = data.orders[data.orders.size() - 1 - n];
    body += "<tr>" + text_cell(date_time_text(o.time));
    body += numeric_cell(std::to_string(o.order_id));
    body += text_cell(o.strategy) + text_cell(o.symbol) + text_cell(o.action);
    body += numeric_cell(quantity_text(o.quantity));
    body += text_cell(o.order_type) + opt_price_cell(o.limit_price) + opt_price_cell(o.stop_price);
    body += text_cell(o.tif) + text_cell(o.status);
    body += numeric_cell(quantity_text(o.filled));
    body += numeric_cell(quantity_text(o.remaining));
    body += opt_price_cell(o.avg_fill_price) + text_cell(o.message) + "</tr>";
  }
  return table_frame("orders",
                     "<th>Time</th><th class=\"n\">Order</th><th>Strategy</th>"
                     "<th>Symbol</th><th>Action</th><th class=\"n\">Quantity</th>"
                     "<th>Type</th><th class=\"n\">Limit</th><th class=\"n\">Stop</th>"
                     "<th>TIF</th><th>Status</th><th class=\"n\">Filled</th>"
                     "<th class=\"n\">Remaining</th><th class=\"n\">Avg fill</th>"
                     "<th>Message</th>",
                     body, shown, std::max(total, data.orders.size()), "order events",
                     data.account_id, "orders");
}

std::string fills_table(const AccountData& data, std::size_t total, std::size_t max_rows) {
  std::size_t shown = std::min(max_rows, data.fills.size());
  std::string body;
  body.reserve(shown * 460);
  for (std::size_t n = 0; n < shown; ++n) {
    const FillRow& f = data.fills[data.fills.size() - 1 - n];
    double value = f.shares * f.price;
    body += "<tr>" + text_cell(date_time_text(f.time)) + text_cell(f.exec_id);
    body += numeric_cell(std::to_string(f.order_id));
    body += text_cell(f.strategy) + text_cell(f.symbol) + text_cell(f.side);
    body += numeric_cell(quantity_text(f.shares));
    body += numeric_cell(price_text(f.price));
    body += numeric_cell(format_amount(value));
    body += numeric_cell(format_amount(f.commission));
    body += numeric_cell(f.realized_pnl ? format_amount(f.realized_pnl) : "",
                         sign_class(f.realized_pnl));
    body += text_cell(f.exchange) + "</tr>";
  }
  return table_frame("fills",
                     "<th>Time</th><th>Exec id</th><th class=\"n\">Order</th>"
                     "<th>Strategy</th><th>Symbol</th><th>Side</th>"
                     "<th class=\"n\">Shares</th><th class=\"n\">Price</th>"
                     "<th class=\"n\">Value</th><th class=\"n\">Commission</th>"
                     "<th class=\"n\">Realized PnL</th><th>Exchange</th>",
                     body, shown, std::max(total, data.fills.size()), "fills", data.account_id,
                     "fills");
}

}  // namespace tandem::report::html
