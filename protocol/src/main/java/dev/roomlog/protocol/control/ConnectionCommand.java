package dev.roomlog.protocol.control;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.roomlog.protocol.action.Fields;
import java.util.Objects;

/**
 * "Do this to your connection, and answer me": sent by the gateway whose management API was asked,
 * to the gateway that holds the connection.
 *
 * @param requestId the asker's id for this request; the answer carries it
 * @param replyTo the asking gateway's id: the key the answer is written under
 * @param op what to do
 * @param connectionId the connection
 * @param data the text frame to send ({@link Op#SEND} only, else null)
 * @param deadline epoch millis after which the asker has given up: the holder then does nothing, so
 *     a request the asker answered with a timeout never takes effect later
 */
public record ConnectionCommand(
    String requestId, String replyTo, Op op, String connectionId, String data, long deadline)
    implements GatewayControl {

  public enum Op {
    /** Send {@code data} to the connection as a text frame. */
    SEND,
    /** Describe the connection. */
    GET,
    /** Close the connection. */
    DELETE
  }

  public ConnectionCommand {
    Fields.require("requestId", requestId);
    Fields.require("replyTo", replyTo);
    Objects.requireNonNull(op, "op");
    Fields.require("connectionId", connectionId);
    if ((op == Op.SEND) != (data != null)) {
      throw new IllegalArgumentException("data is required by SEND and only by it");
    }
  }

  @JsonIgnore
  @Override
  public String kind() {
    return COMMAND;
  }
}
