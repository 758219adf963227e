// What the browser scripts share: reading their settings, a failed check, and Debian's Chromium
// started with a profile of its own and closed (the profile removed) whatever happened.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer from 'puppeteer-core';

/** A check that did not pass: its message says what was expected and what was seen. */
export class StepFailed extends Error {}

/** The environment variable `name`, or, when it is not set, "<prefix>: FAILED: ..." and exit 1. */
export function required(prefix, name) {
  const value = process.env[name];
  if (!value) {
    console.log(`${prefix}: FAILED: the environment variable ${name} is not set`);
    process.exit(1);
  }
  return value;
}

/** Chromium (CHROMIUM, default /usr/bin/chromium), headless, on a fresh profile; `close` ends it. */
export async function launch(profilePrefix, viewport) {
  const userDataDir = mkdtempSync(join(tmpdir(), profilePrefix));
  const browser = await puppeteer.launch({
    headless: true,
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    userDataDir,
    // Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
    defaultViewport: viewport,
    timeout: 30_000,
  }).catch((error) => {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    browser,
    async close() {
      await Promise.race([browser.close(), sleep(10_000)]).catch(() => {});
      browser.process()?.kill('SIGKILL');
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
