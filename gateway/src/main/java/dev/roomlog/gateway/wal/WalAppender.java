package dev.roomlog.gateway.wal;

import dev.roomlog.gateway.limits.InFlightLimiter;
import dev.roomlog.protocol.WalRecord;

/**
 * Appends records to the write-ahead log ({@code roomlog.actions}), keyed by {@link
 * WalRecord#key()} (the room for room actions), or once to every partition when {@link
 * WalRecord#toEveryPartition()} ({@code $disconnect}, heartbeats).
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #append} never blocks the caller (it is called on Netty event loops).
 *   <li>It returns false, at once and without calling the callback, only when the appender is
 *       closed; the record is then not written. It never refuses a record for lack of room:
 *       bounding how many records wait is the caller's job ({@link InFlightLimiter} for client
 *       actions; {@code $connect}/{@code $disconnect} are at most one each per connection, and new
 *       connections are refused while {@link #acceptingConnections()} is false).
 *   <li>When it returns true, exactly one of the callback's methods is called later, on a thread of
 *       the appender: {@link Callback#onAcknowledged()} once Kafka has acknowledged the record, or
 *       {@link Callback#onFailure(Exception)} if it was not acknowledged (the record may or may not
 *       have been written: a send that timed out can still land).
 *   <li>Accepted records are written in the order they were accepted, per partition: so a
 *       connection's actions on one room keep their order, and its {@code $disconnect} comes after
 *       them on every partition.
 * </ul>
 */
public interface WalAppender {

  boolean append(WalRecord record, Callback callback);

  /**
   * Whether the log can take the {@code $connect} (and later {@code $disconnect}) of one more
   * connection in time. False while too many of those records wait for Kafka: the handshake is then
   * refused with 503 rather than adding to a backlog that only grows while Kafka is down. Never
   * blocks; may be called from any thread. Advisory: {@link #append} still takes every record.
   */
  default boolean acceptingConnections() {
    return true;
  }

  /**
   * Whether a client action appended now would be written in time: false while the appender is so
   * far behind that the action would wait longer than it may before it is even sent. The caller
   * then refuses the action at once (503 {@code overloaded}) instead of appending it, so that the
   * client learns in a moment what it would otherwise learn seconds later as a failure. Never
   * blocks; may be called from any thread. Advisory: {@link #append} still takes every record, and
   * lifecycle records are never refused for it.
   */
  default boolean acceptingActions() {
    return true;
  }

  /**
   * Whether the appender is closed, so that {@link #append} refuses every record. Never blocks; may
   * be called from any thread.
   */
  default boolean isClosed() {
    return false;
  }

  /** Told how an accepted record ended; its methods must be quick and must not block. */
  interface Callback {
    /** Kafka acknowledged the record (acks=all): it is in the log. */
    void onAcknowledged();

    /** Kafka did not acknowledge the record in time, or refused it. */
    void onFailure(Exception cause);
  }
}
