package dev.roomlog.integrations;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What to do with a batch after an answer. Plain Java, time passed in: a 2xx is done; anything else
 * is tried again after the backoff, or after the answer's {@code Retry-After} on a 429 or 503 (at
 * most the backoff's maximum, so a hostile or broken header cannot stall a room for days). A batch
 * read from the log is tried at most {@code inMemoryAttempts} times (or less if the wait asked is
 * longer than {@code maxInMemoryWait}) and then parked in the retry topic, so that its partition's
 * offsets, and the other rooms, move on. A parked batch is tried until its retry period, counted
 * from its first attempt, would be over at the next attempt: then it is a dead letter.
 */
final class RetryDecider {
  private final Backoff backoff;
  private final int inMemoryAttempts;
  private final Duration maxInMemoryWait;

  RetryDecider(Backoff backoff, int inMemoryAttempts, Duration maxInMemoryWait) {
    if (inMemoryAttempts < 1) {
      throw new IllegalArgumentException(
          "inMemoryAttempts must be at least 1, was " + inMemoryAttempts);
    }
    this.backoff = backoff;
    this.inMemoryAttempts = inMemoryAttempts;
    this.maxInMemoryWait = maxInMemoryWait;
  }

  /**
   * @param attempts calls made so far, this one included
   * @param firstAttemptAt when the first of them was made (or the batch parked)
   * @param parked whether the batch came from the retry topic
   * @param retryFor how long its target's calls are retried
   */
  Outcome decide(
      Answer answer,
      int attempts,
      Instant firstAttemptAt,
      boolean parked,
      Duration retryFor,
      Instant now) {
    if (answer.succeeded()) {
      return new Outcome.Done();
    }
    Duration wait = wait(answer, attempts, now);
    if (!parked) {
      if (attempts >= inMemoryAttempts || wait.compareTo(maxInMemoryWait) > 0) {
        return new Outcome.Park();
      }
      return new Outcome.RetryAt(now.plus(wait));
    }
    Instant next = now.plus(wait);
    Instant deadline = firstAttemptAt.plus(retryFor);
    if (next.isAfter(deadline)) {
      return new Outcome.DeadLetter(
          "retried for "
              + Duration.between(firstAttemptAt, now).toSeconds()
              + " s ("
              + attempts
              + " attempts, retry period "
              + retryFor
              + "); last: "
              + answer.error());
    }
    return new Outcome.RetryAt(next);
  }

  /** The wait before the next call: the server's Retry-After where it may say, else the backoff. */
  Duration wait(Answer answer, int attempts, Instant now) {
    if ((answer.status() == 429 || answer.status() == 503) && answer.retryAfter() != null) {
      Duration asked = retryAfter(answer.retryAfter().strip(), now);
      if (asked != null) {
        return asked.compareTo(backoff.max()) > 0 ? backoff.max() : asked;
      }
    }
    return backoff.after(attempts);
  }

  /** RFC 9110's Retry-After: delay-seconds or an HTTP date; null if it is neither. */
  static Duration retryAfter(String value, Instant now) {
    try {
      long seconds = Long.parseLong(value);
      return Duration.ofSeconds(Math.max(0, seconds));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }
}
