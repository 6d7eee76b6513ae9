// The inspector page (management port) in a real headless Chromium against a real `roomlog dev`:
// behind the admin key it lists the rooms, shows one room's members and its events as they are
// appended, and the gateway's key figures. The room's users are two chat pages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DevServer } from '../../js/test/support/dev-server.js';
import { waitFor } from '../../js/test/support/wait.js';
import { launchBrowser, newPage, screenshot, skipReason } from './support/browser.js';
import { enterName, openRoom, say } from './support/chat-page.js';

describe('the inspector page', { skip: skipReason ?? false }, () => {
  let server;
  let browser;

  before(async () => {
    server = await DevServer.create();
    await server.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
  });

  const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
  const eventsShown = (page) =>
    page.$$eval('#events li[data-seq]', (items) => items.map((li) => ({ seq: Number(li.dataset.seq), type: li.dataset.type, text: li.textContent })));

  test('behind the admin key: the rooms, one room live, the key figures', async () => {
    const chatUrl = `http://127.0.0.1:${server.ports.port}/chat/`;
    const alice = await newPage(browser);
    const bob = await newPage(browser);
    await enterName(alice, chatUrl, 'Alice');
    await openRoom(alice, 'garden', '#create');
    await enterName(bob, chatUrl, 'Bob');
    await openRoom(bob, 'garden', '#join');
    await say(alice, 'Before the inspector looked');

    const inspector = await newPage(browser);
    // The time it last looked, fixed: the screenshot should change only when the page does.
    await inspector.evaluateOnNewDocument(() => {
      Date.prototype.toLocaleTimeString = () => '12:00:00';
    });
    await inspector.goto(`${server.adminUrl}/inspector/`);
    assert.equal(await inspector.evaluate(() => document.activeElement?.id), 'admin-key');
    assert.equal(await inspector.$eval('#inspector', (e) => e.hidden), true, 'nothing shown before the key');

    await inspector.keyboard.type('not-the-key');
    await inspector.keyboard.press('Enter');
    await waitFor(async () => (await inspector.$eval('#status', (e) => e.dataset.error)) === 'true', { message: 'a refused key said so' });
    assert.match(await text(inspector, '#status'), /admin key was refused/);
    assert.ok(inspector.problems.every((p) => p.includes('403')), `only the refusal: ${inspector.problems}`);
    inspector.problems.length = 0;

    await inspector.$eval('#admin-key', (e) => (e.value = ''));
    await inspector.type('#admin-key', server.adminKey);
    await inspector.keyboard.press('Enter');
    await inspector.waitForSelector('#rooms tr[data-room-id="garden"] button', { visible: true });
    assert.equal(await inspector.$('#key-form').then((form) => form.isVisible()), false, 'the key form is gone once the key is accepted');
    const row = await inspector.$$eval('#rooms tr[data-room-id="garden"] td', (cells) => cells.map((c) => c.textContent));
    assert.equal(row[0], 'garden');
    assert.equal(row[2], '2', 'two members');

    await inspector.click('#rooms tr[data-room-id="garden"] button');
    await inspector.waitForSelector('#room', { visible: true });
    await waitFor(async () => (await inspector.$$eval('#members li', (l) => l.length)) === 2, { message: 'two members listed' });
    const members = await inspector.$$eval('#members li', (items) => items.map((li) => li.textContent).sort());
    assert.match(members[0], /^Alice \(/);
    assert.match(members[1], /^Bob \(/);
    await waitFor(async () => (await eventsShown(inspector)).some((e) => e.text.includes('Before the inspector looked')), {
      message: 'the message sent before the room was opened',
    });

    // Live: what the chat pages do now appears, in seq order, each once.
    await say(bob, 'Bob, while the inspector watches');
    await say(alice, 'Alice, while the inspector watches');
    await waitFor(
      async () => {
        const shown = (await eventsShown(inspector)).map((e) => e.text).join('\n');
        return shown.includes('Bob: Bob, while the inspector watches') && shown.includes('Alice: Alice, while the inspector watches');
      },
      { timeoutMs: 15_000, message: 'the new messages in the live events' },
    );
    const seqs = (await eventsShown(inspector)).map((e) => e.seq);
    assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), `events once, in seq order: ${seqs}`);

    // The key figures: the two chat pages are the gateway's open connections; nothing refused.
    await waitFor(async () => (await text(inspector, '#fig-connections')) === '2', {
      message: async () => `2 connections, shown: ${await text(inspector, '#fig-connections')}`,
    });
    await waitFor(async () => /^\d+\.\d$/.test(await text(inspector, '#fig-actions')), { message: 'actions/s shown' });
    assert.equal(await text(inspector, '#fig-429'), '0');
    assert.equal(await text(inspector, '#fig-503'), '0');
    for (const page of [alice, bob, inspector]) assert.deepEqual(page.problems, []);

    // For the picture: connection ids are random, so they are shown as "gw-…".
    await inspector.evaluate(() => {
      for (const li of document.querySelectorAll('#members li, #events li')) {
        for (const node of li.childNodes) {
          if (node.nodeType === Node.TEXT_NODE) node.textContent = node.textContent.replace(/gw-[\w.-]+/g, 'gw-…');
        }
      }
    });
    await screenshot(inspector, 'inspector.png');
  });
});
