package dev.roomlog.delivery;

import dev.roomlog.protocol.control.GatewayControl;

/**
 * Where the delivery consumer hands the control messages addressed to this gateway (commands and
 * answers of the management API's {@code /@connections}; see {@link GatewayControl}).
 *
 * <p>Threading: called from the delivery consumer's thread, like {@link ConnectionSink}, so it must
 * not block: every later delivery of this gateway waits behind it.
 */
@FunctionalInterface
public interface ControlSink {
  void accept(GatewayControl message);
}
