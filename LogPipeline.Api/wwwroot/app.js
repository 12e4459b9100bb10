// The LogPipeline dashboard: charts from /api/stats/*, anomalies, top errors, dead letters and a live tail
// (server-sent events from /api/logs/tail). No framework; uPlot (wwwroot/lib, from npm) draws the charts.
import uPlot from './lib/uplot/uPlot.esm.js';
import { $, LEVELS, api, apiKey, cell, eventRow, fillTable, setUrl } from './common.js';
import { initSearch, openSearch, setServices, showSearch } from './search.js';

const REFRESH_MS = 5000;
const TAIL_MAX_ROWS = 200;
const TAIL_FLUSH_MS = 250;
const PLOT_HEIGHT = 210;

// Range -> bucket: at most a few hundred points per series, within the API's bucket limits.
const RANGES = {
  '15m': { ms: 15 * 60e3, bucket: '1m' },
  '1h': { ms: 60 * 60e3, bucket: '1m' },
  '6h': { ms: 6 * 60 * 60e3, bucket: '5m' },
  '24h': { ms: 24 * 60 * 60e3, bucket: '5m' },
};

const LEVEL_COLORS = {
  trace: '#afb8c1', debug: '#8c959f', info: '#54aeff', warn: '#d4a72c', error: '#fa4549', fatal: '#8250df',
};
const ANOMALY_COLOR = '#d1242f';
const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#1b7c83', '#953800', '#57606a', '#4d2d00'];

const state = {
  range: '1h',
  service: '',
  latencyService: '',
  latencyPercentile: 'p95',
  anomalies: [],
};

// ---------------------------------------------------------------- charts

const t = (iso) => Date.parse(iso) / 1000;

/**
 * Marks the anomalies on a chart's time axis: a translucent band over the plot from startedAt to
 * endedAt (to now while open), a line and the service's name where it started, and a solid strip
 * along the time axis. Drawn after the series so the opaque stacked areas of the volume chart
 * cannot hide it. The chart element's data-anomaly-bands says how many it drew (tests read it;
 * canvas pixels say nothing).
 */
function anomalyBands(u) {
  const [min, max] = [u.scales.x.min, u.scales.x.max];
  let drawn = 0;
  const centers = [];
  if (min != null && max != null) {
    const { ctx, bbox } = u;
    const strip = 4 * devicePixelRatio;
    ctx.save();
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.textAlign = 'left'; // uPlot leaves the axes' alignment on the context
    ctx.textBaseline = 'top';
    for (const a of state.anomalies) {
      const start = Math.max(t(a.startedAt), min);
      const end = Math.min(a.endedAt ? t(a.endedAt) : Date.now() / 1000, max);
      if (end <= start) continue;
      const x0 = u.valToPos(start, 'x', true);
      const x1 = Math.max(u.valToPos(end, 'x', true), x0 + 2);
      ctx.fillStyle = a.open ? 'rgba(209, 36, 47, 0.18)' : 'rgba(209, 36, 47, 0.12)';
      ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
      ctx.fillStyle = ANOMALY_COLOR;
      ctx.fillRect(x0, bbox.top, Math.max(1, devicePixelRatio), bbox.height);
      ctx.fillRect(x0, bbox.top + bbox.height, x1 - x0, strip);
      // Which service: the charts of all services mark every service's anomalies.
      ctx.fillText(a.service, x0 + 3 * devicePixelRatio, bbox.top + 2 * devicePixelRatio);
      drawn++;
      centers.push(Math.round((u.valToPos(start, 'x') + u.valToPos(end, 'x')) / 2));
    }
    ctx.restore();
  }
  u.root.parentElement.dataset.anomalyBands = String(drawn);
  // Where each band is, in CSS pixels from the plot's left edge, and the time axis's ends (seconds):
  // bands and points are clickable, and tests find where to click from these.
  Object.assign(u.root.parentElement.dataset, { anomalyBandsAt: centers.join(' '), xMin: String(min), xMax: String(max) });
}

// 24-hour local times; the date only where it changes (and on the first tick).
const hhmm = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
function timeTicks(u, splits) {
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const day = dayMonth.format(d);
    const label = day !== lastDay ? `${hhmm.format(d)}\n${day}` : hhmm.format(d);
    lastDay = day;
    return label;
  });
}

class Chart {
  constructor(id, options) {
    this.el = $(id);
    // { yValue(v), stacked, whole (counts or ms: no fractional ticks), empty (what no points means),
    //   search(label): the filters a click on a series opens }
    this.options = options;
    this.plot = null;
    this.signature = '';
  }

  size() {
    // The legend flows below the plot, so the container grows with the number of series.
    return { width: Math.max(200, this.el.clientWidth), height: PLOT_HEIGHT };
  }

  /** series: [{ label, color, values }]; xs in seconds. Rebuilds the plot only when the series change. */
  update(xs, series) {
    const points = series.reduce((n, s) => n + s.values.filter((v) => v != null && v !== 0).length, 0);
    this.el.dataset.points = String(points);
    this.el.dataset.series = String(series.length);

    let ys = series.map((s) => s.values);
    if (this.options.stacked) {
      // Stacked areas: each series is drawn as the running total up to it, topmost (the total)
      // first, so the opaque fills of the lower ones paint over it; the legend shows own values.
      const sums = [];
      let running = xs.map(() => 0);
      for (const s of series) {
        running = running.map((r, i) => r + (s.values[i] ?? 0));
        sums.push(running);
      }
      ys = sums.slice().reverse();
      series = series.slice().reverse();
    }

    const signature = series.map((s) => s.label).join('|');
    if (!this.plot || signature !== this.signature) {
      this.plot?.destroy();
      this.el.querySelector('.empty')?.remove();
      this.signature = signature;
      this.raw = series.map((s) => s.values);
      this.plot = new uPlot(this.plotOptions(series), [xs, ...ys], this.el);
      this.plot.over.addEventListener('click', () => this.drillDown());
      this.plot.over.title = 'Click a point for its events, a red band for the anomaly\'s';
      // The legend cuts long names; the tooltip has them whole.
      for (const label of this.el.querySelectorAll('.u-legend .u-label')) label.title = label.textContent;
    } else {
      this.raw = series.map((s) => s.values);
      this.plot.setData([xs, ...ys]);
    }

    if (!this.el.querySelector('.empty') && points === 0) {
      const empty = document.createElement('div');
      empty.className = 'empty';
      empty.textContent = this.options.empty;
      this.el.append(empty);
    } else if (points > 0) {
      this.el.querySelector('.empty')?.remove();
    }
  }

  plotOptions(series) {
    const { yValue, stacked, whole } = this.options;
    const fmt = (v) => (v == null ? '–' : yValue(v));
    return {
      ...this.size(),
      // Focus: the series nearest the pointer, whose events a click opens.
      cursor: { drag: { x: false, y: false }, focus: { prox: 30 } },
      focus: { alpha: 0.5 },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      axes: [
        { stroke: '#57606a', grid: { stroke: '#eceef1' }, ticks: { stroke: '#d0d7de' }, values: timeTicks },
        {
          stroke: '#57606a', grid: { stroke: '#eceef1' }, ticks: { stroke: '#d0d7de' }, size: 56,
          // The labels drawn (on the canvas) are kept on the element too, for tests.
          values: (u, vals) => { const labels = vals.map(yValue); this.el.dataset.yTicks = labels.join(' '); return labels; },
          // Whole steps for counts and milliseconds: an empty range (0 to 1) read "0 0 0 1 1 1" in fifths.
          ...(whole ? { incrs: WHOLE_STEPS } : {}),
        },
      ],
      series: [
        { value: (u, v) => (v == null ? '–' : `${dayMonth.format(new Date(v * 1000))} ${hhmm.format(new Date(v * 1000))}`) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color,
          width: stacked ? 1 : 1.5,
          fill: stacked ? s.color : undefined,
          spanGaps: false,
          // A series with a few values (a fresh pipeline, a quiet service) would be invisible as lines alone.
          points: { show: (u, si) => u.data[si].filter((v) => v != null).length <= 3, size: 5 },
          value: (u, v, si, idx) => fmt(idx == null ? v : this.raw[i][idx]),
        })),
      ],
      hooks: {
        draw: [anomalyBands],
        setSeries: [(u, i, opts) => { if (opts?.focus != null) this.focused = opts.focus && i != null ? u.series[i].label : null; }],
      },
    };
  }

  /**
   * A click on an anomaly band opens the search for that service over the anomaly; elsewhere, the
   * search for the bucket under the pointer and the focused series (its service, or level).
   */
  drillDown() {
    const u = this.plot;
    if (u.cursor.left == null || u.cursor.left < 0) return;
    const at = u.posToVal(u.cursor.left, 'x');
    const anomaly = state.anomalies.find((a) => t(a.startedAt) <= at && at <= (a.endedAt ? t(a.endedAt) : Date.now() / 1000));
    if (anomaly) {
      openSearch({ service: anomaly.service, from: anomaly.startedAt, to: anomaly.endedAt ?? new Date().toISOString() });
      return;
    }
    const idx = u.cursor.idx;
    if (idx == null) return;
    const start = u.data[0][idx] * 1000;
    const bucketMs = { '1m': 60e3, '5m': 5 * 60e3 }[RANGES[state.range].bucket];
    openSearch({
      service: state.service,
      ...this.options.search(this.focused),
      from: new Date(start).toISOString(),
      to: new Date(start + bucketMs).toISOString(),
    });
  }

  resize() { this.plot?.setSize(this.size()); }
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0, notation: 'compact' });
const WHOLE_STEPS = [1, 2, 5].flatMap((m) => Array.from({ length: 10 }, (_, e) => m * 10 ** e)).sort((a, b) => a - b);
const charts = {
  volume: new Chart('volume-chart', {
    stacked: true, whole: true, empty: 'no events in this range',
    yValue: (v) => integer.format(v), search: (level) => (level ? { level } : {}),
  }),
  errors: new Chart('errors-chart', {
    empty: 'no events in this range',
    yValue: (v) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`, search: (service) => ({ level: 'error', ...(service ? { service } : {}) }),
  }),
  latency: new Chart('latency-chart', {
    whole: true, empty: 'no HTTP requests in this range',
    yValue: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}`),
    // Labels are "<service> p95" for all services, or p50/p95/p99 for the one chosen.
    search: (label) => ({ service: state.latencyService || (label?.replace(/ p\d+$/, '') ?? state.service) }),
  }),
};

// The palette's ten, then hues a golden angle apart at alternating lightness: with sixty services,
// repeating the ten made six services share each color in one legend.
const colorFor = (() => {
  const assigned = new Map();
  return (key) => {
    if (!assigned.has(key)) {
      const n = assigned.size;
      assigned.set(key, n < PALETTE.length ? PALETTE[n] : `hsl(${Math.round((n * 137.508) % 360)}, 70%, ${n % 2 ? 35 : 50}%)`);
    }
    return assigned.get(key);
  };
})();

function xsOf(response) {
  return (response.series[0]?.points ?? []).map((p) => t(p.t));
}

function drawVolume(response) {
  const byLevel = new Map(response.series.map((s) => [s.key, s]));
  const series = LEVELS.filter((l) => byLevel.has(l)).map((l) => ({
    label: l, color: LEVEL_COLORS[l], values: byLevel.get(l).points.map((p) => p.count),
  }));
  charts.volume.update(xsOf(response), series);
  $('volume-bucket').textContent = `per ${response.bucket}`;
}

function drawErrorRates(response) {
  const series = response.series.map((s) => ({
    label: s.key,
    color: colorFor(s.key),
    values: s.points.map((p) => (p.total > 0 ? p.rate : null)),
  }));
  charts.errors.update(xsOf(response), series);
}

function drawLatency(response) {
  let series;
  if (state.latencyService) {
    const s = response.series.find((x) => x.key === state.latencyService);
    const points = s?.points ?? [];
    series = [['p50', '#1a7f37'], ['p95', '#d4a72c'], ['p99', '#cf222e']].map(([p, color]) => ({
      label: p, color, values: points.map((x) => x[p] ?? null),
    }));
  } else {
    const p = state.latencyPercentile;
    series = response.series.map((s) => ({ label: `${s.key} ${p}`, color: colorFor(s.key), values: s.points.map((x) => x[p] ?? null) }));
  }
  charts.latency.update(xsOf(response), series);
}

// ---------------------------------------------------------------- tables

function drawTopErrors(response) {
  const body = $('top-errors').tBodies[0];
  const rows = response.items.map((e) => {
    const tr = document.createElement('tr');
    tr.dataset.fingerprint = e.fingerprint;
    tr.className = 'clickable';
    tr.title = 'Show the events of this template';
    tr.addEventListener('click', () => openSearch({ fingerprint: e.fingerprint, service: e.service, range: state.range }));
    // A template shows up to three lines (a stack trace's first ones); the tooltip has the rest.
    const template = cell(e.template ?? e.fingerprint, 'mono');
    const clamp = document.createElement('div');
    clamp.className = 'clamp';
    clamp.textContent = template.textContent;
    template.replaceChildren(clamp);
    tr.append(
      template,
      cell(e.service),
      cell(e.count.toLocaleString(), 'num'),
      cell(e.sampleMessage, 'mono'),
    );
    return tr;
  });
  fillTable(body, rows, 'no warnings or errors in this range', 4);
}

// A dead letter's preview is already safe text (the processor turns invalid UTF-8 into U+FFFD and
// control characters into their symbols); the cell's tooltip carries the reason's detail and the hash.
function drawDeadLetters(response) {
  const body = $('dead-letters').tBodies[0];
  const rows = response.items.map((d) => {
    const tr = document.createElement('tr');
    tr.dataset.id = d.id;
    tr.dataset.reason = d.reason;
    const reason = cell(d.reason);
    reason.title = d.detail;
    const preview = cell(d.preview || '(empty)', 'mono preview');
    preview.title = `${d.preview}\n\nsha256 ${d.sha256}`;
    tr.append(
      cell(new Date(d.deadLetteredAt).toLocaleTimeString()),
      reason,
      cell(`${d.topic}/${d.partition}/${d.offset}`, 'mono'),
      cell(d.key ?? '(none)'),
      cell(d.size.toLocaleString(), 'num'),
      preview,
    );
    return tr;
  });
  fillTable(body, rows, 'no rejected records in this range', 6);
}

function describeAnomalies() {
  const open = state.anomalies.filter((a) => a.open);
  const text = state.anomalies.length === 0
    ? ''
    : `${state.anomalies.length} anomal${state.anomalies.length === 1 ? 'y' : 'ies'} in range`
      + (open.length ? ` (open: ${[...new Set(open.map((a) => a.service))].join(', ')})` : '');
  $('anomaly-summary').textContent = text;
  $('anomaly-summary').title = state.anomalies
    .map((a) => `${a.service} ${a.kind}: ${new Date(a.startedAt).toLocaleString()} – ${a.endedAt ? new Date(a.endedAt).toLocaleString() : 'now'}`)
    .join('\n');
}

// ---------------------------------------------------------------- refresh loop

let refreshTimer = null;
let generation = 0;

async function refresh() {
  // A filter change starts a new refresh while an older one may still be in flight: only the newest draws.
  if ($('overview').hidden) return; // the search view is showing: nothing here to draw
  const mine = ++generation;
  const range = RANGES[state.range];
  const to = new Date();
  const from = new Date(to.getTime() - range.ms);
  const common = { from: from.toISOString(), to: to.toISOString(), service: state.service };
  const stats = { ...common, bucket: range.bucket };
  try {
    const [volume, errorRates, latency, anomalies, top, deadLetters] = await Promise.all([
      api('api/stats/volume', { ...stats, groupBy: 'level' }),
      api('api/stats/errors', stats),
      api('api/stats/latency', { ...stats, service: state.latencyService || state.service }),
      api('api/anomalies', common),
      api('api/errors/top', { ...common, limit: 25 }),
      api('api/deadletters', { from: common.from, to: common.to, limit: 50 }),
    ]);
    if (mine !== generation) return;
    state.anomalies = anomalies.items;
    describeAnomalies();
    drawVolume(volume);
    drawErrorRates(errorRates);
    drawLatency(latency);
    drawTopErrors(top);
    drawDeadLetters(deadLetters);
    for (const chart of Object.values(charts)) chart.el.dataset.range = state.range;
    setStatus(`updated ${to.toLocaleTimeString()}`);
  } catch (error) {
    if (mine === generation) setStatus(error.message, true);
  }
}

let loop = 0;

function scheduleRefresh(now = false) {
  clearTimeout(refreshTimer);
  const mine = ++loop; // a run in flight when the filters change must not start a second loop
  const run = async () => {
    await refresh();
    if (mine === loop) refreshTimer = setTimeout(run, REFRESH_MS);
  };
  refreshTimer = setTimeout(run, now ? 0 : REFRESH_MS);
}

function setStatus(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

async function loadServices() {
  const services = await api('api/services');
  knownServices = services.items.map((s) => s.name);
  setServices(knownServices);
  showSelections();
}

let knownServices = [];

/** Fills the service selects (keeping a chosen service even before it has logged) and shows the choices. */
function showSelections() {
  for (const [select, chosen] of [[$('service'), state.service], [$('latency-service'), state.latencyService]]) {
    const names = chosen && !knownServices.includes(chosen) ? [...knownServices, chosen] : knownServices;
    select.replaceChildren(select.options[0], ...names.map((n) => new Option(n, n)));
    select.value = chosen;
  }
  $('latency-percentile').hidden = Boolean(state.latencyService);
}

// ---------------------------------------------------------------- live tail

const tail = { source: null, pending: [], received: 0, timer: null, reconnect: null, live: '' };

function openTail() {
  tail.source?.close();
  clearTimeout(tail.reconnect);
  const url = new URL('api/logs/tail', location.href);
  const filters = { service: state.service, level: $('tail-level').value, q: $('tail-q').value.trim(), apiKey: apiKey() };
  for (const [k, v] of Object.entries(filters)) if (v) url.searchParams.set(k, v);

  const source = new EventSource(url);
  tail.source = source;
  setTailState('connecting…');
  source.addEventListener('open', () => {
    const shown = [state.service || 'all services', filters.level && `${filters.level} and worse`, filters.q && `“${filters.q}”`];
    tail.live = `live: ${shown.filter(Boolean).join(', ')}`;
    setTailState(tail.live);
  });
  source.addEventListener('log', (e) => {
    tail.pending.push(JSON.parse(e.data));
    if (tail.pending.length > TAIL_MAX_ROWS) tail.pending.splice(0, tail.pending.length - TAIL_MAX_ROWS);
  });
  source.addEventListener('error', async () => {
    if (source.readyState !== EventSource.CLOSED) {
      setTailState('reconnecting…');
      return; // the browser reconnects by itself, resuming after the last event id
    }
    // Closed: the server refused (a 401, or a filter it rejects). A fetch finds out why, asks for a key
    // if that was it, and says what is wrong with a filter.
    setTailState('disconnected');
    try {
      await api('api/logs', { ...filters, apiKey: null, limit: 1 });
    } catch (error) {
      if (error.fieldErrors && Object.keys(error.fieldErrors).length) {
        setTailState(Object.values(error.fieldErrors).flat().join(' '), true);
        return; // reopened when the filter changes
      }
    }
    if (tail.source === source) tail.reconnect = setTimeout(openTail, 2000);
  });
}

function setTailState(text, isError = false) {
  $('tail-state').textContent = text;
  $('tail-state').title = text;
  $('tail-state').classList.toggle('error', isError);
}

function flushTail() {
  if ($('tail-pause').checked) {
    // Paused: the newest rows wait (up to TAIL_MAX_ROWS) and show when it resumes.
    if (tail.live) setTailState(`paused · ${tail.pending.length}${tail.pending.length === TAIL_MAX_ROWS ? '+' : ''} new`);
    return;
  }
  if (tail.live && $('tail-state').textContent.startsWith('paused')) setTailState(tail.live);
  if (tail.pending.length === 0) return;
  const body = $('tail').tBodies[0];
  body.querySelector('tr.placeholder')?.remove();
  const fragment = document.createDocumentFragment();
  // Events arrive oldest first; the table shows the newest first.
  for (let i = tail.pending.length - 1; i >= 0; i--) fragment.append(eventRow(tail.pending[i]));
  tail.received += tail.pending.length;
  tail.pending = [];
  body.prepend(fragment);
  $('tail').dataset.received = String(tail.received); // rows shown so far, for tests and curious readers
  while (body.rows.length > TAIL_MAX_ROWS) body.deleteRow(-1);
}

function restartTail() {
  fillTable($('tail').tBodies[0], [], 'waiting for new events that match…', 4);
  tail.pending = [];
  openTail();
}

// ---------------------------------------------------------------- wiring

function onFiltersChanged({ reopenTail }) {
  setUrl({ range: state.range, service: state.service }, false);
  scheduleRefresh(true);
  if (reopenTail) restartTail();
}

/** Shows the view the URL names: the overview (no view), or the search with its query. */
function route() {
  const query = new URLSearchParams(location.search);
  const view = query.get('view') === 'search' ? 'search' : 'overview';
  document.body.dataset.view = view;
  $('overview').hidden = view !== 'overview';
  $('search-view').hidden = view !== 'search';
  for (const tab of ['overview', 'search']) $(`tab-${tab}`).classList.toggle('current', tab === view);
  if (view === 'search') {
    showSearch(query);
    return;
  }
  const range = RANGES[query.get('range')] ? query.get('range') : state.range;
  const service = query.get('service') ?? state.service;
  if (range !== state.range || service !== state.service) {
    state.range = range;
    state.service = service;
    state.latencyService = service;
    $('range').value = range;
    showSelections();
    restartTail();
  }
  setUrl({ range: state.range, service: state.service }, false);
  Object.values(charts).forEach((c) => c.resize()); // sized while hidden
  scheduleRefresh(true);
}

function start() {
  const query = new URLSearchParams(location.search);
  if (RANGES[query.get('range')]) state.range = query.get('range');
  if (query.get('view') !== 'search') state.service = query.get('service') ?? '';
  state.latencyService = state.service;
  $('range').value = state.range;
  showSelections();

  // Listeners first: the selects work while the first answers are still on their way.
  $('range').addEventListener('change', (e) => { state.range = e.target.value; onFiltersChanged({ reopenTail: false }); });
  $('service').addEventListener('change', (e) => {
    state.service = e.target.value;
    state.latencyService = state.service;
    showSelections();
    onFiltersChanged({ reopenTail: true });
  });
  $('latency-service').addEventListener('change', (e) => {
    state.latencyService = e.target.value;
    showSelections();
    scheduleRefresh(true);
  });
  $('latency-percentile').addEventListener('change', (e) => { state.latencyPercentile = e.target.value; scheduleRefresh(true); });
  $('tail-level').addEventListener('change', restartTail);
  let typing;
  $('tail-q').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(restartTail, 400); });

  $('tab-overview').addEventListener('click', (e) => {
    e.preventDefault();
    setUrl({ range: state.range, service: state.service }, true);
    route();
  });
  $('tab-search').addEventListener('click', (e) => {
    e.preventDefault();
    if (document.body.dataset.view !== 'search') openSearch({ service: state.service, range: state.range });
  });
  window.addEventListener('popstate', route);

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => Object.values(charts).forEach((c) => c.resize()), 100);
  });

  // New services show up while the pipeline runs.
  loadServices().catch((error) => setStatus(error.message, true));
  setInterval(() => loadServices().catch(() => {}), 30_000);

  initSearch();
  tail.timer = setInterval(flushTail, TAIL_FLUSH_MS);
  restartTail(); // its placeholder too: an empty store's tail was a blank table under "live"
  route();
}

start();
