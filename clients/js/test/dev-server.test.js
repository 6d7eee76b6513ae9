// The client against a real `roomlog dev` (from server/target/roomlog.jar): one server for every
// test, started once; the gateway-restart test comes last, as it stops and starts that server.
// Each test connects from a loopback address of its own (127.0.0.N), so the gateway's per-IP
// limits, set tiny here to provoke 503 and 429, count each test's connections apart.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { NodeWebSocket, RoomlogClient } from '../src/node.js';
import { DevServer } from './support/dev-server.js';
import { nextEvent, waitFor } from './support/wait.js';

const HISTORY_SIZE = 30;
const RETRY_AFTER_SECONDS = 1;
const HANDSHAKE_BURST = 6;

let server;
let clients = [];
let lastAddress = 10;

before(async () => {
  server = await DevServer.create([
    // Resume reaches back HISTORY_SIZE events: a client away for more gets 410 resumeTooOld.
    '--history-size', String(HISTORY_SIZE),
    '--set', 'roomlog.gateway.maxConnectionsPerIp=3',
    '--set', `roomlog.gateway.retryAfterSeconds=${RETRY_AFTER_SECONDS}`,
    '--set', `roomlog.gateway.handshakeBurstPerIp=${HANDSHAKE_BURST}`,
    '--set', 'roomlog.gateway.handshakesPerSecondPerIp=1',
    '--set', 'roomlog.gateway.connectionBurst=10',
  ]);
  await server.start();
});

after(async () => {
  await server?.destroy();
});

afterEach(() => {
  for (const client of clients) client.close();
  clients = [];
});

/** A loopback source address no other test uses. */
function newAddress() {
  lastAddress += 1;
  return `127.0.0.${lastAddress}`;
}

/** A client from `address`: with a user token of `name` (refreshed by getToken), or else the API key. */
function newClient({ address, name, options = {} }) {
  const client = new RoomlogClient({
    url: server.url,
    ...(name
      ? { getToken: async () => server.token({ sub: `u-${name}`, name }) }
      : { apiKey: server.apiKey, username: 'keyed' }),
    webSocketOptions: { localAddress: address },
    initialReconnectDelayMs: 50,
    maxReconnectDelayMs: 500,
    ...options,
  });
  clients.push(client);
  if (process.env.ROOMLOG_TEST_DEBUG) {
    client.on('frame', (f) => console.error(`<${name ?? 'keyed'} ${JSON.stringify(f).slice(0, 300)}`));
    client.on('state', (s) => console.error(`=${name ?? 'keyed'} ${JSON.stringify(s)}`));
  }
  return client;
}

/** Every event of `room` from now on, with a check that their seqs run on from the room's. */
function record(room) {
  const startSeq = room.lastSeq;
  const events = [];
  room.on('event', (event) => events.push(event));
  return {
    events,
    startSeq,
    lastSeq: () => (events.length ? events.at(-1).seq : startSeq),
    messages: () => events.filter((e) => e.type === 'message'),
    /** Each seq once, in order, none missing from the start on (or from `resumeAt` after a gap). */
    assertNoGapNoDouble(gaps = []) {
      let expected = startSeq + 1;
      for (const event of events) {
        const gap = gaps.find((g) => g.fromSeq === expected);
        if (gap) expected = gap.toSeq + 1;
        assert.equal(event.seq, expected, `seqs ${events.map((e) => e.seq).join(',')}`);
        expected += 1;
      }
    },
  };
}

/** A WebSocket class whose connections go to a closed port while `gate.open` is false. */
function gatedWebSocket(gate) {
  return class GatedWebSocket extends NodeWebSocket {
    constructor(url, protocols, options) {
      const target = new URL(url);
      if (!gate.open) target.port = '1';
      super(target.toString(), protocols, options);
    }
  };
}

/** A raw ws connection with the API key from `address`, once the gateway said `connected`. */
async function rawConnection(address) {
  const socket = new WebSocket(server.url, { headers: { 'x-api-key': server.apiKey }, localAddress: address });
  await new Promise((resolve, reject) => {
    socket.once('message', resolve);
    socket.once('error', reject);
  });
  return socket;
}

test('two clients chat: the same events with the same seqs, sends resolve with their seq, errors carry the server status and code', async () => {
  const address = newAddress();
  const alice = newClient({ address, name: 'Alice' });
  const bob = newClient({ address });
  await Promise.all([alice.connect(), bob.connect()]);
  assert.equal(alice.state, 'connected');

  const aliceRoom = await alice.createRoom();
  const aliceLog = record(aliceRoom);
  const bobRoom = await bob.join(aliceRoom.id);
  const bobLog = record(bobRoom);
  assert.deepEqual([...bobRoom.members.values()].map((m) => m.username).sort(), ['Alice', 'keyed']);
  const joinedSeen = await waitFor(() => aliceLog.events.find((e) => e.type === 'memberJoined'));
  assert.equal(joinedSeen.username, 'keyed');
  assert.equal(joinedSeen.self, false);

  const sent = await Promise.all([
    aliceRoom.send('hello from alice'),
    bobRoom.send('hello from bob'),
    aliceRoom.send('how are you?'),
    bobRoom.send('fine'),
  ]);
  const lastSeq = Math.max(...sent);
  await waitFor(() => aliceLog.lastSeq() >= lastSeq && bobLog.lastSeq() >= lastSeq, { message: 'both see every message' });
  const texts = (log) => log.messages().map((m) => `${m.seq}:${m.from}:${m.text}`);
  assert.deepEqual(texts(aliceLog), texts(bobLog));
  assert.equal(aliceLog.messages().find((m) => m.seq === sent[0]).text, 'hello from alice');
  assert.equal(aliceLog.messages().find((m) => m.seq === sent[0]).self, true);
  assert.equal(bobLog.messages().find((m) => m.seq === sent[0]).self, false);
  aliceLog.assertNoGapNoDouble();

  const tooLong = await bobRoom.send('x'.repeat(5000)).catch((e) => e);
  assert.equal(tooLong.name, 'RoomlogError');
  assert.equal(tooLong.status, 413);
  assert.equal(tooLong.code, 'fieldTooLong');
  const missing = await bob.join('no-such-room').catch((e) => e);
  assert.equal(missing.status, 404);
  assert.equal(missing.code, 'roomNotFound');
  assert.match(missing.message, /no-such-room/);

  await bobRoom.leave();
  assert.equal(bobRoom.state, 'left');
  const left = await waitFor(() => aliceLog.events.find((e) => e.type === 'memberLeft'));
  assert.equal(left.username, 'keyed');
  assert.equal(left.reason, 'left');
  await assert.rejects(bobRoom.send('after leaving'), { code: 'roomLeft' });
});

test('a connection killed by the server (DELETE /@connections/{id}): it reconnects, resumes, and every send is acknowledged once', async () => {
  const address = newAddress();
  const alice = newClient({ address, name: 'Alice' });
  const bob = newClient({ address, name: 'Bob' });
  await Promise.all([alice.connect(), bob.connect()]);
  const aliceRoom = await alice.createRoom();
  const bobRoom = await bob.join(aliceRoom.id);
  const aliceLog = record(aliceRoom);
  const bobLog = record(bobRoom);
  const firstConnection = alice.connectionId;
  let reconnectedAt = null;
  alice.on('connected', (e) => {
    if (e.reconnected) reconnectedAt = Date.now();
  });

  // Fewer events than the room keeps (HISTORY_SIZE), so the resume has no gap to report.
  const texts = Array.from({ length: 12 }, (_, i) => `alice ${i}`);
  const resolvedAt = new Map();
  const sends = texts.slice(0, 6).map((text) => aliceRoom.send(text).then((seq) => (resolvedAt.set(text, Date.now()), seq)));
  await sends[0];
  // The rest go out while the connection is being killed: some on the dying socket, some queued.
  const kill = server.killConnection(firstConnection);
  for (const text of texts.slice(6)) sends.push(aliceRoom.send(text).then((seq) => (resolvedAt.set(text, Date.now()), seq)));
  const bobSends = ['bob 0', 'bob 1', 'bob 2'].map((text) => bobRoom.send(text));
  await kill;

  const seqs = await Promise.all(sends);
  const bobSeqs = await Promise.all(bobSends);
  assert.notEqual(alice.connectionId, firstConnection);
  assert.ok(reconnectedAt !== null, 'alice reconnected');
  assert.ok([...resolvedAt.values()].some((t) => t >= reconnectedAt), 'a send was acknowledged after the reconnect');
  assert.equal(new Set(seqs).size, seqs.length, `distinct seqs ${seqs}`);

  const lastSeq = Math.max(...seqs, ...bobSeqs);
  await waitFor(() => aliceLog.lastSeq() >= lastSeq && bobLog.lastSeq() >= lastSeq, {
    message: () => `alice at ${aliceLog.lastSeq()}, bob at ${bobLog.lastSeq()}, want ${lastSeq}`,
  });
  for (const log of [aliceLog, bobLog]) {
    log.assertNoGapNoDouble();
    const seen = log.messages().map((m) => m.text);
    for (const [i, text] of texts.entries()) {
      assert.equal(seen.filter((t) => t === text).length, 1, `${text} once`);
      assert.equal(log.messages().find((m) => m.text === text).seq, seqs[i]);
    }
    for (const text of ['bob 0', 'bob 1', 'bob 2']) assert.equal(seen.filter((t) => t === text).length, 1);
  }
  // Alice's own old connection left the room ("disconnected"), seen as an event of her own.
  assert.ok(aliceLog.events.some((e) => e.type === 'memberLeft' && e.connectionId === firstConnection && e.self));
  assert.ok(aliceLog.events.some((e) => e.type === 'joined' && e.resumed));
});

test('a client away longer than the room keeps events gets a gap event (410) and rejoins', async () => {
  const address = newAddress();
  const gate = { open: true };
  const alice = newClient({ address, name: 'Alice', options: { WebSocket: gatedWebSocket(gate) } });
  const bob = newClient({ address, name: 'Bob' });
  await Promise.all([alice.connect(), bob.connect()]);
  const bobRoom = await bob.createRoom();
  const aliceRoom = await alice.join(bobRoom.id);
  const aliceLog = record(aliceRoom);
  await bobRoom.send('before');
  await waitFor(() => aliceLog.messages().length === 1);
  const seenBefore = aliceRoom.lastSeq;

  gate.open = false;
  const away = nextEvent(alice, 'reconnecting');
  await server.killConnection(alice.connectionId);
  await away;
  const missed = [];
  for (let i = 0; i < HISTORY_SIZE + 5; i++) missed.push(await bobRoom.send(`while away ${i}`));
  const gapEvent = nextEvent(aliceRoom, 'gap');
  gate.open = true;

  const gap = await gapEvent;
  assert.equal(gap.roomId, aliceRoom.id);
  assert.equal(gap.fromSeq, seenBefore + 1);
  assert.ok(gap.oldestSeq > seenBefore + 1, `oldestSeq ${gap.oldestSeq}`);
  assert.equal(gap.toSeq, gap.oldestSeq - 1);
  const last = missed.at(-1);
  await waitFor(() => aliceLog.lastSeq() > last, { message: () => `alice at ${aliceLog.lastSeq()}, want past ${last}` });
  aliceLog.assertNoGapNoDouble([gap]);
  // What the room still kept is delivered: the newest messages, then alice's rejoin.
  assert.deepEqual(
    aliceLog.messages().slice(1).map((m) => m.seq),
    missed.filter((seq) => seq >= gap.oldestSeq),
  );
  assert.equal(aliceLog.events.at(-1).type, 'joined');
  assert.equal(aliceRoom.state, 'joined');
  const next = aliceLog.lastSeq() + 1;
  assert.equal(await aliceRoom.send('back'), next);
});

test('an HTTP 503 handshake (connection limit) is retried no sooner than its Retry-After', async () => {
  const address = newAddress();
  const held = [await rawConnection(address), await rawConnection(address), await rawConnection(address)];
  const client = newClient({ address });
  const refused = nextEvent(client, 'reconnecting');
  const connecting = client.connect();
  const retry = await refused;
  const refusedAt = Date.now();
  assert.equal(retry.reason.status, 503);
  assert.equal(retry.reason.retryAfterMs, RETRY_AFTER_SECONDS * 1000);
  assert.ok(retry.delayMs >= RETRY_AFTER_SECONDS * 1000, `delay ${retry.delayMs}`);
  held.pop().close();
  await connecting;
  assert.ok(Date.now() - refusedAt >= RETRY_AFTER_SECONDS * 1000 - 50, 'waited Retry-After');
  for (const socket of held) socket.close();
});

test('an HTTP 429 handshake (handshake rate) is retried no sooner than its Retry-After', async () => {
  const address = newAddress();
  for (let i = 0; i < HANDSHAKE_BURST; i++) {
    const socket = await rawConnection(address);
    await new Promise((resolve) => socket.once('close', resolve).close());
  }
  const client = newClient({ address });
  const refused = nextEvent(client, 'reconnecting');
  const connecting = client.connect();
  const retry = await refused;
  const refusedAt = Date.now();
  assert.equal(retry.reason.status, 429);
  assert.ok(retry.reason.retryAfterMs >= 1000, `Retry-After ${retry.reason.retryAfterMs}`);
  assert.ok(retry.delayMs >= retry.reason.retryAfterMs);
  await connecting;
  assert.ok(Date.now() - refusedAt >= retry.reason.retryAfterMs - 50, 'waited Retry-After');
});

test('sends past the connection rate (429 rateLimited) wait retryAfterMs and are all acknowledged once', async () => {
  const address = newAddress();
  const sent = [];
  class RecordingWebSocket extends NodeWebSocket {
    send(data, ...rest) {
      sent.push({ at: Date.now(), frame: JSON.parse(data) });
      return super.send(data, ...rest);
    }
  }
  const client = newClient({ address, name: 'Fast', options: { WebSocket: RecordingWebSocket } });
  const backoffs = [];
  client.on('backoff', (b) => backoffs.push({ ...b, at: Date.now() }));
  client.on('reconnecting', (e) => assert.fail(`the connection dropped: ${JSON.stringify(e.reason)}`));
  await client.connect();
  const room = await client.createRoom();
  const log = record(room);
  const texts = Array.from({ length: 40 }, (_, i) => `fast ${i}`);
  const seqs = await Promise.all(texts.map((text) => room.send(text)));

  assert.equal(new Set(seqs).size, texts.length);
  assert.ok(backoffs.some((b) => b.status === 429 && b.code === 'rateLimited'), 'was rate limited');
  for (const b of backoffs) {
    const early = sent.filter((s) => s.frame.action === 'sendMessage' && s.at > b.at && s.at < b.at + b.retryAfterMs - 5);
    assert.deepEqual(early, [], `sent within the ${b.retryAfterMs} ms the server asked to wait`);
  }
  await waitFor(() => log.lastSeq() >= Math.max(...seqs));
  log.assertNoGapNoDouble();
  assert.deepEqual(log.messages().map((m) => m.text).sort(), [...texts].sort());
});

test('a token about to expire is refreshed with getToken() on the same connection', async () => {
  const address = newAddress();
  let tokens = 0;
  const client = newClient({
    address,
    options: {
      // A short first token: the server warns (tokenExpiring) a quarter of its life before exp.
      getToken: async () => server.token({ sub: 'u-carol', name: 'Carol', ttlSeconds: tokens++ === 0 ? 4 : 3600 }),
    },
  });
  const refreshed = nextEvent(client, 'tokenRefreshed', { timeoutMs: 15_000 });
  await client.connect();
  const connectionId = client.connectionId;
  const frame = await refreshed;
  assert.ok(frame.expiresAt > Date.now() + 60_000);
  assert.equal(client.connectionId, connectionId);
  assert.equal(tokens, 2);
});

test('a gateway restart (same data, same ports): queued and pending sends are acknowledged once, nothing missing or doubled', async () => {
  const address = newAddress();
  const alice = newClient({ address, name: 'Alice' });
  const bob = newClient({ address, name: 'Bob' });
  await Promise.all([alice.connect(), bob.connect()]);
  const aliceRoom = await alice.createRoom();
  const bobRoom = await bob.join(aliceRoom.id);
  const aliceLog = record(aliceRoom);
  const bobLog = record(bobRoom);
  await aliceRoom.send('before the restart');

  const down = Promise.all([nextEvent(alice, 'reconnecting'), nextEvent(bob, 'reconnecting')]);
  const inFlight = ['a 0', 'a 1', 'a 2'].map((text) => aliceRoom.send(text));
  await server.stop();
  await down;
  const queued = ['a 3', 'a 4'].map((text) => aliceRoom.send(text));
  const bobQueued = ['b 0', 'b 1'].map((text) => bobRoom.send(text));
  assert.equal(alice.state === 'connected', false);
  await server.start();

  const seqs = await Promise.all([...inFlight, ...queued]);
  const bobSeqs = await Promise.all(bobQueued);
  assert.equal(new Set([...seqs, ...bobSeqs]).size, 7);
  const lastSeq = Math.max(...seqs, ...bobSeqs);
  await waitFor(() => aliceLog.lastSeq() >= lastSeq && bobLog.lastSeq() >= lastSeq, {
    timeoutMs: 60_000,
    message: () => `alice at ${aliceLog.lastSeq()}, bob at ${bobLog.lastSeq()}, want ${lastSeq}`,
  });
  for (const log of [aliceLog, bobLog]) {
    log.assertNoGapNoDouble();
    const seen = log.messages().map((m) => m.text);
    for (const text of ['a 0', 'a 1', 'a 2', 'a 3', 'a 4', 'b 0', 'b 1']) {
      assert.equal(seen.filter((t) => t === text).length, 1, `${text} once in ${seen}`);
    }
  }
});
