// The real AWS SDK for JavaScript v3 (@aws-sdk/client-apigatewaymanagementapi, pinned in
// package-lock.json) against a real `roomlog dev`, as a backend written for API Gateway uses it:
// only the endpoint changes (the management port and the stage path). Its own server, with a
// stage and an access key pair; the WebSocket clients are plain `ws` sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DevServer } from './support/dev-server.js';
import { waitFor } from './support/wait.js';

const STAGE = 'production';
const ACCESS_KEY_ID = 'AKIDJSTEST';
const SECRET_ACCESS_KEY = 'js-test-secret-access-key-' + Math.random().toString(36).slice(2);

let server;
const sockets = [];

before(async () => {
  server = await DevServer.create([
    '--aws-access-keys', `${ACCESS_KEY_ID}:${SECRET_ACCESS_KEY}`,
    '--set', `roomlog.gateway.stage=${STAGE}`,
  ]);
  await server.start();
});

after(async () => {
  for (const socket of sockets) socket.terminate();
  await server?.destroy();
});

/** The SDK's client; `systemClockOffset` (ms) makes it sign as a host whose clock is off. */
function sdk({ secretAccessKey = SECRET_ACCESS_KEY, systemClockOffset = 0 } = {}) {
  return new ApiGatewayManagementApiClient({
    endpoint: `${server.adminUrl}/${STAGE}`,
    region: 'eu-central-1',
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey },
    systemClockOffset,
  });
}

/** A WebSocket client with the API key: its connection id, what it received, whether it closed. */
async function connect() {
  const socket = new WebSocket(server.url, { headers: { 'x-api-key': server.apiKey, 'user-agent': 'aws-sdk-test-client' } });
  sockets.push(socket);
  const client = { texts: [], closeCode: null };
  socket.on('message', (data) => client.texts.push(data.toString()));
  socket.on('close', (code) => (client.closeCode = code));
  const connected = await waitFor(() => client.texts.map((t) => JSON.parse(t)).find((f) => f.type === 'connected'));
  client.connectionId = connected.connectionId;
  return client;
}

test('posts to a connection, describes it, deletes it, and then it is gone', async () => {
  const client = await connect();
  const api = sdk();
  const before = Date.now() - 60_000;

  await api.send(new PostToConnectionCommand({ ConnectionId: client.connectionId, Data: 'from the JS SDK' }));
  await waitFor(() => client.texts.includes('from the JS SDK'));

  const info = await api.send(new GetConnectionCommand({ ConnectionId: client.connectionId }));
  assert.ok(info.ConnectedAt instanceof Date && info.ConnectedAt.getTime() > before, String(info.ConnectedAt));
  assert.ok(info.LastActiveAt.getTime() >= info.ConnectedAt.getTime());
  assert.equal(info.Identity.SourceIp, '127.0.0.1');
  assert.equal(info.Identity.UserAgent, 'aws-sdk-test-client');

  await api.send(new DeleteConnectionCommand({ ConnectionId: client.connectionId }));
  await waitFor(() => client.closeCode === 1000);

  for (const command of [
    new PostToConnectionCommand({ ConnectionId: client.connectionId, Data: 'too late' }),
    new GetConnectionCommand({ ConnectionId: client.connectionId }),
    new DeleteConnectionCommand({ ConnectionId: client.connectionId }),
  ]) {
    await assert.rejects(api.send(command), (error) => {
      assert.ok(error instanceof GoneException, `${error.name}: ${error.message}`);
      assert.equal(error.$metadata.httpStatusCode, 410);
      return true;
    });
  }
});

test('a wrong secret is refused with ForbiddenException and nothing is sent', async () => {
  const client = await connect();
  await assert.rejects(
    sdk({ secretAccessKey: 'not-the-secret-0123456789' }).send(
      new PostToConnectionCommand({ ConnectionId: client.connectionId, Data: 'must not arrive' }),
    ),
    (error) => {
      assert.ok(error instanceof ForbiddenException, `${error.name}: ${error.message}`);
      assert.equal(error.$metadata.httpStatusCode, 403);
      assert.match(error.message, /signature does not match/);
      return true;
    },
  );
  await sdk().send(new PostToConnectionCommand({ ConnectionId: client.connectionId, Data: 'marker' }));
  await waitFor(() => client.texts.includes('marker'));
  assert.ok(!client.texts.includes('must not arrive'));
});

test('a signature made with a clock 20 minutes behind is refused', async () => {
  const client = await connect();
  await assert.rejects(
    sdk({ systemClockOffset: -20 * 60_000 }).send(new GetConnectionCommand({ ConnectionId: client.connectionId })),
    (error) => {
      assert.ok(error instanceof ForbiddenException, `${error.name}: ${error.message}`);
      assert.match(error.message, /^signature expired/);
      return true;
    },
  );
});

// docs:start js-sdk
/** Sends `text` to a client; false when it has gone. */
async function notify(endpoint, connectionId, text) {
  // endpoint: http://gateway-1:8081/production (port and stage); credentials and region from
  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (any region: Roomlog has none)
  const api = new ApiGatewayManagementApiClient({ endpoint });
  try {
    await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: text }));
    return true;
  } catch (error) {
    if (error instanceof GoneException) return false; // closed: forget its connection id
    throw error;
  }
}
// docs:end js-sdk

test("the docs' example sends with credentials from the environment and forgets a gone connection", async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: 'us-east-1',
  });
  try {
    const client = await connect();
    const endpoint = `${server.adminUrl}/${STAGE}`;
    assert.equal(await notify(endpoint, client.connectionId, 'from the docs'), true);
    await waitFor(() => client.texts.includes('from the docs'));
    sockets.at(-1).close();
    await waitFor(async () => !(await notify(endpoint, client.connectionId, 'too late')));
  } finally {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) delete process.env[name];
  }
});
