package dev.roomlog.protocol.control;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.roomlog.protocol.action.Fields;

/**
 * The holder's answer to a {@link ConnectionCommand}.
 *
 * @param requestId the command's
 * @param outcome what happened
 * @param info the connection, for a GET that found it; else null
 */
public record CommandAnswer(String requestId, Outcome outcome, ConnectionInfo info)
    implements GatewayControl {

  public enum Outcome {
    /** Done: the frame was handed to the socket, the connection described, or its close begun. */
    DONE,
    /** No such connection on the holder (closed, or never there): API Gateway's 410 Gone. */
    GONE
  }

  public CommandAnswer {
    Fields.require("requestId", requestId);
    if (outcome == null) {
      throw new IllegalArgumentException("outcome is required");
    }
  }

  @JsonIgnore
  @Override
  public String kind() {
    return ANSWER;
  }
}
