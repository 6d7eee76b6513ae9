package dev.roomlog.integrations;

import java.time.Instant;

/** What to do with a batch after an answer: {@link RetryDecider} decides, the loop does it. */
sealed interface Outcome {
  /** Delivered: its offsets may be committed. */
  record Done() implements Outcome {}

  /** Call again, not before {@code at}; the batch keeps its place at the head of its lane. */
  record RetryAt(Instant at) implements Outcome {}

  /** The in-memory budget is spent: write it (and its lane's followers) to the retry topic. */
  record Park() implements Outcome {}

  /** The retry period is over: write it to the dead-letter topic with {@code reason}. */
  record DeadLetter(String reason) implements Outcome {}
}
