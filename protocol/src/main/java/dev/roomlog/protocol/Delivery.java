package dev.roomlog.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import java.util.Objects;

/**
 * "Send this frame to these connections" ({@link Topics#DELIVERIES}, key = gatewayId). The frame is
 * already encoded: the processor encodes it once, and the gateway writes the same bytes to every
 * listed connection. In the topic it is nested JSON, not an escaped string, so that
 * kafka-console-consumer shows it readably.
 */
public record Delivery(List<String> connectionIds, @JsonRawValue String frame) {
  public Delivery {
    connectionIds = List.copyOf(connectionIds);
    Objects.requireNonNull(frame, "frame");
    if (connectionIds.isEmpty()) {
      throw new IllegalArgumentException("a delivery needs at least one connectionId");
    }
  }

  public static Delivery of(List<String> connectionIds, ServerFrame frame) {
    return new Delivery(connectionIds, frame.toJson());
  }

  @JsonCreator
  static Delivery fromJson(
      @JsonProperty("connectionIds") List<String> connectionIds,
      @JsonProperty("frame") JsonNode frame) {
    Objects.requireNonNull(frame, "a delivery needs a frame");
    return new Delivery(connectionIds, frame.toString());
  }
}
