package dev.roomlog.processor;

import java.util.Objects;

/** One connection that a frame is for, and the gateway node that holds it. */
record Recipient(String connectionId, String gatewayId) {
  Recipient {
    Objects.requireNonNull(connectionId, "connectionId");
    Objects.requireNonNull(gatewayId, "gatewayId");
  }
}
