package dev.roomlog.loadtest;

/**
 * What a scenario is told about its connections. Called on the connection's event-loop thread:
 * implementations must be thread-safe across connections and must not block.
 */
interface ConnectionListener {
  /** A frame arrived on an open connection, already parsed by the run's protocol. */
  void onIncoming(WsConnection connection, ChatProtocol.Incoming incoming, long receivedNanos);

  /**
   * The connection is gone. {@code closeCode} is the server's close code, or -1 when the socket
   * closed without one (a drop, or our own close).
   */
  default void onClosed(WsConnection connection, int closeCode) {}
}
