package dev.roomlog.loadtest;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one run measured; {@link ResultJson} documents every field as it is written. Counts cover
 * the whole run (warm-up included); rates and latencies only the measured window.
 *
 * @param targetRate messages/s asked for (connections, reconnect: the connect rate)
 * @param achievedRate acknowledgements (senders' own copies) received within the measured window,
 *     per second of it (connections: connections ready per second of opening; reconnect: clients
 *     back in their rooms per second from the drop)
 * @param deliveriesPerSecond copies received by members (senders' own included) within the measured
 *     window, per second of it
 * @param latencyName which of {@code latencies} is the headline: ack, delivery, lastMember, connect
 *     or reconnect
 * @param latencies every latency recorded, in nanoseconds, by name
 * @param figures the scenario's own figures (heap per connection, reconnect time...), flat
 */
record RunResult(
    String scenario,
    String protocol,
    String target,
    Instant startedAt,
    double warmupSeconds,
    double durationSeconds,
    int connections,
    int roomSize,
    int rooms,
    double targetRate,
    double achievedRate,
    double deliveriesPerSecond,
    long sent,
    long acked,
    long delivered,
    long expectedDeliveries,
    long timeouts,
    long missingDeliveries,
    long duplicates,
    Map<String, Long> errors,
    double maxSendLagMs,
    String latencyName,
    Map<String, Histogram> latencies,
    List<ThroughputSample> throughput,
    Map<String, Number> figures) {

  RunResult {
    errors = Collections.unmodifiableMap(new TreeMap<>(errors));
    if (!latencies.containsKey(latencyName)) {
      throw new IllegalArgumentException(
          "headline latency '" + latencyName + "' is not among " + latencies.keySet());
    }
  }

  Histogram headline() {
    return latencies.get(latencyName);
  }

  long errorsTotal() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }
}
