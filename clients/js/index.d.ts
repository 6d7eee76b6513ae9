// Types of roomlog-client (hand-written; the library is plain JavaScript). The frames are those
// of docs/PROTOCOL.md.

export type Listener<T> = (payload: T) => void;

/** on/off/once/emit, the same in browsers and Node. `on` returns a function that removes the listener. */
export declare class Emitter<Events extends Record<string, unknown>> {
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void;
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void;
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this;
  emit<K extends keyof Events>(event: K, payload: Events[K]): boolean;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Why a connection ended or an attempt failed. */
export interface CloseReason {
  /** The WebSocket close code (1006: no close frame, e.g. a refused handshake or a network failure). */
  code?: number;
  reason?: string;
  /** Node only: the HTTP status of a refused handshake (401, 429, 503, ...). */
  status?: number;
  /** Node only: the handshake's Retry-After, in milliseconds. */
  retryAfterMs?: number;
  /** The refusal's text, or why the client gave up. */
  message?: string;
  /** True when close() was called. */
  byClient?: boolean;
  error?: unknown;
}

export interface ClientOptions {
  /** The gateway's WebSocket URL, e.g. `ws://localhost:8080/`. */
  url: string;
  /** A user token (JWT), sent as `?token=`. Use getToken for tokens that expire. */
  token?: string;
  /** Returns a fresh user token: called before every connection attempt and on `tokenExpiring`. */
  getToken?: () => string | Promise<string>;
  /** Node only: an API key, sent as the `x-api-key` header (a browser cannot send headers). */
  apiKey?: string;
  /** Node only: more handshake headers. */
  headers?: Record<string, string>;
  /** The username for createRoom/join when none is given (required with an API key; a token names its user). */
  username?: string;
  /** The WebSocket constructor; default `globalThis.WebSocket` (the Node entry uses `ws`). */
  WebSocket?: unknown;
  /** Node only: options of the `ws` package (`localAddress`, `ca`, `agent`, ...). */
  webSocketOptions?: Record<string, unknown>;
  /** The first reconnect delay step (default 250 ms); it doubles with each failed attempt. */
  initialReconnectDelayMs?: number;
  /** The largest reconnect delay (default 10000 ms). */
  maxReconnectDelayMs?: number;
  /** Failed attempts in a row before the client gives up and closes (default Infinity). */
  maxReconnectAttempts?: number;
  /** Sends waiting to be acknowledged, at most (default 1000); more reject with `queueFull`. */
  maxQueuedSends?: number;
  /** Sends unanswered at once on a connection, at most (default 16). */
  maxInFlightSends?: number;
  /** Makes clientMsgIds (default crypto.randomUUID). */
  randomId?: () => string;
}

export interface ClientEvents {
  [event: string]: unknown;
  state: { state: ConnectionState } & Record<string, unknown>;
  connecting: { state: 'connecting'; attempt: number };
  connected: { state: 'connected'; connectionId: string; reconnected: boolean };
  reconnecting: { state: 'reconnecting'; attempt: number; delayMs: number; reason: CloseReason };
  closed: { state: 'closed'; reason: CloseReason };
  /** The server said to wait (429/503 with retryAfterMs); sends pause that long. */
  backoff: { action: string; status: number; code: string; retryAfterMs: number };
  tokenExpiring: { type: 'tokenExpiring'; expiresAt: number };
  tokenRefreshed: { type: 'refreshed'; expiresAt: number };
  /** An error frame no request waits for, or a failed token refresh. */
  error: RoomlogError | unknown;
  /** A frame the backend sent this connection (POST /@connections/{id}): its JSON, or its text. */
  serverMessage: unknown;
  /** Every JSON frame received, for debugging. */
  frame: ServerFrame;
}

export interface Member {
  connectionId: string;
  username: string;
}

export interface ServerFrame {
  type: string;
  roomId?: string;
  seq?: number;
  requestId?: string;
  [field: string]: unknown;
}

export interface RoomEvent extends ServerFrame {
  roomId: string;
  seq: number;
  /**
   * The seq of the event announced to the room's members before this one, when it is not
   * `seq - 1`: in a room past the server's presence limit, joins and leaves are not announced.
   */
  prevSeq?: number;
  /** On member events and messages: whether it is about one of this client's own connections. */
  self?: boolean;
}

export interface MessageEvent extends RoomEvent {
  type: 'message';
  from: string;
  connectionId: string;
  text: string;
  sentAt: number;
  clientMsgId?: string;
}

export interface MemberJoinedEvent extends RoomEvent {
  type: 'memberJoined';
  connectionId: string;
  username: string;
  at: number;
  /** false on the join that takes the room past the presence limit: the last one announced. */
  presence?: false;
}

export interface MemberLeftEvent extends RoomEvent {
  type: 'memberLeft';
  connectionId: string;
  username: string;
  /** `left`, `disconnected`, `gatewayLost`, `kicked` (take an unknown one as "no longer a member"). */
  reason: string;
  note?: string;
  at: number;
  /** true on the leave that brings the room back within the presence limit: announced again. */
  presence?: true;
}

export interface UserBannedEvent extends RoomEvent {
  type: 'userBanned';
  user: string;
  until: number;
  reason?: string;
  at: number;
}

/** `user` may now join this private room; `invitedBy` is the inviting member's username. */
export interface UserInvitedEvent extends RoomEvent {
  type: 'userInvited';
  user: string;
  invitedBy: string;
  at: number;
}

/** This client joined again after a reconnect, at this seq. */
export interface JoinedEvent extends RoomEvent {
  type: 'joined';
  members: Member[];
  resumed: boolean;
  /** false when the room is past the presence limit (its joins and leaves are not announced). */
  presence?: boolean;
}

/** A page of a room's members (the server's `members` frame). */
export interface MembersPage {
  /** The room's seq when the page was read: later memberJoined/memberLeft events come on top. */
  seq: number;
  memberCount: number;
  members: Member[];
  /** The `after` of the next page; null on the last page. */
  next: number | null;
}

export interface GapEvent {
  roomId: string;
  /** The first seq that will never be delivered. */
  fromSeq: number;
  /** The last seq that will never be delivered. */
  toSeq: number;
  /** The oldest seq the server still kept; delivery goes on from there. */
  oldestSeq: number;
  /** Where the room stands now (the 410's `room`). */
  room?: unknown;
  message?: string;
}

export interface RoomEvents {
  [event: string]: unknown;
  message: MessageEvent;
  memberJoined: MemberJoinedEvent;
  memberLeft: MemberLeftEvent;
  userBanned: UserBannedEvent;
  userInvited: UserInvitedEvent;
  roomCreated: RoomEvent;
  joined: JoinedEvent;
  /** Every event above, in seq order, each seq once. */
  event: RoomEvent;
  gap: GapEvent;
  /** This client is no longer a member: its leave(), a kick, a refused rejoin, or close(). */
  left: { roomId: string; reason: string; note?: string; seq?: number; error?: RoomlogError };
}

export declare class Room extends Emitter<RoomEvents> {
  readonly id: string;
  readonly username: string | undefined;
  /** The seq up to which this room has every event announced to it. */
  readonly lastSeq: number;
  readonly state: 'joining' | 'joined' | 'rejoining' | 'left';
  /** The members this client knows: the join's first page (at most 100), then every join and leave. */
  readonly members: Map<string, Member>;
  /** How many members the room has, as of `lastSeq` (as of the join, in a quiet room). */
  readonly memberCount: number;
  /**
   * false while the room is past the server's presence limit (its join said so, or the
   * `memberJoined` that took it past): its joins and leaves are not announced, so `members` and
   * `memberCount` stay as they were; page `listMembers` for the list. true otherwise, again from
   * the `memberLeft` (`presence: true`) that brings it back within the limit.
   */
  readonly presence: boolean;
  /** The cursor (`after`) of the members the join did not list; null when it listed them all. */
  readonly membersNext: number | null;
  /**
   * A page of the room's members in join order (`limit` 1 to 1000, 100 by default), after the
   * member whose cursor is `after` (from the first without it). Only while joined.
   */
  listMembers(options?: { after?: number | null; limit?: number }): Promise<MembersPage>;
  /** The messages sent with the first join (`joined.history`), oldest first. */
  readonly history: MessageEvent[];
  /** This room's sends not yet acknowledged (sent, or waiting for a connection). */
  readonly pendingSends: number;
  /** Resolves with the message's seq once acknowledged (after reconnects if need be). */
  send(text: string): Promise<number>;
  /** Leaves once earlier sends are settled. */
  leave(): Promise<void>;
  /**
   * Lets a user (a token's `sub`, or a username for API-key clients) into this private room;
   * resolves with the invite's seq. Rejects with 403 `inviteNotAllowed` unless this user created
   * the room or its token grants the room, 409 `roomNotPrivate` for a public room.
   */
  invite(user: string): Promise<number>;
}

export declare class RoomlogClient extends Emitter<ClientEvents> {
  constructor(options: ClientOptions);
  readonly url: string;
  readonly state: ConnectionState;
  readonly connectionId: string | null;
  readonly rooms: Map<string, Room>;
  /** Sends not yet acknowledged, across rooms (at most maxQueuedSends). */
  readonly pendingSends: number;
  /** Resolves once connected; rejects if the client closes first. */
  connect(): Promise<this>;
  /** Closes for good: no reconnect; waiting sends reject with `clientClosed`. */
  close(): void;
  join(roomId: string, options?: { username?: string; afterSeq?: number }): Promise<Room>;
  /** `private: true`: only the creator, its invitees and tokens that grant the room may join. */
  createRoom(options?: { roomId?: string; username?: string; private?: boolean }): Promise<Room>;
}

/** A request's failure: the server's error frame, or one the client decided (no status). */
export declare class RoomlogError extends Error {
  readonly name: 'RoomlogError';
  /** The server's HTTP-like status (400, 403, 404, 409, 410, 413, 429, 500, 503); undefined for the client's own errors. */
  readonly status: number | undefined;
  /** Stable: `roomNotFound`, `fieldTooLong`, ... from the server; `queueFull`, `clientClosed`, `roomLeft`, `connectionClosed` from the client. */
  readonly code: string;
  readonly retryAfterMs?: number;
  /** The error frame's other fields (`oldestSeq`, `room`, `requestId`, ...). */
  readonly details: Record<string, unknown>;
}

export declare function reconnectDelay(
  attempt: number,
  settings: { initialDelayMs: number; maxDelayMs: number },
  retryAfterMs?: number,
  random?: () => number,
): number;

export declare function retryAfterHeaderMs(value: string | undefined | null, now?: number): number | undefined;

/** Node only: `ws` keeping a refused handshake's status and Retry-After. */
export declare const NodeWebSocket: unknown;
