import { Emitter } from './emitter.js';
import { RoomlogError } from './errors.js';
import { reconnectDelay } from './backoff.js';
import { Room } from './room.js';

const DEFAULTS = {
  initialReconnectDelayMs: 250,
  maxReconnectDelayMs: 10_000,
  maxReconnectAttempts: Infinity,
  maxQueuedSends: 1000,
  maxInFlightSends: 16,
};

// Handshake answers that another try would get again: give up (unless a new token may help 401).
const PERMANENT_HANDSHAKE_STATUSES = new Set([400, 401, 403, 404, 414, 426, 431, 505]);

// Over 400 lines because it is one state machine: the socket's lifecycle, the requests in flight
// on it, and the order "rejoin every room, then resend" change together; the seq bookkeeping of
// each room is apart in room.js.

/**
 * A connection to a Roomlog gateway that stays up by itself: it reconnects with backoff, rejoins
 * every room from the last seq it delivered, and retries unacknowledged sends with their
 * clientMsgId. See README.md for the whole contract.
 *
 * Events: `state` (every change), `connecting`, `connected`, `reconnecting`, `closed`,
 * `backoff` (the server said to wait: 429/503 with retryAfterMs), `tokenExpiring`,
 * `tokenRefreshed`, `error` (errors no request is waiting for), `serverMessage` (frames the
 * backend sent this connection through the management API), `frame` (every JSON frame, for
 * debugging).
 */
export class RoomlogClient extends Emitter {
  #options;
  #WebSocket;
  #socket = null;
  #requests = new Map();
  #nextRequestId = 0;
  #failures = 0;
  #reconnectTimer = null;
  #connectWaiters = [];
  #outbox = [];
  #creates = new Set();
  #firstJoins = new Map();
  #sendPausedUntil = 0;
  // How many sends may be unanswered at once: 1 after the server said to wait, then one more for
  // each acknowledged send, up to maxInFlightSends; so a client near its rate limit sends a few
  // actions past it, not a whole window each time (which the gateway closes with 1008).
  #sendWindow = 1;
  #pumpTimer = null;
  #ownConnectionIds = new Set();
  #everConnected = false;

  constructor(options = {}) {
    super();
    if (!options.url) throw new TypeError('RoomlogClient: options.url is required (ws://host:port/)');
    this.#options = { ...DEFAULTS, ...options };
    this.#sendWindow = this.#options.maxInFlightSends;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError('RoomlogClient: no WebSocket here: pass options.WebSocket (in Node, import from "roomlog-client", which uses ws)');
    }
    this.url = options.url;
    /** `idle`, `connecting`, `connected`, `reconnecting` (waiting to try again) or `closed`. */
    this.state = 'idle';
    /** The id the gateway gave the current connection (null while not connected). */
    this.connectionId = null;
    /** The rooms this client is in (or joining), by room id. */
    this.rooms = new Map();
  }

  /**
   * Opens the connection (and keeps it open until close()). Resolves once connected; rejects
   * if the client is closed first (close(), or a handshake refusal another try cannot change).
   */
  connect() {
    const connected = new Promise((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (this.state === 'connected') {
      this.#settleConnectWaiters(null);
    } else if (this.state === 'idle' || this.state === 'closed') {
      this.#failures = 0;
      this.#open();
    }
    return connected;
  }

  /** Closes the connection for good: no reconnect; waiting sends and requests are rejected. */
  close() {
    this.#shutDown({ code: 1000, reason: 'closed by the client', byClient: true });
  }

  /**
   * Joins a room; resolves with its Room once the server answered `joined`. `afterSeq` starts
   * the room's events after that seq (they are delivered as events); the default is now, with
   * the recent messages in `room.history`.
   */
  join(roomId, { username = this.#options.username, afterSeq } = {}) {
    const existing = this.rooms.get(roomId);
    if (existing && existing.state !== 'left') {
      return this.#firstJoins.get(roomId)?.promise ?? Promise.resolve(existing);
    }
    if (this.state === 'closed') return Promise.reject(closedError());
    const room = new Room(this, roomId, username);
    room._requestedAfterSeq = afterSeq;
    if (afterSeq !== undefined) room.lastSeq = afterSeq;
    this.rooms.set(roomId, room);
    const deferred = defer();
    this.#firstJoins.set(roomId, deferred);
    if (this.state === 'connected') this.#sendJoin(room);
    return deferred.promise;
  }

  /**
   * Creates a room (the server picks its id unless given) and joins it; resolves with the Room.
   * `private: true` makes a room only its creator, the users it invites and tokens that grant it
   * may join.
   */
  createRoom({ roomId, username = this.#options.username, private: isPrivate = false } = {}) {
    if (this.state === 'closed') return Promise.reject(closedError());
    const create = { roomId, username, isPrivate, clientMsgId: this.#randomId(), ...defer() };
    this.#creates.add(create);
    if (this.state === 'connected') this.#sendCreate(create);
    return create.promise;
  }

  /** Sends not yet acknowledged (sent or waiting), across rooms. */
  get pendingSends() {
    return this.#outbox.length;
  }

  // ---- used by Room ----

  _pendingSends(room) {
    return this.#outbox.filter((entry) => entry.room === room).length;
  }

  _send(room, text) {
    if (this.state === 'closed') return Promise.reject(closedError());
    if (room.state === 'left') {
      return Promise.reject(RoomlogError.local('roomLeft', `not in room '${room.id}' any more`));
    }
    if (this.#outbox.length >= this.#options.maxQueuedSends) {
      return Promise.reject(
        RoomlogError.local(
          'queueFull',
          `${this.#outbox.length} sends are waiting to be acknowledged, as many as maxQueuedSends allows: wait for some to resolve`,
        ),
      );
    }
    const entry = { room, text, clientMsgId: this.#randomId(), requestId: null, ...defer() };
    this.#outbox.push(entry);
    this.#pump();
    return entry.promise;
  }

  async _leave(room) {
    if (room.state === 'left') return;
    room._leaving = true;
    await Promise.allSettled(this.#outbox.filter((e) => e.room === room).map((e) => e.promise));
    while (room.state !== 'left') {
      if (this.state !== 'connected' || room.state !== 'joined') {
        // The membership ends with the connection that held it; no rejoin will be sent.
        this.#roomGone(room, { reason: 'left' });
        return;
      }
      const answer = await new Promise((resolve) => {
        this.#request({ action: 'leaveRoom', roomId: room.id }, { onAnswer: resolve, onLost: () => resolve(null) });
      });
      if (answer?.type === 'left') {
        room.lastSeq = Math.max(room.lastSeq, answer.seq);
        this.#roomGone(room, { reason: 'left', seq: answer.seq });
      } else if (answer?.type === 'error' && answer.retryAfterMs !== undefined) {
        await delay(answer.retryAfterMs);
      } else if (answer?.type === 'error' && answer.status !== 403 && answer.status !== 404) {
        throw new RoomlogError(answer);
      } else {
        this.#roomGone(room, { reason: 'left' });
      }
    }
  }

  _invite(room, user) {
    if (this.state === 'closed') return Promise.reject(closedError());
    if (this.state !== 'connected' || room.state !== 'joined') {
      return Promise.reject(
        RoomlogError.local('notJoined', `room '${room.id}' is not joined right now: invite once it is (state ${room.state})`),
      );
    }
    return new Promise((resolve, reject) => {
      this.#request(
        { action: 'invite', roomId: room.id, user },
        {
          onAnswer: (frame) => {
            if (frame.type !== 'userInvited') return reject(new RoomlogError(frame));
            // The answer is also the room's event: delivered in its seq order like the others.
            room._accept(frame);
            return resolve(frame.seq);
          },
          // An invite changes nothing twice: sending it again after a reconnect is safe.
          onLost: () =>
            reject(RoomlogError.local('connectionClosed', 'the connection dropped before the invite was answered: invite again')),
        },
      );
    });
  }

  _members(room, after, limit) {
    if (this.state === 'closed') return Promise.reject(closedError());
    if (this.state !== 'connected' || room.state !== 'joined') {
      return Promise.reject(
        RoomlogError.local('notJoined', `room '${room.id}' is not joined right now: list its members once it is (state ${room.state})`),
      );
    }
    const body = { action: 'members', roomId: room.id };
    if (after !== undefined && after !== null) body.after = after;
    if (limit !== undefined) body.limit = limit;
    return new Promise((resolve, reject) => {
      this.#request(body, {
        onAnswer: (frame) => {
          if (frame.type !== 'members') return reject(new RoomlogError(frame));
          const { seq, memberCount, members, next } = frame;
          return resolve({ seq, memberCount, members, next: next ?? null });
        },
        // Asking changes nothing: the application may ask again once reconnected.
        onLost: () =>
          reject(RoomlogError.local('connectionClosed', 'the connection dropped before the members were listed: ask again')),
      });
    });
  }

  /** Asks for the events after room.lastSeq (a frame came ahead of a missing one). */
  _resume(room) {
    if (room._resuming || this.state !== 'connected') return;
    room._resuming = true;
    const afterSeq = room.lastSeq;
    this.#request(
      { action: 'resume', roomId: room.id, afterSeq },
      {
        onAnswer: (frame) => {
          room._resuming = false;
          if (frame.type === 'resumed') {
            room._resumed(frame);
          } else if (frame.status === 410) {
            room._gap(frame, afterSeq);
            room._drain();
            if (room._ahead.size > 0) this._resume(room);
          } else if (frame.retryAfterMs !== undefined) {
            setTimeout(() => this._resume(room), frame.retryAfterMs);
          } else {
            this.#rejoin(room);
          }
        },
        onLost: () => {
          room._resuming = false;
        },
      },
    );
  }

  _isOwnConnection(connectionId) {
    return this.#ownConnectionIds.has(connectionId);
  }

  /** A live memberLeft about this connection: rejoin if its gateway was only thought lost. */
  _removedFromRoom(room, frame) {
    if (frame.reason === 'gatewayLost' && !room._leaving) {
      this.#rejoin(room);
    } else {
      this.#roomGone(room, { reason: frame.reason, note: frame.note, seq: frame.seq });
    }
  }

  // ---- the connection ----

  async #open() {
    this.#setState('connecting', { attempt: this.#failures });
    let token;
    try {
      token = await this.#token();
    } catch (error) {
      this.#retryLater({ message: 'getToken() failed', error });
      return;
    }
    if (this.state !== 'connecting') return;
    let socket;
    try {
      socket = this._createSocket(withToken(this.url, token));
    } catch (error) {
      this.#retryLater({ message: 'could not open a WebSocket', error });
      return;
    }
    this.#socket = socket;
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#onFrame(event.data);
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#onSocketClosed(socket, event);
    };
    // A failed socket is always followed by its close event, which decides what comes next.
    socket.onerror = () => {};
  }

  /**
   * Makes the socket (the Node entry overrides this to add headers and read the handshake's HTTP
   * status). The URL already carries the token.
   */
  _createSocket(url) {
    const options = this.#options.webSocketOptions;
    return options ? new this.#WebSocket(url, [], options) : new this.#WebSocket(url);
  }

  /** The options the client was made with (for the Node entry). */
  get _options() {
    return this.#options;
  }

  async #token() {
    if (this.#options.getToken) return this.#options.getToken();
    return this.#options.token;
  }

  #onSocketClosed(socket, event) {
    this.#socket = null;
    this.connectionId = null;
    this.#connectionLost();
    if (this.state === 'closed') return;
    const handshake = socket.roomlogHandshake;
    const reason = { code: event.code, reason: event.reason };
    if (handshake) Object.assign(reason, handshake);
    if (
      handshake?.status !== undefined &&
      PERMANENT_HANDSHAKE_STATUSES.has(handshake.status) &&
      !(handshake.status === 401 && this.#options.getToken)
    ) {
      this.#shutDown(reason);
      return;
    }
    this.#retryLater(reason);
  }

  #retryLater(reason) {
    if (this.#failures >= this.#options.maxReconnectAttempts) {
      this.#shutDown({ ...reason, message: `gave up after ${this.#failures} reconnect attempts` });
      return;
    }
    const delayMs = reconnectDelay(
      this.#failures,
      { initialDelayMs: this.#options.initialReconnectDelayMs, maxDelayMs: this.#options.maxReconnectDelayMs },
      reason.retryAfterMs,
    );
    this.#failures++;
    this.#setState('reconnecting', { attempt: this.#failures, delayMs, reason });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#open();
    }, delayMs);
  }

  /** The socket is gone: what was in flight on it is to be sent again on the next one. */
  #connectionLost() {
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = null;
    const requests = [...this.#requests.values()];
    this.#requests.clear();
    for (const request of requests) request.onLost?.();
    for (const room of this.rooms.values()) {
      room._resuming = false;
      if (room.state === 'joined') room.state = 'rejoining';
    }
  }

  #shutDown(reason) {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    this.connectionId = null;
    if (socket) {
      try {
        socket.close(1000, 'closed by the client');
      } catch {
        // Already closing: nothing to do.
      }
    }
    this.#connectionLost();
    const error = reason.byClient
      ? closedError()
      : new RoomlogError({ status: reason.status, code: 'connectionClosed', message: reason.message ?? `connection closed (${reason.status ?? reason.code})` });
    for (const entry of this.#outbox.splice(0)) entry.reject(error);
    for (const create of this.#creates) create.reject(error);
    this.#creates.clear();
    for (const deferred of this.#firstJoins.values()) deferred.reject(error);
    this.#firstJoins.clear();
    for (const room of this.rooms.values()) room._left({ reason: 'closed' });
    this.rooms.clear();
    this.#setState('closed', { reason });
    this.#settleConnectWaiters(error);
  }

  #setState(state, details = {}) {
    this.state = state;
    const payload = { state, ...details };
    this.emit('state', payload);
    this.emit(state, payload);
  }

  #settleConnectWaiters(error) {
    for (const waiter of this.#connectWaiters.splice(0)) {
      if (error) waiter.reject(error);
      else waiter.resolve(this);
    }
  }

  #onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      this.emit('serverMessage', data);
      return;
    }
    if (frame === null || typeof frame !== 'object' || typeof frame.type !== 'string') {
      this.emit('serverMessage', frame);
      return;
    }
    this.emit('frame', frame);
    if (frame.type === 'connected') {
      this.#onConnected(frame);
      return;
    }
    if (frame.type === 'tokenExpiring') {
      this.emit('tokenExpiring', frame);
      this.#refreshToken();
      return;
    }
    const request = frame.requestId !== undefined ? this.#requests.get(frame.requestId) : undefined;
    if (request) {
      this.#requests.delete(frame.requestId);
      request.onAnswer(frame);
      return;
    }
    if (typeof frame.roomId === 'string' && typeof frame.seq === 'number') {
      this.rooms.get(frame.roomId)?._accept(frame);
      return;
    }
    if (frame.type === 'error') {
      this.emit('error', new RoomlogError(frame));
      return;
    }
    this.emit('serverMessage', frame);
  }

  #onConnected(frame) {
    this.connectionId = frame.connectionId;
    this.#ownConnectionIds.add(frame.connectionId);
    this.#failures = 0;
    this.#sendPausedUntil = 0;
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    this.#setState('connected', { connectionId: frame.connectionId, reconnected });
    this.#settleConnectWaiters(null);
    // Rejoin first, then resend (PROTOCOL.md, Retries): a retried send then finds its original.
    for (const room of this.rooms.values()) {
      if (room.state !== 'left') this.#sendJoin(room);
    }
    for (const create of this.#creates) this.#sendCreate(create);
    this.#pump();
  }

  #request(body, handlers) {
    const requestId = `c${++this.#nextRequestId}`;
    this.#requests.set(requestId, handlers);
    try {
      this.#socket.send(JSON.stringify({ ...body, requestId }));
    } catch {
      // The socket is closing; its close event gives the request back (onLost).
    }
    return requestId;
  }

  #rejoin(room) {
    if (room.state === 'left') return;
    room.state = 'rejoining';
    if (this.state === 'connected') this.#sendJoin(room);
  }

  #sendJoin(room) {
    const afterSeq = room._everJoined ? room.lastSeq : room._requestedAfterSeq;
    if (room.state === 'joined') room.state = 'rejoining';
    const body = { action: 'joinRoom', roomId: room.id };
    if (room.username !== undefined) body.username = room.username;
    if (afterSeq !== undefined) body.afterSeq = afterSeq;
    this.#request(body, {
      onAnswer: (frame) => {
        if (frame.type === 'joined') {
          room._joined(frame, afterSeq);
          this.#firstJoins.get(room.id)?.resolve(room);
          this.#firstJoins.delete(room.id);
          // After the resolve: the application's then/await runs first and attaches listeners.
          queueMicrotask(() => room._release());
          this.#pump();
        } else {
          this.#joinRefused(room, frame, afterSeq);
        }
      },
    });
  }

  #joinRefused(room, frame, afterSeq) {
    if (frame.status === 410 && frame.oldestSeq !== undefined) {
      room._gap(frame, afterSeq ?? 0);
      // Rejoin from the oldest event still kept: what is left of the gap is delivered.
      room._requestedAfterSeq = room.lastSeq;
      this.#sendJoin(room);
    } else if (frame.retryAfterMs !== undefined && (frame.status === 429 || frame.status === 503)) {
      this.#pauseFor(frame, 'joinRoom');
      const socket = this.#socket;
      setTimeout(() => {
        if (this.#socket === socket && this.state === 'connected' && room.state !== 'left') this.#sendJoin(room);
      }, frame.retryAfterMs);
    } else if (frame.code === 'alreadyMember') {
      room.state = 'joined';
      room._everJoined = true;
      this._resume(room);
      this.#pump();
    } else {
      const error = new RoomlogError(frame);
      const first = this.#firstJoins.get(room.id);
      if (first) {
        this.#firstJoins.delete(room.id);
        this.rooms.delete(room.id);
        room.state = 'left';
        first.reject(error);
      } else {
        this.#roomGone(room, { reason: 'rejoinRefused', error });
      }
    }
  }

  #sendCreate(create) {
    const body = { action: 'createRoom', clientMsgId: create.clientMsgId };
    if (create.username !== undefined) body.username = create.username;
    if (create.roomId !== undefined) body.roomId = create.roomId;
    if (create.isPrivate) body.private = true;
    this.#request(body, {
      onAnswer: (frame) => {
        if (frame.type === 'roomCreated') {
          this.#creates.delete(create);
          const room = new Room(this, frame.roomId, create.username);
          room._created(frame);
          this.rooms.set(room.id, room);
          create.resolve(room);
        } else if (frame.retryAfterMs !== undefined && (frame.status === 429 || frame.status === 503)) {
          this.#pauseFor(frame, 'createRoom');
          const socket = this.#socket;
          setTimeout(() => {
            if (this.#socket === socket && this.#creates.has(create)) this.#sendCreate(create);
          }, frame.retryAfterMs);
        } else {
          this.#creates.delete(create);
          create.reject(new RoomlogError(frame));
        }
      },
    });
  }

  /** Sends what waits in the outbox, in order, at most maxInFlightSends at a time. */
  #pump() {
    if (this.state !== 'connected' || this.#pumpTimer) return;
    const wait = this.#sendPausedUntil - Date.now();
    if (wait > 0) {
      this.#pumpTimer = setTimeout(() => {
        this.#pumpTimer = null;
        this.#pump();
      }, wait);
      return;
    }
    let inFlight = this.#outbox.filter((e) => e.requestId !== null).length;
    for (const entry of this.#outbox) {
      if (inFlight >= this.#sendWindow) break;
      if (entry.requestId !== null || entry.room.state !== 'joined') continue;
      inFlight++;
      entry.requestId = this.#request(
        { action: 'sendMessage', roomId: entry.room.id, text: entry.text, clientMsgId: entry.clientMsgId },
        { onAnswer: (frame) => this.#sendAnswered(entry, frame), onLost: () => (entry.requestId = null) },
      );
    }
  }

  #sendAnswered(entry, frame) {
    entry.requestId = null;
    if (frame.type === 'message') {
      this.#sendWindow = Math.min(this.#options.maxInFlightSends, this.#sendWindow + 1);
      this.#outbox.splice(this.#outbox.indexOf(entry), 1);
      entry.room._accept(frame);
      entry.resolve(frame.seq);
    } else if (frame.retryAfterMs !== undefined && (frame.status === 429 || frame.status === 503)) {
      // Kept in the outbox: sent again, with its clientMsgId, once the server's wait is over.
      this.#pauseFor(frame, 'sendMessage');
      if (frame.code === 'staleGateway') this.#socket?.close(4000, 'staleGateway: reconnecting');
    } else if (frame.code === 'notMember' && entry.room.state === 'joined') {
      this.#rejoin(entry.room);
    } else {
      this.#outbox.splice(this.#outbox.indexOf(entry), 1);
      entry.reject(new RoomlogError(frame));
    }
    this.#pump();
  }

  #pauseFor(frame, action) {
    this.#sendPausedUntil = Math.max(this.#sendPausedUntil, Date.now() + frame.retryAfterMs);
    if (action === 'sendMessage') this.#sendWindow = 1;
    this.emit('backoff', { action, status: frame.status, code: frame.code, retryAfterMs: frame.retryAfterMs });
  }

  #roomGone(room, reason) {
    this.#firstJoins.delete(room.id);
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
    const error = RoomlogError.local('roomLeft', `not in room '${room.id}' any more (${reason.reason})`);
    this.#outbox = this.#outbox.filter((entry) => {
      if (entry.room !== room) return true;
      entry.reject(error);
      return false;
    });
    room._left(reason);
  }

  async #refreshToken() {
    if (!this.#options.getToken) return;
    const socket = this.#socket;
    let token;
    try {
      token = await this.#options.getToken();
    } catch (error) {
      this.emit('error', error);
      return;
    }
    if (socket !== this.#socket || this.state !== 'connected') return;
    this.#request(
      { action: 'refresh', token },
      {
        onAnswer: (frame) => {
          if (frame.type === 'refreshed') {
            this.emit('tokenRefreshed', frame);
          } else if (frame.retryAfterMs !== undefined) {
            setTimeout(() => this.#refreshToken(), frame.retryAfterMs);
          } else {
            // The connection ends at the old token's exp (4001); the reconnect asks getToken() again.
            this.emit('error', new RoomlogError(frame));
          }
        },
      },
    );
  }

  #randomId() {
    if (this.#options.randomId) return this.#options.randomId();
    const crypto = globalThis.crypto;
    if (crypto?.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context (https or localhost); getRandomValues does not.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function withToken(url, token) {
  if (!token) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('token', token);
  return parsed.toString();
}

function defer() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits (e.g. a send's after close()) must not crash Node.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function closedError() {
  return RoomlogError.local('clientClosed', 'the client was closed');
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
