package dev.roomlog.delivery;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What became of the records the delivery consumer read, counted once here and read by {@link
 * DeliveryMetrics} ({@code roomlog.delivery.records}) and by tests. No Kafka, no meters.
 *
 * <p>Thread-safe: counted on the consumer's thread, read from any.
 */
final class DeliveryCounts {
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong skippedOtherGateway = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private final AtomicLong sinkFailures = new AtomicLong();
  private final AtomicLong controlMessages = new AtomicLong();
  private final AtomicLong membershipChanges = new AtomicLong();

  DeliveryCounts() {}

  void addDelivered() {
    delivered.incrementAndGet();
  }

  void addSkippedOtherGateway() {
    skippedOtherGateway.incrementAndGet();
  }

  void addUnreadable() {
    unreadable.incrementAndGet();
  }

  /** The connection sink or the control sink threw. */
  void addSinkFailure() {
    sinkFailures.incrementAndGet();
  }

  void addControl() {
    controlMessages.incrementAndGet();
  }

  /**
   * A room's members on this gateway changed ({@code Delivery.memberJoined}, {@code memberLeft}).
   */
  void addMembershipChange() {
    membershipChanges.incrementAndGet();
  }

  long membershipChangeCount() {
    return membershipChanges.get();
  }

  long deliveredCount() {
    return delivered.get();
  }

  long skippedOtherGatewayCount() {
    return skippedOtherGateway.get();
  }

  long unreadableCount() {
    return unreadable.get();
  }

  long sinkFailureCount() {
    return sinkFailures.get();
  }

  long controlCount() {
    return controlMessages.get();
  }
}
