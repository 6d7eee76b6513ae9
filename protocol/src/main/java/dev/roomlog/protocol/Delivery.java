package dev.roomlog.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import java.util.Objects;

/**
 * One record of {@link Topics#DELIVERIES} (key = gatewayId): what that gateway does next. One of
 * four kinds, told apart by which fields are set:
 *
 * <ul>
 *   <li><b>to connections</b> ({@code connectionIds}, {@code frame}): write the frame to each
 *       listed connection; an answer, or a frame for one member;
 *   <li><b>to a room</b> ({@code roomId}, {@code frame}, optional {@code except}): write the frame
 *       to every member of the room this gateway holds, but {@code except}. The processor writes
 *       one such record per gateway that holds members, whatever the room's size; the gateway knows
 *       its members from the two kinds below;
 *   <li><b>member joined</b> ({@code roomId}, {@code joined}): the connection is now a member;
 *   <li><b>member left</b> ({@code roomId}, {@code left}): the connection is no longer a member.
 * </ul>
 *
 * <p>A gateway's records come in the order the processor decided them (one partition, one key), so
 * the members a gateway knows of a room when a frame to the room arrives are the members the
 * processor sent it to. The frame is already encoded: the processor encodes it once, and the
 * gateway writes the same bytes to every recipient. In the topic it is nested JSON, not an escaped
 * string, so that kafka-console-consumer shows it readably.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Delivery(
    List<String> connectionIds,
    String roomId,
    String except,
    String joined,
    String left,
    @JsonRawValue String frame) {

  public Delivery {
    connectionIds = connectionIds == null ? null : List.copyOf(connectionIds);
    int kinds =
        (connectionIds != null ? 1 : 0)
            + (roomId != null && frame != null ? 1 : 0)
            + (joined != null ? 1 : 0)
            + (left != null ? 1 : 0);
    if (kinds != 1) {
      throw new IllegalArgumentException(
          "a delivery is one of: connectionIds and a frame; a roomId and a frame; a roomId and"
              + " joined; a roomId and left");
    }
    if (connectionIds != null) {
      Objects.requireNonNull(frame, "a delivery to connections needs a frame");
      if (connectionIds.isEmpty()) {
        throw new IllegalArgumentException("a delivery needs at least one connectionId");
      }
    }
    if (joined != null || left != null) {
      Objects.requireNonNull(roomId, "a membership change needs a roomId");
      if (frame != null || except != null) {
        throw new IllegalArgumentException("a membership change carries no frame");
      }
    }
    if (except != null && (roomId == null || frame == null)) {
      throw new IllegalArgumentException("only a delivery to a room leaves a member out");
    }
  }

  /** The frame to each of {@code connectionIds}. */
  public Delivery(List<String> connectionIds, String frame) {
    this(Objects.requireNonNull(connectionIds, "connectionIds"), null, null, null, null, frame);
  }

  public static Delivery of(List<String> connectionIds, ServerFrame frame) {
    return new Delivery(connectionIds, frame.toJson());
  }

  /** The frame to every member of {@code roomId} on the gateway, but {@code except} (nullable). */
  public static Delivery toRoom(String roomId, String except, String frame) {
    return new Delivery(null, Objects.requireNonNull(roomId, "roomId"), except, null, null, frame);
  }

  /** {@code connectionId} is now a member of {@code roomId}. */
  public static Delivery memberJoined(String roomId, String connectionId) {
    return new Delivery(null, roomId, null, connectionId, null, null);
  }

  /** {@code connectionId} is no longer a member of {@code roomId}. */
  public static Delivery memberLeft(String roomId, String connectionId) {
    return new Delivery(null, roomId, null, null, connectionId, null);
  }

  /** Whether this is a frame to the gateway's members of a room. */
  @JsonIgnore
  public boolean isToRoom() {
    return connectionIds == null && frame != null;
  }

  /** Whether this only changes the members of a room (no frame). */
  @JsonIgnore
  public boolean isMembershipChange() {
    return frame == null;
  }

  @JsonCreator
  static Delivery fromJson(
      @JsonProperty("connectionIds") List<String> connectionIds,
      @JsonProperty("roomId") String roomId,
      @JsonProperty("except") String except,
      @JsonProperty("joined") String joined,
      @JsonProperty("left") String left,
      @JsonProperty("frame") JsonNode frame) {
    return new Delivery(
        connectionIds,
        roomId,
        except,
        joined,
        left,
        frame == null || frame.isNull() ? null : frame.toString());
  }
}
