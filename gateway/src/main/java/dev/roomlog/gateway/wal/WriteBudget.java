package dev.roomlog.gateway.wal;

import dev.roomlog.gateway.settings.GatewaySettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@code logWriteTimeout} (W) is split so that each client action's callback comes within W. A
 * client action may wait in the appender's queue (behind sends that block), then block in {@code
 * send} (max.block.ms), then wait for Kafka (delivery.timeout.ms, which counts from when send
 * returns and covers retries):
 *
 * <ul>
 *   <li>{@code delivery} = W/2, with request.timeout.ms = delivery - linger.ms (at most Kafka's
 *       default 30 s), as the producer requires;
 *   <li>{@code maxBlock} = W/4;
 *   <li>{@code queue} = the rest (about W/4): an action the writer takes after it waited longer is
 *       failed without being sent, since it could no longer be sent and acknowledged in time.
 * </ul>
 *
 * Those keep the producer's own timeouts inside W, but the writer is one thread: behind a run of
 * lifecycle records whose sends each block for max.block.ms (a full producer buffer), an action can
 * wait far longer than {@code queue} before the writer even looks at it. So the deadline does not
 * depend on the writer: every {@code sweep} (W/10) a thread of its own ({@link DeadlineSweep})
 * fails each client action unsettled for {@code W - sweep} or more, wherever it is (queued, blocked
 * in send, or sent), so each is settled before W. One the sweep fails while it is queued is never
 * sent (it is then past {@code queue}, so the writer fails it unsent, which settles nothing twice);
 * one already handed to the producer may still land, which the client's 503 says.
 *
 * <p>Lifecycle records are never failed for waiting: no client waits for their answer, and a {@code
 * $disconnect} that is not written leaves a ghost member.
 *
 * <p>Plain arithmetic on durations, no Kafka type: {@link WalProducerConfig} turns it into producer
 * properties.
 */
record WriteBudget(
    Duration queue, Duration maxBlock, Duration delivery, Duration request, Duration sweep) {
  static final Duration MIN_LOG_WRITE_TIMEOUT = Duration.ofSeconds(1);

  /** The producer's linger.ms: part of the split, since request.timeout.ms = delivery - linger. */
  static final int LINGER_MS = 5;

  private static final long MAX_REQUEST_TIMEOUT_MS = 30_000;

  /**
   * @throws IllegalArgumentException if {@code logWriteTimeout} is under {@link
   *     #MIN_LOG_WRITE_TIMEOUT}, naming the setting
   */
  static WriteBudget of(Duration logWriteTimeout) {
    Objects.requireNonNull(logWriteTimeout, GatewaySettings.LOG_WRITE_TIMEOUT);
    if (logWriteTimeout.compareTo(MIN_LOG_WRITE_TIMEOUT) < 0) {
      throw new IllegalArgumentException(
          GatewaySettings.LOG_WRITE_TIMEOUT
              + " must be at least "
              + MIN_LOG_WRITE_TIMEOUT.toMillis()
              + " ms (the Kafka producer's request timeout is derived from it), was "
              + logWriteTimeout.toMillis()
              + " ms");
    }
    long total = logWriteTimeout.toMillis();
    long delivery = total / 2;
    long maxBlock = total / 4;
    long queue = total - delivery - maxBlock;
    long request = Math.min(MAX_REQUEST_TIMEOUT_MS, delivery - LINGER_MS);
    return new WriteBudget(
        Duration.ofMillis(queue),
        Duration.ofMillis(maxBlock),
        Duration.ofMillis(delivery),
        Duration.ofMillis(request),
        Duration.ofMillis(total / 10));
  }

  /**
   * How long an action may be expected to wait for the writer and still be admitted: {@code
   * maxLogQueueWait}, but never more than half the {@link #queue()} budget, past which the writer
   * would fail it unsent. Half, because the expected wait is an estimate: on a busy two-core
   * machine, actions admitted at a limit equal to the budget waited up to 2.8 times the estimate
   * (issue 18's reproduction), and each of those is a client told logUnavailable seconds late.
   */
  Duration admissionLimit(Duration maxLogQueueWait) {
    Objects.requireNonNull(maxLogQueueWait, GatewaySettings.MAX_LOG_QUEUE_WAIT);
    Duration half = queue.dividedBy(2);
    return maxLogQueueWait.compareTo(half) < 0 ? maxLogQueueWait : half;
  }

  /** The age at which the sweep fails a client action: W - sweep. */
  Duration overdueAfter() {
    return queue.plus(maxBlock).plus(delivery).minus(sweep);
  }
}
