import { Emitter } from './emitter.js';

/**
 * A room this client is in. Events (each payload is the server's frame, see docs/PROTOCOL.md,
 * with `self: true` on member events about one of this client's own connections):
 * `message`, `memberJoined`, `memberLeft`, `userBanned`, `roomCreated`, and `joined` for each
 * (re)join of this client after a reconnect (`resumed: true`); `event` for every one of them, in
 * seq order, each seq once (a room past the server's presence limit skips the seqs of the joins
 * and leaves it does not announce: a frame's `prevSeq` says so); `gap` when the server could not
 * fill a gap (410 resumeTooOld);
 * `left` when this client is no longer a member (its own leave(), a kick, a rejoin refused).
 *
 * The client drives it; the methods and fields starting with `_` are the client's, not the
 * application's.
 */
export class Room extends Emitter {
  #client;

  constructor(client, id, username) {
    super();
    this.#client = client;
    /** The room id. */
    this.id = id;
    /** The username this client joined with (undefined on a token connection: the token's). */
    this.username = username;
    /** The seq up to which this room has every event announced to it (the last delivered, or the seq a join or resume answered). */
    this.lastSeq = 0;
    /** `joining` (first join), `joined`, `rejoining` (after a reconnect), or `left`. */
    this.state = 'joining';
    /**
     * The members as this client knows them, by connection id: `{connectionId, username}`. The
     * server lists the first 100 at a join (a large room has more: see `memberCount` and
     * `listMembers`), then tells every join and leave, unless the room is quiet (`presence`).
     */
    this.members = new Map();
    /** How many members the room has, as of `lastSeq` (of the last join, in a quiet room). */
    this.memberCount = 0;
    /**
     * False while the room is past the server's presence limit (as its join said, or the
     * `memberJoined` that took it past, marked `presence: false`): the server does not announce
     * its joins and leaves, so `members` and `memberCount` stay as they were; page `listMembers`
     * for the list. True otherwise; it turns true again with the `memberLeft` marked `presence:
     * true` that brings the room back within the limit (then `members` is stale: page it).
     */
    this.presence = true;
    /**
     * The cursor of the members the join did not list (`listMembers({after: room.membersNext})`),
     * null when it listed them all.
     */
    this.membersNext = null;
    /** The messages the server sent with the first join (`joined.history`), oldest first. */
    this.history = [];
    this._everJoined = false;
    this._resuming = false;
    // Frames that came ahead of a missing seq (or while a join is in flight), by seq.
    this._ahead = new Map();
  }

  /**
   * Sends a message; resolves with its seq once the server acknowledged it, after reconnects if
   * need be (retried with the same clientMsgId, so it is in the room once). Rejects with a
   * RoomlogError carrying the server's status, code and message.
   */
  send(text) {
    return this.#client._send(this, text);
  }

  /** This room's sends not yet acknowledged (sent or waiting for a connection). */
  get pendingSends() {
    return this.#client._pendingSends(this);
  }

  /**
   * Lets `user` (a token's `sub`, or a username for API-key clients) into this private room;
   * resolves with the invite's seq. Only the room's creator, or a user whose token grants the
   * room, may invite (403 `inviteNotAllowed`).
   */
  invite(user) {
    return this.#client._invite(this, user);
  }

  /**
   * A page of the room's members in join order: resolves with `{seq, memberCount, members, next}`,
   * `next` being the `after` of the following page (null on the last one). Without `after` it
   * starts at the first member; `limit` is 1 to 1000 (100 by default). Only while joined.
   */
  listMembers({ after, limit } = {}) {
    return this.#client._members(this, after, limit);
  }

  /** Leaves the room once the sends made before are settled; resolves when the server said `left`. */
  leave() {
    return this.#client._leave(this);
  }

  /** The answer to this client's createRoom: the room stands at `frame.seq` (the creator's join). */
  _created(frame) {
    this.lastSeq = frame.seq;
    this.#membersFrom(frame);
    this.state = 'joined';
    this._everJoined = true;
  }

  /**
   * The answer to joinRoom. With `afterSeq` the frame's `events` are what happened since; the join
   * itself is the frame's seq, delivered as a `joined` event when it is a rejoin.
   */
  _joined(frame, afterSeq) {
    const rejoin = this._everJoined;
    this.state = 'joined';
    this._everJoined = true;
    if (!rejoin) {
      // The first join: the application gets the Room when join() resolves and attaches its
      // listeners then. The events since afterSeq, and frames that came ahead of the answer,
      // wait for _release(), called just after the resolve, or they would go unheard. The room
      // stands at the join's seq at once.
      this._holding = true;
      this._held = afterSeq === undefined ? [] : [...(frame.events ?? [])];
      if (afterSeq === undefined) this.history = frame.history ?? [];
      this.lastSeq = Math.max(this.lastSeq, frame.seq);
      this.#membersFrom(frame);
      return;
    }
    for (const event of frame.events ?? []) this._accept(event);
    const joined = { ...frame, members: frame.members ?? [], resumed: afterSeq !== undefined };
    delete joined.events;
    delete joined.requestId;
    // The answer's events were everything announced before the join: the join follows them, even
    // where the unannounced joins and leaves of a quiet room skip seqs.
    this._accept(joined, true);
  }

  /** A resume's answer: its events were everything announced up to `seq`, the room's seq then. */
  _resumed(frame) {
    for (const event of frame.events ?? []) this._accept(event);
    if (this.state === 'joined' && !this._holding && frame.seq > this.lastSeq) {
      this.lastSeq = frame.seq;
      this._drain();
    }
  }

  /** Delivers what the first join held back (see _joined), in seq order. */
  _release() {
    if (!this._holding) return;
    this._holding = false;
    const held = this._held;
    this._held = [];
    // Before the join's own seq, which lastSeq already stands at: told, not counted again.
    for (const event of held) this.#emit(event, false);
    this._drain();
    if (this.state === 'joined' && this._ahead.size > 0) this.#client._resume(this);
  }

  /** 410: the events from `afterSeq + 1` to `oldestSeq - 1` are gone; the rejoin starts after them. */
  _gap(frame, afterSeq) {
    const gap = {
      roomId: this.id,
      fromSeq: afterSeq + 1,
      toSeq: frame.oldestSeq - 1,
      oldestSeq: frame.oldestSeq,
      room: frame.room,
      message: frame.message,
    };
    this.lastSeq = Math.max(this.lastSeq, frame.oldestSeq - 1);
    this.emit('gap', gap);
  }

  /**
   * A frame of this room with a seq: delivered if it follows what this room has (`complete`: it
   * does by construction), dropped if it was delivered already, kept for later if it is ahead
   * (then the missing ones are asked for).
   */
  _accept(frame, complete = false) {
    if (frame.seq <= this.lastSeq) return;
    if (this._holding) {
      this._ahead.set(frame.seq, frame);
      return;
    }
    if (this.state !== 'joined' || !(complete || this.#follows(frame))) {
      this._ahead.set(frame.seq, frame);
      if (this.state === 'joined') this.#client._resume(this);
      return;
    }
    this.#deliver(frame);
    this._drain();
  }

  /**
   * Whether nothing announced comes between what this room has and `frame` (docs/PROTOCOL.md,
   * "Frames"): `prevSeq` is the previous announced event's seq, present only when it is not
   * `seq - 1`. A member that joined a quiet room at seq J has J, and the next frame's prevSeq is
   * below it.
   */
  #follows(frame) {
    return (frame.prevSeq ?? frame.seq - 1) <= this.lastSeq;
  }

  _drain() {
    for (const seq of this._ahead.keys()) {
      if (seq <= this.lastSeq) this._ahead.delete(seq);
    }
    while (this.state === 'joined' && !this._holding && this._ahead.size > 0) {
      const next = this._ahead.get(Math.min(...this._ahead.keys()));
      if (!this.#follows(next)) break;
      this._ahead.delete(next.seq);
      this.#deliver(next);
    }
  }

  /** This client is no longer a member: no rejoin, its waiting sends are rejected by the client. */
  _left(reason) {
    if (this.state === 'left') return;
    this.state = 'left';
    this._ahead.clear();
    this.emit('left', { roomId: this.id, ...reason });
  }

  /** The members a roomCreated or joined lists: the first page, the count and the rest's cursor. */
  #membersFrom(frame) {
    this.members = membersOf(frame.members);
    this.memberCount = frame.memberCount ?? this.members.size;
    this.membersNext = frame.membersNext ?? null;
    this.presence = frame.presence !== false;
  }

  #deliver(frame) {
    this.lastSeq = frame.seq;
    this.#emit(frame);
  }

  /** Tells the listeners of `frame`; `current` false for events older than `members` (held). */
  #emit(frame, current = true) {
    const event = { ...frame };
    delete event.requestId;
    switch (frame.type) {
      case 'memberJoined':
        if (current) {
          this.members.set(frame.connectionId, { connectionId: frame.connectionId, username: frame.username });
          this.memberCount += 1;
          // The join that takes the room past the presence limit says so: the last one announced.
          if (frame.presence === false) this.presence = false;
        }
        event.self = this.#client._isOwnConnection(frame.connectionId);
        break;
      case 'memberLeft':
        if (current) {
          this.members.delete(frame.connectionId);
          this.memberCount = Math.max(0, this.memberCount - 1);
          // The leave that brings the room back within the limit: joins and leaves are announced
          // again, but `members` missed the quiet ones: page `listMembers` to refresh it.
          if (frame.presence === true) this.presence = true;
        }
        event.self = this.#client._isOwnConnection(frame.connectionId);
        break;
      case 'joined':
        if (current) this.#membersFrom(frame);
        break;
      case 'message':
        event.self = this.#client._isOwnConnection(frame.connectionId);
        break;
      default:
        break;
    }
    this.emit(frame.type, event);
    this.emit('event', event);
    if (frame.type === 'memberLeft' && frame.connectionId === this.#client.connectionId) {
      // This very connection was taken out of the room (kicked, its gateway declared lost, ...).
      this.#client._removedFromRoom(this, frame);
    }
  }
}

function membersOf(list) {
  return new Map((list ?? []).map((m) => [m.connectionId, { connectionId: m.connectionId, username: m.username }]));
}
