#!/usr/bin/env node
// End-to-end proof of the paper gateway with an independent IB client, @stoqey/ib 1.6.10
// (pinned in ../package-lock.json; `npm ci` in tests/e2e installs it).
//
//   node gateway_e2e.js --tandem PATH/TO/tandem --seed PATH/TO/gateway_seed_store
//
// Seeds a fresh LMDB store with known daily bars (the seeder also writes them as JSON), starts
// `tandem gateway --port 0` on loopback, and checks every value the client receives against
// those bars: managed accounts, next order id, contract details (and error 200), a market and a
// limit order (statuses, execution, commission report), the limit order's cancel, positions,
// account summary, a year of daily bars, executions, an Adaptive algo order (accepted on SMART,
// refused with 201 on a directed route), the replay clock under control, and a bracket and an
// OCA group sent as IB's API sends them, with the exact status sequences IB reports.
// Exits 0 when every check passed; prints what failed otherwise.
'use strict';

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const stoqeyPath = path.join(__dirname, '..', 'node_modules', '@stoqey', 'ib');
if (!fs.existsSync(stoqeyPath)) {
  console.error(`FAIL: @stoqey/ib is not installed; run \`npm ci\` in ${path.dirname(__dirname)}`);
  process.exit(1);
}
const { IBApi, EventName, SecType, OrderAction, OrderType, BarSizeSetting, WhatToShow } =
  require(stoqeyPath);

const ACCOUNT = 'DU1234567';
const CASH = 1000000;
const START_BAR = 299;  // replay starts on this bar: 300 bars of history, 100 still to come
const TIMEOUT_MS = 15000;
const STOCK = { symbol: 'TQQQ', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`missing ${name}`);
  return process.argv[i + 1];
}

function yyyymmdd(epochSeconds) {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10).replaceAll('-', '');
}

// The gateway's window for "1 Y": the same UTC time one calendar year back, the day clamped to
// the target month's length.
function oneYearBefore(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const year = d.getUTCFullYear() - 1;
  const month = d.getUTCMonth();
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
}

function ibCommission(shares, price) {
  return Math.min(Math.max(0.005 * shares, 1.0), 0.01 * shares * price);
}

// Resolves with the first value `test` returns for an event, or rejects after the timeout.
function waitFor(ib, event, what, test) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ib.off(event, listener);
      reject(new Error(`timed out waiting for ${what}`));
    }, TIMEOUT_MS);
    function listener(...args) {
      let value;
      try {
        value = test(...args);
      } catch (e) {
        clearTimeout(timer);
        ib.off(event, listener);
        reject(e);
        return;
      }
      if (value !== undefined) {
        clearTimeout(timer);
        ib.off(event, listener);
        resolve(value);
      }
    }
    ib.on(event, listener);
  });
}

// Collects events until `done` says the list is complete.
function collect(ib, event, what, done, filter = () => true) {
  const items = [];
  return waitFor(ib, event, what, (...args) => {
    if (filter(...args)) items.push(args);
    return done(items, ...args) ? items : undefined;
  });
}

function control(port, command) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`CTL\n${command}\n`));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
      const nl = data.indexOf('\n');
      if (nl >= 0) {
        socket.end();
        const line = data.slice(0, nl);
        if (!line.startsWith('ok')) reject(new Error(`control '${command}': ${line}`));
        else resolve(line);
      }
    });
    socket.on('error', reject);
  });
}

function startGateway(tandem, storeUri, startTime) {
  return new Promise((resolve, reject) => {
    const child = spawn(tandem, ['gateway', '--port', '0', '--account', ACCOUNT, '--cash',
      String(CASH), '--data', storeUri, '--start', startTime, '--speed', 'paused', '--time-zone', 'UTC'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = stdout.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) resolve({ child, port: Number(m[1]), logs: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`gateway exited (${code}) before listening:\n${stderr}`)));
    setTimeout(() => reject(new Error(`gateway did not start:\n${stdout}\n${stderr}`)), TIMEOUT_MS);
  });
}

async function run(ib, port, bars, expectErrors, unexpected) {
  const tqqq = bars.TQQQ;
  const now = tqqq[START_BAR];
  let checks = 0;
  const check = (fn) => { fn(); checks += 1; };

  // --- connect: managed accounts and the next valid order id
  const accounts = waitFor(ib, EventName.managedAccounts, 'managedAccounts', (list) => list);
  const nextId = waitFor(ib, EventName.nextValidId, 'nextValidId', (id) => id);
  ib.connect(1);
  const accountList = await accounts;
  check(() => assert.equal(accountList, ACCOUNT));
  let orderId = await nextId;
  check(() => assert.equal(orderId, 1));

  // --- contract details, and error 200 for a symbol the gateway has no data for
  const stock = STOCK;
  const details = waitFor(ib, EventName.contractDetails, 'contractDetails',
    (reqId, d) => (reqId === 11 ? d : undefined));
  const detailsEnd = waitFor(ib, EventName.contractDetailsEnd, 'contractDetailsEnd',
    (reqId) => (reqId === 11 ? true : undefined));
  ib.reqContractDetails(11, stock);
  const d = await details;
  await detailsEnd;
  check(() => assert.equal(d.contract.symbol, 'TQQQ'));
  check(() => assert.equal(d.contract.conId, 72539702));
  check(() => assert.equal(d.contract.primaryExch, 'NASDAQ'));
  check(() => assert.equal(d.contract.currency, 'USD'));
  check(() => assert.equal(d.contract.secType, 'STK'));
  check(() => assert.equal(d.minTick, 0.01));
  const unknown = waitFor(ib, EventName.error, 'error 200', (err, code, reqId) =>
    (reqId === 12 ? code : undefined));
  expectErrors.push([12, 200]);
  ib.reqContractDetails(12, { ...stock, symbol: 'NOSUCH' });
  const code200 = await unknown;
  check(() => assert.equal(code200, 200));

  // --- a market order: Submitted → execution at the current close → Filled → commission
  const marketId = orderId++;
  const statuses = collect(ib, EventName.orderStatus, 'market order Filled',
    (items, id, status) => id === marketId && status === 'Filled', (id) => id === marketId);
  const execution = waitFor(ib, EventName.execDetails, 'execDetails',
    (reqId, contract, e) => (e.orderId === marketId ? { reqId, contract, e } : undefined));
  const commission = waitFor(ib, EventName.commissionReport, 'commissionReport', (c) => c);
  const opened = waitFor(ib, EventName.openOrder, 'openOrder',
    (id, contract, order, state) => (id === marketId ? { contract, order, state } : undefined));
  ib.placeOrder(marketId, stock, {
    action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 100, tif: 'DAY',
    orderRef: 'e2e', transmit: true, account: ACCOUNT,
  });
  const open = await opened;
  check(() => assert.equal(open.state.status, 'Submitted'));
  check(() => assert.equal(open.order.totalQuantity, 100));
  check(() => assert.equal(open.order.orderRef, 'e2e'));
  const marketStatuses = await statuses;
  check(() => assert.equal(marketStatuses[0][1], 'Submitted'));
  const filled = marketStatuses[marketStatuses.length - 1];
  check(() => assert.equal(filled[2], 100));        // filled
  check(() => assert.equal(filled[3], 0));          // remaining
  check(() => assert.equal(filled[4], now.close));  // avgFillPrice
  const exec = await execution;
  check(() => assert.equal(exec.reqId, -1));
  check(() => assert.equal(exec.contract.symbol, 'TQQQ'));
  check(() => assert.equal(exec.e.side, 'BOT'));
  check(() => assert.equal(exec.e.shares, 100));
  check(() => assert.equal(exec.e.price, now.close));
  check(() => assert.equal(exec.e.cumQty, 100));
  check(() => assert.equal(exec.e.acctNumber, ACCOUNT));
  check(() => assert.equal(exec.e.orderRef, 'e2e'));
  check(() => assert.equal(exec.e.permId, filled[5]));
  check(() => assert.match(exec.e.execId, /^[0-9a-f]{8}\.[0-9a-f]{8}\.01\.01$/));
  check(() => assert.equal(exec.e.time.slice(0, 8), yyyymmdd(now.time)));
  const report = await commission;
  check(() => assert.equal(report.execId, exec.e.execId));
  check(() => assert.equal(report.commission, ibCommission(100, now.close)));
  check(() => assert.equal(report.currency, 'USD'));

  // --- a limit order far below the market rests; then it is cancelled
  const limitId = orderId++;
  const limitPrice = Math.round(now.close * 50) / 100;
  const working = waitFor(ib, EventName.orderStatus, 'limit order Submitted',
    (id, status, filledQty, remaining) =>
      (id === limitId ? { status, filledQty, remaining } : undefined));
  ib.placeOrder(limitId, stock, {
    action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: limitPrice, totalQuantity: 50,
    tif: 'GTC', transmit: true, account: ACCOUNT,
  });
  const w = await working;
  check(() => assert.equal(w.status, 'Submitted'));
  check(() => assert.equal(w.filledQty, 0));
  check(() => assert.equal(w.remaining, 50));
  const cancelled = waitFor(ib, EventName.orderStatus, 'limit order Cancelled',
    (id, status) => (id === limitId && status === 'Cancelled' ? status : undefined));
  const confirm = waitFor(ib, EventName.error, 'error 202',
    (err, code, reqId) => (reqId === limitId ? code : undefined));
  expectErrors.push([limitId, 202]);
  ib.cancelOrder(limitId);
  const cancelStatus = await cancelled;
  const code202 = await confirm;
  check(() => assert.equal(cancelStatus, 'Cancelled'));
  check(() => assert.equal(code202, 202));

  // --- positions and account summary, consistent with the fill
  const fee = ibCommission(100, now.close);
  const seenPositions = [];
  const positionsNow = await new Promise((resolve) => {
    const items = [];
    const listener = (account, contract, pos, avgCost) => items.push({ account, contract, pos, avgCost });
    ib.on(EventName.position, listener);
    ib.once(EventName.positionEnd, () => { ib.off(EventName.position, listener); resolve(items); });
    ib.reqPositions();
  });
  seenPositions.push(...positionsNow);
  check(() => assert.equal(seenPositions.length, 1));
  check(() => assert.equal(seenPositions[0].account, ACCOUNT));
  check(() => assert.equal(seenPositions[0].contract.symbol, 'TQQQ'));
  check(() => assert.equal(seenPositions[0].pos, 100));
  check(() => assert.ok(Math.abs(seenPositions[0].avgCost - (now.close + fee / 100)) < 1e-9));
  ib.cancelPositions();

  const summary = await new Promise((resolve, reject) => {
    const values = {};
    const timer = setTimeout(() => reject(new Error('timed out waiting for accountSummary')), TIMEOUT_MS);
    const listener = (reqId, account, tag, value, currency) => {
      if (reqId === 21) values[tag] = { account, value, currency };
    };
    ib.on(EventName.accountSummary, listener);
    ib.once(EventName.accountSummaryEnd, () => {
      clearTimeout(timer);
      ib.off(EventName.accountSummary, listener);
      resolve(values);
    });
    ib.reqAccountSummary(21, 'All', 'NetLiquidation,TotalCashValue,GrossPositionValue,BuyingPower');
  });
  ib.cancelAccountSummary(21);
  const cash = CASH - 100 * now.close - fee;
  check(() => assert.equal(summary.TotalCashValue.value, cash.toFixed(2)));
  check(() => assert.equal(summary.NetLiquidation.value, (cash + 100 * now.close).toFixed(2)));
  check(() => assert.equal(summary.GrossPositionValue.value, (100 * now.close).toFixed(2)));
  check(() => assert.equal(summary.BuyingPower.value, cash.toFixed(2)));
  check(() => assert.equal(summary.NetLiquidation.account, ACCOUNT));
  check(() => assert.equal(summary.NetLiquidation.currency, 'USD'));

  // --- a year of daily bars, every value equal to what was seeded
  const expected = tqqq.filter((b) => b.time > oneYearBefore(now.time) && b.time <= now.time);
  const history = await new Promise((resolve, reject) => {
    const rows = [];
    const timer = setTimeout(() => reject(new Error('timed out waiting for historicalData')), TIMEOUT_MS);
    const listener = (reqId, time, open, high, low, close, volume) => {
      if (reqId !== 31) return;
      if (String(time).startsWith('finished')) {
        clearTimeout(timer);
        ib.off(EventName.historicalData, listener);
        resolve(rows);
        return;
      }
      rows.push({ time, open, high, low, close, volume });
    };
    ib.on(EventName.historicalData, listener);
    ib.reqHistoricalData(31, stock, '', '1 Y', BarSizeSetting.DAYS_ONE, WhatToShow.TRADES, 1, 1,
      false);
  });
  check(() => assert.ok(expected.length >= 250, `a year has ${expected.length} business days`));
  check(() => assert.equal(history.length, expected.length));
  for (let i = 0; i < expected.length; i += 1) {
    const got = history[i];
    const want = expected[i];
    check(() => assert.deepEqual(
      [got.time, got.open, got.high, got.low, got.close, got.volume],
      [yyyymmdd(want.time), want.open, want.high, want.low, want.close, want.volume],
      `bar ${i}`));
  }

  // --- the executions report, with the commission joined
  const executions = await new Promise((resolve, reject) => {
    const rows = [];
    const timer = setTimeout(() => reject(new Error('timed out waiting for execDetailsEnd')), TIMEOUT_MS);
    const listener = (reqId, contract, e) => { if (reqId === 41) rows.push(e); };
    ib.on(EventName.execDetails, listener);
    ib.once(EventName.execDetailsEnd, () => {
      clearTimeout(timer);
      ib.off(EventName.execDetails, listener);
      resolve(rows);
    });
    ib.reqExecutions(41, {});
  });
  check(() => assert.equal(executions.length, 1));
  check(() => assert.equal(executions[0].execId, exec.e.execId));

  // --- an IB algo (docs/routing.md): Adaptive on SMART is accepted, echoed and filled; the
  // same algo on an order routed directly to ISLAND is refused with 201, as TWS refuses it
  const algoId = orderId++;
  const algoFilled = waitFor(ib, EventName.orderStatus, 'algo order Filled',
    (id, status, filledQty) => (id === algoId && status === 'Filled' ? filledQty : undefined));
  const algoOpened = waitFor(ib, EventName.openOrder, 'algo openOrder',
    (id, contract, order) => (id === algoId ? { contract, order } : undefined));
  ib.placeOrder(algoId, stock, {
    action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 10, tif: 'DAY',
    transmit: true, account: ACCOUNT, algoStrategy: 'Adaptive',
    algoParams: [{ tag: 'adaptivePriority', value: 'Normal' }],
  });
  const algoOpen = await algoOpened;
  check(() => assert.equal(algoOpen.order.algoStrategy, 'Adaptive'));
  check(() => assert.deepEqual(
    algoOpen.order.algoParams.map((p) => [p.tag, p.value]), [['adaptivePriority', 'Normal']]));
  const algoQuantity = await algoFilled;
  check(() => assert.equal(algoQuantity, 10));
  const directedId = orderId++;
  const refused = waitFor(ib, EventName.error, 'error 201 for an algo routed to ISLAND',
    (err, code, reqId) => (reqId === directedId ? { code, message: err && err.message } : undefined));
  expectErrors.push([directedId, 201]);
  ib.placeOrder(directedId, { ...stock, exchange: 'ISLAND' }, {
    action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 10, tif: 'DAY',
    transmit: true, account: ACCOUNT, algoStrategy: 'Adaptive',
    algoParams: [{ tag: 'adaptivePriority', value: 'Normal' }],
  });
  const refusal = await refused;
  check(() => assert.equal(refusal.code, 201));
  check(() => assert.match(refusal.message, /SMART-routed orders only/));

  // --- the replay clock is the test's: one step, and currentTime is the next bar's
  await control(port, 'step 1');
  const time = await new Promise((resolve) => {
    ib.once(EventName.currentTime, resolve);
    ib.reqCurrentTime();
  });
  check(() => assert.equal(time, tqqq[START_BAR + 1].time));

  checks += await bracketAndOca(ib, port, tqqq, START_BAR + 1, () => orderId);

  check(() => assert.deepEqual(expectErrors, [], 'every expected error arrived'));
  check(() => assert.deepEqual(unexpected, [], 'no unexpected error'));
  return checks;
}

// Polls `test` until it is true, or rejects after the timeout.
function until(test, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (test()) resolve();
      else if (Date.now() - started > TIMEOUT_MS) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

// A bracket as IB's sample code sends it (parent LMT and take-profit LMT with transmit false,
// the stop-loss STP transmitting all three; no ocaGroup: TWS makes attached orders
// one-cancels-other) and an OCA group of type 1, placed while bar `current` is the latest. The
// bars are seeded, so the next two are known: the parent's limit is the next bar's low (not
// marketable now; filled inside that bar, so its children work from the bar after), the
// take-profit is the bar after's high, the stop-loss half the low; one OCA member sells at the
// next bar's high, the others are out of its reach. Two steps replay those bars. The gateway
// fills only on replayed bars, and control commands travel on their own connection: each step
// waits until the gateway has acknowledged every order (openOrder), or the step could replay
// the bar before the orders arrive. Returns the number of checks.
async function bracketAndOca(ib, port, tqqq, current, nextOrderId) {
  let checks = 0;
  const check = (fn) => { fn(); checks += 1; };
  const stock = STOCK;
  const now = tqqq[current];
  const b1 = tqqq[current + 1];
  const b2 = tqqq[current + 2];
  check(() => assert.ok(b1.low < now.close && b1.open > b1.low, 'the next bar dips inside the bar'));
  check(() => assert.ok(b2.high > b1.high, 'the bar after trades above the next one'));

  const statusesOf = {};  // order id → every status orderStatus reported, in order
  const fills = {};       // order id → [filled, avgFillPrice, parentId] of its last status
  const statusListener = (id, status, filled, remaining, avgFillPrice, permId, parentId) => {
    (statusesOf[id] || (statusesOf[id] = [])).push(status);
    fills[id] = [filled, avgFillPrice, parentId];
  };
  const openOrders = {};
  const openListener = (id, contract, order) => { openOrders[id] = order; };
  ib.on(EventName.orderStatus, statusListener);
  ib.on(EventName.openOrder, openListener);
  let id = nextOrderId();
  const parentId = id++;
  const takeProfitId = id++;
  const stopLossId = id++;
  const ocaIds = [id++, id++, id++];
  const group = `e2e-oca-${ocaIds[0]}`;
  const order = (fields) => ({ tif: 'GTC', account: ACCOUNT, totalQuantity: 10, ...fields });
  ib.placeOrder(parentId, stock, order({
    action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: b1.low, transmit: false,
  }));
  ib.placeOrder(takeProfitId, stock, order({
    action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: b2.high, parentId,
    transmit: false,
  }));
  ib.placeOrder(stopLossId, stock, order({
    action: OrderAction.SELL, orderType: OrderType.STP, auxPrice: Math.round(b1.low * 50) / 100,
    parentId, transmit: true,
  }));
  const ocaPrices = [
    [OrderAction.SELL, b1.high],                          // reached by the next bar
    [OrderAction.SELL, Math.round(b2.high * 200) / 100],  // twice the price: never
    [OrderAction.BUY, Math.round(b1.low * 50) / 100],     // half the price: never
  ];
  ocaIds.forEach((ocaId, i) => ib.placeOrder(ocaId, stock, order({
    action: ocaPrices[i][0], orderType: OrderType.LMT, lmtPrice: ocaPrices[i][1],
    ocaGroup: group, ocaType: 1, transmit: true,
  })));
  const all = [parentId, takeProfitId, stopLossId, ...ocaIds];
  await until(() => all.every((i) => openOrders[i] && statusesOf[i]), 'every order acknowledged');

  // Placed: the parent works, its children wait for it, the OCA members work.
  check(() => assert.deepEqual(statusesOf[parentId], ['Submitted']));
  check(() => assert.deepEqual(statusesOf[takeProfitId], ['PreSubmitted']));
  check(() => assert.deepEqual(statusesOf[stopLossId], ['PreSubmitted']));
  for (const i of ocaIds) check(() => assert.deepEqual(statusesOf[i], ['Submitted']));
  check(() => assert.equal(openOrders[takeProfitId].parentId, parentId));
  check(() => assert.equal(openOrders[stopLossId].parentId, parentId));
  check(() => assert.equal(openOrders[ocaIds[1]].ocaGroup, group));
  check(() => assert.equal(openOrders[ocaIds[2]].ocaType, 1));

  // The next bar: the parent fills at its limit and releases the take-profit (the stop-loss is
  // held at IB until triggered: PreSubmitted); the first OCA member fills, the others are
  // cancelled by IB (orderStatus Cancelled, no error 202).
  const done = (i, status) => (statusesOf[i] || []).includes(status);
  await control(port, 'step 1');
  await until(() => done(parentId, 'Filled') && done(ocaIds[0], 'Filled') &&
    done(ocaIds[1], 'Cancelled') && done(ocaIds[2], 'Cancelled') &&
    done(takeProfitId, 'Submitted'), 'the next bar\'s fills and cancels');
  check(() => assert.deepEqual(statusesOf[parentId], ['Submitted', 'Filled']));
  check(() => assert.deepEqual(fills[parentId].slice(0, 2), [10, b1.low]));
  check(() => assert.deepEqual(statusesOf[takeProfitId], ['PreSubmitted', 'Submitted']));
  check(() => assert.deepEqual(statusesOf[stopLossId], ['PreSubmitted']));
  check(() => assert.deepEqual(statusesOf[ocaIds[0]], ['Submitted', 'Filled']));
  check(() => assert.deepEqual(fills[ocaIds[0]].slice(0, 2), [10, b1.high]));
  check(() => assert.deepEqual(statusesOf[ocaIds[1]], ['Submitted', 'Cancelled']));
  check(() => assert.deepEqual(statusesOf[ocaIds[2]], ['Submitted', 'Cancelled']));

  // The bar after: the take-profit fills at its limit and its sibling, the stop-loss, is
  // cancelled by IB.
  await control(port, 'step 1');
  await until(() => done(takeProfitId, 'Filled') && done(stopLossId, 'Cancelled'),
    'the take-profit\'s fill and the stop-loss\'s cancel');
  check(() => assert.deepEqual(statusesOf[takeProfitId], ['PreSubmitted', 'Submitted', 'Filled']));
  check(() => assert.deepEqual(fills[takeProfitId], [10, b2.high, parentId]));
  check(() => assert.deepEqual(statusesOf[stopLossId], ['PreSubmitted', 'Cancelled']));
  check(() => assert.deepEqual(fills[stopLossId], [0, 0, parentId]));
  ib.off(EventName.orderStatus, statusListener);
  ib.off(EventName.openOrder, openListener);
  return checks;
}

async function main() {
  const tandem = arg('--tandem');
  const seed = arg('--seed');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-gateway-e2e-'));
  const storeUri = `lmdb://${path.join(work, 'store')}`;
  const barsFile = path.join(work, 'bars.json');
  let gateway;
  let ib;
  try {
    execFileSync(seed, [storeUri, barsFile]);
    const bars = JSON.parse(fs.readFileSync(barsFile, 'utf8'));
    const startTime = new Date(bars.TQQQ[START_BAR].time * 1000).toISOString();
    gateway = await startGateway(tandem, storeUri, startTime);
    ib = new IBApi({ host: '127.0.0.1', port: gateway.port });
    const unexpected = [];
    const expectErrors = [];  // [reqId, code] the steps expect
    ib.on(EventName.error, (error, code, reqId) => {
      if (code >= 2100 && code < 2200) return;  // farm notices
      const i = expectErrors.findIndex(([id, c]) => id === reqId && c === code);
      if (i >= 0) expectErrors.splice(i, 1);
      else unexpected.push(`error ${code} for ${reqId}: ${error && error.message}`);
    });
    const checks = await run(ib, gateway.port, bars, expectErrors, unexpected);
    console.log(`PASS: ${checks} checks against the gateway's data`);
  } finally {
    if (ib) { try { ib.disconnect(); } catch (_) { /* closed */ } }
    if (gateway) {
      try { await control(gateway.port, 'shutdown'); } catch (_) { /* already down */ }
      await new Promise((resolve) => {
        if (gateway.child.exitCode !== null) resolve();
        else gateway.child.on('exit', resolve);
      });
      if (/could not encode|failed/.test(gateway.logs())) {
        throw new Error(`gateway log reports a failure:\n${gateway.logs()}`);
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0)).catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
