// The chat page in a real headless Chromium against a real `roomlog dev`: two users chat, one
// loses its connection and catches up, and the whole flow works with the keyboard alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DevServer } from '../../js/test/support/dev-server.js';
import { waitFor } from '../../js/test/support/wait.js';
import { launchBrowser, newPage, screenshot, skipReason } from './support/browser.js';
import { enterName, openRoom, say, shownEvents, shownMembers, shownMessages, waitForMessages, waitForRoom, waitForState } from './support/chat-page.js';

describe('the chat page', { skip: skipReason ?? false }, () => {
  let server;
  let browser;
  let chatUrl;
  const pages = [];

  before(async () => {
    server = await DevServer.create();
    await server.start();
    chatUrl = `http://127.0.0.1:${server.ports.port}/chat/`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
  });

  async function open() {
    const page = await newPage(browser);
    pages.push(page);
    return page;
  }

  /** Every event once, in seq order, no seq missing between the first and the last shown. */
  async function assertWholeLog(page) {
    const seqs = (await shownEvents(page)).map((e) => e.seq);
    assert.ok(seqs.length > 0, 'no events shown');
    assert.ok(seqs.every(Number.isInteger), `an event without a seq: ${seqs}`);
    const expected = Array.from({ length: seqs.at(-1) - seqs[0] + 1 }, (_, i) => seqs[0] + i);
    assert.deepEqual(seqs, expected, 'the seqs shown are not every seq once, in order');
  }

  test('two users chat: both see both names and every message once, in seq order', async () => {
    const alice = await open();
    const bob = await open();
    await enterName(alice, chatUrl, 'Alice');
    await openRoom(alice, 'lobby', '#create');
    await enterName(bob, chatUrl, 'Bob');
    await openRoom(bob, 'lobby', '#join');

    const sent = [];
    for (let i = 1; i <= 3; i++) {
      for (const [page, name] of [[alice, 'Alice'], [bob, 'Bob']]) {
        const text = `${name} says hello ${i}`;
        await say(page, text);
        sent.push(text);
      }
    }
    for (const page of [alice, bob]) {
      await waitForMessages(page, sent);
      await waitFor(async () => (await shownMembers(page)).sort().join() === 'Alice,Bob', {
        message: async () => `members Alice and Bob on ${await page.$eval('#members', (e) => e.textContent)}`,
      });
      assert.deepEqual((await shownMessages(page)).sort(), [...sent].sort(), 'each message once');
      await assertWholeLog(page);
      await waitFor(async () => (await page.$eval('#pending', (e) => e.textContent)) === '');
      assert.deepEqual(page.problems, []);
    }
    // Each page shows the messages in the order the server gave them (seq order): the same order.
    assert.deepEqual(await shownMessages(alice), await shownMessages(bob));
    await screenshot(alice, 'chat.png');
  });
});
