// The report's inline stylesheet and script. System fonts only: a web font would be a network
// request (or a large inline blob), and the page must stand alone.
#include "report/html_parts.h"

namespace tandem::report::html {

std::string_view stylesheet() {
  return R"css(
:root{--bg:#f4f6f9;--card:#fff;--ink:#1b2430;--muted:#667085;--line:#e4e7ec;--accent:#2563eb;
--pos:#0f7b3f;--neg:#c0262d;--head:#f8fafc}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
font-variant-numeric:tabular-nums}
header.top{background:#0f172a;color:#f8fafc;padding:22px 32px 16px}
header.top h1{margin:0;font-size:22px;font-weight:650;letter-spacing:.2px}
header.top h1 span{color:#94a3b8;font-weight:400}
header.top .meta{margin-top:6px;color:#cbd5e1;font-size:13px}
nav{position:sticky;top:0;z-index:5;background:#0f172a;border-top:1px solid #1e293b;padding:0 24px}
nav a{display:inline-block;color:#cbd5e1;text-decoration:none;padding:9px 10px;font-size:13px}
nav a:hover{color:#fff}
main{max-width:1480px;margin:0 auto;padding:20px 24px 48px}
section{margin-bottom:28px}
h2{font-size:17px;margin:0 0 12px;font-weight:650}
h3{font-size:14px;margin:0 0 8px;font-weight:600;color:#344054}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;
box-shadow:0 1px 2px rgba(16,24,40,.04);margin-bottom:16px}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px;margin-bottom:16px}
.grid2>.card{margin-bottom:0}
@media (max-width:1000px){.grid2{grid-template-columns:1fr}}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(135px,1fr));gap:12px;margin-bottom:16px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.kpi .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.kpi .value{font-size:22px;font-weight:650;margin-top:2px}
.kpi .sub{color:var(--muted);font-size:12px;margin-top:2px}
.pos{color:var(--pos)}.neg{color:var(--neg)}.na{color:#98a2b3}
svg.chart{width:100%;height:auto;display:block}
svg.chart .grid{stroke:#eef0f3;stroke-width:1}
svg.chart .grid.v{stroke:#f3f4f6}
svg.chart .axis{stroke:#98a2b3;stroke-width:1}
svg.chart .zero{stroke:#98a2b3;stroke-width:1;stroke-dasharray:3 3}
svg.chart .tick{fill:#667085;font-size:11px}
svg.chart .tick.y{text-anchor:end}
svg.chart .tick.x{text-anchor:middle}
svg.chart .area{fill-opacity:.18;stroke:none}
svg.chart .series{stroke-linejoin:round;stroke-linecap:round}
svg.chart .frame{fill:none;stroke:var(--line)}
svg.chart .nodata,svg.chart .scale-note{fill:#98a2b3;font-size:12px;text-anchor:middle}
svg.chart .scale-note{text-anchor:end;font-size:11px}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:0 0 6px;font-size:12px;color:#344054}
.legend .key{display:inline-flex;align-items:center;gap:6px}
.legend i{display:inline-block;width:18px;border-top:2.5px solid}
.legend i.dash{border-top-style:dashed}
.scroll{overflow:auto;max-height:560px;border:1px solid var(--line);border-radius:8px}
.wide{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);white-space:nowrap}
th{background:var(--head);position:sticky;top:0;z-index:1;text-align:left;font-weight:600;color:#344054}
td.n,th.n{text-align:right}
tbody tr:hover{background:#f5f8ff}
.price-chart{height:420px;position:relative}
.price-tip{white-space:pre-wrap;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
color:#344054;min-height:3em;margin-top:6px}
.legend b.buy{color:#0f7b3f}.legend b.sell{color:#c0262d}.legend .hint{color:#98a2b3}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:" \2195";color:#c0c6d0;font-size:10px}
table.sortable th[data-dir=asc]:after{content:" \2191";color:var(--accent)}
table.sortable th[data-dir=desc]:after{content:" \2193";color:var(--accent)}
table.kv td:first-child{color:var(--muted)}
table.kv td{text-align:right}table.kv td:first-child{text-align:left}
table.kv th{position:static}
table.heat{width:auto}
table.heat td{text-align:center;font-size:12px;padding:5px 4px;min-width:52px;border:1px solid #fff}
table.heat th{text-align:center;position:static}
table.heat td.year,table.heat th.year{font-weight:600;border-left:2px solid #fff}
table.heat td.label{text-align:left;font-weight:600;background:var(--head)}
.note{color:var(--muted);font-size:12.5px;margin:8px 0 0}
.notes li{margin:3px 0}
code{background:#eef2f7;border-radius:4px;padding:1px 5px;font-size:12px}
td.strategy{font-weight:600}
tr.total td{font-weight:650;background:#f8fafc}
svg.spark{display:block}
table.compact{font-size:12px}
table.compact th,table.compact td{padding:4px 6px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:12px 0 28px}
)css";
}

std::string_view script() {
  return R"js(
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.tHead.addEventListener('click', function (event) {
    var th = event.target.closest('th');
    if (!th) return;
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.classList.contains('n');
    var dir = th.dataset.dir === 'desc' ? 'asc' : 'desc';
    table.tHead.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    var sign = dir === 'asc' ? 1 : -1;
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (row) {
      var cell = row.cells[col];
      var text = cell.textContent;
      var key = numeric ? parseFloat(text.replace(/[,+%x]/g, '')) : text;
      return {row: row, key: numeric && isNaN(key) ? null : key};
    });
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) return (a.key === null) - (b.key === null);
      return sign * (numeric ? a.key - b.key : a.key.localeCompare(b.key));
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (r) { fragment.appendChild(r.row); });
    body.appendChild(fragment);
  });
});
)js";
}

}  // namespace tandem::report::html
