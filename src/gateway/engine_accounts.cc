// Engine: the account as IB reports it — positions, portfolio, account values and summary —
// all computed from the Ledger marked at the replayed closes. The paper account is a cash
// account, like the backtest's: no margin, buying power = cash.
#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "core/tolerance.h"
#include "gateway/engine.h"

namespace tandem::gateway {
namespace {

std::string money(double value) { return fmt::format("{:.2f}", value); }
std::string ratio(double value) { return fmt::format("{:.4f}", value); }

std::vector<std::string> split_csv(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

ib::Contract Engine::wire_contract(const std::string& symbol) const {
  if (auto i = market_.find_symbol(symbol)) {
    ib::Contract contract = market_.instrument(*i).details.contract;
    return contract;
  }
  ib::Contract contract;  // an order of a symbol no longer in the data (stored state)
  contract.symbol = symbol;
  contract.sec_type = "STK";
  contract.exchange = "SMART";
  contract.currency = "USD";
  contract.local_symbol = symbol;
  return contract;
}

double Engine::mark_price(const std::string& symbol) const {
  if (auto i = market_.find_symbol(symbol)) {
    const Instrument& instrument = market_.instrument(*i);
    if (instrument.has_price()) return instrument.current_bar().close;
  }
  for (auto it = executions_.rbegin(); it != executions_.rend(); ++it) {
    if (it->symbol == symbol) return it->price;
  }
  return 0;
}

AccountFigures Engine::figures() const {
  return ledger_->figures([this](const std::string& symbol) { return mark_price(symbol); });
}

std::vector<std::pair<std::string, std::string>> Engine::account_summary_values(
    const std::string& requested, const AccountFigures& f) const {
  std::string tag = requested;
  if (tag.starts_with("ReqT")) tag = "RegT" + tag.substr(4);  // IB Python's spelling
  const std::string ccy = "USD";
  const double nlv = f.net_liquidation;
  const double cushion = nlv != 0 ? f.cash / nlv : 0;
  const double leverage = nlv != 0 ? f.gross_position_value / nlv : 0;
  auto base = [&](const std::string& t) -> std::optional<std::pair<std::string, std::string>> {
    if (t == "AccountType") return std::pair{std::string("INDIVIDUAL"), std::string()};
    if (t == "NetLiquidation" || t == "EquityWithLoanValue" ||
        t == "PreviousDayEquityWithLoanValue" || t == "RegTEquity") {
      return std::pair{money(nlv), ccy};
    }
    if (t == "TotalCashValue" || t == "SettledCash" || t == "BuyingPower" || t == "SMA" ||
        t == "AvailableFunds" || t == "ExcessLiquidity" || t == "FullAvailableFunds" ||
        t == "FullExcessLiquidity" || t == "LookAheadAvailableFunds" ||
        t == "LookAheadExcessLiquidity") {
      return std::pair{money(f.cash), ccy};
    }
    if (t == "AccruedCash" || t == "RegTMargin" || t == "InitMarginReq" || t == "MaintMarginReq" ||
        t == "FullInitMarginReq" || t == "FullMaintMarginReq" || t == "LookAheadInitMarginReq" ||
        t == "LookAheadMaintMarginReq") {
      return std::pair{money(0), ccy};
    }
    if (t == "GrossPositionValue") return std::pair{money(f.gross_position_value), ccy};
    if (t == "Cushion") return std::pair{ratio(cushion), std::string()};
    if (t == "Leverage") return std::pair{ratio(leverage), std::string()};
    if (t == "LookAheadNextChange" || t == "HighestSeverity") {
      return std::pair{std::string("0"), std::string()};
    }
    if (t == "DayTradesRemaining") return std::pair{std::string("-1"), std::string()};
    return std::nullopt;
  };
  std::vector<std::pair<std::string, std::string>> out;  // "tag\tvalue\tcurrency" packed below
  auto add = [&](const std::string& t, const std::string& value, const std::string& currency) {
    out.emplace_back(t, value + '\t' + currency);
  };
  if (tag.starts_with("$LEDGER")) {
    const double stock_value = f.net_liquidation - f.cash;
    for (const std::string& c : {ccy, std::string("BASE")}) {
      if (c == "BASE" && tag != "$LEDGER:ALL") continue;
      add("CashBalance", money(f.cash), c);
      add("TotalCashBalance", money(f.cash), c);
      add("NetLiquidationByCurrency", money(nlv), c);
      add("StockMarketValue", money(stock_value), c);
      add("UnrealizedPnL", money(f.unrealized_pnl), c);
      add("RealizedPnL", money(f.realized_pnl), c);
      add("ExchangeRate", "1.00", c);
    }
    return out;
  }
  if (auto v = base(tag)) add(requested, v->first, v->second);
  return out;
}

void Engine::send_position(Session& s, const std::string& symbol) {
  const broker::PositionBook::Holding* holding = ledger_->book().find(symbol);
  ib::PositionData m;
  m.account = options_.account;
  m.contract = wire_contract(symbol);
  m.position = holding ? holding->quantity : 0;
  if (std::abs(m.position) <= kShareEpsilon) m.position = 0;
  m.avg_cost = holding ? holding->avg_cost() : 0;
  send(s, m);
}

void Engine::send_portfolio(Session& s, const std::string& symbol) {
  const broker::PositionBook::Holding* holding = ledger_->book().find(symbol);
  if (holding == nullptr) return;
  const double price = mark_price(symbol);
  ib::PortfolioValue m;
  m.contract = wire_contract(symbol);
  m.contract.exchange = "";  // IB's portfolio contracts name only the primary exchange
  m.position = std::abs(holding->quantity) <= kShareEpsilon ? 0 : holding->quantity;
  m.market_price = price;
  m.market_value = holding->market_value(price);
  m.average_cost = holding->avg_cost();
  m.unrealized_pnl = m.position == 0 ? 0 : holding->unrealized_pnl(price);
  m.realized_pnl = holding->realized_pnl;
  m.account = options_.account;
  send(s, m);
}

void Engine::send_account_values(Session& s, const AccountFigures& f) {
  const std::string ccy = "USD";
  auto value = [&](std::string key, std::string v, std::string currency) {
    send(s, ib::AcctValue{.key = std::move(key),
                          .value = std::move(v),
                          .currency = std::move(currency),
                          .account = options_.account});
  };
  value("AccountCode", options_.account, "");
  value("AccountType", "INDIVIDUAL", "");
  value("AccountReady", "true", "");
  value("Currency", ccy, ccy);
  value("NetLiquidation", money(f.net_liquidation), ccy);
  value("TotalCashValue", money(f.cash), ccy);
  value("CashBalance", money(f.cash), ccy);
  value("CashBalance", money(f.cash), "BASE");
  value("BuyingPower", money(f.cash), ccy);
  value("AvailableFunds", money(f.cash), ccy);
  value("ExcessLiquidity", money(f.cash), ccy);
  value("EquityWithLoanValue", money(f.net_liquidation), ccy);
  value("GrossPositionValue", money(f.gross_position_value), ccy);
  value("StockMarketValue", money(f.net_liquidation - f.cash), ccy);
  value("InitMarginReq", money(0), ccy);
  value("MaintMarginReq", money(0), ccy);
  value("UnrealizedPnL", money(f.unrealized_pnl), ccy);
  value("RealizedPnL", money(f.realized_pnl), ccy);
  const std::string time = format_time(clock_->now());  // "yyyymmdd hh:mm:ss zone"
  send(s, ib::AcctUpdateTime{.time = time.substr(9, 5)});
}

void Engine::send_account_summary(Session& s, int req_id, const std::vector<std::string>& tags) {
  const AccountFigures f = figures();
  for (const std::string& tag : tags) {
    for (const auto& [name, packed] : account_summary_values(tag, f)) {
      const std::size_t tab = packed.find('\t');
      send(s, ib::AccountSummary{.req_id = req_id,
                                 .account = options_.account,
                                 .tag = name,
                                 .value = packed.substr(0, tab),
                                 .currency = packed.substr(tab + 1)});
    }
  }
  send(s, ib::AccountSummaryEnd{.req_id = req_id});
}

void Engine::send_account_updates_multi(Session& s, int req_id, bool ledger_and_nlv) {
  const AccountFigures f = figures();
  auto value = [&](std::string key, std::string v, std::string currency) {
    send(s, ib::AccountUpdateMulti{.req_id = req_id,
                                   .account = options_.account,
                                   .model_code = "",
                                   .key = std::move(key),
                                   .value = std::move(v),
                                   .currency = std::move(currency)});
  };
  value("NetLiquidation", money(f.net_liquidation), "USD");
  value("TotalCashValue", money(f.cash), "USD");
  value("CashBalance", money(f.cash), "USD");
  if (!ledger_and_nlv) {
    value("BuyingPower", money(f.cash), "USD");
    value("AvailableFunds", money(f.cash), "USD");
    value("GrossPositionValue", money(f.gross_position_value), "USD");
    value("UnrealizedPnL", money(f.unrealized_pnl), "USD");
    value("RealizedPnL", money(f.realized_pnl), "USD");
  }
  send(s, ib::AccountUpdateMultiEnd{.req_id = req_id});
}

void Engine::req_positions(Session& s) {
  s.positions = true;
  for (const auto& [symbol, holding] : ledger_->book().holdings()) send_position(s, symbol);
  send(s, ib::PositionEnd{});
}

void Engine::req_account_updates(Session& s, const ib::ReqAccountUpdates& request) {
  if (!request.subscribe) {
    s.account_updates = false;
    return;
  }
  if (!request.acct_code.empty() && request.acct_code != options_.account) {
    send_error(s, -1, 321,
               fmt::format("Error validating request: account '{}' is not managed by this "
                           "gateway ({})",
                           request.acct_code, options_.account));
    return;
  }
  s.account_updates = true;
  send_account_values(s, figures());
  for (const auto& [symbol, holding] : ledger_->book().holdings()) send_portfolio(s, symbol);
  send(s, ib::AcctDownloadEnd{.account = options_.account});
}

void Engine::req_account_summary(Session& s, const ib::ReqAccountSummary& request) {
  if (s.account_summaries.size() >= 2 && !s.account_summaries.contains(request.req_id)) {
    send_error(s, request.req_id, 322,
               "Error processing request: maximum number of account summary requests exceeded");
    return;
  }
  std::vector<std::string> tags = split_csv(request.tags);
  s.account_summaries[request.req_id] = tags;
  send_account_summary(s, request.req_id, tags);
}

void Engine::req_positions_multi(Session& s, const ib::ReqPositionsMulti& request) {
  for (const auto& [symbol, holding] : ledger_->book().holdings()) {
    ib::PositionMulti m;
    m.req_id = request.req_id;
    m.account = options_.account;
    m.contract = wire_contract(symbol);
    m.position = std::abs(holding.quantity) <= kShareEpsilon ? 0 : holding.quantity;
    m.avg_cost = holding.avg_cost();
    m.model_code = request.model_code;
    send(s, m);
  }
  send(s, ib::PositionMultiEnd{.req_id = request.req_id});
}

void Engine::req_account_updates_multi(Session& s, const ib::ReqAccountUpdatesMulti& request) {
  s.account_updates_multi[request.req_id] = request.ledger_and_nlv;
  send_account_updates_multi(s, request.req_id, request.ledger_and_nlv);
}

void Engine::publish_account_change(const std::string& symbol) {
  std::vector<SessionId> ids;
  for (const auto& [id, s] : sessions_) ids.push_back(id);
  for (SessionId id : ids) {
    Session* s = session(id);
    if (s == nullptr || s->closing || !s->client_id) continue;
    if (s->positions) send_position(*s, symbol);
    if (s->account_updates) {
      send_portfolio(*s, symbol);
      send_account_values(*s, figures());
    }
    for (const auto& [req_id, tags] : s->account_summaries) send_account_summary(*s, req_id, tags);
    for (const auto& [req_id, ledger] : s->account_updates_multi) {
      send_account_updates_multi(*s, req_id, ledger);
    }
  }
}

void Engine::publish_marks(const std::vector<std::size_t>& instruments) {
  std::vector<std::string> held;
  for (std::size_t i : instruments) {
    const std::string& symbol = market_.instrument(i).symbol;
    if (std::abs(ledger_->position(symbol)) > kShareEpsilon) held.push_back(symbol);
  }
  if (held.empty()) return;
  for (auto& [id, s] : sessions_) {
    if (s.closing || !s.client_id || !s.account_updates) continue;
    for (const std::string& symbol : held) send_portfolio(s, symbol);
    send_account_values(s, figures());
  }
}

}  // namespace tandem::gateway
