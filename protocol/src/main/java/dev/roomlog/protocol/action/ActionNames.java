package dev.roomlog.protocol.action;

/** The values of the {@code action} field, as clients and the log spell them. */
public final class ActionNames {
  public static final String CREATE_ROOM = "createRoom";
  public static final String JOIN_ROOM = "joinRoom";
  public static final String SEND_MESSAGE = "sendMessage";
  public static final String LEAVE_ROOM = "leaveRoom";
  public static final String RESUME = "resume";
  public static final String CONNECT = "$connect";
  public static final String DISCONNECT = "$disconnect";
  public static final String HEARTBEAT = "$heartbeat";

  /** A message the server posts into a room through the management API; never from a client. */
  public static final String POST_MESSAGE = "$postMessage";

  private ActionNames() {}
}
