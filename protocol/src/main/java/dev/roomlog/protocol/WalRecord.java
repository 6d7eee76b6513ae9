package dev.roomlog.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.text.WellFormed;
import java.util.Objects;

/**
 * One record of the write-ahead log ({@link Topics#ACTIONS}): the client's action as sent, plus the
 * gateway's {@code requestContext}. On the wire the action's fields stay at the top level, as in
 * the API Gateway mapping template, e.g.
 *
 * <pre>{"action":"sendMessage","roomId":"lobby","text":"hi","requestContext":{...}}</pre>
 */
public record WalRecord(Action action, RequestContext requestContext) {
  private static final String CONTEXT_FIELD = "requestContext";

  public WalRecord {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(requestContext, "requestContext");
  }

  public String connectionId() {
    return requestContext.connectionId();
  }

  /**
   * The record's key in the log. A room action is keyed by its room, so that a room's order is the
   * log's order: a replay, or a processor catching up after downtime, applies a room's actions in
   * exactly the order they were first applied. A heartbeat is keyed by its gateway; {@code
   * $connect} and {@code $disconnect} by their connection.
   */
  public String key() {
    if (action instanceof Action.RoomAction room) {
      if (room.roomId() == null) {
        throw new IllegalStateException("a room action must name its room before it is written");
      }
      return room.roomId();
    }
    if (action instanceof Action.Heartbeat) {
      return requestContext.gatewayId();
    }
    return requestContext.connectionId();
  }

  /**
   * Whether the record is written once to every partition of the log rather than to its key's
   * partition: the facts that concern every room, wherever it lives.
   */
  public boolean toEveryPartition() {
    return action instanceof Action.Disconnect || action instanceof Action.Heartbeat;
  }

  @JsonValue
  ObjectNode toJson() {
    ObjectNode node = Json.MAPPER.valueToTree(action);
    node.set(CONTEXT_FIELD, Json.MAPPER.valueToTree(requestContext));
    return node;
  }

  /**
   * Reads a record of the log. Refuses one with an unpaired surrogate in any string (the gateway
   * refuses those in client frames; an older gateway or a foreign writer may have written one),
   * because its answer could not be encoded: decoding is where a reader finds out, not the write of
   * the answer, half-way through applying it.
   */
  @JsonCreator
  static WalRecord fromJson(ObjectNode node) throws JsonProcessingException {
    WellFormed.firstIllFormed(node)
        .ifPresent(
            at -> {
              throw new IllegalArgumentException(
                  "a WAL record's strings must be well-formed Unicode; unpaired surrogate at "
                      + at);
            });
    JsonNode context = node.remove(CONTEXT_FIELD);
    if (context == null) {
      throw new IllegalArgumentException("a WAL record needs a requestContext");
    }
    return new WalRecord(
        Json.MAPPER.treeToValue(node, Action.class),
        Json.MAPPER.treeToValue(context, RequestContext.class));
  }
}
