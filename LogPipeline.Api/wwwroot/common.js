// What the overview (app.js) and the search view (search.js) share: API access with the API key,
// table cells, times, and the page's state in its URL.

const KEY_STORAGE = 'logpipeline.apiKey';

export const $ = (id) => document.getElementById(id);

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** An API answer that was not 2xx: the ProblemDetails' detail or title, and its errors by parameter. */
export class ApiError extends Error {
  constructor(path, status, problem) {
    const detail = problem?.detail || problem?.title || '';
    super(`${path}: HTTP ${status} ${detail}`.trim());
    this.status = status;
    this.fieldErrors = problem?.errors ?? {}; // { parameter: [messages] } of a ValidationProblem
  }
}

let keyPrompt = null;

export const apiKey = () => sessionStorage.getItem(KEY_STORAGE);

/** GET a JSON endpoint; on 401 asks for the API key once (shared by concurrent callers) and retries. */
export async function api(path, params = {}) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const url = new URL(path, location.href);
    for (const [k, v] of Object.entries(params)) {
      if (v !== '' && v != null) url.searchParams.set(k, v);
    }
    const headers = { Accept: 'application/json' };
    const key = apiKey();
    if (key) headers['X-Api-Key'] = key;
    const response = await fetch(url, { headers });
    if (response.status === 401) {
      // Sent with no key or an older one while the user was typing a new one: just try again.
      if (apiKey() === key) await askForKey(Boolean(key));
      continue;
    }
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(path, response.status, problem);
    }
    return response.json();
  }
  throw new Error(`${path}: the API key was not accepted`);
}

function askForKey(rejected) {
  if (!keyPrompt) {
    keyPrompt = new Promise((resolve) => {
      const dialog = $('key-dialog');
      $('key-error').hidden = !rejected;
      $('key-input').value = '';
      dialog.returnValue = '';
      // 'close' follows Escape too, which keeps the old key: the next 401 asks again, so nothing
      // waits forever on a dialog that is gone.
      dialog.addEventListener('close', () => {
        if (dialog.returnValue === 'use') sessionStorage.setItem(KEY_STORAGE, $('key-input').value.trim());
        keyPrompt = null;
        resolve();
      }, { once: true });
      dialog.showModal();
    });
  }
  return keyPrompt;
}

export function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  if (text) td.title = text;
  return td;
}

// A table's rows, or one row saying what an empty range means (not a blank table).
export function fillTable(body, rows, emptyText, columns) {
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'placeholder';
    const td = cell(emptyText);
    td.colSpan = columns;
    td.classList.add('wrap');
    tr.append(td);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

/** An event's time as the tables show it: local, 24-hour, with milliseconds. */
export function clockTime(iso) {
  const time = new Date(iso);
  return time.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(time.getMilliseconds()).padStart(3, '0');
}

/** A row of an event: time, level, service, message (the overview's tail and the search's results). */
export function eventRow(e, { host = false } = {}) {
  const tr = document.createElement('tr');
  tr.dataset.id = e.id;
  tr.dataset.service = e.service;
  tr.append(
    cell(clockTime(e.timestamp), 'mono'),
    cell(e.level, `level level-${e.level}`),
    cell(e.service),
    ...(host ? [cell(e.host)] : []),
    cell(e.message, 'mono message'),
  );
  tr.cells[0].title = e.timestamp;
  return tr;
}

/** Replaces the page's URL (push: a new history entry, so Back returns to the previous view). */
export function setUrl(params, push) {
  const url = new URL(location.href);
  url.search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString();
  if (url.href === location.href) return;
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
}
