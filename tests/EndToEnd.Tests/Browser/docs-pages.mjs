// Drives Swagger UI on every /docs page in Debian's Chromium as a person does: "Authorize" with a
// username and password (the OAuth2 password flow, at the token endpoint the page's document
// names), then "Try it out" and "Execute" on one operation that needs the token. Run by the
// end-to-end tests with:
//
//   PAGES        JSON: [{ "name": "items", "url": "http://127.0.0.1:5102/docs/index.html",
//                         "operation": "ListOrders" }, ...]; each operation takes no required input
//   USERNAME     whose credentials are typed into the Authorize dialog
//   PASSWORD
//   SCREENSHOTS  a folder for a PNG of each page after its call (optional; also on a failure)
//   CHROMIUM     the browser (default /usr/bin/chromium)
//
// Prints "docs-pages: <name>: ..." for each page it checked and exits 0 with "docs-pages: passed",
// or prints "docs-pages: FAILED: <what>" and exits 1.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StepFailed, launch, required } from './chromium.mjs';

const OVERALL_TIMEOUT_MS = 150_000;
const log = (message) => console.log(`docs-pages: ${message}`);


const pages = JSON.parse(required('docs-pages', 'PAGES'));
const username = required('docs-pages', 'USERNAME');
const password = required('docs-pages', 'PASSWORD');
const screenshots = process.env.SCREENSHOTS || null;

let browser = null;
let page = null;
let chromium = null;
let step = 'starting';
let finished = false;
const pageErrors = [];

async function finish(code, message) {
  if (finished) return;
  finished = true;
  clearTimeout(overallTimer);
  if (code !== 0 && page && screenshots) {
    const path = join(screenshots, 'docs-failure.png');
    await Promise.race([page.screenshot({ path, fullPage: true }).then(() => log(`screenshot of the failure written to ${path}`)), sleep(5_000)])
      .catch(() => {});
  }
  log(message);
  if (chromium) await chromium.close();
  process.exit(code);
}

const overallTimer = setTimeout(
  () => finish(1, `FAILED: timed out after ${OVERALL_TIMEOUT_MS / 1000} s, during: ${step}`),
  OVERALL_TIMEOUT_MS);
process.on('unhandledRejection', (error) => finish(1, `FAILED: ${step}: ${error?.message ?? error}`));

/** Polls `check` in the page until it returns { ok }, or fails with what it saw last ({ why }) or at once ({ fail }). */
async function waitFor(what, timeoutMs, check, ...args) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pageErrors.length) throw new StepFailed(`the page threw: ${pageErrors.join(' | ')}`);
    const result = await page.evaluate(check, ...args);
    if (result?.ok) return result;
    if (result?.fail) throw new StepFailed(`${what}: ${result.fail}`);
    if (Date.now() >= deadline) throw new StepFailed(`${what} within ${timeoutMs / 1000} s${result?.why ? `; last seen: ${result.why}` : ''}`);
    await sleep(250);
  }
}

/** Logs in through the Authorize dialog's OAuth2 form and closes the dialog. */
async function authorize(name) {
  step = `${name}: opening the Authorize dialog`;
  await waitFor('the Authorize button', 30_000, () => ({ ok: !!document.querySelector('.auth-wrapper .authorize') }));
  await page.click('.auth-wrapper .authorize');
  await waitFor('the OAuth2 form in the dialog', 10_000, () => ({ ok: !!document.querySelector('#oauth_username') }));

  step = `${name}: logging in`;
  await page.type('#oauth_username', username);
  await page.type('#oauth_password', password);
  await page.evaluate(() => {
    const form = document.querySelector('#oauth_username').closest('.auth-container');
    [...form.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Authorize').click();
  });
  // Logged in, the form offers "Logout"; refused, it shows the token endpoint's error.
  await waitFor('"Authorized" after logging in', 20_000, () => {
    const form = document.querySelector('.auth-container .auth-btn-wrapper')?.closest('.auth-container');
    const buttons = [...(form?.querySelectorAll('button') ?? [])].map((b) => b.textContent.trim());
    if (buttons.includes('Logout')) return { ok: true };
    const errors = form?.querySelector('.errors')?.textContent?.trim();
    return errors ? { fail: errors } : { why: `buttons ${buttons.join(', ')}` };
  });
  await page.click('.modal-ux .close-modal');
  await waitFor('the dialog to close', 5_000, () => ({ ok: !document.querySelector('.modal-ux') }));
}

/** Try it out, Execute, and the status the page shows; returns the request the page sent. */
async function call(name, operation) {
  step = `${name}: calling ${operation}`;
  const block = `.opblock[id$="-${operation}"]`;
  await waitFor(`the operation ${operation}`, 10_000, (selector) => ({ ok: !!document.querySelector(selector) }), block);
  await page.click(`${block} .opblock-summary-control`);
  await waitFor('"Try it out"', 5_000, (selector) => ({ ok: !!document.querySelector(`${selector} .try-out__btn`) }), block);
  await page.click(`${block} .try-out__btn`);
  await waitFor('"Execute"', 5_000, (selector) => ({ ok: !!document.querySelector(`${selector} .execute`) }), block);

  const sent = new Promise((resolve) => {
    const onRequest = (request) => {
      if (request.resourceType() !== 'fetch' && request.resourceType() !== 'xhr') return;
      if (request.method() === 'OPTIONS' || request.url().includes('/api/auth/token')) return;
      page.off('request', onRequest);
      resolve(request);
    };
    page.on('request', onRequest);
  });
  await page.click(`${block} .execute`);
  const request = await Promise.race([sent, sleep(10_000).then(() => null)]);
  if (!request) throw new StepFailed(`${operation}: "Execute" sent no request`);
  const { status } = await waitFor(`${operation}'s answer on the page`, 15_000, (selector) => {
    const status = document.querySelector(`${selector} .live-responses-table tr.response .response-col_status`)?.textContent?.trim();
    return status ? { ok: true, status } : { why: 'no answer shown' };
  }, block);
  return { request, status };
}

async function main() {
  if (screenshots) mkdirSync(screenshots, { recursive: true });
  step = 'starting Chromium';
  chromium = await launch('docs-pages-', { width: 1280, height: 1000 });
  browser = chromium.browser;

  for (const { name, url, operation } of pages) {
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error?.message ?? error}`));
    const tokenAnswers = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/auth/token') && response.request().method() === 'POST')
        tokenAnswers.push({ url: response.url(), status: response.status() });
    });

    step = `${name}: loading ${url}`;
    await page.goto(url, { waitUntil: 'networkidle2', timeout: 30_000 });
    await authorize(name);
    const token = tokenAnswers.at(-1);
    if (!token || token.status !== 200) throw new StepFailed(`${name}: the token endpoint answered ${JSON.stringify(token)}`);
    log(`${name}: logged in at ${token.url}`);

    const { request, status } = await call(name, operation);
    if (!/^Bearer \S+/.test(request.headers().authorization ?? ''))
      throw new StepFailed(`${name}: ${operation} was sent without the token (${request.url()})`);
    if (status !== '200') throw new StepFailed(`${name}: ${operation} answered ${status} on the page, expected 200`);
    log(`${name}: ${operation} answered 200 with the token (${request.method()} ${request.url()})`);
    if (screenshots) await page.screenshot({ path: join(screenshots, `docs-${name}.png`), fullPage: false });
    await page.close();
    page = null;
  }
}

try {
  await main();
  await finish(0, 'passed');
} catch (error) {
  const what = error instanceof StepFailed ? error.message : `${error?.name ?? 'Error'}: ${error?.message ?? error}`;
  await finish(1, `FAILED: ${step}: ${what}`);
}
