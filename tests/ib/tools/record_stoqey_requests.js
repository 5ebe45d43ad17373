// Records the request frames @stoqey/ib 1.6.10 (the independent client of the e2e tests) sends
// at server version 178, as the field lists in stoqey_fixtures_test.cc. Not part of the test
// run; kept so the fixtures can be regenerated and checked:
//   npm install @stoqey/ib@1.6.10 && node tests/ib/tools/record_stoqey_requests.js
// Tokens are serialised the way @stoqey's socket does: booleans become 1/0, undefined becomes
// "", every field is NUL-terminated.
const { Encoder } = require("@stoqey/ib/dist/core/io/encoder");

const frames = [];
const encoder = new Encoder({
  serverVersion: 178,
  sendMsg: (tokens) => frames.push(tokens.flat(Infinity)),
  emitError: (message) => {
    throw new Error(message);
  },
});

function record(name, call) {
  frames.length = 0;
  call();
  const fields = frames[0].map((t) =>
    t === true ? "1" : t === false ? "0" : t === undefined || t === null ? "" : String(t));
  console.log(JSON.stringify({ name, fields }));
}

const aapl = { conId: 265598, symbol: "AAPL", secType: "STK", exchange: "SMART",
               primaryExch: "NASDAQ", currency: "USD" };
record("placeOrder MKT", () => encoder.placeOrder(17, aapl, {
  action: "BUY", totalQuantity: 100, orderType: "MKT", tif: "DAY", account: "DU1234567",
  orderRef: "TQQQ", transmit: true }));
record("placeOrder LMT", () => encoder.placeOrder(18, aapl, {
  action: "SELL", totalQuantity: 50, orderType: "LMT", lmtPrice: 187.25, tif: "GTC",
  outsideRth: true, orderRef: "AAPL" }));
record("placeOrder STP LMT", () => encoder.placeOrder(19, aapl, {
  action: "SELL", totalQuantity: 10, orderType: "STP LMT", lmtPrice: 179.5, auxPrice: 180,
  tif: "DAY", transmit: true, parentId: 18 }));
record("cancelOrder", () => encoder.cancelOrder(18, { manualOrderCancelTime: "" }));
record("reqContractDetails", () => encoder.reqContractDetails(31, { symbol: "AAPL",
  secType: "STK", exchange: "SMART", currency: "USD" }));
record("reqHistoricalData", () => encoder.reqHistoricalData(41, aapl, "", "1 Y", "1 day",
  "TRADES", 1, 1, false));
record("reqHeadTimestamp", () => encoder.reqHeadTimestamp(42, aapl, "TRADES", true, 2));
record("reqMktData", () => encoder.reqMktData(11, aapl, "", false, false));
record("reqExecutions", () => encoder.reqExecutions(21, { clientId: 7,
  time: "20240131-00:00:00" }));
record("reqAccountSummary", () => encoder.reqAccountSummary(61, "All",
  "NetLiquidation,TotalCashValue"));
record("reqPositions", () => encoder.reqPositions());
record("reqCompletedOrders", () => encoder.reqCompletedOrders(false));
record("reqAccountUpdates", () => encoder.reqAccountUpdates(true, "DU1234567"));
record("reqAccountUpdatesMulti", () => encoder.reqAccountUpdatesMulti(72, "DU1234567", "",
  true));
record("reqIds", () => encoder.reqIds(1));
record("reqCurrentTime", () => encoder.reqCurrentTime());
record("reqAllOpenOrders", () => encoder.reqAllOpenOrders());
record("cancelMktData", () => encoder.cancelMktData(11));
record("reqRealTimeBars", () => encoder.reqRealTimeBars(51, aapl, 5, "TRADES", true));
