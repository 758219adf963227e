// The operator's page: the services' health, the queues the consumers read, the producers'
// outboxes, and one request followed from its write to its audit entry and notification.
// Everything comes from the gateway this page is served by, with the admin's bearer token.
// Text from the API only ever reaches the page through textContent and text nodes (el() below).

const TOKEN_KEY = 'store-ops.token';
const USERNAME_KEY = 'store-ops.username';
const REFRESH_MS = 5000;
const FORBIDDEN = 'This page is for admins: log in with an admin account.';

// The consumers that report the queues they read, by the path of their API.
const QUEUE_SOURCES = ['audit', 'notifications', 'items'];

// The producers that write events through an outbox.
const PRODUCERS = ['items', 'users'];

// What the gateway accepts as an X-Request-Id (RequestIdMiddleware); any other value is replaced
// by a new id, so it can never be an event's correlation id.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const $ = (selector) => document.querySelector(selector);

// ---------------------------------------------------------------------------------------------
// Talking to the gateway

/** An answer that was not what was asked for; its message is the problem's detail. */
class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** The session ended (401) or is not an admin's (403): the login form is already showing. */
class SessionEnded extends Error {}

async function readJson(response) {
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** What a person should read of a failed answer: problem details' detail first. */
function problemText(data, response) {
  if (data && typeof data === 'object') {
    if (data.detail) return String(data.detail);
    if (data.errors && typeof data.errors === 'object') {
      const fields = Object.entries(data.errors).map(([field, messages]) => `${field} ${[].concat(messages).join(', ')}`);
      if (fields.length) return fields.join('; ');
    }
    if (data.title) return String(data.title);
    if (data.error_description) return String(data.error_description);
  }
  return `the gateway answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

/**
 * Calls the gateway with the session's token and returns the JSON answer. Statuses listed in
 * `accept` count as answers too (/health is 503 with a full report when a service is down).
 */
async function api(path, { method = 'GET', accept = [] } = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;

  let response;
  try {
    response = await fetch(path, { method, headers, cache: 'no-store' });
  } catch (error) {
    throw new ApiError(`the gateway did not answer (${error.message})`, 0);
  }
  const data = await readJson(response);

  // Only the token this call was made with is ended: an old call answering late must not log
  // out a session started since.
  if (response.status === 401 || response.status === 403) {
    if (token && sessionStorage.getItem(TOKEN_KEY) === token)
      endSession(response.status === 401 ? 'Your session has ended: log in again.' : FORBIDDEN);
    throw new SessionEnded();
  }
  if (!response.ok && !accept.includes(response.status)) throw new ApiError(problemText(data, response), response.status);
  return data;
}

// ---------------------------------------------------------------------------------------------
// Building the page's elements (text only through text nodes)

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// Badge colours by status; anything unknown is shown grey rather than guessed at.
const TONES = {
  healthy: 'good', publishing: 'good', sent: 'good', published: 'good',
  degraded: 'warn', waiting: 'warn', sending: 'warn', pending: 'info',
  unhealthy: 'bad', failing: 'bad', failed: 'bad',
  skipped: 'neutral',
};

function badge(status, title) {
  const text = status ? String(status) : 'unknown';
  return el('span', { class: `badge tone-${TONES[text] ?? 'neutral'}`, title }, text);
}

function setBadge(node, status) {
  const text = status ? String(status) : 'unknown';
  node.className = `badge tone-${TONES[text] ?? 'neutral'}`;
  node.textContent = text;
}

function small(...children) {
  return el('span', { class: 'small muted' }, ...children);
}

/** A table row holding one message across all the columns, for an error or an empty list. */
function messageRow(columns, first, message, kind) {
  return el('tr', { class: kind },
    first === null ? null : el('td', {}, first),
    el('td', { colspan: first === null ? columns : columns - 1 }, message));
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** Milliseconds since the epoch, or NaN for a missing or unreadable time. */
function toMillis(value) {
  return value ? Date.parse(value) : NaN;
}

const clockFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const preciseFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23',
});
const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' });

/** A time of day to the millisecond (what a timeline needs), with the date when it is not today. */
function formatTime(value, { precise = true } = {}) {
  const millis = typeof value === 'number' ? value : toMillis(value);
  if (!Number.isFinite(millis)) return '—';
  const date = new Date(millis);
  const time = (precise ? preciseFormat : clockFormat).format(date);
  return date.toDateString() === new Date().toDateString() ? time : `${dateFormat.format(date)} ${time}`;
}

/** "3 h 12 min", "4 min 5 s", "42 s": the two largest units are what a person reads. */
function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days) return `${days} d ${hours} h`;
  if (hours) return `${hours} h ${minutes} min`;
  if (minutes) return `${minutes} min ${secs} s`;
  return `${secs} s`;
}

/** A time since the request began: "+35 ms", "+1.25 s", "+2 min 3 s" (negative for clock skew). */
function formatElapsed(ms) {
  if (!Number.isFinite(ms)) return '';
  const sign = ms < 0 ? '−' : '+';
  const size = Math.abs(ms);
  if (size < 1000) return `${sign}${Math.round(size)} ms`;
  if (size < 60000) return `${sign}${(size / 1000).toFixed(2)} s`;
  return `${sign}${formatDuration(size / 1000)}`;
}

/** A gap between two moments of one story, unsigned: "42 ms", "1.30 s". */
function formatGap(ms) {
  return Number.isFinite(ms) ? formatElapsed(ms).slice(1) : '—';
}

function formatRate(value) {
  return Number.isFinite(value) ? value.toFixed(1) : '—';
}

function formatCount(value) {
  return Number.isFinite(value) ? String(value) : '—';
}

function formatMoney(value) {
  return Number.isFinite(value) ? value.toFixed(2) : String(value ?? '—');
}

/** "1.0.0+abc1234": a full commit hash is cut to its usual seven characters (the whole in the tooltip). */
function shortVersion(version) {
  return version ? String(version).replace(/\+([0-9a-f]{7})[0-9a-f]{5,}$/i, '+$1') : '—';
}

// ---------------------------------------------------------------------------------------------
// Session: login, logout, and the refresh every few seconds

let generation = 0;        // bumped at every login and logout, so late answers of an old session are dropped
let refreshTimer = null;

function showLogin(message = '') {
  $('#dashboard').hidden = true;
  $('#session').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message;
  $('#login-username').focus();
}

function showDashboard() {
  $('#login').hidden = true;
  $('#login-error').textContent = '';
  $('#dashboard').hidden = false;
  $('#session').hidden = false;
  $('#signed-in-as').textContent = sessionStorage.getItem(USERNAME_KEY) ?? '';
}

function clearDashboard() {
  for (const id of ['services-body', 'queues-body', 'outboxes-body', 'timeline'])
    document.getElementById(id).replaceChildren();
  for (const id of ['refreshed-at', 'replay-result', 'follow-status'])
    document.getElementById(id).textContent = '';
  setBadge($('#overall-status'), null);
  setBadge($('#gateway-status'), null);
}

function endSession(message) {
  generation += 1;
  clearTimeout(refreshTimer);
  refreshTimer = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USERNAME_KEY);
  clearDashboard();
  showLogin(message);
}

function startSession() {
  generation += 1;
  showDashboard();
  refreshAll(generation);

  // A link to this page can name a request to follow: /ops?request=<id>.
  const requested = new URLSearchParams(window.location.search).get('request');
  if (requested) {
    $('#follow-request-id').value = requested;
    follow(requested);
  }
}

async function logIn(event) {
  event.preventDefault();
  const username = $('#login-username').value.trim();
  const password = $('#login-password').value;
  const error = $('#login-error');
  if (!username || !password) {
    error.textContent = 'Enter a username and a password.';
    return;
  }

  const button = $('#login-submit');
  button.disabled = true;
  error.textContent = '';
  let response;
  let data;
  try {
    response = await fetch('/api/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
      cache: 'no-store',
    });
    data = await readJson(response);
  } catch (failure) {
    error.textContent = `The gateway did not answer (${failure.message}).`;
    return;
  } finally {
    button.disabled = false;
  }

  // A refused login is RFC 6749's {error, error_description}; a rate limit is problem details.
  if (!response.ok || !data?.access_token) {
    error.textContent = problemText(data, response);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, data.access_token);
  sessionStorage.setItem(USERNAME_KEY, username);
  $('#login-password').value = '';
  startSession();
}

/**
 * Refreshes the three sections together, then waits REFRESH_MS before the next round: a slow
 * gateway gets fewer requests, never overlapping ones.
 */
async function refreshAll(session) {
  const results = await Promise.allSettled([refreshServices(session), refreshQueues(session), refreshOutboxes(session)]);
  if (session !== generation) return;
  for (const result of results)
    if (result.status === 'rejected' && !(result.reason instanceof SessionEnded)) console.error(result.reason);
  if (results.some((result) => result.reason instanceof SessionEnded)) return;
  $('#refreshed-at').textContent = `Last refreshed ${formatTime(Date.now(), { precise: false })}`;
  refreshTimer = setTimeout(() => refreshAll(session), REFRESH_MS);
}

// ---------------------------------------------------------------------------------------------
// #services: GET /health

async function refreshServices(session) {
  const errorLine = $('#services [data-role=error]');
  let report;
  try {
    report = await api('/health', { accept: [503] });
    if (!report || typeof report !== 'object') throw new ApiError('the health report was not JSON', 0);
  } catch (error) {
    if (error instanceof SessionEnded) throw error;
    if (session !== generation) return;
    errorLine.textContent = `The health report could not be read: ${error.message}`;
    errorLine.hidden = false;
    return;
  }
  if (session !== generation) return;

  errorLine.hidden = true;
  setBadge($('#overall-status'), report.status);
  setBadge($('#gateway-status'), report.gateway?.status);

  const rows = [];
  for (const [name, service] of Object.entries(report.services ?? {})) {
    const instances = service?.instances ?? [];
    if (instances.length === 0)
      rows.push(el('tr', { dataset: { service: name } },
        el('td', {}, name), el('td', { class: 'muted' }, 'no instance'), el('td', {}, badge(service?.status)),
        el('td', {}), el('td', {}), el('td', {}, 'the gateway knows no instance of this service')));
    for (const instance of instances) rows.push(instanceRow(name, instance));
  }
  if (rows.length === 0) rows.push(messageRow(6, null, 'The gateway reported no service.', 'empty'));
  $('#services-body').replaceChildren(...rows);
}

function instanceRow(name, instance) {
  const readiness = instance.readiness && typeof instance.readiness === 'object' ? instance.readiness : null;

  // The gateway calls an instance healthy when it answers its readiness probe; a degraded one
  // answers too (it still takes traffic), so its own report is what tells it apart.
  let status = instance.status;
  let title;
  if (status === 'healthy' && readiness?.status === 'degraded') {
    status = 'degraded';
    title = 'Takes traffic, but one of its checks is degraded';
  }

  const why = [];
  for (const [check, result] of Object.entries(readiness?.checks ?? {})) {
    if (result?.status === 'healthy') continue;
    why.push(`${check}: ${result?.description ?? result?.error ?? result?.status ?? 'no detail'}`);
  }
  if (instance.error) why.push(instance.error);

  return el('tr', { dataset: { service: name } },
    el('td', {}, name),
    el('td', { class: 'mono' }, instance.address ?? '—'),
    el('td', {}, badge(status, title)),
    el('td', { class: 'mono', title: readiness?.version ?? null }, shortVersion(readiness?.version)),
    el('td', { title: readiness?.started_at ? `started ${formatTime(readiness.started_at, { precise: false })}` : null },
      formatDuration(readiness?.uptime_seconds)),
    el('td', { class: 'why' }, why.map((line) => el('div', {}, line))));
}

// ---------------------------------------------------------------------------------------------
// #queues: GET /api/<service>/queues, and replaying an error queue

// Replays under way, by "<service>/<queue>", so a refresh meanwhile keeps their button disabled.
const replaying = new Set();

async function refreshQueues(session) {
  const results = await Promise.allSettled(QUEUE_SOURCES.map((service) => api(`/api/${service}/queues`)));
  if (session !== generation) return;
  const ended = results.find((result) => result.reason instanceof SessionEnded);
  if (ended) throw ended.reason;

  // One service failing shows its error in its own place; the others are still shown.
  const rows = [];
  results.forEach((result, index) => {
    const service = QUEUE_SOURCES[index];
    if (result.status === 'rejected') {
      rows.push(messageRow(9, service, `Its queues could not be read: ${result.reason.message}`, 'error'));
    } else if (!Array.isArray(result.value) || result.value.length === 0) {
      rows.push(messageRow(9, service, 'Reads no queue.', 'empty'));
    } else {
      for (const queue of result.value) rows.push(queueRow(service, queue));
    }
  });
  $('#queues-body').replaceChildren(...rows);
}

function queueRow(service, queue) {
  const errors = queue.error_messages;
  const hasErrors = Number.isFinite(errors) && errors > 0;
  const key = `${service}/${queue.name}`;

  let action = null;
  if (hasErrors) {
    const busy = replaying.has(key);
    action = el('button', {
      type: 'button',
      class: 'replay',
      disabled: busy,
      title: `Move the messages of ${queue.error_queue ?? `${queue.name}_error`} back to ${queue.name}`,
    }, busy ? 'Replaying…' : 'Replay');
    action.addEventListener('click', () => replay(service, queue, action));
  }

  return el('tr', { dataset: { queue: queue.name } },
    el('td', {}, service),
    el('td', { class: 'mono' }, queue.name),
    el('td', { class: 'num' },
      formatCount(queue.messages), ' ',
      small(`${formatCount(queue.messages_ready)} ready / ${formatCount(queue.messages_unacknowledged)} unacked`)),
    el('td', { class: `num consumers${queue.consumers === 0 ? ' warn' : ''}`, title: queue.consumers === 0 ? 'Nobody reads this queue' : null },
      formatCount(queue.consumers)),
    el('td', { class: 'num' }, formatRate(queue.publish_rate)),
    el('td', { class: 'num' }, formatRate(queue.deliver_rate)),
    el('td', { class: 'num' }, formatRate(queue.ack_rate)),
    el('td', { class: `num error-depth${hasErrors ? ' bad' : ''}`, title: queue.error_queue ?? 'no error queue' },
      queue.error_queue ? formatCount(errors) : '—'),
    el('td', { class: 'action' }, action));
}

function setReplayResult(kind, text) {
  const line = $('#replay-result');
  line.className = `status-line ${kind}`;
  line.textContent = text;
}

async function replay(service, queue, button) {
  const key = `${service}/${queue.name}`;
  if (replaying.has(key)) return;
  const errorQueue = queue.error_queue ?? `${queue.name}_error`;
  const session = generation;

  // Done at once, without asking: the messages go back to the queue they failed in, which is
  // what the button says, and a second click only finds the error queue emptier.
  replaying.add(key);
  button.disabled = true;
  button.textContent = 'Replaying…';
  setReplayResult('', `Replaying ${errorQueue}…`);
  try {
    const answer = await api(`/api/${service}/queues/${encodeURIComponent(queue.name)}/replay`, { method: 'POST' });
    if (session !== generation) return;
    const count = Number.isFinite(answer?.replayed) ? answer.replayed : 0;
    // recorded is false when no audit log queue took the record of the replay.
    const unrecorded = answer?.recorded === false ? ' (not recorded in the audit log: is it running?)' : '';
    setReplayResult('ok', `Replayed ${count} message(s) from ${errorQueue} at ${formatTime(Date.now(), { precise: false })}${unrecorded}`);
  } catch (error) {
    if (error instanceof SessionEnded || session !== generation) return;
    setReplayResult('error', `Replaying ${errorQueue} failed: ${error.message}`);
  } finally {
    replaying.delete(key);
  }

  // The broker's statistics lag a few seconds, so the depth may still show the old count now;
  // the regular refresh catches up.
  try {
    await refreshQueues(session);
  } catch (error) {
    if (!(error instanceof SessionEnded)) console.error(error);
  }
}

// ---------------------------------------------------------------------------------------------
// #outboxes: GET /api/<producer>/outbox

async function refreshOutboxes(session) {
  const results = await Promise.allSettled(PRODUCERS.map((producer) => api(`/api/${producer}/outbox`)));
  if (session !== generation) return;
  const ended = results.find((result) => result.reason instanceof SessionEnded);
  if (ended) throw ended.reason;

  const rows = results.map((result, index) => {
    const producer = PRODUCERS[index];
    if (result.status === 'rejected') {
      const row = messageRow(7, producer, `Its outbox could not be read: ${result.reason.message}`, 'error');
      row.dataset.outbox = producer;
      return row;
    }
    return outboxRow(producer, result.value ?? {});
  });
  $('#outboxes-body').replaceChildren(...rows);
}

function outboxRow(producer, outbox) {
  const relay = outbox.relay ?? {};
  const age = outbox.oldest_unsent_age_seconds;

  const lastPublished = toMillis(outbox.last_published_at);
  const lastPublish = Number.isFinite(lastPublished)
    ? [`${formatDuration((Date.now() - lastPublished) / 1000)} ago`, ' ', small(formatTime(lastPublished))]
    : [el('span', { class: 'muted' }, 'never (or over a day ago)')];

  const relayCell = [badge(relay.status)];
  if (relay.failures > 0) {
    relayCell.push(' ', small(`${relay.failures} failed round(s)${relay.failing_since ? ` since ${formatTime(relay.failing_since, { precise: false })}` : ''}`));
  }
  if (relay.last_error) relayCell.push(el('div', { class: 'small error' }, relay.last_error));

  return el('tr', { dataset: { outbox: producer } },
    el('td', {}, producer),
    el('td', { class: 'num' }, formatCount(outbox.unsent)),
    el('td', { class: 'num', title: outbox.oldest_unsent_at ? `written ${formatTime(outbox.oldest_unsent_at)}` : null },
      Number.isFinite(age) ? `${age.toFixed(1)} s` : '—'),
    el('td', { class: `num${outbox.waiting > 0 ? ' warn' : ''}` }, formatCount(outbox.waiting)),
    el('td', { class: `num${outbox.stuck > 0 ? ' bad' : ''}` }, formatCount(outbox.stuck)),
    el('td', {}, lastPublish),
    el('td', {}, relayCell));
}

// ---------------------------------------------------------------------------------------------
// #follow: one request, from what it wrote to where its events went

let followCount = 0;       // only the newest follow's answers are shown

async function follow(input) {
  const requestId = String(input ?? '').trim();
  const status = $('#follow-status');
  const timeline = $('#timeline');
  if (!REQUEST_ID.test(requestId)) {
    status.textContent = requestId
      ? "A request id is 1 to 128 letters, digits, '-', '_', '.' or ':' (the gateway replaces any other)."
      : 'Enter a request id.';
    return;
  }

  // The address names the request, so it can be reloaded or handed to someone else.
  const url = new URL(window.location.href);
  url.searchParams.set('request', requestId);
  window.history.replaceState(null, '', url);

  const number = ++followCount;
  const session = generation;
  status.textContent = 'Looking…';
  const id = encodeURIComponent(requestId);
  const sources = [
    { name: 'items outbox', path: `/api/items/outbox/events?correlation_id=${id}` },
    { name: 'users outbox', path: `/api/users/outbox/events?correlation_id=${id}` },
    { name: 'audit log', path: `/api/audit?correlation_id=${id}&limit=100` },
    { name: 'notifications', path: `/api/notifications?correlation_id=${id}&limit=100` },
  ];
  const results = await Promise.allSettled(sources.map((source) => api(source.path)));
  if (number !== followCount || session !== generation) return;
  if (results.some((result) => result.reason instanceof SessionEnded)) return;

  const list = (index) => (results[index].status === 'fulfilled' && Array.isArray(results[index].value) ? results[index].value : []);
  const events = [
    ...list(0).map((event) => ({ ...event, producer: 'items' })),
    ...list(1).map((event) => ({ ...event, producer: 'users' })),
  ];
  const audit = list(2);
  const notifications = list(3);

  const items = [];
  results.forEach((result, index) => {
    if (result.status === 'rejected')
      items.push(el('li', { class: 'step error', dataset: { step: 'error' } },
        el('span', { class: 'when' }), el('span', { class: 'what' }, 'Error'),
        el('div', { class: 'body' }, `The ${sources[index].name} could not be read: ${result.reason.message}`)));
  });

  if (events.length === 0 && audit.length === 0 && notifications.length === 0) {
    if (items.length === 0)
      items.push(el('li', { class: 'empty' }, 'Nothing found for this request id (events are kept a day in the outbox).'));
  } else {
    items.push(...composeTimeline(requestId, events, audit, notifications));
  }
  timeline.replaceChildren(...items);
  status.textContent = `${events.length} event(s), ${audit.length} audit entr${audit.length === 1 ? 'y' : 'ies'}, `
    + `${notifications.length} notification(s) at ${formatTime(Date.now(), { precise: false })}. Follow again to see what happened since.`;
}

/**
 * The steps of one request in the order they happened. The request's own moment is when its
 * first event was written, which is when its change committed (the event is written in the
 * same transaction); without events, the earliest thing known of it.
 */
function composeTimeline(requestId, events, audit, notifications) {
  const byCreated = [...events].sort((a, b) => toMillis(a.created_at) - toMillis(b.created_at));
  const candidates = [
    ...byCreated.map((event) => toMillis(event.created_at)),
    ...audit.map((row) => toMillis(row.occurred_at)),
    ...notifications.map((row) => toMillis(row.created_at)),
  ].filter(Number.isFinite);
  const start = events.length
    ? toMillis(byCreated[0].created_at)
    : (candidates.length ? Math.min(...candidates) : NaN);

  const actor = byCreated.map((event) => event.data?.actor_name).find(Boolean)
    ?? audit.map((row) => row.actor_name).find(Boolean);

  // rank orders steps that share a moment: the request, then what it wrote, then the rest.
  const steps = [];
  const add = (at, rank, step, what, body, dataset = {}) => steps.push({ at, rank, step, what, body, dataset });

  add(start, 0, 'request', 'Request', [
    el('span', { class: 'mono' }, requestId),
    actor ? ` by ${actor}` : ' (no signed-in user)',
    small(` · ${events.length ? 'committed' : 'first seen'} ${formatTime(start)}`),
  ]);

  for (const event of byCreated) {
    const written = toMillis(event.created_at);
    add(written, 1, 'write', 'Wrote', describeWrite(event), { eventType: event.event_type ?? '' });

    const sent = toMillis(event.sent_at);
    const published = Number.isFinite(sent);
    const body = [
      el('strong', {}, event.event_type ?? 'event'), ` from ${event.producer} `,
      small(el('span', { class: 'mono' }, event.event_id ?? ''), ` · written ${formatTime(written)}`),
      el('br'),
    ];
    if (published) {
      body.push(badge('published'), ` at ${formatTime(sent)}, ${formatGap(sent - written)} after it was written`);
      if (event.attempts > 0) body.push(small(` · after ${event.attempts} returned attempt(s)`));
    } else {
      body.push(badge('waiting'), ` ${event.attempts ?? 0} attempt(s) so far`);
      if (event.last_error) body.push(el('div', { class: 'small error' }, `last error: ${event.last_error}`));
    }
    // A waiting event is shown at its writing: it has not happened anywhere else yet.
    add(published ? sent : written, 2, 'event', 'Event', body,
      { eventType: event.event_type ?? '', published: String(published) });
  }

  for (const row of audit) {
    const recorded = toMillis(row.recorded_at);
    const occurred = toMillis(row.occurred_at);
    const resource = [row.resource_type, row.resource_id !== null && row.resource_id !== undefined ? `#${row.resource_id}` : null]
      .filter(Boolean).join(' ');
    add(recorded, 3, 'audit', 'Audited', [
      el('strong', {}, row.event_type ?? 'event'), ': ',
      [row.actor_name, row.action, resource].filter(Boolean).join(' '),
      el('br'),
      small(`recorded ${formatTime(recorded)}, ${formatGap(recorded - occurred)} after the event occurred`),
    ], { eventType: row.event_type ?? '' });
  }

  for (const row of notifications) {
    const sent = toMillis(row.sent_at);
    const at = Number.isFinite(sent) ? sent : toMillis(row.created_at);
    add(at, 4, 'notification', 'Notified', [
      badge(row.status), ' ',
      `${row.channel ?? 'message'} to ${row.recipient ?? 'nobody'}`,
      row.subject ? [': “', row.subject, '”'] : null,
      el('br'),
      small(`${row.attempts ?? 0} attempt(s) · created ${formatTime(row.created_at)}`
        + (Number.isFinite(sent) ? ` · delivered ${formatTime(sent)}` : '')),
    ], { status: row.status ?? '' });
  }

  // Steps without a readable time go last rather than breaking the order of the others.
  const sortKey = (at) => (Number.isFinite(at) ? at : Infinity);
  steps.sort((a, b) => sortKey(a.at) - sortKey(b.at) || a.rank - b.rank);

  return steps.map(({ at, step, what, body, dataset }) =>
    el('li', { class: `step step-${step}`, dataset: { step, ...dataset } },
      el('span', { class: 'when', title: Number.isFinite(at) ? formatTime(at) : null },
        Number.isFinite(at) && Number.isFinite(start) ? formatElapsed(at - start) : '?'),
      el('span', { class: 'what' }, what),
      el('div', { class: 'body' }, body)));
}

/** What the request changed, as its event tells it. */
function describeWrite(event) {
  const data = event.data ?? {};
  switch (event.event_type) {
    case 'OrderPlaced':
      return `order #${data.order_id}: ${data.quantity} × ${data.item_name}, total ${formatMoney(data.total)}`
        + (data.username ? ` for ${data.username}` : '');
    case 'ItemCreated':
      return `created item #${data.item_id} ${data.name ?? ''}`;
    case 'ItemUpdated':
      return `updated item #${data.item_id} ${data.name ?? ''}`
        + (Array.isArray(data.changed_fields) && data.changed_fields.length ? ` (${data.changed_fields.join(', ')})` : '');
    case 'ItemDeleted':
      return `deleted item #${data.item_id} ${data.name ?? ''}`;
    case 'UserRegistered':
      return `registered user #${data.user_id}${data.username ? ` ${data.username}` : ''}`;
    case 'UserDeleted':
      return `deleted user #${data.user_id}${data.username ? ` ${data.username}` : ''}`;
    case 'UserSettingsChanged':
      return `changed the settings of user #${data.user_id}`
        + (typeof data.email_notifications === 'boolean' ? ` (e-mail notifications ${data.email_notifications ? 'on' : 'off'})` : '');
    default:
      return `${event.event_type ?? 'an event'} (a type this page does not describe)`;
  }
}

// ---------------------------------------------------------------------------------------------
// Start

$('#login-form').addEventListener('submit', logIn);
$('#logout').addEventListener('click', () => endSession(''));
$('#follow-form').addEventListener('submit', (event) => {
  event.preventDefault();
  follow($('#follow-request-id').value);
});

if (sessionStorage.getItem(TOKEN_KEY)) startSession();
else showLogin();
