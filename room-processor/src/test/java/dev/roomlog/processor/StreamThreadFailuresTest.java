package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
  private static final StreamThreadExceptionResponse REPLACE =
      StreamThreadExceptionResponse.REPLACE_THREAD;
  private static final StreamThreadExceptionResponse SHUTDOWN =
      StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

  /** As FaultToleranceIT met it: a commit after a broker froze. */
  private static Throwable kafkaFailure() {
    return new StreamsException(
        "Error encountered trying to commit a transaction",
        new InvalidTxnStateException(
            "The producer attempted a transactional operation in an invalid state."));
  }

  @Test
  void aKafkaFailureGetsANewThread() {
    StreamThreadFailures failures = new StreamThreadFailures(5, 600_000);
    assertEquals(REPLACE, failures.onFailure(kafkaFailure(), 0));
    assertEquals(REPLACE, failures.onFailure(new StreamsException(new TimeoutException("t")), 1));
  }

  @Test
  void anotherInstanceWithOurInstanceIdShutsTheProcessorDown() {
    StreamThreadFailures failures = new StreamThreadFailures(5, 600_000);
    Throwable fenced =
        new StreamsException(
            new FencedInstanceIdException(
                "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id."));
    assertEquals(
        SHUTDOWN,
        failures.onFailure(fenced, 0),
        "a new thread would only fence the other one in turn");
  }

  @Test
  void aFailureOfOurOwnLogicShutsTheProcessorDownAtOnce() {
    StreamThreadFailures failures = new StreamThreadFailures(5, 600_000);
    Throwable bug =
        new StreamsException(
            "Exception caught in process",
            new IllegalStateException("room lobby expects seq 5, got 7"));
    assertEquals(SHUTDOWN, failures.onFailure(bug, 0));
    assertEquals(SHUTDOWN, failures.onFailure(new StreamsException("no cause"), 0));
    assertEquals(SHUTDOWN, failures.onFailure(new NullPointerException(), 0));
  }

  @Test
  void replacesAtMostTheLimitWithinTheWindowThenShutsDown() {
    StreamThreadFailures failures = new StreamThreadFailures(3, 1_000);
    assertEquals(REPLACE, failures.onFailure(kafkaFailure(), 0));
    assertEquals(REPLACE, failures.onFailure(kafkaFailure(), 10));
    assertEquals(REPLACE, failures.onFailure(kafkaFailure(), 20));
    assertEquals(SHUTDOWN, failures.onFailure(kafkaFailure(), 999), "a fourth within the window");
  }

  @Test
  void replacementsOlderThanTheWindowNoLongerCount() {
    StreamThreadFailures failures = new StreamThreadFailures(3, 1_000);
    failures.onFailure(kafkaFailure(), 0);
    failures.onFailure(kafkaFailure(), 10);
    failures.onFailure(kafkaFailure(), 20);
    assertEquals(REPLACE, failures.onFailure(kafkaFailure(), 1_000), "the first is a window old");
    assertEquals(SHUTDOWN, failures.onFailure(kafkaFailure(), 1_001));
  }
}
