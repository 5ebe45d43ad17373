// The script that draws the "Prices and trades" charts (price_chart.cc) with the inlined
// Lightweight Charts library (window.LightweightCharts). Each chart element gets `.tandem`
// ({chart, candles, markers, lines, fills}) so tests can ask the library what it drew.
#include "report/html_parts.h"

namespace tandem::report::html {

std::string_view price_chart_script() {
  return R"js(
(function () {
  var block = document.getElementById('price-data');
  var LC = window.LightweightCharts;
  if (!block || !LC) return;
  var data = JSON.parse(block.textContent);
  var number = function (x) { return x.toLocaleString('en-US', {maximumFractionDigits: 4}); };
  var when = function (t, intraday) {
    var s = new Date(t * 1000).toISOString();
    return intraday ? s.slice(0, 16).replace('T', ' ') + 'Z' : s.slice(0, 10);
  };
  data.instruments.forEach(function (inst) {
    var el = document.getElementById(inst.id);
    var tip = document.getElementById(inst.id + '-tip');
    if (!el) return;
    var intraday = inst.bars.some(function (b) { return b[0] % 86400 !== 0; });
    var chart = LC.createChart(el, {
      autoSize: true,
      layout: {background: {color: '#ffffff'}, textColor: '#344054', fontSize: 11},
      grid: {vertLines: {color: '#f3f4f6'}, horzLines: {color: '#eef0f3'}},
      rightPriceScale: {borderColor: '#e4e7ec'},
      timeScale: {borderColor: '#e4e7ec', timeVisible: intraday, secondsVisible: false},
      crosshair: {mode: LC.CrosshairMode.Normal},
    });
    var candles = chart.addSeries(LC.CandlestickSeries, {
      upColor: '#16a34a', downColor: '#dc2626', borderVisible: false,
      wickUpColor: '#16a34a', wickDownColor: '#dc2626',
    });
    candles.setData(inst.bars.map(function (b) {
      return {time: b[0], open: b[1], high: b[2], low: b[3], close: b[4]};
    }));
    var lines = inst.lines.map(function (line) {
      var series = chart.addSeries(LC.LineSeries, {
        color: line.color, lineWidth: 2, priceLineVisible: false, lastValueVisible: false,
        crosshairMarkerVisible: false, title: line.label,
      });
      series.setData(line.points.map(function (p) { return {time: p[0], value: p[1]}; }));
      return series;
    });
    // One marker per fill, in time order (the library's requirement).
    var fills = inst.fills.slice().sort(function (a, b) { return a[0] - b[0]; });
    var markers = LC.createSeriesMarkers(candles, fills.map(function (f) {
      var buy = f[1] === 'B';
      return {time: f[0], position: buy ? 'belowBar' : 'aboveBar', shape: buy ? 'arrowUp' : 'arrowDown',
              color: buy ? '#0f7b3f' : '#c0262d', size: 1};
    }));
    var byTime = new Map();
    fills.forEach(function (f) {
      if (!byTime.has(f[0])) byTime.set(f[0], []);
      byTime.get(f[0]).push(f);
    });
    var idle = tip.textContent;
    chart.subscribeCrosshairMove(function (param) {
      var bar = param.time !== undefined ? param.seriesData.get(candles) : undefined;
      if (!bar) { tip.textContent = idle; return; }
      var text = inst.symbol + ' ' + when(bar.time, intraday) + '  O ' + number(bar.open) +
                 '  H ' + number(bar.high) + '  L ' + number(bar.low) + '  C ' + number(bar.close);
      lines.forEach(function (series, i) {
        var point = param.seriesData.get(series);
        if (point && point.value !== undefined) text += '  ' + inst.lines[i].label + ' ' + number(point.value);
      });
      (byTime.get(bar.time) || []).forEach(function (f) {
        text += '\n' + (f[1] === 'B' ? 'Buy ' : 'Sell ') + number(f[2]) + ' @ ' + number(f[3]) +
                (f[4] ? ' (' + f[4] + ')' : '') + ' at ' + f[5];
      });
      tip.textContent = text;
    });
    el.addEventListener('dblclick', function () { chart.timeScale().fitContent(); });
    chart.timeScale().fitContent();
    el.tandem = {chart: chart, candles: candles, markers: markers, lines: lines, fills: fills.length};
  });
})();
)js";
}

}  // namespace tandem::report::html
