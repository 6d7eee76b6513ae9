package dev.roomlog.protocol.frame;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.roomlog.protocol.Json;
import java.util.List;
import java.util.Objects;

/**
 * What the server sends to a client, one JSON text frame each; the field {@code type} names
 * the variant. Frames that answer a request carry its {@code requestId} (null fields are left
 * out of the JSON).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerFrame.Connected.class, name = "connected"),
  @JsonSubTypes.Type(value = ServerFrame.RoomCreated.class, name = "roomCreated"),
  @JsonSubTypes.Type(value = ServerFrame.Joined.class, name = "joined"),
  @JsonSubTypes.Type(value = ServerFrame.MemberJoined.class, name = "memberJoined"),
  @JsonSubTypes.Type(value = ServerFrame.MemberLeft.class, name = "memberLeft"),
  @JsonSubTypes.Type(value = ServerFrame.Left.class, name = "left"),
  @JsonSubTypes.Type(value = ServerFrame.Message.class, name = "message"),
  @JsonSubTypes.Type(value = ServerFrame.ErrorFrame.class, name = "error"),
})
public sealed interface ServerFrame {

  /** This frame as the JSON text that goes on the wire. */
  default String toJson() {
    return Json.write(this);
  }

  /** A member as other clients see it. */
  record MemberView(String connectionId, String username) {}

  /** The first frame on every connection: tells the client the id the gateway gave it. */
  record Connected(String connectionId) implements ServerFrame {
    public Connected {
      Objects.requireNonNull(connectionId, "connectionId");
    }
  }

  /** Answers createRoom: the room exists and its creator is its first member. */
  record RoomCreated(String roomId, long seq, List<MemberView> members, String requestId)
      implements ServerFrame {
    public RoomCreated {
      members = List.copyOf(members);
    }
  }

  /** Answers joinRoom: who is there, the room's current seq, and its recent messages. */
  record Joined(
      String roomId, long seq, List<MemberView> members, List<Message> history, String requestId)
      implements ServerFrame {
    public Joined {
      members = List.copyOf(members);
      history = List.copyOf(history);
    }
  }

  /** Told to the other members when someone joins. */
  record MemberJoined(String roomId, long seq, String connectionId, String username, long at)
      implements ServerFrame {}

  /** Told to the other members when someone leaves; reason is "left" or "disconnected". */
  record MemberLeft(
      String roomId, long seq, String connectionId, String username, String reason, long at)
      implements ServerFrame {}

  /** Answers leaveRoom. */
  record Left(String roomId, long seq, String requestId) implements ServerFrame {}

  /**
   * A chat message, sent to every member including the sender; only the sender's copy carries
   * the {@code requestId} of its sendMessage.
   */
  record Message(
      String roomId,
      long seq,
      String from,
      String connectionId,
      String text,
      long sentAt,
      String clientMsgId,
      String requestId)
      implements ServerFrame {

    /** The same message as it appears to someone who did not send it (or in history). */
    public Message withoutRequestId() {
      return new Message(roomId, seq, from, connectionId, text, sentAt, clientMsgId, null);
    }
  }

  /**
   * A refusal. The connection stays open. {@code retryAfterMs} is set on 429 and 503 answers
   * when the gateway knows how long to wait; absent (null) otherwise.
   */
  record ErrorFrame(int status, String code, String message, String requestId, Long retryAfterMs)
      implements ServerFrame {
    public ErrorFrame {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }
}
