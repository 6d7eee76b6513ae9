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
 * commitIntervalUnderLoadMs}) and this pacer asks for commits while the actions it sees are fresh:
 * a fresh action after a quiet spell (appended a short interval, {@code commitIntervalMs}, or more
 * after the thread's fresh actions before it) is committed at once, at the end of the records the
 * thread has in hand (Kafka Streams commits a requested commit after its current processing loop),
 * so a lone action does not wait an interval for nothing; in a stream of actions, the first starts
 * a timer of one short interval and the actions until it fires share its commit. (Measured the
 * other way, at most one ask per interval counted from the last ask, a loaded machine committed
 * more often and answered slower: docs/BENCHMARKS.md.) "Behind" is read from the actions
 * themselves: one that waited in the log longer than the long interval (its append time to its
 * processing) means a backlog, which a long commit drains faster than a short one.
 *
 * <p>One pacer per stream thread, shared by the thread's tasks (their stages), since a commit is
 * the thread's: Kafka Streams commits all of a thread's tasks in one transaction. So while a timer
 * is pending no other is started, whichever of the thread's tasks sees the next action. Plain
 * logic: the stage turns {@link #afterAction}'s answer into {@code context.commit()} or a one-shot
 * wall-clock punctuation, and {@link #timerFired} into {@code context.commit()}.
 *
 * <p>Not thread-safe: used only on its stream thread. Whatever goes wrong with a timer (its task
 * closed, moved, or its punctuation lost), the worst case is an answer that waits for the long
 * interval: a timer that has not fired after two short intervals is forgotten.
 */
final class CommitPacing {
  private final long intervalMs;
  private final long underLoadIntervalMs;

  /** {@link #afterAction}'s answer when no commit is to be asked for. */
  static final long NO_COMMIT = -1;

  /** {@link #afterAction}'s answer when the commit is to be asked for now. */
  static final long COMMIT_NOW = 0;

  /** Who holds the pending timer, and since when; null when none. */
  private Object timerOwner;

  private long timerSince;

  /**
   * The latest append time of the fresh actions this thread processed; long ago at first. Append
   * times, not processing times: while the thread is busy (a commit), actions still arrive close
   * together, and must not each look like the first after a quiet spell.
   */
  private long lastAppendedMs = Long.MIN_VALUE / 2;

  /**
   * @param intervalMs the quiet spell after which an action is committed at once, and the timer of
   *     an action in a stream
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

  /**
   * An action appended to the log at {@code appendedAtMs} was just processed by {@code stage} at
   * {@code nowMs}. The answer: {@link #NO_COMMIT} (the action means a backlog, or a timer of this
   * thread is pending and its commit will carry the action); {@link #COMMIT_NOW} (the stage asks
   * for the commit now: the action came after a quiet spell, appended an interval or more after the
   * fresh actions before it); or the interval, after which {@code stage} asks for it (a timer),
   * calling {@link #timerFired} when it fires.
   */
  long afterAction(Object stage, long appendedAtMs, long nowMs) {
    boolean behind = nowMs - appendedAtMs > underLoadIntervalMs;
    if (behind) {
      return NO_COMMIT;
    }
    boolean quiet = appendedAtMs - lastAppendedMs >= intervalMs;
    lastAppendedMs = Math.max(lastAppendedMs, appendedAtMs);
    if (timerOwner != null && nowMs - timerSince <= 2 * intervalMs) {
      return NO_COMMIT;
    }
    timerOwner = null; // a forgotten timer, if any
    if (quiet) {
      // Nothing else came for an interval: waiting would gather no other action.
      return COMMIT_NOW;
    }
    timerOwner = stage;
    timerSince = nowMs;
    return intervalMs;
  }

  /** {@code stage}'s timer fired, and the stage asked for the commit. */
  void timerFired(Object stage) {
    if (timerOwner == stage) {
      timerOwner = null;
    }
  }

  /** {@code stage} is closing: a timer it held will not fire. */
  void closed(Object stage) {
    if (timerOwner == stage) {
      timerOwner = null;
    }
  }
}
