package dev.roomlog.gateway.connection;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.roomlog.protocol.Json;
import java.io.IOException;
import java.util.Set;

/**
 * Which recipients of a frame from the processor it answers, read from the frame itself, once per
 * frame however many recipients it has.
 *
 * <p>The processor answers each room action once, to the connection that sent it: {@code
 * roomCreated}, {@code joined}, {@code resumed}, {@code left}, {@code members} and {@code error} go
 * only to requesters; a {@code message} or {@code userInvited} is the sender's answer when it
 * carries a {@code requestId} (only the requester's copy does). A {@code message} without one is
 * still its sender's answer when it is delivered to the connection it names ({@code connectionId}):
 * the processor never sends a member's message back to it otherwise. What cannot be told is a
 * {@code userInvited} without a {@code requestId}, which is the same frame for the inviter and the
 * members: it answers nobody here, and {@code UnansweredActions}' timeout ends that action.
 *
 * <p>Cost: the first field ({@code type}, which the processor's encoder writes first) decides for
 * every type but those two, which are read to their end without copying their strings.
 *
 * @param charged whether the frame counts in each recipient's answers' budget ({@code
 *     AnswerBudget}): the replies that can be far larger than their request. The sender's copy of
 *     its message is not: it is no larger than the request.
 * @param everyRecipient whether it answers each of its recipients
 * @param sender the one connection it answers otherwise, or null
 */
record FrameAnswers(boolean charged, boolean everyRecipient, String sender) {
  /** A frame that answers nobody: what members are told of others' actions, a backend's frame. */
  static final FrameAnswers NONE = new FrameAnswers(false, false, null);

  private static final FrameAnswers REPLY = new FrameAnswers(true, true, null);
  private static final FrameAnswers OWN_COPY = new FrameAnswers(false, true, null);

  private static final Set<String> REPLY_TYPES =
      Set.of("roomCreated", "joined", "resumed", "left", "error", "members");
  private static final Set<String> COPY_TYPES = Set.of("message", "userInvited");

  /** Whether it answers an action of {@code connectionId}. */
  boolean answers(String connectionId) {
    return everyRecipient || connectionId.equals(sender);
  }

  static FrameAnswers of(String frameJson) {
    try (JsonParser parser = Json.MAPPER.createParser(frameJson)) {
      if (parser.nextToken() != JsonToken.START_OBJECT
          || parser.nextToken() != JsonToken.FIELD_NAME
          || !"type".equals(parser.currentName())
          || parser.nextToken() != JsonToken.VALUE_STRING) {
        return NONE;
      }
      String type = parser.getText();
      if (REPLY_TYPES.contains(type)) {
        return REPLY;
      }
      if (!COPY_TYPES.contains(type)) {
        return NONE;
      }
      String named = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("requestId".equals(field) && value == JsonToken.VALUE_STRING) {
          return OWN_COPY;
        }
        if ("connectionId".equals(field) && value == JsonToken.VALUE_STRING) {
          named = parser.getText();
        }
        parser.skipChildren();
      }
      return named != null && "message".equals(type) ? new FrameAnswers(false, false, named) : NONE;
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }
}
