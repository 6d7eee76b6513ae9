// Driving the chat page as a user would: typing into its fields and pressing its buttons, and
// reading what it shows (the page renders each room event as <li data-seq data-kind> in
// #messages; #state carries the connection state in data-state).

import { waitFor } from '../../../js/test/support/wait.js';

/** Opens the chat page and enters `name` (typed, then Enter). Resolves once connected. */
export async function enterName(page, chatUrl, name) {
  await page.goto(chatUrl);
  await page.type('#name', name);
  await page.keyboard.press('Enter');
  await waitForState(page, 'connected');
}

/** Types a room id and presses Create or Join; resolves once the page shows the room. */
export async function openRoom(page, roomId, button) {
  await page.type('#room-id', roomId);
  await page.click(button);
  await waitForRoom(page, roomId);
}

export async function waitForRoom(page, roomId) {
  await explained(page, `room ${roomId}`, () =>
    page.waitForFunction(
      (id) => document.getElementById('room-title').textContent === `Room ${id}` && !document.getElementById('text').disabled,
      { polling: 50 },
      roomId,
    ),
  );
}

/** Types a message into the message field and presses Enter. */
export async function say(page, text) {
  await page.type('#text', text);
  await page.keyboard.press('Enter');
}

export async function waitForState(page, state) {
  await explained(page, `state ${state}`, () =>
    page.waitForFunction((s) => document.getElementById('state').dataset.state === s, { polling: 50 }, state),
  );
}

/** Runs `wait`; when it fails, the error says what the page showed (state, notice, its errors). */
export async function explained(page, what, wait) {
  try {
    return await wait();
  } catch (error) {
    const shown = await page
      .evaluate(() => ({
        state: document.getElementById('state')?.dataset.state,
        notice: document.getElementById('notice')?.textContent,
        title: document.getElementById('room-title')?.textContent,
      }))
      .catch((e) => `(page not readable: ${e.message})`);
    throw new Error(`${what}: ${error.message}; the page showed ${JSON.stringify(shown)}; its errors: ${JSON.stringify(page.problems)}`);
  }
}

/** What #messages shows: [{seq, kind, text}] in the order shown (`text` without the seq label). */
export function shownEvents(page) {
  return page.$$eval('#messages li', (items) =>
    items.map((li) => ({
      seq: li.dataset.seq === undefined ? null : Number(li.dataset.seq),
      kind: li.dataset.kind,
      from: li.querySelector('.from')?.textContent ?? null,
      text: [...li.childNodes]
        .filter((node) => !(node.nodeType === 1 && node.classList.contains('seq')) && !(node.nodeType === 1 && node.classList.contains('from')))
        .map((node) => node.textContent)
        .join(''),
    })),
  );
}

/** The messages' texts as shown, in order. */
export async function shownMessages(page) {
  return (await shownEvents(page)).filter((e) => e.kind === 'message').map((e) => e.text);
}

/** Waits until every one of `texts` is shown as a message (each at least once). */
export async function waitForMessages(page, texts, timeoutMs = 30_000) {
  await waitFor(
    async () => {
      const shown = await shownMessages(page);
      return texts.every((t) => shown.includes(t));
    },
    { timeoutMs, intervalMs: 50, message: () => `messages ${JSON.stringify(texts)} on ${page.url()}` },
  );
}

/** The names in Members. */
export function shownMembers(page) {
  return page.$$eval('#members li', (items) => items.map((li) => li.textContent));
}
