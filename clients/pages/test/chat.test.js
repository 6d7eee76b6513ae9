// The chat page in a real headless Chromium against a real `roomlog dev`: two users chat, one
// loses its connection and catches up, and the whole flow works with the keyboard alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RoomlogClient } from '../../js/src/node.js';
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

  test('a page whose connection the server kills shows it reconnecting, then catches up: nothing lost or doubled', async () => {
    const carol = await open();
    const dave = await open();
    // Dave's reconnect asks /chat/dev-token for a fresh token first; holding that request keeps
    // Dave disconnected for as long as the test needs to type a message meanwhile.
    const held = [];
    let holdTokens = false;
    await dave.setRequestInterception(true);
    dave.on('request', (request) => {
      if (holdTokens && request.url().includes('/chat/dev-token')) held.push(request);
      else request.continue();
    });
    await enterName(carol, chatUrl, 'Carol');
    await openRoom(carol, 'kitchen', '#create');
    await enterName(dave, chatUrl, 'Dave');
    await openRoom(dave, 'kitchen', '#join');
    // Every state #state shows, in order (a reconnect can be quicker than a poll).
    await dave.evaluate(() => {
      const state = document.getElementById('state');
      window.shownStates = [state.dataset.state];
      new MutationObserver(() => window.shownStates.push(state.dataset.state)).observe(state, { attributeFilter: ['data-state'] });
    });

    const fromCarol = [];
    const carolSays = async (n) => {
      for (let i = 0; i < n; i++) {
        const text = `Carol's message ${fromCarol.length + 1}`;
        await say(carol, text);
        fromCarol.push(text);
      }
    };
    await carolSays(3);
    await waitForMessages(dave, fromCarol);

    const connectionId = await dave.evaluate(() => window.roomlogChat.client.connectionId);
    assert.match(connectionId, /\S/);
    holdTokens = true;
    await server.killConnection(connectionId);
    await waitFor(() => held.length > 0, { message: "Dave's reconnect asking for a token" });
    await carolSays(3);
    const offline = 'Dave typed this while disconnected';
    await say(dave, offline);
    assert.notEqual(await dave.$eval('#state', (e) => e.dataset.state), 'connected');
    assert.equal(await dave.$eval('#pending', (e) => e.textContent), 'sending 1…');

    holdTokens = false;
    for (const request of held.splice(0)) await request.continue();
    await carolSays(3);
    await waitForState(dave, 'connected');
    const everything = [...fromCarol, offline];
    for (const page of [carol, dave]) {
      await waitForMessages(page, everything);
      await waitFor(async () => (await page.$eval('#pending', (e) => e.textContent)) === '', { message: 'no pending sends' });
      const shown = await shownMessages(page);
      for (const text of everything) {
        assert.equal(shown.filter((t) => t === text).length, 1, `${text} shown once on ${await page.title()}`);
      }
      await assertWholeLog(page);
      assert.deepEqual(page.problems, []);
    }
    const states = await dave.evaluate(() => window.shownStates);
    const reconnecting = states.indexOf('reconnecting');
    assert.ok(reconnecting > 0 && states.indexOf('connected', reconnecting) > reconnecting, `states shown: ${states}`);
    assert.deepEqual(await shownMessages(carol), await shownMessages(dave));
  });

  test('the keyboard alone: a name, a room, messages', async () => {
    const erin = await open();
    await erin.goto(chatUrl);
    const focused = () => erin.evaluate(() => document.activeElement?.id);
    assert.equal(await focused(), 'name', 'the name field has the focus on arrival');
    await erin.keyboard.type('Erin');
    await erin.keyboard.press('Enter');
    await waitForState(erin, 'connected');
    assert.equal(await focused(), 'room-id');
    await erin.keyboard.type('porch');
    await erin.keyboard.press('Tab');
    assert.equal(await focused(), 'join');
    await erin.keyboard.press('Tab');
    assert.equal(await focused(), 'create');
    await erin.keyboard.press('Enter');
    await waitForRoom(erin, 'porch');
    assert.equal(await focused(), 'text', 'the message field has the focus once in a room');
    await erin.keyboard.type('Erin, keyboard only');
    await erin.keyboard.press('Enter');

    const frank = await open();
    await frank.goto(chatUrl);
    await frank.keyboard.type('Frank');
    await frank.keyboard.press('Enter');
    await waitForState(frank, 'connected');
    await frank.keyboard.type('porch');
    await frank.keyboard.press('Enter');
    await waitForRoom(frank, 'porch');
    await frank.keyboard.type('Frank, keyboard only');
    await frank.keyboard.press('Enter');
    await erin.keyboard.type('Erin again');
    await erin.keyboard.press('Enter');

    const all = ['Erin, keyboard only', 'Frank, keyboard only', 'Erin again'];
    for (const page of [erin, frank]) {
      await waitForMessages(page, all);
      assert.deepEqual((await shownMessages(page)).sort(), [...all].sort());
      await waitFor(async () => (await shownMembers(page)).sort().join() === 'Erin,Frank', { message: 'members Erin and Frank' });
    }

    // A second room, then back to the first through the room list: Shift+Tab from the message
    // field goes back through the room list (the last room first), then the room form.
    await erin.keyboard.down('Shift');
    for (let i = 0; i < 4; i++) await erin.keyboard.press('Tab'); // porch, Create, Join, the room id
    await erin.keyboard.up('Shift');
    assert.equal(await focused(), 'room-id');
    await erin.keyboard.type('attic');
    await erin.keyboard.press('Tab');
    await erin.keyboard.press('Tab');
    await erin.keyboard.press('Enter');
    await waitForRoom(erin, 'attic');
    assert.deepEqual(await shownMessages(erin), []);
    await erin.keyboard.down('Shift');
    await erin.keyboard.press('Tab');
    await erin.keyboard.press('Tab');
    await erin.keyboard.up('Shift');
    assert.equal(await erin.evaluate(() => document.activeElement?.textContent), 'porch');
    await erin.keyboard.press('Enter');
    await waitForRoom(erin, 'porch');
    assert.deepEqual((await shownMessages(erin)).sort(), [...all].sort(), 'the first room as it was');
    assert.equal(await focused(), 'text');
    for (const page of [erin, frank]) assert.deepEqual(page.problems, []);
  });

  test('a room larger than a join lists shows its count, and "Show more" pages the rest once each', async () => {
    // 105 members joined by the library in Node (from ten loopback addresses, under the per-address
    // handshake limits), then Gina on the page: her join lists the first 100 of 106.
    const members = [];
    try {
      for (let i = 0; i < 105; i++) {
        const client = new RoomlogClient({
          url: server.url,
          apiKey: server.apiKey,
          username: `m${i}`,
          webSocketOptions: { localAddress: `127.0.1.${10 + (i % 10)}` },
        });
        members.push(client);
      }
      await Promise.all(members.map((c) => c.connect()));
      await members[0].createRoom({ roomId: 'hall' });
      for (const client of members.slice(1)) await client.join('hall');

      const page = await open();
      await enterName(page, chatUrl, 'Gina');
      await openRoom(page, 'hall', '#join');
      const names = async () => (await shownMembers(page)).filter((n) => !n.startsWith('Show more'));
      assert.equal(await page.$eval('#members-title', (e) => e.textContent), 'Members (106)');
      await waitFor(async () => (await page.$('#more-members')) !== null, { message: 'a Show more button' });
      assert.ok((await names()).length <= 101, `${(await names()).length} members shown before paging`);

      await page.click('#more-members');
      await waitFor(async () => (await page.$('#more-members')) === null, { message: 'every page read' });
      const all = (await names()).sort();
      const expected = [...Array.from({ length: 105 }, (_, i) => `m${i}`), 'Gina'].sort();
      assert.deepEqual(all, expected, 'every member once');
      assert.deepEqual(page.problems, []);
    } finally {
      members.forEach((c) => c.close());
    }
  });
});
