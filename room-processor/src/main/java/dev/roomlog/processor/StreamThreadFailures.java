package dev.roomlog.processor;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What to do when a stream thread dies: replace it, or shut the processor down. Pure: the time is
 * passed in.
 *
 * <p>A failure whose root cause is Kafka's (a transaction in an invalid state after a broker froze,
 * a timeout, a fenced producer Streams did not absorb) is transient: a new thread re-initialises
 * its tasks from the committed state, and exactly-once means nothing the dead thread had not
 * committed took effect. Any other root cause (a bug in the room logic, a record it cannot apply)
 * is deterministic: a new thread would fail on the same record, so the processor shuts down and its
 * process exits for a supervisor, and a person, to look at it. So does a run of transient failures:
 * more than {@code maxReplacements} within {@code windowMs}. Not thread-safe; {@link RoomProcessor}
 * calls it under a lock.
 */
final class StreamThreadFailures {
  private final int maxReplacements;
  private final long windowMs;
  private final Deque<Long> replacements = new ArrayDeque<>();

  StreamThreadFailures(int maxReplacements, long windowMs) {
    if (maxReplacements < 0 || windowMs < 1) {
      throw new IllegalArgumentException(
          "maxReplacements must be >= 0 and windowMs >= 1, got "
              + maxReplacements
              + ", "
              + windowMs);
    }
    this.maxReplacements = maxReplacements;
    this.windowMs = windowMs;
  }

  StreamThreadExceptionResponse onFailure(Throwable failure, long nowMs) {
    // Another instance joined with this one's instance id: a new thread would fence it in turn.
    if (!isKafkaFailure(failure) || rootCause(failure) instanceof FencedInstanceIdException) {
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    while (!replacements.isEmpty() && replacements.peekFirst() <= nowMs - windowMs) {
      replacements.removeFirst();
    }
    if (replacements.size() >= maxReplacements) {
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacements.addLast(nowMs);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** Whether the deepest cause is one of Kafka's own errors (not Streams' wrapper of ours). */
  static boolean isKafkaFailure(Throwable failure) {
    Throwable root = rootCause(failure);
    return root instanceof KafkaException && !(root instanceof StreamsException);
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
