// The search view: the filters of GET /api/logs in a form whose state is the page's URL (so a search
// can be shared, reloaded and gone back to), the count of matches from GET /api/logs/count, results
// newest first with older pages through the cursor (a trace oldest first), and each row opening to
// every field. Drill-downs from the overview call openSearch.
import { $, api, ApiError, eventRow, fillTable, setUrl } from './common.js';

const PAGE_SIZE = 100;
// A trace is read whole and shown oldest first; this many pages of 1,000 at the most.
const TRACE_PAGES = 5;
const TRACE_WINDOW_MS = 30 * 60e3;
// The most of a message the store keeps (StoreLimits.TextLength); the processor cuts the rest, one
// character less where the cut would split a surrogate pair.
const STORED_MESSAGE_LENGTH = 16_000;
const PRESETS = { '15m': 15 * 60e3, '1h': 60 * 60e3, '6h': 6 * 60 * 60e3, '24h': 24 * 60 * 60e3, '7d': 7 * 24 * 60 * 60e3 };
// The filters as the URL and the API name them, each the id of its form field (prefixed s-).
const FIELDS = ['q', 'level', 'service', 'host', 'traceId', 'fingerprint', 'range', 'from', 'to'];

let current = null; // { params, cursor, generation } of the search on screen
let generation = 0;

/** The search's parameters as the URL holds them. */
function readForm() {
  const params = { view: 'search' };
  for (const name of FIELDS) params[name] = $(`s-${name}`).value.trim();
  if (params.range !== 'custom') { delete params.from; delete params.to; }
  // Oldest first is a trace's order (a drill-down); any other search reads newest first.
  if ($('s-order').value === 'oldest' && params.traceId) params.order = 'oldest';
  return params;
}

function fillForm(query) {
  for (const name of FIELDS) $(`s-${name}`).value = query.get(name) ?? '';
  const range = query.get('range');
  $('s-range').value = query.get('from') || query.get('to') ? 'custom' : (PRESETS[range] ? range : '1h');
  $('s-order').value = query.get('order') === 'oldest' ? 'oldest' : 'newest';
  showCustomRange();
}

function showCustomRange() {
  const custom = $('s-range').value === 'custom';
  for (const id of ['s-from-field', 's-to-field']) $(id).hidden = !custom;
}

/** Opens the search view with these parameters (a drill-down): a new history entry. */
export function openSearch(params) {
  setUrl({ view: 'search', range: params.from || params.to ? 'custom' : '1h', ...params }, true);
  window.dispatchEvent(new Event('popstate'));
}

/** Shows the search of the URL's query (on load, on Back and Forward, after openSearch). */
export function showSearch(query) {
  fillForm(query);
  run();
}

function apiParams(params) {
  const { view, range, order, ...filters } = params;
  if (range !== 'custom') {
    const to = new Date();
    filters.to = to.toISOString();
    filters.from = new Date(to.getTime() - PRESETS[range || '1h']).toISOString();
  }
  return filters;
}

async function run() {
  const mine = ++generation;
  const params = readForm();
  const filters = apiParams(params);
  current = { filters, oldest: params.order === 'oldest', cursor: null };
  clearErrors();
  setSummary('searching…');
  $('s-more').hidden = true;
  const [page, count] = await Promise.allSettled([
    current.oldest ? wholeTrace(filters) : api('api/logs', { ...filters, limit: PAGE_SIZE }),
    api('api/logs/count', filters),
  ]);
  if (mine !== generation) return;
  const failure = [page, count].find((r) => r.status === 'rejected');
  if (failure) {
    showErrors(failure.reason);
    fillTable($('results').tBodies[0], [], 'Fix the search above: the API did not accept it.', 5);
    setSummary('');
    return;
  }
  showCount(count.value);
  if (current.oldest) setSummary(`${$('s-summary').textContent} · oldest first, every service (a trace)`);
  const rows = page.value.items.map(resultRow);
  fillTable($('results').tBodies[0], rows, emptyText(params), 5);
  current.cursor = page.value.nextCursor;
  $('s-more').hidden = !current.cursor;
  $('results').dataset.rows = String(page.value.items.length);
}

/** Every event of the range's search (a trace: a few hundred at most), oldest first. */
async function wholeTrace(filters) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < TRACE_PAGES; i++) {
    const page = await api('api/logs', { ...filters, limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  // Still more: the page offers them (older than the oldest shown) through the usual button.
  return { items: items.reverse(), nextCursor: cursor };
}

async function more() {
  const mine = generation;
  const { filters, cursor } = current;
  $('s-more').disabled = true;
  try {
    const page = await api('api/logs', { ...filters, limit: PAGE_SIZE, cursor });
    if (mine !== generation) return;
    const body = $('results').tBodies[0];
    const rows = page.items.map(resultRow);
    if (current.oldest) body.prepend(...rows); else body.append(...rows);
    current.cursor = page.nextCursor;
    $('s-more').hidden = !current.cursor;
    $('results').dataset.rows = String(body.querySelectorAll('tr.result').length);
  } catch (error) {
    showErrors(error);
  } finally {
    $('s-more').disabled = false;
  }
}

function emptyText(params) {
  const narrowed = ['q', 'level', 'service', 'host', 'traceId', 'fingerprint'].filter((n) => params[n]);
  return narrowed.length
    ? `No events match in this range. Widen the time range or clear a filter (${narrowed.join(', ')}).`
    : 'No events in this range. Pick a longer time range, or check that the pipeline is receiving logs.';
}

const integer = new Intl.NumberFormat();

function showCount(c) {
  const el = $('s-count');
  el.dataset.count = String(c.count);
  el.dataset.capped = String(c.capped);
  el.dataset.source = c.source;
  el.dataset.from = c.from;
  el.dataset.to = c.to;
  // 24-hour, as the rows' times are.
  const range = `${new Date(c.from).toLocaleString(undefined, { hour12: false })} – ${new Date(c.to).toLocaleString(undefined, { hour12: false })}`;
  el.textContent = c.capped
    ? `more than ${integer.format(c.count)} matches (counting stopped there)`
    : `${integer.format(c.count)} match${c.count === 1 ? '' : 'es'}`;
  el.title = c.source === 'aggregates'
    ? `${range}. From the per-minute aggregates: events that arrived late for their minute are not counted.`
    : `${range}. Counted on the stored events.`;
  setSummary(`in ${range}` + (c.source === 'aggregates' ? ' · from the per-minute aggregates' : ''));
}

function setSummary(text) { $('s-summary').textContent = text; }

function clearErrors() {
  for (const el of document.querySelectorAll('#search-form .field-error')) el.textContent = '';
  for (const el of document.querySelectorAll('#search-form [aria-invalid]')) el.removeAttribute('aria-invalid');
  $('s-error').textContent = '';
}

/** The API's messages beside the fields they name; anything else above the results. */
function showErrors(error) {
  const fields = error instanceof ApiError ? error.fieldErrors : {};
  const general = [];
  for (const [name, messages] of Object.entries(fields)) {
    const slot = document.querySelector(`#search-form .field-error[data-for="${name}"]`);
    if (slot && !slot.closest('[hidden]')) {
      slot.textContent = messages.join(' ');
      $(`s-${name}`).setAttribute('aria-invalid', 'true');
    } else {
      general.push(...messages);
    }
  }
  if (Object.keys(fields).length === 0) general.push(error.message);
  $('s-error').textContent = general.join(' ');
}

function resultRow(e) {
  const tr = eventRow(e, { host: true });
  tr.classList.add('result');
  tr.tabIndex = 0;
  tr.setAttribute('aria-expanded', 'false');
  const toggle = () => {
    const open = tr.nextElementSibling?.classList.contains('detail');
    if (open) tr.nextElementSibling.remove(); else tr.after(detailRow(e));
    tr.setAttribute('aria-expanded', String(!open));
  };
  tr.addEventListener('click', toggle);
  tr.addEventListener('keydown', (k) => { if (k.key === 'Enter') toggle(); });
  return tr;
}

/** Every field of an event, with the trace and the template as links to their own searches. */
function detailRow(e) {
  const tr = document.createElement('tr');
  tr.className = 'detail';
  tr.dataset.id = e.id;
  const td = document.createElement('td');
  td.colSpan = 5;
  const dl = document.createElement('dl');
  const add = (term, value, action, note) => {
    if (value == null || value === '') return;
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.dataset.field = term;
    const text = document.createElement('span');
    text.textContent = value;
    dd.append(text);
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.textContent = action.label;
      button.addEventListener('click', (click) => { click.stopPropagation(); action.run(); });
      dd.append(' ', button);
    }
    if (note) {
      const small = document.createElement('small');
      small.className = note.className;
      small.textContent = note.text;
      dd.prepend(small); // above the text: a cut message's end is far down its box
    }
    dl.append(dt, dd);
  };
  add('time', e.timestamp);
  add('service', e.service);
  add('host', e.host);
  add('level', e.level);
  add('format', e.format);
  // The API cannot tell a message cut by the store from one exactly as long: the note says what is known.
  add('message', e.message, null, e.message.length >= STORED_MESSAGE_LENGTH - 1
    ? { className: 'cut', text: `the store keeps ${STORED_MESSAGE_LENGTH.toLocaleString('en')} characters of a message: anything after that was cut` }
    : null);
  if (e.http) {
    const h = e.http;
    add('http', [h.method, h.path, h.status, h.durationMs != null ? `${h.durationMs} ms` : null, h.bytes != null ? `${h.bytes} bytes` : null]
      .filter((x) => x != null).join(' '));
  }
  add('trace id', e.traceId, { label: 'all events of this trace', run: () => openTrace(e) });
  add('span id', e.spanId);
  add('fingerprint', e.fingerprint, {
    label: 'all events of this template',
    run: () => openSearch({ fingerprint: e.fingerprint, service: e.service, ...rangeOfCurrent() }),
  });
  add('late', e.isLate ? 'yes: arrived after its minute closed, so the charts leave it out' : 'no');
  for (const [k, v] of Object.entries(e.attributes ?? {})) add(`attribute ${k}`, v);
  add('id', String(e.id));
  td.append(dl);
  tr.append(td);
  return tr;
}

function rangeOfCurrent() {
  const params = readForm();
  return params.range === 'custom' ? { from: params.from, to: params.to } : { range: params.range };
}

/** Every event of the trace, all services, oldest first, within half an hour either side of this one. */
export function openTrace(e) {
  const at = Date.parse(e.timestamp);
  openSearch({
    traceId: e.traceId,
    from: new Date(at - TRACE_WINDOW_MS).toISOString(),
    to: new Date(at + TRACE_WINDOW_MS).toISOString(),
    order: 'oldest',
  });
}

/** The services that have logged, offered as the service field's suggestions. */
export function setServices(names) {
  $('s-services').replaceChildren(...names.map((n) => new Option(n)));
}

export function initSearch() {
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setUrl(readForm(), true);
    run();
  });
  $('s-range').addEventListener('change', () => {
    if ($('s-range').value === 'custom' && !$('s-from').value) {
      // Start the custom range from what was shown, so editing one end is enough.
      const to = new Date();
      $('s-to').value = to.toISOString();
      $('s-from').value = new Date(to.getTime() - 60 * 60e3).toISOString();
    }
    showCustomRange();
  });
  $('s-clear').addEventListener('click', () => {
    fillForm(new URLSearchParams());
    setUrl(readForm(), true);
    run();
  });
  $('s-more').addEventListener('click', more);
}

