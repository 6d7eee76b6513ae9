// A headless Chromium for the page tests, driven over the DevTools protocol by puppeteer-core.
// The browser is the machine's own (Debian's `chromium` package): nothing is downloaded. Where
// none is found the tests skip with one message that says how to install it.
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Where the screenshots go: docs/img/ (shown in the README), or ROOMLOG_SCREENSHOT_DIR. */
export const SCREENSHOT_DIR = process.env.ROOMLOG_SCREENSHOT_DIR ?? join(repoRoot, 'docs/img');

/** One fixed size, so that the screenshots change only when the pages do. */
export const VIEWPORT = { width: 1200, height: 800 };

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
];

/** The browser binary: ROOMLOG_CHROMIUM if set (it must exist), else the first candidate found. */
export function findChromium() {
  const wanted = process.env.ROOMLOG_CHROMIUM;
  if (wanted) {
    if (!existsSync(wanted)) throw new Error(`ROOMLOG_CHROMIUM=${wanted}: no such file`);
    return wanted;
  }
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** Why the browser tests cannot run here (no browser), or null: the skip reason of each suite. */
export const skipReason = findChromium()
  ? null
  : 'no Chromium: apt-get install -y chromium, or set ROOMLOG_CHROMIUM (see the message above)';

/** The one message of `npm test` (its pretest) where the tests will be skipped: where to get a browser. */
export function noBrowserMessage() {
  if (findChromium()) return null;
  return (
    `No Chromium found (looked at $ROOMLOG_CHROMIUM, ${CANDIDATES.join(', ')}): the browser tests are SKIPPED. ` +
    'Install it with `apt-get install -y chromium` (Debian/Ubuntu; .ci/run does so when it runs as root), ' +
    'or set ROOMLOG_CHROMIUM to a Chrome or Chromium binary.'
  );
}

/** Starts headless Chromium. `--no-sandbox`: the tests may run as root (CI does), where the sandbox cannot start. */
export async function launchBrowser() {
  return puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    defaultViewport: VIEWPORT,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--font-render-hinting=none'],
  });
}

/**
 * A page in a browser context of its own (as a second user's browser would be: its own storage,
 * and its own window, so it is never a hidden background tab, whose input events headless Chromium
 * leaves unprocessed). Its console errors and uncaught exceptions are collected in `page.problems`.
 */
export async function newPage(browser) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.location()?.url?.endsWith('/favicon.ico')) {
      page.problems.push(`console: ${message.text()} (${message.location()?.url})`);
    }
  });
  // The browser asks for /favicon.ico by itself; the pages have none.
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
      page.problems.push(`HTTP ${response.status()} ${response.url()}`);
    }
  });
  page.setDefaultTimeout(20_000);
  return page;
}

/** Takes a screenshot of the whole viewport into SCREENSHOT_DIR/name. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // No caret or focus ring: they blink or move, and the image would differ between runs.
  await page.evaluate(() => document.activeElement?.blur());
  const path = join(SCREENSHOT_DIR, name);
  await page.screenshot({ path, type: 'png' });
  return path;
}
