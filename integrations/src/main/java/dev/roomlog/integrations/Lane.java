package dev.roomlog.integrations;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One ordered stream of calls to one target: one room's events (webhooks), or one connection's
 * actions (routes); {@code laneKey} names the room or the connection. At most one batch is in
 * flight; the batch at the head is frozen when first called, so a retry sends the same events.
 * While the lane has calls parked in the retry topic ({@code parkedOutstanding > 0}), new events
 * must go behind them into the retry topic rather than be called from memory. Plain state, owned by
 * the worker's thread.
 */
final class Lane {
  final String targetId;
  final String laneKey;
  final int partition;
  private final ArrayDeque<Item> waiting = new ArrayDeque<>();
  private List<Item> head;
  private boolean inFlight;
  private Instant notBefore = Instant.MIN;
  private int parkedOutstanding;

  Lane(String targetId, String laneKey, int partition) {
    this.targetId = targetId;
    this.laneKey = laneKey;
    this.partition = partition;
  }

  /** Calls of this lane in the retry topic not yet delivered or given up. */
  boolean parked() {
    return parkedOutstanding > 0;
  }

  void parkedAdded(int n) {
    parkedOutstanding += n;
  }

  void parkedFinished() {
    // Never below zero: a replayed record counted as this worker's own would otherwise unbalance
    // it.
    parkedOutstanding = Math.max(0, parkedOutstanding - 1);
  }

  void add(Item item) {
    waiting.add(item);
  }

  /** Nothing waiting, in flight or parked: the lane can be dropped. */
  boolean idle() {
    return head == null && waiting.isEmpty() && parkedOutstanding == 0;
  }

  /** Whether a call can start now (permits aside). */
  boolean ready(Instant now) {
    if (inFlight) {
      return false;
    }
    if (head != null) {
      return !now.isBefore(notBefore);
    }
    return !waiting.isEmpty();
  }

  /**
   * The head batch, to call now: frozen from the waiting items on first take (at most {@code max},
   * all parked or all fresh, since only fresh ones can be parked as a batch).
   */
  List<Item> take(int max) {
    if (head == null) {
      List<Item> batch = new ArrayList<>();
      boolean parkedBatch = waiting.peek().parked;
      while (!waiting.isEmpty() && batch.size() < max && waiting.peek().parked == parkedBatch) {
        batch.add(waiting.poll());
      }
      head = List.copyOf(batch);
    }
    inFlight = true;
    return head;
  }

  /** The head failed; call it again not before {@code at}. */
  void retryAt(Instant at) {
    inFlight = false;
    notBefore = at;
  }

  /** The head is finished (delivered or dead-lettered): the next items may go. */
  List<Item> finishHead() {
    List<Item> done = head;
    head = null;
    inFlight = false;
    notBefore = Instant.MIN;
    return done;
  }

  /**
   * The head's in-memory budget is spent: it and every fresh item behind it leave for the retry
   * topic, in order, and count as parked.
   */
  List<Item> parkAll() {
    List<Item> out = new ArrayList<>(finishHead());
    out.addAll(waiting);
    waiting.clear();
    parkedOutstanding += out.size();
    return out;
  }

  /** Fresh items held in memory (the buffer that the worker bounds). */
  int freshWaiting() {
    int n = 0;
    for (Item item : waiting) {
      if (!item.parked) {
        n++;
      }
    }
    if (head != null && !head.isEmpty() && !head.get(0).parked) {
      n += head.size();
    }
    return n;
  }
}
