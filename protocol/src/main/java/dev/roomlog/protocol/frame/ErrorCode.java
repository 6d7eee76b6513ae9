package dev.roomlog.protocol.frame;

/**
 * Every error a client can be answered with: an HTTP-like status and a stable code. The code is the
 * contract (clients switch on it); the message is for people and may change.
 */
public enum ErrorCode {
  BAD_JSON(400, "badJson"),
  UNKNOWN_ACTION(400, "unknownAction"),
  MISSING_FIELD(400, "missingField"),
  INVALID_FIELD(400, "invalidField"),
  /** A {@code refresh} whose token is not valid (bad signature, claims, or form). */
  TOKEN_INVALID(401, "tokenInvalid"),
  /** A {@code refresh} whose token has expired. */
  TOKEN_EXPIRED(401, "tokenExpired"),
  NOT_MEMBER(403, "notMember"),
  /** A {@code refresh} whose token names another {@code sub} than the connection's. */
  REFRESH_SUBJECT_MISMATCH(403, "refreshSubjectMismatch"),
  /** On a token connection: the action names a username other than the token's. */
  USERNAME_NOT_YOURS(403, "usernameNotYours"),
  /** On a token connection: the token's rooms claim does not grant the room. */
  ROOM_NOT_GRANTED(403, "roomNotGranted"),
  /** On a token connection: the token's createRooms claim is false. */
  CREATE_ROOMS_NOT_GRANTED(403, "createRoomsNotGranted"),
  /**
   * The joiner's user is banned from the room (through the management API); carries retryAfterMs,
   * the time until the ban ends.
   */
  BANNED(403, "banned"),
  /**
   * The room is private and the joiner was neither invited nor granted it by its token; nothing of
   * the room is in the answer.
   */
  PRIVATE_ROOM(403, "privateRoom"),
  /** An invite from a member who is neither the room's creator nor granted the room by name. */
  INVITE_NOT_ALLOWED(403, "inviteNotAllowed"),
  ROOM_NOT_FOUND(404, "roomNotFound"),
  ROOM_EXISTS(409, "roomExists"),
  ALREADY_MEMBER(409, "alreadyMember"),
  /** The room has as many members as the processor's --max-room-members allows. */
  ROOM_FULL(409, "roomFull"),
  /** A ban through the management API, when the room already has as many as it keeps. */
  TOO_MANY_BANS(409, "tooManyBans"),
  /** An invite to a room anyone may join. */
  ROOM_NOT_PRIVATE(409, "roomNotPrivate"),
  /** An invite when the room already keeps as many invites as it may. */
  TOO_MANY_INVITES(409, "tooManyInvites"),
  /** The clientMsgId was used before in this room with a different request. */
  CLIENT_MSG_ID_REUSED(409, "clientMsgIdReused"),
  /** afterSeq is older than the room keeps; carries oldestSeq and the room as it stands. */
  RESUME_TOO_OLD(410, "resumeTooOld"),
  FIELD_TOO_LONG(413, "fieldTooLong"),
  /** Sent faster than the connection's or the API key's rate; carries retryAfterMs. */
  RATE_LIMITED(429, "rateLimited"),
  /**
   * The processor could not handle an action the gateway accepted (a record it cannot read, decide
   * or answer): it was set aside in the dead-letter topic, not applied.
   */
  INTERNAL_ERROR(500, "internalError"),
  OVERLOADED(503, "overloaded"),
  LOG_UNAVAILABLE(503, "logUnavailable"),
  /** The action came from a gateway run that has since been replaced (restarted); reconnect. */
  STALE_GATEWAY(503, "staleGateway");

  private final int status;
  private final String code;

  ErrorCode(int status, String code) {
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The error frame for this code, answering {@code requestId} (which may be null). */
  public ServerFrame.ErrorFrame frame(String message, String requestId) {
    return new ServerFrame.ErrorFrame(status, code, message, requestId, null);
  }

  /**
   * The error frame for this code with a hint of how many milliseconds to wait before retrying (for
   * 429 and 503).
   */
  public ServerFrame.ErrorFrame frame(String message, String requestId, long retryAfterMs) {
    if (retryAfterMs < 0) {
      throw new IllegalArgumentException("retryAfterMs must not be negative, was " + retryAfterMs);
    }
    return new ServerFrame.ErrorFrame(status, code, message, requestId, retryAfterMs);
  }
}
