package dev.roomlog.gateway.wal;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.RequestContext.EventType;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted record; its callback runs at most once, whoever settles it first (Kafka's callback,
 * the writer, the deadline sweep or close), and settling takes it out of its {@link Settlements}'
 * counts. Made only by {@link Settlements#accept}. Thread-safe: any thread may settle it.
 */
final class PendingRecord {
  private static final Logger log = LoggerFactory.getLogger(PendingRecord.class);

  final WalRecord record;
  final long acceptedAt;

  /** A client action: it has a deadline and is counted apart from lifecycle records. */
  final boolean clientAction;

  private final WalAppender.Callback callback;
  private final Settlements settlements;
  private final AtomicBoolean settled = new AtomicBoolean();

  PendingRecord(
      WalRecord record, WalAppender.Callback callback, long acceptedAt, Settlements settlements) {
    this.record = record;
    this.callback = callback;
    this.acceptedAt = acceptedAt;
    this.settlements = settlements;
    this.clientAction = record.requestContext().eventType() == EventType.MESSAGE;
  }

  void acknowledged() {
    if (settle(true)) {
      try {
        callback.onAcknowledged();
      } catch (RuntimeException e) {
        log.error("a WAL acknowledgement callback threw", e);
      }
    }
  }

  void failed(Exception cause) {
    if (settle(false)) {
      try {
        callback.onFailure(cause);
      } catch (RuntimeException e) {
        log.error("a WAL failure callback threw", e);
      }
    }
  }

  private boolean settle(boolean acknowledged) {
    if (!settled.compareAndSet(false, true)) {
      return false;
    }
    settlements.settled(this, acknowledged);
    return true;
  }
}
