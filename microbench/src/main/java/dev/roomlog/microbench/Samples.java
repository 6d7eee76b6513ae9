package dev.roomlog.microbench;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.frame.ServerFrame;

/**
 * The typical inputs every benchmark shares, so that the figures of different stages describe the
 * same chat message: a sendMessage of a 100-character text, with a client requestId and
 * clientMsgId, as the loadtest's chat scenario sends it.
 */
public final class Samples {
  public static final String ROOM_ID = "room-0042";
  public static final String GATEWAY_ID = "gw-bench-1";
  public static final String SENDER_CONNECTION_ID = "Qk3vX9pL2mN8rT4w";
  public static final String SENDER_USERNAME = "alice";
  public static final long AT = 1_767_225_600_000L;

  /** Exactly 100 characters of ASCII chat, the text of every sample message. */
  public static final String TEXT =
      "Are we still on for the design review at three? "
          + "I moved it to room 4B; bring the latency plots, pls.";

  /** A sendMessage frame as a client sends it (207 bytes). */
  public static final String SEND_MESSAGE_JSON =
      "{\"action\":\"sendMessage\",\"requestId\":\"req-000042\",\"roomId\":\""
          + ROOM_ID
          + "\",\"text\":\""
          + TEXT
          + "\",\"clientMsgId\":\"msg-000042\"}";

  /**
   * The same frame with a BEL character in its text: valid JSON that the parser reads to the end
   * and then refuses (400 invalidField), the most expensive kind of rejection short of a malformed
   * document.
   */
  public static final String SEND_MESSAGE_WITH_CONTROL_CHAR_JSON =
      SEND_MESSAGE_JSON.replace("room 4B", "room \\u00074B");

  /** The frame cut off in the middle of its text: not JSON at all (400 badJson). */
  public static final String TRUNCATED_JSON =
      SEND_MESSAGE_JSON.substring(0, SEND_MESSAGE_JSON.indexOf("design"));

  private Samples() {}

  public static Action.SendMessage sendMessage() {
    return new Action.SendMessage("req-000042", ROOM_ID, TEXT, "msg-000042");
  }

  /** The gateway's context of the sample action, as {@code Connection} builds it. */
  public static RequestContext context(String connectionId, String gatewayId) {
    return new RequestContext(
        "sendMessage",
        EventType.MESSAGE,
        connectionId,
        AT - 60_000,
        AT,
        "Zr8TqW1yHc5bN0sD",
        new Identity("203.0.113.7"),
        gatewayId,
        "run-1",
        null);
  }

  public static WalRecord walRecord() {
    return new WalRecord(sendMessage(), context(SENDER_CONNECTION_ID, GATEWAY_ID));
  }

  /** The message as every member but the sender receives it (no requestId). */
  public static ServerFrame.Message messageFrame() {
    return new ServerFrame.Message(
        ROOM_ID, 61, SENDER_USERNAME, SENDER_CONNECTION_ID, TEXT, AT, "msg-000042", null);
  }
}
