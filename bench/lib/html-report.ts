/**
 * The self-contained HTML report of `bench:compare --html FILE`: the JSON document plus chart.js (its UMD
 * build, read from node_modules and inlined), so the page opens offline and loads nothing from a CDN.
 * Charts: server CPU per request, throughput and latency per scenario and server, throughput against
 * connections with the Little's-law line, and the sync-vs-async pair when it was run.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { CompareRatio, CompareRow } from './compare-stats.js'

/** What the report shows: the document `bench:compare` also writes as JSON. */
export interface HtmlReportData {
  startedAt: string
  machine: { cpus: number; model: string; kernel: string; node: string }
  versions: Record<string, string>
  results: CompareRow[]
  ratios: CompareRatio[]
  settings: object
}

/** chart.js's UMD bundle, without its source-map comment (the map is not shipped with the page). */
function chartJsSource(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js')
  const source = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8')
  return source.replace(/\/\/# sourceMappingURL=\S+\s*$/, '')
}

/** JSON that is safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

/** Runs in the page: builds the charts from the embedded data. Plain ES2015 so any browser runs it. */
const PAGE_SCRIPT = String.raw`
const data = JSON.parse(document.getElementById('data').textContent)
const rows = data.results
const servers = [...new Set(rows.map((r) => r.server))]
const palette = ['#d62728','#1f77b4','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#7f7f7f']
const color = (s) => palette[servers.indexOf(s) % palette.length]
const pointKey = (r) => r.scenario + ' c=' + r.connections + ' d=' + r.ioDelayMs
const points = [...new Set(rows.map(pointKey))]
function bar(id, title, field, unit) {
  new Chart(document.getElementById(id), {
    type: 'bar',
    data: { labels: points, datasets: servers.map((s) => ({ label: s, backgroundColor: color(s),
      data: points.map((p) => { const r = rows.find((x) => x.server === s && pointKey(x) === p); return r ? r[field] : null }) })) },
    options: { animation: false, plugins: { title: { display: true, text: title } }, scales: { y: { title: { display: true, text: unit } } } },
  })
}
bar('cpu', 'Server CPU per request (median; lower is better)', 'serverCpuUsPerRequest', 'µs per request')
bar('rps', 'Throughput (median, 2xx per second of window)', 'requestsPerSecond', 'requests per second')
bar('p99', 'Latency p99 (median over rounds)', 'latencyP99Ms', 'ms')
bar('p50', 'Latency p50 (median over rounds)', 'latencyP50Ms', 'ms')
const sweep = rows.filter((r) => r.efficiency !== null)
const sweepKeys = [...new Set(sweep.map((r) => r.scenario + ' d=' + r.ioDelayMs))]
const holder = document.getElementById('sweeps')
for (const k of sweepKeys) {
  const group = sweep.filter((r) => r.scenario + ' d=' + r.ioDelayMs === k)
  const conns = [...new Set(group.map((r) => r.connections))].sort((a, b) => a - b)
  if (conns.length < 2) continue
  const canvas = document.createElement('canvas'); holder.appendChild(canvas)
  const bound = conns.map((c) => { const r = group.find((x) => x.connections === c); return r ? r.requestsPerSecond / r.efficiency : null })
  new Chart(canvas, { type: 'line', data: { labels: conns, datasets: [
    { label: "Little's-law bound", data: bound, borderDash: [6, 4], borderColor: '#000', pointRadius: 0 },
    ...[...new Set(group.map((r) => r.server))].map((s) => ({ label: s, borderColor: color(s), backgroundColor: color(s),
      data: conns.map((c) => { const r = group.find((x) => x.server === s && x.connections === c); return r ? r.requestsPerSecond : null }) })),
  ] }, options: { animation: false, plugins: { title: { display: true, text: 'Throughput vs connections: ' + k } },
    scales: { x: { title: { display: true, text: 'connections' } }, y: { title: { display: true, text: 'req/s' } } } } })
}
if (!holder.children.length) holder.textContent = 'No sweep in this run (pass --connections with several values).'
document.body.dataset.rendered = 'yes'
`

function resultsTable(rows: readonly CompareRow[]): string {
  const head = [
    'server',
    'scenario',
    'connections',
    'io-delay ms',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'RSS MB',
    'errors',
  ]
  const cells = (r: CompareRow) =>
    [
      r.server,
      r.scenario,
      r.connections,
      r.ioDelayMs,
      r.requestsPerSecond,
      r.latencyP50Ms,
      r.latencyP99Ms,
      r.serverCpuUsPerRequest ?? '-',
      r.rssMb ?? '-',
      r.errors,
    ]
      .map((c) => `<td>${escapeHtml(String(c))}</td>`)
      .join('')
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.map((r) => `<tr>${cells(r)}</tr>`).join('')}</table>`
}

function ratioList(ratios: readonly CompareRatio[]): string {
  const item = (q: CompareRatio) =>
    `<li>${escapeHtml(`${q.scenario} c=${q.connections} d=${q.ioDelayMs}: Swiftlet / ${q.baseline} CPU per request ${q.cpuPerRequest ?? '-'}× (paired by round ${q.cpuPerRequestPairedMedian ?? '-'}×), throughput ${q.requestsPerSecond ?? '-'}×`)}</li>`
  return `<ul>${ratios.map(item).join('')}</ul>`
}

/** Writes the report to `file`. */
export function writeHtmlReport(file: string, data: HtmlReportData): void {
  const m = data.machine
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Swiftlet bench:compare ${escapeHtml(data.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}canvas{margin:16px 0;max-height:380px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
td:first-child,td:nth-child(2){text-align:left}</style></head>
<body><h1>Swiftlet against its peers</h1>
<p>${escapeHtml(data.startedAt)} · ${m.cpus} × ${escapeHtml(m.model)} · Linux ${escapeHtml(m.kernel)} · Node ${escapeHtml(m.node)}.
Medians over alternating rounds; server CPU per request is the fair overhead figure when the generator is the bottleneck.</p>
<h2>Ratios</h2>${ratioList(data.ratios)}
<canvas id="cpu"></canvas><canvas id="rps"></canvas><canvas id="p50"></canvas><canvas id="p99"></canvas>
<h2>Sweeps</h2><div id="sweeps"></div>
<h2>All medians</h2>${resultsTable(data.results)}
<h2>Versions and settings</h2><pre>${escapeHtml(JSON.stringify({ versions: data.versions, settings: data.settings }, null, 2))}</pre>
<script id="data" type="application/json">${scriptJson(data)}</script>
<script>${chartJsSource()}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`
  writeFileSync(file, html)
}
