/**
 * An error of a request: the server's `error` frame (status, code, message and the frame's
 * other fields, e.g. `retryAfterMs` or `oldestSeq`), or one the client decides itself, which
 * then has no `status` (codes `queueFull`, `clientClosed`, `roomLeft`, `notConnected`).
 */
export class RoomlogError extends Error {
  constructor({ status, code, message, ...details }) {
    super(message ?? code);
    this.name = 'RoomlogError';
    this.status = status;
    this.code = code;
    this.details = details;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  /** An error the client makes itself (no HTTP status: nothing came from the server). */
  static local(code, message) {
    return new RoomlogError({ code, message });
  }
}
