package dev.roomlog.gateway.management;

import dev.roomlog.protocol.control.GatewayControl;
import java.util.function.Consumer;

/** Sends a control message to a gateway (on the deliveries topic, under that gateway's key). */
interface ControlPublisher {
  /**
   * Sends without blocking for long; {@code onFailure} is called (on another thread) if the message
   * was not written.
   */
  void publish(String gatewayId, GatewayControl message, Consumer<Exception> onFailure);
}
