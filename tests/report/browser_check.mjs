// Opens report pages in Debian's headless Chromium and reports, as JSON, what a user's browser
// would show: console errors, uncaught exceptions, every network request, the charts' rendered
// sizes and points, table rows, whether sorting works, the interactive price charts (bars,
// a marker per fill, hover, zoom, the chart's own screenshot), and a full-page screenshot.
//
// Usage: node --experimental-websocket browser_check.mjs RESULT.json PAGE.html[=SHOT.png] ...
//
// Speaks the DevTools protocol over --remote-debugging-port with Node's WebSocket (Node 20:
// behind --experimental-websocket), so it needs no npm package. Any host name resolves to
// nothing (--host-resolver-rules), so a request the page should not make also fails visibly.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [resultPath, ...pages] = process.argv.slice(2);
// A loaded 2-core machine can take a minute just to start Chromium; TANDEM_BROWSER_TIMEOUT_S
// raises the limit for big pages.
const timeoutSeconds = Number(process.env.TANDEM_BROWSER_TIMEOUT_S || 150);
const deadline = setTimeout(() => fail(`timed out after ${timeoutSeconds} s`), timeoutSeconds * 1000);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-chromium-'));
let chrome = null;

function fail(message) {
  fs.writeFileSync(resultPath, JSON.stringify({fatal: message}, null, 1));
  cleanup();
  process.exit(2);
}

function cleanup() {
  if (chrome && chrome.exitCode === null) chrome.kill('SIGKILL');
  try {
    fs.rmSync(profile, {recursive: true, force: true, maxRetries: 5, retryDelay: 200});
  } catch {
    // A profile directory left in /tmp is not worth failing the check for.
  }
}

// Chromium still writes its profile while shutting down: wait for it to exit first.
function chromeExited(ms) {
  if (chrome.exitCode !== null || chrome.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    chrome.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// Up to 90 s: a cold Chromium start on a loaded 2-core host has been seen to take ~30 s before
// it writes the port file (the test's own timeout is 180 s).
async function devtoolsEndpoint() {
  const file = path.join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 900; i++) {
    if (fs.existsSync(file)) {
      const [port, browserPath] = fs.readFileSync(file, 'utf8').trim().split('\n');
      if (port && browserPath) return `ws://127.0.0.1:${port}${browserPath}`;
    }
    if (chrome.exitCode !== null) throw new Error(`chromium exited with ${chrome.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('chromium did not open its DevTools port');
}

// A minimal DevTools client: numbered commands with promises, events to listeners.
function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map();
    const listeners = new Set();
    let next = 1;
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const {ok, ko, method} = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error)
          ko(new Error(`${method}: ${msg.error.message}`));
        else
          ok(msg.result);
      } else {
        for (const l of listeners) l(msg);
      }
    };
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    ws.onopen = () => resolve({
      send(method, params = {}, sessionId = undefined) {
        const id = next++;
        ws.send(JSON.stringify({id, method, params, sessionId}));
        return new Promise((ok, ko) => pending.set(id, {ok, ko, method}));
      },
      on(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close() {
        ws.close();
      },
    });
  });
}

// Runs in the page: what is on screen.
const inspectPage = `(() => {
  const charts = {};
  for (const svg of document.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    charts[svg.id] = {
      width: box.width, height: box.height,
      ticks: svg.querySelectorAll('text.tick').length,
      nodata: svg.querySelectorAll('text.nodata').length,
      series: [...svg.querySelectorAll('path.series')].map((p) => {
        const b = p.getBBox();
        return { name: p.dataset.name, points: (p.getAttribute('d') || '').split(/[ML]/).length - 1,
                 width: b.width, height: b.height };
      }),
    };
  }
  const rows = {};
  for (const t of document.querySelectorAll('table[id]')) rows[t.id] = t.tBodies[0] ? t.tBodies[0].rows.length : 0;
  return {
    title: document.title,
    charts, rows,
    heatmapCells: document.querySelectorAll('#monthly-returns td.m').length,
    sparklines: document.querySelectorAll('svg.spark path').length,
    kpis: [...document.querySelectorAll('.kpi .value')].map((e) => e.textContent),
    text: document.body.innerText.length,
    loadMs: performance.timing.loadEventEnd - performance.timing.navigationStart,
    nonFiniteText: /\\b(NaN|Infinity|undefined)\\b/.test(document.body.innerText),
  };
})()`;

// Runs in the page: click the trades table's "Net PnL" header twice; read the order each time.
const checkSorting = `(() => {
  const table = document.getElementById('trades');
  if (!table || table.tBodies[0].rows.length < 3) return { skipped: true };
  const headers = [...table.tHead.rows[0].cells];
  const col = headers.findIndex((h) => h.textContent.startsWith('Net PnL'));
  const values = () => [...table.tBodies[0].rows].map((r) => parseFloat(r.cells[col].textContent.replace(/,/g, '')));
  const sorted = (xs, dir) => xs.every((x, i) => i === 0 || (dir > 0 ? xs[i - 1] <= x : xs[i - 1] >= x));
  headers[col].click();
  const first = values();
  headers[col].click();
  const second = values();
  return { column: col, descending: sorted(first, -1), ascending: sorted(second, 1),
           changed: first[0] !== second[0], rows: first.length };
})()`;

// Runs in the page: what the charting library drew for each price chart (its own account of
// bars, markers and lines, against the page's data).
const listPriceCharts = `(() => {
  const block = document.getElementById('price-data');
  const instruments = block ? JSON.parse(block.textContent).instruments : [];
  return [...document.querySelectorAll('.price-chart')].map((el) => {
    const data = instruments.find((i) => i.id === el.id);
    const t = el.tandem;
    if (!t || !data) return {id: el.id, drawn: false};
    const box = el.getBoundingClientRect();
    const markers = t.markers.markers();
    const markerTimes = new Map();
    for (const m of markers) markerTimes.set(m.time, (markerTimes.get(m.time) || 0) + 1);
    const fillTimes = new Map();
    for (const f of data.fills) fillTimes.set(f[0], (fillTimes.get(f[0]) || 0) + 1);
    return {
      id: el.id, symbol: el.dataset.symbol, drawn: true, width: box.width, height: box.height,
      canvases: [...el.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0).length,
      bars: t.candles.data().length, expectedBars: data.bars.length,
      markers: markers.length, fills: data.fills.length,
      buyMarkers: markers.filter((m) => m.shape === 'arrowUp').length,
      buyFills: data.fills.filter((f) => f[1] === 'B').length,
      markerPerFill: [...fillTimes].every(([time, n]) => markerTimes.get(time) === n),
      lines: t.lines.map((s) => s.data().length),
      expectedLines: data.lines.map((l) => l.points.length),
    };
  });
})()`;

// Runs in the page: where on screen the middle fill of chart `id` is (its bar's close).
const fillPosition = (id) => `(() => {
  const el = document.getElementById(${JSON.stringify(id)});
  el.scrollIntoView({block: 'center'});
  const t = el.tandem;
  const data = JSON.parse(document.getElementById('price-data').textContent).instruments.find((i) => i.id === el.id);
  const fill = data.fills[Math.floor(data.fills.length / 2)];
  const bar = data.bars.find((b) => b[0] === fill[0]);
  const box = el.getBoundingClientRect();
  const range = t.chart.timeScale().getVisibleLogicalRange();
  return {x: box.left + t.chart.timeScale().timeToCoordinate(fill[0]),
          y: box.top + t.candles.priceToCoordinate(bar[4]),
          centerX: box.left + box.width / 2, centerY: box.top + box.height / 2,
          span: range.to - range.from, side: fill[1], shares: fill[2]};
})()`;

// Runs in the page: the chart's own screenshot (a canvas), how much of it is not background
// and how many colors it has, as a PNG data URL.
const chartScreenshot = (id) => `(() => {
  const canvas = document.getElementById(${JSON.stringify(id)}).tandem.chart.takeScreenshot();
  const ctx = canvas.getContext('2d');
  const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const colors = new Set();
  let ink = 0, samples = 0;
  for (let i = 0; i < data.length; i += 4 * 7) {
    samples++;
    colors.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) ink++;
  }
  return {width: canvas.width, height: canvas.height, colors: colors.size, ink: ink / samples,
          png: canvas.toDataURL('image/png')};
})()`;

// Hovers the middle fill of each chart (the tooltip must show the bar and the fill), zooms with
// the mouse wheel (the visible range must shrink) and takes the chart's screenshot.
async function checkPriceCharts(send, evaluate, shot) {
  const charts = await evaluate(listPriceCharts);
  for (const chart of charts) {
    if (!chart.drawn || chart.fills === 0) continue;
    const at = await evaluate(fillPosition(chart.id));
    await send('Input.dispatchMouseEvent', {type: 'mouseMoved', x: at.x, y: at.y});
    await new Promise((r) => setTimeout(r, 200));
    chart.hover = {side: at.side, shares: at.shares,
                   tip: await evaluate(`document.getElementById(${JSON.stringify(chart.id)} + '-tip').textContent`)};
    await send('Input.dispatchMouseEvent',
               {type: 'mouseWheel', x: at.centerX, y: at.centerY, deltaX: 0, deltaY: -400});
    await new Promise((r) => setTimeout(r, 300));
    const after = await evaluate(fillPosition(chart.id));
    chart.zoom = {before: at.span, after: after.span};
    const picture = await evaluate(chartScreenshot(chart.id));
    if (shot) {
      const file = shot.replace(/\.png$/, `-${chart.id}.png`);
      fs.writeFileSync(file, Buffer.from(picture.png.split(',')[1], 'base64'));
      picture.path = file;
    }
    delete picture.png;
    chart.screenshot = picture;
  }
  return charts;
}

async function checkPage(cdp, file, shot) {
  const {targetId} = await cdp.send('Target.createTarget', {url: 'about:blank'});
  const {sessionId} = await cdp.send('Target.attachToTarget', {targetId, flatten: true});
  const send = (method, params = {}) => cdp.send(method, params, sessionId);
  const pageUrl = 'file://' + path.resolve(file);
  const result = {
    page: file,
    consoleErrors: [],
    consoleMessages: [],
    exceptions: [],
    requests: [],
    failedRequests: []
  };
  let loaded;
  const loadFired = new Promise((r) => (loaded = r));
  const off = cdp.on((msg) => {
    if (msg.sessionId !== sessionId) return;
    const p = msg.params || {};
    switch (msg.method) {
      case 'Runtime.consoleAPICalled': {
        const text = (p.args || []).map((a) => a.value ?? a.description ?? '').join(' ');
        (p.type === 'error' || p.type === 'assert' ? result.consoleErrors : result.consoleMessages)
            .push(`${p.type}: ${text}`);
        break;
      }
      case 'Runtime.exceptionThrown':
        result.exceptions.push(
            p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text);
        break;
      case 'Log.entryAdded':
        if (p.entry.level === 'error')
          result.consoleErrors.push(`log: ${p.entry.text} ${p.entry.url ?? ''}`);
        break;
      case 'Network.requestWillBeSent':
        if (p.request.url !== pageUrl) result.requests.push(p.request.url);
        break;
      case 'Network.loadingFailed':
        result.failedRequests.push(`${p.errorText} ${p.requestId}`);
        break;
      case 'Page.loadEventFired':
        loaded();
        break;
    }
  });
  await send('Runtime.enable');
  await send('Log.enable');
  await send('Network.enable');
  await send('Page.enable');
  await send(
      'Emulation.setDeviceMetricsOverride',
      {width: 1400, height: 2000, deviceScaleFactor: 1, mobile: false});
  const nav = await send('Page.navigate', {url: pageUrl});
  if (nav.errorText) throw new Error(`navigation to ${pageUrl} failed: ${nav.errorText}`);
  await loadFired;
  await new Promise((r) => setTimeout(r, 500));  // late requests or errors after load
  const evaluate = async (expression) => {
    const r = await send('Runtime.evaluate', {expression, returnByValue: true});
    if (r.exceptionDetails) throw new Error(`page check threw: ${r.exceptionDetails.text}`);
    return r.result.value;
  };
  result.dom = await evaluate(inspectPage);
  result.sorting = await evaluate(checkSorting);
  result.priceCharts = await checkPriceCharts(send, evaluate, shot);
  if (shot) {
    const metrics = await send('Page.getLayoutMetrics');
    const height = Math.min(Math.ceil(metrics.cssContentSize.height), 16000);
    await send(
        'Emulation.setDeviceMetricsOverride',
        {width: 1400, height, deviceScaleFactor: 1, mobile: false});
    const {data} = await send('Page.captureScreenshot', {format: 'png'});
    fs.writeFileSync(shot, Buffer.from(data, 'base64'));
    result.screenshot = {path: shot, bytes: fs.statSync(shot).size, height};
    // TANDEM_SHOT_PARTS=1: also 1400 x 1300 slices (SHOT-1.png, ...) for looking at in detail.
    for (let y = 0, n = 1; process.env.TANDEM_SHOT_PARTS && y < height; y += 1300, n++) {
      const clip = {x: 0, y, width: 1400, height: Math.min(1300, height - y), scale: 1};
      const part = await send('Page.captureScreenshot', {format: 'png', clip});
      fs.writeFileSync(shot.replace(/\.png$/, `-${n}.png`), Buffer.from(part.data, 'base64'));
    }
  }
  off();
  await cdp.send('Target.closeTarget', {targetId});
  return result;
}

try {
  chrome = spawn(
      '/usr/bin/chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-default-apps',
        '--disable-extensions',
        '--host-resolver-rules=MAP * ~NOTFOUND',
        `--user-data-dir=${profile}`,
        '--remote-debugging-port=0',
        'about:blank',
      ],
      {stdio: ['ignore', 'ignore', 'ignore']});
  const cdp = await connect(await devtoolsEndpoint());
  const results = [];
  for (const spec of pages) {
    const [file, shot] = spec.split('=');
    results.push(await checkPage(cdp, file, shot));
  }
  await cdp.send('Browser.close').catch(() => {});
  cdp.close();
  await chromeExited(10_000);
  fs.writeFileSync(resultPath, JSON.stringify({pages: results}, null, 1));
  clearTimeout(deadline);
  cleanup();
} catch (error) {
  fail(String(error && error.stack ? error.stack : error));
}
