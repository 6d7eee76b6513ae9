// The Node entry: the same client over the `ws` package, which can send the `x-api-key` header
// (a browser cannot) and shows the HTTP status of a refused handshake, so 429/503 `Retry-After`
// is honoured and a 401/403 is told apart from a network failure.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { RoomlogClient as BaseClient } from './client.js';
import { retryAfterHeaderMs } from './backoff.js';

export { Room } from './room.js';
export { RoomlogError } from './errors.js';
export { reconnectDelay, retryAfterHeaderMs } from './backoff.js';

// How long the body of a refused handshake (one line of text) may take to arrive.
const REFUSAL_BODY_TIMEOUT_MS = 2000;

/**
 * `ws` with the handshake's refusal kept on the socket as `roomlogHandshake`
 * ({status, retryAfterMs, message}) before it closes, which the client reads in its close handler.
 */
export class NodeWebSocket extends WebSocket {
  constructor(url, protocols, options) {
    super(url, protocols, options);
    this.on('unexpected-response', (request, response) => {
      const chunks = [];
      let size = 0;
      const finish = () => {
        clearTimeout(timer);
        this.roomlogHandshake = {
          status: response.statusCode,
          retryAfterMs: retryAfterHeaderMs(response.headers['retry-after']),
          message: Buffer.concat(chunks).toString('utf8').trim() || `HTTP ${response.statusCode}`,
        };
        this.terminate();
      };
      const timer = setTimeout(finish, REFUSAL_BODY_TIMEOUT_MS);
      response.on('data', (chunk) => {
        if (size < 1024) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', finish);
      response.on('error', finish);
    });
  }
}

/**
 * RoomlogClient for Node. Beyond the browser's options: `apiKey` (sent as `x-api-key`),
 * `headers`, and `webSocketOptions` (ws's own: `localAddress`, `ca`, `agent`, ...).
 */
export class RoomlogClient extends BaseClient {
  constructor(options = {}) {
    super({ WebSocket: NodeWebSocket, randomId: randomUUID, ...options });
  }

  _createSocket(url) {
    const { apiKey, headers, webSocketOptions } = this._options;
    const allHeaders = { ...(headers ?? {}), ...(webSocketOptions?.headers ?? {}) };
    if (apiKey) allHeaders['x-api-key'] = apiKey;
    const WebSocketClass = this._options.WebSocket;
    return new WebSocketClass(url, [], { ...(webSocketOptions ?? {}), headers: allHeaders });
  }
}
