// The client in a quiet room: a real `roomlog dev` (from server/target/roomlog.jar) with a presence
// limit of 2: a room's third member joins told to the others, marked `presence: false`, the fourth
// joins without the others being told, and the frames after
// such a join carry `prevSeq`. The client must take them as following what it has: no `resume`
// request, every message delivered once, in order.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeWebSocket, RoomlogClient } from '../src/node.js';
import { DevServer } from './support/dev-server.js';
import { waitFor } from './support/wait.js';

const PRESENCE_LIMIT = 2;

let server;
let clients = [];
/** Every request any client sent, as JSON. */
const sent = [];

class RecordingWebSocket extends NodeWebSocket {
  send(data, ...rest) {
    sent.push(JSON.parse(data));
    return super.send(data, ...rest);
  }
}

before(async () => {
  server = await DevServer.create(['--presence-limit', String(PRESENCE_LIMIT)]);
  await server.start();
});

after(async () => {
  await server?.destroy();
});

afterEach(() => {
  for (const client of clients) client.close();
  clients = [];
});

function newClient(name, address) {
  const client = new RoomlogClient({
    url: server.url,
    getToken: async () => server.token({ sub: `u-${name}`, name }),
    webSocketOptions: { localAddress: address },
    WebSocket: RecordingWebSocket,
    initialReconnectDelayMs: 50,
    maxReconnectDelayMs: 500,
  });
  clients.push(client);
  client.on('reconnecting', (e) => assert.fail(`${name}'s connection dropped: ${JSON.stringify(e.reason)}`));
  return client;
}

/** Every event of `room` from now on. */
function record(room) {
  const events = [];
  room.on('event', (event) => events.push(event));
  return events;
}

test('a room past the presence limit: joins and leaves are quiet, frames follow by prevSeq, no resume, every message in order', async () => {
  const [alice, bob, carol, dave] = ['Alice', 'Bob', 'Carol', 'Dave'].map((name, i) => newClient(name, `127.0.0.${20 + i}`));
  await Promise.all([alice, bob, carol, dave].map((c) => c.connect()));

  const aliceRoom = await alice.createRoom();
  const aliceLog = record(aliceRoom);
  const bobRoom = await bob.join(aliceRoom.id); // 2 members: at the limit, announced
  const bobLog = record(bobRoom);
  await waitFor(() => aliceLog.some((e) => e.type === 'memberJoined'));
  assert.equal(bobRoom.presence, true);

  const carolRoom = await carol.join(aliceRoom.id); // 3: past the limit, announced, marked
  const carolLog = record(carolRoom);
  assert.equal(carolRoom.presence, false, 'the joined frame says the room is quiet');
  assert.equal(carolRoom.memberCount, 3);
  await waitFor(() => aliceLog.some((e) => e.type === 'memberJoined' && e.username === 'Carol'));
  assert.equal(aliceRoom.presence, false, "the join that crossed the limit told Alice it is quiet now");
  const daveRoom = await dave.join(aliceRoom.id); // 4: quiet
  const daveLog = record(daveRoom);

  const texts = [];
  const rooms = [aliceRoom, carolRoom, daveRoom, bobRoom];
  for (let i = 0; i < 12; i++) {
    const text = `m${i}`;
    texts.push(text);
    await rooms[i % rooms.length].send(text);
  }
  await daveRoom.leave(); // 4 before: quiet
  texts.push('after dave left');
  await aliceRoom.send('after dave left');

  const logs = { alice: aliceLog, bob: bobLog, carol: carolLog };
  for (const [who, log] of Object.entries(logs)) {
    await waitFor(() => log.filter((e) => e.type === 'message').length === texts.length, {
      message: () => `${who} has ${log.filter((e) => e.type === 'message').map((e) => e.text)}`,
    });
    assert.deepEqual(log.filter((e) => e.type === 'message').map((e) => e.text), texts, `${who}'s messages`);
    const seqs = log.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${who}'s seqs in order`);
    assert.equal(new Set(seqs).size, seqs.length, `${who}: each seq once`);
    const presence = log.filter((e) => e.type !== 'message').map((e) => `${e.type} ${e.username}`);
    const told = { alice: ['memberJoined Bob', 'memberJoined Carol'], bob: ['memberJoined Carol'], carol: [] };
    assert.deepEqual(presence, told[who], `${who} hears of the join that crossed the limit, and of no quiet join or leave`);
  }
  assert.equal(daveLog.filter((e) => e.type === 'message').length, 12);
  assert.ok(
    aliceLog.some((e) => e.prevSeq !== undefined),
    'a frame after a quiet join carries prevSeq',
  );
  assert.deepEqual(
    sent.filter((r) => r.action === 'resume'),
    [],
    'no client asked to resume: the seqs the quiet joins took are not gaps',
  );
});
