package dev.roomlog.processor;

/**
 * When a stream thread's exactly-once transaction commits: soon after an action while the processor
 * keeps up, so that answers wait little, and less often while it is behind, so that the fixed cost
 * of a commit is shared by more actions and the backlog drains.
 *
 * <p>Why: a commit costs a few round trips to the broker and a marker in every partition the
 * transaction wrote, whatever it holds. At Kafka Streams' one commit interval, a short interval
 * gives low latency and spends a loaded processor's time committing (a 10 ms interval took about
 * 1,000 chat messages/s on 2 cores where 100 ms took 1,700: docs/BENCHMARKS.md), and a long one
 * adds its length to every answer. So Kafka Streams runs at the long interval ({@code
 * commitIntervalUnderLoadMs}) and this pacer asks for a commit after the short one ({@code
 * commitIntervalMs}) while the actions it sees are fresh. "Behind" is read from the actions
 * themselves: one that waited in the log longer than the long interval (its append time to its
 * processing) means a backlog, which a long commit drains faster than a short one.
 *
 * <p>One pacer per stream thread, shared by the thread's tasks (their stages), since a commit is
 * the thread's: Kafka Streams commits all of a thread's tasks in one transaction. So at most one
 * early commit is asked for per short interval, by the one stage holding the timer. Plain logic:
 * the stage turns {@link #afterAction}'s answer into a one-shot wall-clock punctuation and {@link
 * #timerFired} into {@code context.commit()}.
 *
 * <p>Not thread-safe: used only on its stream thread. Whatever goes wrong with a timer (its task
 * closed, moved, or its punctuation lost), the worst case is an answer that waits for the long
 * interval: a timer that has not fired after two short intervals is forgotten.
 */
final class CommitPacing {
  private final long intervalMs;
  private final long underLoadIntervalMs;

  /** Who holds the pending timer, and since when; null when none. */
  private Object timerOwner;

  private long timerSince;

  /**
   * @param intervalMs how long after a fresh action its commit is asked for
   * @param underLoadIntervalMs Kafka Streams' own commit interval, and the wait past which an
   *     action means a backlog
   */
  CommitPacing(long intervalMs, long underLoadIntervalMs) {
    if (intervalMs < 1 || underLoadIntervalMs < intervalMs) {
      throw new IllegalArgumentException(
          "expected 1 <= commitIntervalMs <= commitIntervalUnderLoadMs, got "
              + intervalMs
              + " and "
              + underLoadIntervalMs);
    }
    this.intervalMs = intervalMs;
    this.underLoadIntervalMs = underLoadIntervalMs;
  }

  /** The interval after a fresh action before its commit is asked for. */
  long intervalMs() {
    return intervalMs;
  }

  /**
   * An action appended to the log at {@code appendedAtMs} was just processed by {@code stage} at
   * {@code nowMs}. True when {@code stage} should start a timer of {@link #intervalMs} and call
   * {@link #timerFired} when it fires: the action is fresh and no timer of this thread is pending.
   */
  boolean afterAction(Object stage, long appendedAtMs, long nowMs) {
    boolean behind = nowMs - appendedAtMs > underLoadIntervalMs;
    if (behind) {
      return false;
    }
    if (timerOwner != null && nowMs - timerSince <= 2 * intervalMs) {
      return false;
    }
    timerOwner = stage;
    timerSince = nowMs;
    return true;
  }

  /** {@code stage}'s timer fired (or was cancelled): the thread may start another. */
  void timerFired(Object stage) {
    if (timerOwner == stage) {
      timerOwner = null;
    }
  }

  /** {@code stage} is closing: a timer it held will not fire. */
  void closed(Object stage) {
    timerFired(stage);
  }
}
