// Drives the gateway's /ops page in Debian's Chromium as an operator would: log in, see every
// service healthy and the consumers reading their queues, follow a purchase from its order to its
// audit entry and notification, and replay an error queue. Run by the end-to-end tests with:
//
//   GATEWAY_URL      the gateway, e.g. http://127.0.0.1:41234
//   ADMIN_USERNAME   an admin's credentials
//   ADMIN_PASSWORD
//   ERROR_QUEUE      a queue (e.g. audit-log) whose _error queue holds exactly one message
//   SCREENSHOT       where to write a PNG of the page (optional; also written when a step fails)
//   CHROMIUM         the browser (default /usr/bin/chromium)
//
// Prints "ops-page: ..." for each step it checked and exits 0, or prints
// "ops-page: FAILED: <what>" and exits 1.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StepFailed, launch, required } from './chromium.mjs';

const OVERALL_TIMEOUT_MS = 150_000;
const SERVICES = ['users', 'items', 'audit', 'notifications'];
const CONSUMED_QUEUES = ['audit-log', 'notifications'];

const log = (message) => console.log(`ops-page: ${message}`);


const gateway = required('ops-page', 'GATEWAY_URL').replace(/\/+$/, '');
const adminUsername = required('ops-page', 'ADMIN_USERNAME');
const adminPassword = required('ops-page', 'ADMIN_PASSWORD');
const errorQueue = required('ops-page', 'ERROR_QUEUE');
const screenshotPath = process.env.SCREENSHOT || null;

// What the page did wrong along the way. Uncaught errors fail the run; console errors and
// failed requests are reported (a 503 from /health while a service starts is not a fault).
// The same message repeats at every refresh, so each is kept once with its count.
const pageErrors = [];
const consoleErrors = new Map();
const failedRequests = new Map();
const record = (seen, text) => seen.set(text, (seen.get(text) ?? 0) + 1);

let browser = null;
let page = null;
let chromium = null;
let step = 'starting';
let finished = false;

/** Closes the browser and removes its profile whatever happened, then exits with `code`. */
async function finish(code, message) {
  if (finished) return;
  finished = true;
  clearTimeout(overallTimer);
  if (code !== 0 && page && screenshotPath) {
    // What the page showed when it failed is the quickest way to see why.
    await Promise.race([
      page.screenshot({ path: screenshotPath, fullPage: true }).then(() => log(`screenshot of the failure written to ${screenshotPath}`)),
      sleep(5_000),
    ]).catch(() => {});
  }
  report();
  log(message);
  if (chromium) await chromium.close();
  process.exit(code);
}

function report() {
  for (const [kind, seen] of [['console error', consoleErrors], ['failed request', failedRequests]]) {
    const entries = [...seen];
    for (const [text, count] of entries.slice(0, 10)) log(`note: ${kind}: ${text}${count > 1 ? ` (${count} times)` : ''}`);
    if (entries.length > 10) log(`note: ${entries.length - 10} more different ${kind}(s)`);
  }
}

const overallTimer = setTimeout(
  () => finish(1, `FAILED: timed out after ${OVERALL_TIMEOUT_MS / 1000} s, during: ${step}`),
  OVERALL_TIMEOUT_MS);
process.on('unhandledRejection', (error) => finish(1, `FAILED: ${step}: ${error?.message ?? error}`));

function assertNoPageErrors() {
  if (pageErrors.length) throw new StepFailed(`the page threw: ${pageErrors.join(' | ')}`);
}

/**
 * Polls `check` until it answers { ok: true }; { fail } stops at once, { why } says what was
 * seen last when the time runs out.
 */
async function waitFor(what, timeoutMs, check, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    assertNoPageErrors();
    const result = await check();
    if (result?.ok) return result;
    if (result?.fail) throw new StepFailed(`${what}: ${result.fail}`);
    if (Date.now() >= deadline)
      throw new StepFailed(`${what} within ${timeoutMs / 1000} s${result?.why ? `; last seen: ${result.why}` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// The gateway's API from node, for the purchase the page then follows

async function call(method, path, { token, json, form, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal: AbortSignal.timeout(15_000) };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  if (form !== undefined) {
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  }
  const response = await fetch(`${gateway}${path}`, init);
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: the text is kept for the failure message.
  }
  return { status: response.status, headers: response.headers, body, text };
}

function expectStatus(answer, expected, what) {
  if (answer.status === expected) return;
  const why = answer.body?.detail ?? answer.body?.error_description ?? answer.text.slice(0, 300);
  throw new StepFailed(`${what} answered ${answer.status}, not ${expected}: ${why}`);
}

async function logIn(username, password) {
  const answer = await call('POST', '/api/auth/token', { form: { grant_type: 'password', username, password } });
  expectStatus(answer, 200, `logging in as ${username}`);
  if (!answer.body?.access_token) throw new StepFailed(`logging in as ${username} returned no access_token`);
  return answer.body.access_token;
}

// ---------------------------------------------------------------------------------------------
// The steps

async function openAndLogIn() {
  step = 'step 1 (open /ops and log in)';
  const response = await page.goto(`${gateway}/ops`, { waitUntil: 'domcontentloaded', timeout: 20_000 });
  if (!response || response.status() !== 200)
    throw new StepFailed(`GET /ops answered ${response ? response.status() : 'nothing'}, not 200`);
  await page.waitForSelector('#login-username', { visible: true, timeout: 10_000 });
  await page.type('#login-username', adminUsername);
  await page.type('#login-password', adminPassword);
  await page.click('#login-submit');
  await waitFor('the dashboard to show after logging in', 15_000, () => page.evaluate(() => {
    const dashboard = document.querySelector('#dashboard');
    const box = dashboard?.getBoundingClientRect();
    if (dashboard && getComputedStyle(dashboard).display !== 'none' && box.height > 0) return { ok: true };
    const error = document.querySelector('#login-error')?.textContent.trim();
    return error ? { fail: `the login form says "${error}"` } : { why: 'the login form is still showing' };
  }));
  log(`opened ${gateway}/ops and logged in as ${adminUsername}: the dashboard shows`);
}

async function servicesAndQueuesAreUp() {
  step = 'step 2 (services healthy, queues consumed)';
  await waitFor('every service healthy and every queue consumed', 30_000, () => page.evaluate((services, queues) => {
    const login = document.querySelector('#login');
    if (login && !login.hidden)
      return { fail: `the page went back to the login form: "${document.querySelector('#login-error')?.textContent.trim()}"` };
    const problems = [];
    for (const name of services) {
      const rows = [...document.querySelectorAll(`#services tr[data-service="${CSS.escape(name)}"]`)];
      const statuses = rows.map((row) => row.querySelector('.badge')?.textContent.trim());
      if (rows.length === 0) problems.push(`no row for ${name}`);
      else if (!statuses.includes('healthy'))
        problems.push(`${name} is ${statuses.join('/')} (${rows.map((row) => row.querySelector('.why')?.textContent.trim()).join('; ')})`);
    }
    for (const name of queues) {
      const row = document.querySelector(`#queues tr[data-queue="${CSS.escape(name)}"]`);
      const consumers = row ? Number.parseInt(row.querySelector('.consumers')?.textContent ?? '', 10) : Number.NaN;
      if (!row) problems.push(`no row for queue ${name}`);
      else if (!(consumers >= 1)) problems.push(`queue ${name} has ${row.querySelector('.consumers')?.textContent.trim()} consumer(s)`);
    }
    // Errors the page shows (another service's queues, say) explain a missing row, nothing more.
    const shown = [...document.querySelectorAll('#queues tr.error, #services [data-role=error]:not([hidden])')]
      .map((node) => node.textContent.trim());
    return problems.length ? { why: [...problems, ...shown].join('; ') } : { ok: true };
  }, SERVICES, CONSUMED_QUEUES));
  log(`services ${SERVICES.join(', ')} show healthy; queues ${CONSUMED_QUEUES.join(', ')} have consumers`);
}

async function buyAnItem() {
  step = 'step 3 (buy an item through the gateway)';
  const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const adminToken = await logIn(adminUsername, adminPassword);

  const itemName = `Ops lamp ${unique}`;
  const item = await call('POST', '/api/items', { token: adminToken, json: { name: itemName, price: 20, stock: 5 } });
  expectStatus(item, 201, 'POST /api/items');
  if (!Number.isInteger(item.body?.id)) throw new StepFailed(`POST /api/items returned no id: ${item.text.slice(0, 300)}`);

  const username = `ops${unique}`;
  const user = await call('POST', '/api/users', {
    json: { username, email: `${username}@example.com`, password: 'ops-user-password' },
  });
  expectStatus(user, 201, 'POST /api/users');
  const userToken = await logIn(username, 'ops-user-password');

  const requestId = `ops-${unique}`;
  const purchase = await call('POST', `/api/items/${item.body.id}/purchase`, {
    token: userToken, json: { quantity: 1 }, headers: { 'X-Request-Id': requestId },
  });
  expectStatus(purchase, 201, `POST /api/items/${item.body.id}/purchase`);
  const echoed = purchase.headers.get('X-Request-Id');
  if (echoed !== requestId) throw new StepFailed(`the purchase's X-Request-Id is ${echoed}, not ${requestId}`);
  const orderId = purchase.body?.id;
  if (!Number.isInteger(orderId)) throw new StepFailed(`the purchase returned no order id: ${purchase.text.slice(0, 300)}`);

  log(`${username} bought item #${item.body.id} (${itemName}): order #${orderId}, request ${requestId}`);
  return { requestId, orderId, itemName };
}

async function followThePurchase({ requestId, orderId, itemName }) {
  step = 'step 4 (follow the request)';
  await page.locator('#follow-request-id').fill(requestId);
  await page.click('#follow-submit');

  // The audit entry and the notification arrive through the broker a moment later, so the
  // request is followed again every 2 s until the whole story is there.
  await waitFor(`the timeline of ${requestId} to be complete`, 30_000, async () => {
    const result = await page.evaluate((order, item) => {
      const steps = (name) => [...document.querySelectorAll(`#timeline li[data-step="${name}"]`)];
      const missing = [];
      if (steps('request').length === 0) missing.push('no request step');
      if (!steps('write').some((li) => li.textContent.includes(`order #${order}`) && li.textContent.includes(item)))
        missing.push(`no write step naming order #${order} of ${item}`);
      if (!steps('event').some((li) => li.dataset.eventType === 'OrderPlaced' && li.dataset.published === 'true'))
        missing.push('no published OrderPlaced event');
      if (!steps('audit').some((li) => li.textContent.includes('OrderPlaced')))
        missing.push('no audit entry for OrderPlaced');
      if (!steps('notification').some((li) => ['sent', 'skipped'].includes(li.querySelector('.badge')?.textContent.trim())))
        missing.push(`no notification sent or skipped (${steps('notification').map((li) => li.querySelector('.badge')?.textContent.trim()).join(', ') || 'none'})`);
      for (const li of document.querySelectorAll('#timeline li.error, #timeline li.empty')) missing.push(li.textContent.trim());
      return missing.length ? { why: missing.join('; ') } : { ok: true };
    }, orderId, itemName);
    if (!result.ok) await page.click('#follow-submit');
    return result;
  }, 2_000);
  log(`the timeline of ${requestId} shows the request, order #${orderId}, its published OrderPlaced event, the audit entry and the notification`);
}

async function replayTheErrorQueue() {
  step = `step 5 (replay ${errorQueue}_error)`;
  const row = `#queues tr[data-queue=${JSON.stringify(errorQueue)}]`;
  const errorDepth = (expected) => () => page.evaluate((selector, wanted) => {
    const tr = document.querySelector(selector);
    if (!tr) return { why: 'no row for the queue' };
    const depth = tr.querySelector('.error-depth')?.textContent.trim();
    return depth === wanted ? { ok: true } : { why: `its error depth reads ${depth}` };
  }, row, expected);

  await waitFor(`${errorQueue}'s error depth to read 1`, 30_000, errorDepth('1'));
  log(`${errorQueue}'s error queue shows 1 message`);

  await page.locator(`${row} .replay`).setTimeout(10_000).click();
  await waitFor('the replay to be reported', 15_000, () => page.evaluate(() => {
    const text = document.querySelector('#replay-result')?.textContent.trim() ?? '';
    if (/\bReplayed 1 message/.test(text)) return { ok: true };
    if (/failed|Replayed \d+/.test(text)) return { fail: `#replay-result says "${text}"` };
    return { why: `#replay-result says "${text}"` };
  }));
  log(`replayed 1 message from ${errorQueue}_error`);

  await waitFor(`${errorQueue}'s error depth to read 0 after the replay`, 30_000, errorDepth('0'));
  log(`${errorQueue}'s error queue is empty again`);
}

async function takeScreenshot() {
  step = 'step 6 (screenshot)';
  if (!screenshotPath) {
    log('no SCREENSHOT given: no screenshot taken');
    return;
  }
  await page.$eval('#follow', (section) => section.scrollIntoView({ block: 'start' }));
  mkdirSync(dirname(screenshotPath), { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });
  log(`screenshot written to ${screenshotPath}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  step = 'launching Chromium';
  chromium = await launch('ops-page-', { width: 1280, height: 900 });
  browser = chromium.browser;
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(error?.message ?? String(error)));
  page.on('console', (message) => {
    // A 401 is how the page learns its token has expired; Chromium logs each one.
    if (message.type() === 'error' && !/status of 401\b/.test(message.text())) record(consoleErrors, message.text());
  });
  page.on('requestfailed', (request) =>
    record(failedRequests, `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.status() !== 401)
      record(failedRequests, `${response.request().method()} ${response.url()}: ${response.status()}`);
  });

  await openAndLogIn();
  await servicesAndQueuesAreUp();
  const purchase = await buyAnItem();
  await followThePurchase(purchase);
  await replayTheErrorQueue();
  await takeScreenshot();
  assertNoPageErrors();
}

try {
  await main();
  await finish(0, 'passed');
} catch (error) {
  const what = error instanceof StepFailed ? error.message : `${error?.name ?? 'Error'}: ${error?.message ?? error}`;
  await finish(1, `FAILED: ${step}: ${what}`);
}
