// The client's own logic against a scripted socket (no server): backoff, the send queue's bound,
// seq ordering and dedup, what is sent again after a reconnect. The browser entry is used, with
// the fake passed as its WebSocket, as a page would pass none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomlogClient, reconnectDelay, retryAfterHeaderMs } from '../src/index.js';
import { waitFor } from './support/wait.js';

/** A WebSocket whose server side is the test: it reads what the client sent and answers. */
class ScriptedSocket {
  static opened = [];

  constructor(url) {
    this.url = url;
    this.sent = [];
    ScriptedSocket.opened.push(this);
  }

  send(data) {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000, reason = '') {
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  /** The server sends a frame. */
  push(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }

  /** The connection drops (no close frame). */
  drop() {
    this.onclose({ code: 1006, reason: '' });
  }

  /** The last request sent with this action. */
  last(action) {
    return this.sent.filter((f) => f.action === action).at(-1);
  }
}

function newClient(options = {}) {
  ScriptedSocket.opened = [];
  return new RoomlogClient({
    url: 'ws://127.0.0.1:1/',
    WebSocket: ScriptedSocket,
    username: 'tester',
    initialReconnectDelayMs: 1,
    maxReconnectDelayMs: 5,
    ...options,
  });
}

/** Connects the client and returns its socket, after the server said `connected`. */
async function connected(client, connectionId = 'gw.one') {
  const count = ScriptedSocket.opened.length;
  const connecting = client.state === 'idle' ? client.connect() : null;
  const socket = await waitFor(() => ScriptedSocket.opened[count]);
  socket.push({ type: 'connected', connectionId });
  await connecting;
  return socket;
}

/** Joins `roomId` through the scripted socket, the room standing at `seq`. */
async function joined(client, socket, roomId, seq) {
  const joining = client.join(roomId);
  const request = await waitFor(() => socket.last('joinRoom'));
  socket.push({ type: 'joined', roomId, seq, members: [], history: [], requestId: request.requestId });
  return joining;
}

test('reconnect delays grow exponentially with jitter, are capped, and never undercut the server', () => {
  const settings = { initialDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(reconnectDelay(0, settings, 0, () => 0), 50);
  assert.equal(reconnectDelay(0, settings, 0, () => 1), 100);
  assert.equal(reconnectDelay(3, settings, 0, () => 1), 800);
  assert.equal(reconnectDelay(10, settings, 0, () => 1), 1000);
  assert.equal(reconnectDelay(10, settings, 0, () => 0), 500);
  assert.equal(reconnectDelay(0, settings, 5000, () => 1), 5000);
  assert.equal(retryAfterHeaderMs('3'), 3000);
  assert.equal(retryAfterHeaderMs(undefined), undefined);
  assert.equal(retryAfterHeaderMs(new Date(10_000).toUTCString(), 4_000), 6_000);
});

test('sends wait in a bounded queue while not connected, and past the bound reject with queueFull', async () => {
  const client = newClient({ maxQueuedSends: 2 });
  client.join('lobby');
  const room = client.rooms.get('lobby');
  const first = room.send('one');
  const second = room.send('two');
  await assert.rejects(room.send('three'), (error) => error.code === 'queueFull' && /maxQueuedSends/.test(error.message));
  assert.equal(room.pendingSends, 2);
  assert.equal(client.pendingSends, 2);
  client.close();
  await assert.rejects(first, { code: 'clientClosed' });
  await assert.rejects(second, { code: 'clientClosed' });
  assert.equal(client.state, 'closed');
});

test('events are delivered in seq order, each once: one ahead of a missing seq waits and the gap is asked for', async () => {
  const client = newClient();
  const socket = await connected(client);
  const room = await joined(client, socket, 'lobby', 5);
  const seen = [];
  room.on('event', (e) => seen.push(e.seq));
  socket.push({ type: 'message', roomId: 'lobby', seq: 7, text: 'b' });
  assert.deepEqual(seen, []);
  assert.equal(socket.last('resume').afterSeq, 5);
  socket.push({ type: 'resumed', roomId: 'lobby', afterSeq: 5, seq: 7, events: [{ type: 'message', roomId: 'lobby', seq: 6, text: 'a' }], requestId: socket.last('resume').requestId });
  socket.push({ type: 'message', roomId: 'lobby', seq: 6, text: 'a' });
  socket.push({ type: 'message', roomId: 'lobby', seq: 8, text: 'c' });
  assert.deepEqual(seen, [6, 7, 8]);
  client.close();
});

test('after a drop the client rejoins from its last seq, then resends the unacknowledged send with the same clientMsgId', async () => {
  let tokens = 0;
  const client = newClient({ getToken: async () => `token-${++tokens}` });
  const first = await connected(client);
  assert.equal(new URL(first.url).searchParams.get('token'), 'token-1');
  const room = await joined(client, first, 'lobby', 3);
  const sending = room.send('hello');
  const sent = first.last('sendMessage');
  assert.equal(sent.text, 'hello');
  first.drop();

  const second = await connected(client, 'gw.two');
  assert.equal(new URL(second.url).searchParams.get('token'), 'token-2');
  assert.equal(second.sent[0].action, 'joinRoom');
  assert.equal(second.sent[0].afterSeq, 3);
  assert.equal(second.last('sendMessage'), undefined, 'no resend before the rejoin is answered');
  const seen = [];
  room.on('event', (e) => seen.push(`${e.seq}:${e.type}`));
  second.push({
    type: 'joined', roomId: 'lobby', seq: 6, members: [], requestId: second.sent[0].requestId,
    events: [
      { type: 'message', roomId: 'lobby', seq: 4, text: 'hello', clientMsgId: sent.clientMsgId, connectionId: 'gw.one' },
      { type: 'memberLeft', roomId: 'lobby', seq: 5, connectionId: 'gw.one', username: 'tester', reason: 'disconnected' },
    ],
  });
  const resent = await waitFor(() => second.last('sendMessage'));
  assert.equal(resent.clientMsgId, sent.clientMsgId);
  // The server dedups by clientMsgId: the retry is answered with the original seq.
  second.push({ type: 'message', roomId: 'lobby', seq: 4, text: 'hello', clientMsgId: sent.clientMsgId, requestId: resent.requestId });
  assert.equal(await sending, 4);
  assert.deepEqual(seen, ['4:message', '5:memberLeft', '6:joined']);
  client.close();
});

test('410 resumeTooOld: a gap event, then a rejoin from the oldest seq still kept', async () => {
  const client = newClient();
  const first = await connected(client);
  const room = await joined(client, first, 'lobby', 3);
  first.drop();
  const second = await connected(client, 'gw.two');
  const gaps = [];
  room.on('gap', (g) => gaps.push(g));
  second.push({ type: 'error', status: 410, code: 'resumeTooOld', oldestSeq: 20, requestId: second.sent[0].requestId });
  assert.deepEqual(gaps.map((g) => [g.fromSeq, g.toSeq, g.oldestSeq]), [[4, 19, 20]]);
  const rejoin = second.last('joinRoom');
  assert.equal(rejoin.afterSeq, 19);
  client.close();
});

test('a handshake refused for good (401 without getToken) closes the client with the reason', async () => {
  const client = newClient({ token: 'stale' });
  const closed = new Promise((resolve) => client.once('closed', resolve));
  const connecting = client.connect();
  const socket = await waitFor(() => ScriptedSocket.opened[0]);
  socket.roomlogHandshake = { status: 401, message: 'invalid token' };
  socket.drop();
  const { reason } = await closed;
  assert.equal(reason.status, 401);
  await assert.rejects(connecting, { code: 'connectionClosed', status: 401 });
});

test('the browser entry imports only files beside it (a page loads it without a build step)', async () => {
  const { readFile } = await import('node:fs/promises');
  const seen = new Set();
  const visit = async (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(new URL(`../src/${file}`, import.meta.url), 'utf8');
    for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      assert.match(specifier, /^\.\/[\w-]+\.js$/, `${file} imports ${specifier}`);
      await visit(specifier.slice(2));
    }
  };
  await visit('index.js');
  assert.deepEqual([...seen].sort(), ['backoff.js', 'client.js', 'emitter.js', 'errors.js', 'index.js', 'room.js']);
});

test('a private room is created with private: true, and an invite resolves with its seq or rejects with the server error', async () => {
  const client = newClient();
  const socket = await connected(client);
  const creating = client.createRoom({ roomId: 'team-1', private: true });
  const create = await waitFor(() => socket.last('createRoom'));
  assert.equal(create.private, true);
  socket.push({ type: 'roomCreated', roomId: 'team-1', seq: 2, members: [], private: true, requestId: create.requestId });
  const room = await creating;

  const invited = [];
  room.on('userInvited', (e) => invited.push(e.user));
  const inviting = room.invite('u-42');
  const invite = await waitFor(() => socket.last('invite'));
  assert.deepEqual({ roomId: invite.roomId, user: invite.user }, { roomId: 'team-1', user: 'u-42' });
  socket.push({ type: 'userInvited', roomId: 'team-1', seq: 3, user: 'u-42', invitedBy: 'tester', at: 1, requestId: invite.requestId });
  assert.equal(await inviting, 3);
  assert.deepEqual(invited, ['u-42']);

  const refusedInvite = room.invite('u-43');
  const second = await waitFor(() => (socket.last('invite').user === 'u-43' ? socket.last('invite') : null));
  socket.push({ type: 'error', status: 403, code: 'inviteNotAllowed', message: 'no', requestId: second.requestId });
  await assert.rejects(refusedInvite, (error) => error.status === 403 && error.code === 'inviteNotAllowed');

  const plain = client.createRoom({ roomId: 'open' });
  const plainCreate = await waitFor(() => socket.last('createRoom').roomId === 'open' ? socket.last('createRoom') : null);
  assert.equal(plainCreate.private, undefined, 'a public room is created as before');
  socket.push({ type: 'roomCreated', roomId: 'open', seq: 2, members: [], requestId: plainCreate.requestId });
  await plain;
  client.close();
});

test('a first join hands over the events it already has only once the application has the room and its listeners', async () => {
  const client = newClient();
  const socket = await connected(client);

  // A message that came ahead of the join's answer (the room is busy); the listener is attached
  // in then(), as a page does.
  const early = [];
  const joining = client.join('busy').then((room) => room.on('message', (m) => early.push(m.seq)));
  const request = await waitFor(() => socket.last('joinRoom'));
  socket.push({ type: 'message', roomId: 'busy', seq: 6, from: 'x', text: 'early' });
  socket.push({ type: 'joined', roomId: 'busy', seq: 5, members: [], history: [], requestId: request.requestId });
  await joining;
  await waitFor(() => early.length === 1);
  assert.deepEqual(early, [6]);

  // With afterSeq: the events since then, heard by a listener attached after an await.
  const seen = [];
  const catchingUp = (async () => {
    const joined = await client.join('since', { afterSeq: 2 });
    joined.on('event', (e) => seen.push(e.seq));
    return joined;
  })();
  const since = await waitFor(() => (socket.last('joinRoom').roomId === 'since' ? socket.last('joinRoom') : null));
  assert.equal(since.afterSeq, 2);
  socket.push({
    type: 'joined', roomId: 'since', seq: 5, members: [], requestId: since.requestId,
    events: [{ type: 'message', roomId: 'since', seq: 3, text: 'a' }, { type: 'message', roomId: 'since', seq: 4, text: 'b' }],
  });
  const room = await catchingUp;
  socket.push({ type: 'message', roomId: 'since', seq: 6, text: 'c' });
  await waitFor(() => seen.length === 3);
  assert.deepEqual(seen, [3, 4, 6]);
  assert.equal(room.lastSeq, 6);
  client.close();
});

test('a large room: the join lists the first page with memberCount, listMembers pages the rest, joins and leaves keep the count', async () => {
  const client = newClient();
  const socket = await connected(client);
  const joining = client.join('arena');
  const request = await waitFor(() => socket.last('joinRoom'));
  socket.push({
    type: 'joined', roomId: 'arena', seq: 500, memberCount: 3,
    members: [{ connectionId: 'a', username: 'ann' }], membersNext: 17, history: [], requestId: request.requestId,
  });
  const room = await joining;
  assert.equal(room.memberCount, 3);
  assert.equal(room.membersNext, 17);
  assert.deepEqual([...room.members.keys()], ['a']);

  const paging = room.listMembers({ after: room.membersNext, limit: 2 });
  const asked = await waitFor(() => socket.last('members'));
  assert.deepEqual({ roomId: asked.roomId, after: asked.after, limit: asked.limit }, { roomId: 'arena', after: 17, limit: 2 });
  socket.push({
    type: 'members', roomId: 'arena', seq: 500, memberCount: 3,
    members: [{ connectionId: 'b', username: 'bo' }, { connectionId: 'gw.one', username: 'tester' }], next: null,
    requestId: asked.requestId,
  });
  assert.deepEqual(await paging, {
    seq: 500, memberCount: 3, next: null,
    members: [{ connectionId: 'b', username: 'bo' }, { connectionId: 'gw.one', username: 'tester' }],
  });

  const first = room.listMembers();
  const plain = await waitFor(() => (socket.last('members').requestId !== asked.requestId ? socket.last('members') : null));
  assert.equal(plain.after, undefined, 'from the first member');
  assert.equal(plain.limit, undefined, "the server's default size");
  socket.push({ type: 'error', status: 403, code: 'notMember', message: 'no', requestId: plain.requestId });
  await assert.rejects(first, (error) => error.status === 403 && error.code === 'notMember');

  socket.push({ type: 'memberJoined', roomId: 'arena', seq: 501, connectionId: 'c', username: 'cy', at: 1 });
  socket.push({ type: 'memberLeft', roomId: 'arena', seq: 502, connectionId: 'a', username: 'ann', reason: 'left', at: 2 });
  await waitFor(() => room.lastSeq === 502);
  assert.equal(room.memberCount, 3, 'one in, one out');
  client.close();
  await assert.rejects(room.listMembers(), (error) => error.code === 'clientClosed' || error.code === 'notJoined');
});
