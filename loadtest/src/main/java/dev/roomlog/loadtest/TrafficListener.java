package dev.roomlog.loadtest;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns what the connections of a message scenario receive into counts and latencies: room answers
 * go to the {@link RoomSetup}; each copy of a generated message is checked in by its member in the
 * {@link MessageLedger}, and its latency (receipt minus the due send time the text carries)
 * recorded as {@code delivery}, as {@code ack} when the member is the sender, and as {@code
 * lastMember} when it completes the message; error frames are counted by status and code. A copy is
 * settled in the ledger only after it is counted here, so the counts are complete once the ledger
 * has nothing pending. Thread-safe: called by every event loop.
 */
final class TrafficListener implements ConnectionListener {
  static final String ACK = "ack";
  static final String DELIVERY = "delivery";
  static final String LAST_MEMBER = "lastMember";

  /** Request ids of generated messages are this prefix and the message id. */
  static final String MESSAGE_REQUEST_PREFIX = "m";

  private final RoomPlan plan;
  private final MessageLedger ledger;
  private final RoomSetup setup;
  private final RunMetrics metrics;
  private final LatencyRecorder ack;
  private final LatencyRecorder delivery;
  private final LatencyRecorder lastMember;
  private final Map<Integer, Set<String>> ackedTextsByRoom = new ConcurrentHashMap<>();
  private final boolean keepAckedTexts;

  /** Copies received by their senders within the measured window, whichever message. */
  final LongAdder windowAcked = new LongAdder();

  /** Copies received by members within the measured window, whichever message. */
  final LongAdder windowDelivered = new LongAdder();

  /**
   * Non-null when the room is sharded: the latency of this process's last member by message id,
   * which the publishing shard combines with the other shards' into {@code lastMember}.
   */
  private volatile Map<Long, Long> completions;

  private volatile long windowStart = Long.MAX_VALUE;
  private volatile long windowEnd = Long.MAX_VALUE;

  /**
   * @param keepAckedTexts remember the text of every acknowledged message by room (the reconnect
   *     scenario checks them against the history it gets back)
   */
  TrafficListener(
      RoomPlan plan,
      MessageLedger ledger,
      RoomSetup setup,
      RunMetrics metrics,
      boolean keepAckedTexts) {
    this.plan = plan;
    this.ledger = ledger;
    this.setup = setup;
    this.metrics = metrics;
    this.keepAckedTexts = keepAckedTexts;
    this.ack = metrics.latency(ACK);
    this.delivery = metrics.latency(DELIVERY);
    this.lastMember = metrics.latency(LAST_MEMBER);
  }

  /**
   * The measured window, by receipt time. Throughput counts what arrived in it: a server that falls
   * behind shows a lower rate here (and growing latencies), not a backlog drained later.
   */
  void window(long startNanos, long endNanos) {
    windowEnd = endNanos;
    windowStart = startNanos;
  }

  /**
   * From now on, a measured message that reaches the last member here is kept in {@link
   * #completions()} instead of recorded as {@code lastMember}: in a sharded room, the last member
   * here is not the room's last member.
   */
  void collectCompletions() {
    completions = new ConcurrentHashMap<>();
  }

  /** The completions collected since {@link #collectCompletions()}, or an empty map. */
  Map<Long, Long> completions() {
    Map<Long, Long> c = completions;
    return c == null ? Map.of() : Map.copyOf(c);
  }

  @Override
  public void onClosed(WsConnection connection, int closeCode) {
    setup.onClosed(connection, closeCode);
  }

  @Override
  public void onIncoming(WsConnection connection, ChatProtocol.Incoming in, long receivedNanos) {
    if (setup.onAnswer(in, receivedNanos)) {
      return;
    }
    if (in instanceof ChatProtocol.Incoming.Message m) {
      onMessage(connection, m, receivedNanos);
    } else if (in instanceof ChatProtocol.Incoming.Left left
        && left.connectionId() != null
        && left.connectionId().equals(connection.serverId())) {
      // The server took this member out of its room (Roomlog: its gateway was judged lost): the
      // room's later messages will be missing here, and this says why.
      metrics.errors.add(removed(left.reason()));
    } else if (in instanceof ChatProtocol.Incoming.Error e) {
      metrics.errors.add(ErrorCounts.frame(e.status(), e.code()));
      long id = messageId(e.requestId());
      if (id >= 0) {
        ledger.refused(id); // counted by the ledger before the message leaves it
      }
    }
  }

  private void onMessage(
      WsConnection connection, ChatProtocol.Incoming.Message m, long receivedNanos) {
    MessageText.Stamp stamp = MessageText.parse(m.text());
    if (stamp == null) {
      return;
    }
    MessageLedger.Receipt r =
        ledger.received(stamp.id(), plan.slotOf(connection.index()), receivedNanos);
    if (r instanceof MessageLedger.Receipt.First first) {
      try {
        count(connection, m, stamp.id(), first, receivedNanos - stamp.sendNanos(), receivedNanos);
      } finally {
        // Only now may the message leave the ledger: the run reads these counts as soon as
        // nothing is pending.
        ledger.settled(stamp.id());
      }
    } else if (r instanceof MessageLedger.Receipt.Duplicate) {
      metrics.duplicates.increment();
    }
  }

  private void count(
      WsConnection connection,
      ChatProtocol.Incoming.Message m,
      long id,
      MessageLedger.Receipt.First first,
      long latency,
      long receivedNanos) {
    boolean inWindow = receivedNanos >= windowStart && receivedNanos < windowEnd;
    metrics.delivered.increment();
    if (inWindow) {
      windowDelivered.increment();
    }
    if (first.measured()) {
      delivery.record(latency);
    }
    if (first.ack()) {
      metrics.acked.increment();
      if (inWindow) {
        windowAcked.increment();
      }
      if (first.measured()) {
        ack.record(latency);
      }
      if (keepAckedTexts) {
        ackedTextsByRoom
            .computeIfAbsent(plan.roomOf(connection.index()), k -> ConcurrentHashMap.newKeySet())
            .add(m.text());
      }
    }
    if (first.complete() && first.measured()) {
      Map<Long, Long> sharded = completions;
      if (sharded != null) {
        sharded.put(id, latency);
      } else {
        lastMember.record(latency);
      }
    }
  }

  /** The acknowledged texts of a room (empty unless asked to keep them). */
  Set<String> ackedTexts(int room) {
    return ackedTextsByRoom.getOrDefault(room, Set.of());
  }

  /** The error kind of a member the server removed from its room. */
  static String removed(String reason) {
    return "removed from the room: " + (reason == null ? "?" : reason);
  }

  static String messageRequestId(long id) {
    return MESSAGE_REQUEST_PREFIX + id;
  }

  /** The message id in a generated message's request id, or -1. */
  static long messageId(String requestId) {
    if (requestId == null || !requestId.startsWith(MESSAGE_REQUEST_PREFIX)) {
      return -1;
    }
    try {
      return Long.parseLong(requestId, MESSAGE_REQUEST_PREFIX.length(), requestId.length(), 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
