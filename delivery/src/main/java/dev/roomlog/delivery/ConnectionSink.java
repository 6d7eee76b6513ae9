package dev.roomlog.delivery;

import java.util.List;

/**
 * Where the delivery consumer hands each frame addressed to this gateway: in production the
 * gateway's connection registry ({@code registry::deliver}).
 *
 * <p>Threading: called from the delivery consumer's own thread, one record at a time, so an
 * implementation must be thread-safe with respect to the rest of the gateway and must not block for
 * long (every later delivery of this gateway waits behind it). An exception it throws is logged and
 * the next record is delivered.
 */
@FunctionalInterface
public interface ConnectionSink {
  /**
   * Writes {@code frameJson} (one server frame, already encoded as JSON text) to each of the listed
   * connections that still exists on this node; ids of sockets that are gone are skipped.
   */
  void deliver(List<String> connectionIds, String frameJson);
}
