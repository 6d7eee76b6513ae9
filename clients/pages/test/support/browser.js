// A headless Chromium for the page tests, driven over the DevTools protocol by puppeteer-core.
// The browser is the machine's own (Debian's `chromium` package): nothing is downloaded. Where
// none is found the tests skip with one message that says how to install it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * Takes a screenshot of the whole viewport into SCREENSHOT_DIR/name, unless the image there already
 * looks the same: Chromium's anti-aliasing and a figure like actions/s vary by a few pixels from run
 * to run, and a committed image rewritten by every test run would always show as changed.
 */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // No caret or focus ring: they blink or move.
  await page.evaluate(() => document.activeElement?.blur());
  const path = join(SCREENSHOT_DIR, name);
  const image = await page.screenshot({ type: 'png' });
  if (!existsSync(path) || (await differingPixels(page.browser(), readFileSync(path), image)) > SAME_IMAGE_MAX_PIXELS) {
    writeFileSync(path, image);
  }
  return path;
}

/** At most this many pixels differ between two images of the same page (0.1% of the viewport). */
const SAME_IMAGE_MAX_PIXELS = (VIEWPORT.width * VIEWPORT.height) / 1000;

/** How many pixels of two PNGs differ (all of them when the sizes do), compared in a blank page. */
async function differingPixels(browser, before, after) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async (a, b) => {
        const load = (base64) =>
          new Promise((resolveImage, reject) => {
            const image = new Image();
            image.onload = () => resolveImage(image);
            image.onerror = () => reject(new Error('not an image'));
            image.src = `data:image/png;base64,${base64}`;
          });
        const pixels = (image) => {
          const canvas = new OffscreenCanvas(image.width, image.height);
          const context = canvas.getContext('2d');
          context.drawImage(image, 0, 0);
          return context.getImageData(0, 0, image.width, image.height).data;
        };
        const [imageA, imageB] = await Promise.all([load(a), load(b)]);
        if (imageA.width !== imageB.width || imageA.height !== imageB.height) return Infinity;
        const [pa, pb] = [pixels(imageA), pixels(imageB)];
        let differing = 0;
        for (let i = 0; i < pa.length; i += 4) {
          if (pa[i] !== pb[i] || pa[i + 1] !== pb[i + 1] || pa[i + 2] !== pb[i + 2]) differing++;
        }
        return differing;
      },
      before.toString('base64'),
      Buffer.from(after).toString('base64'),
    );
  } catch {
    return Infinity;
  } finally {
    await page.close();
  }
}
