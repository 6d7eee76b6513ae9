package dev.roomlog.loadtest;

import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which member has received which sent message. Every message is expected once by each member of
 * its room, its sender included (the sender's copy is its acknowledgement). A message leaves the
 * ledger when every member's copy has been received and {@link #settled} (counted by the caller),
 * or when the server refused it with an error; what is still in the ledger at the end of a run
 * timed out.
 *
 * <p>Leaving the ledger is what ends {@link #awaitNonePending}, after which the run reads its
 * counters: so a copy is settled only once everything it counts for has been counted, and a refusal
 * is counted ({@link #refusedCount}) before the message leaves.
 *
 * <p>Thread-safe: the sending thread calls {@link #sent}, event-loop threads call {@link
 * #received}, {@link #settled} and {@link #refused} concurrently.
 */
final class MessageLedger {
  /** What one receipt was. */
  sealed interface Receipt {
    /**
     * The first copy of this message for this member: the caller counts it, then calls {@link
     * #settled}.
     *
     * @param latencyNanos receipt time minus the message's due send time
     * @param ack the member is the sender
     * @param measured the message was due after the warm-up
     * @param complete this was the last member the message was waiting for
     */
    record First(long latencyNanos, boolean ack, boolean measured, boolean complete)
        implements Receipt {}

    /** A second copy of a message for the same member. */
    record Duplicate() implements Receipt {}

    /** A copy of a message the server had refused (a 503 logUnavailable may still land). */
    record AfterRefusal() implements Receipt {}

    /** Not a message this run sent. */
    record Unknown() implements Receipt {}
  }

  /** What was never received, at the end of a run. */
  record Outstanding(long messages, long deliveries) {}

  private static final Receipt DUPLICATE = new Receipt.Duplicate();
  private static final Receipt AFTER_REFUSAL = new Receipt.AfterRefusal();
  private static final Receipt UNKNOWN = new Receipt.Unknown();

  /** The sender slot of a message no member here sent. */
  private static final int NO_SENDER = -1;

  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final Set<Long> refused = ConcurrentHashMap.newKeySet();
  private final AtomicLong highestSent = new AtomicLong(-1);

  private static final class Pending {
    final long dueNanos;
    final int members;
    final int senderSlot;
    final boolean measured;
    final BitSet got;
    int received;
    int settled;
    boolean refused;

    Pending(long dueNanos, int members, int senderSlot, boolean measured) {
      this.dueNanos = dueNanos;
      this.members = members;
      this.senderSlot = senderSlot;
      this.measured = measured;
      this.got = new BitSet(members);
    }
  }

  /**
   * Records a message about to be sent. Call it before the message goes out, so that no copy can
   * arrive before its entry.
   *
   * @param id unique in the run, and increasing
   * @param members how many members must receive it (the sender included)
   * @param senderSlot the sender's position in its room, {@code 0..members-1}
   */
  void sent(long id, long dueNanos, int members, int senderSlot, boolean measured) {
    if (senderSlot < 0 || senderSlot >= members) {
      throw new IllegalArgumentException(
          "sender slot " + senderSlot + " is not in a room of " + members);
    }
    pending.put(id, new Pending(dueNanos, members, senderSlot, measured));
    highestSent.accumulateAndGet(id, Math::max);
  }

  /**
   * Records a message another process sends: every member here must receive it, and none of them is
   * its sender (a member shard of a sharded room, {@link RoomShards}).
   */
  void expect(long id, long dueNanos, int members, boolean measured) {
    if (members < 1) {
      throw new IllegalArgumentException("a message needs at least one member, got " + members);
    }
    pending.put(id, new Pending(dueNanos, members, NO_SENDER, measured));
    highestSent.accumulateAndGet(id, Math::max);
  }

  /** A copy of message {@code id} reached the member in {@code slot} at {@code nowNanos}. */
  Receipt received(long id, int slot, long nowNanos) {
    Pending p = pending.get(id);
    if (p == null) {
      if (refused.contains(id)) {
        return AFTER_REFUSAL;
      }
      // A sent id that is no longer pending was complete: every member already had it.
      return id >= 0 && id <= highestSent.get() ? DUPLICATE : UNKNOWN;
    }
    boolean complete;
    synchronized (p) {
      if (slot < 0 || slot >= p.members) {
        return UNKNOWN;
      }
      if (p.refused) {
        return AFTER_REFUSAL;
      }
      if (p.got.get(slot)) {
        return DUPLICATE;
      }
      p.got.set(slot);
      p.received++;
      complete = p.received == p.members;
    }
    return new Receipt.First(nowNanos - p.dueNanos, slot == p.senderSlot, p.measured, complete);
  }

  /**
   * The caller has counted a {@link Receipt.First} of message {@code id}: once every member's copy
   * is settled, the message leaves the ledger. Call it once per {@code First}, after the counting,
   * never for other receipts. A message refused meanwhile has left already (a copy can precede a
   * 503 that said it may have been recorded): nothing to do then.
   */
  void settled(long id) {
    Pending p = pending.get(id);
    if (p == null) {
      return;
    }
    boolean done;
    synchronized (p) {
      if (p.refused || p.settled == p.received) {
        return;
      }
      p.settled++;
      done = p.settled == p.members;
    }
    if (done) {
      leave(id);
    }
  }

  /**
   * The server answered message {@code id} with an error: no member will get it. It is counted in
   * {@link #refusedCount} before it leaves the ledger.
   *
   * @return false if the id was not pending (not ours, already complete or already refused)
   */
  boolean refused(long id) {
    Pending p = pending.get(id);
    if (p == null) {
      return false;
    }
    synchronized (p) {
      if (p.refused || p.received == p.members) {
        return false;
      }
      p.refused = true;
    }
    refused.add(id);
    leave(id);
    return true;
  }

  /** The messages the server refused. */
  long refusedCount() {
    return refused.size();
  }

  /** The ids of the messages the server refused. */
  Set<Long> refusedIds() {
    return Set.copyOf(refused);
  }

  /** The ids of the messages {@link #outstanding} counts. */
  Set<Long> outstandingIds() {
    Set<Long> ids = new TreeSet<>();
    pending.forEach(
        (id, p) -> {
          synchronized (p) {
            if (!p.refused && p.received < p.members) {
              ids.add(id);
            }
          }
        });
    return ids;
  }

  private void leave(long id) {
    pending.remove(id);
    synchronized (this) {
      if (pending.isEmpty()) {
        notifyAll();
      }
    }
  }

  int pendingCount() {
    return pending.size();
  }

  /**
   * Waits until no message is pending, or until the deadline.
   *
   * @return true if none is pending
   */
  synchronized boolean awaitNonePending(long deadlineNanos) throws InterruptedException {
    while (!pending.isEmpty()) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      // Bounded waits: a receipt that empties the map between the check and the wait still
      // notifies, but the bound keeps a missed wake-up from costing more than a moment.
      wait(Math.max(1, Math.min(left / 1_000_000, 100)));
    }
    return true;
  }

  /**
   * The messages still pending, and how many member copies they lack; a message whose copies have
   * all arrived (and are being counted) is not outstanding.
   */
  Outstanding outstanding() {
    long messages = 0;
    long deliveries = 0;
    for (Pending p : pending.values()) {
      synchronized (p) {
        if (p.refused || p.received == p.members) {
          continue;
        }
        messages++;
        deliveries += p.members - p.received;
      }
    }
    return new Outstanding(messages, deliveries);
  }
}
