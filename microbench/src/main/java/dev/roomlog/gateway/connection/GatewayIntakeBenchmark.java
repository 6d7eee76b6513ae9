package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.Ids;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.microbench.Samples;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.frame.ServerFrame;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Everything the gateway does on a connection's event loop for one client action, {@link
 * Connection#onText}: the rate limits, {@code ActionParser.parse}, an in-flight permit, the request
 * context with a fresh request id ({@link Ids#newId}, from {@code SecureRandom}), and the hand-off
 * to the WAL appender. The appender here acknowledges at once, so the permit is released inline;
 * the real one queues the record for its writer thread.
 *
 * <p>In package {@code dev.roomlog.gateway} because the connection's types are package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GatewayIntakeBenchmark {
  /** High enough that the rate limits always admit; they are still consulted. */
  private static final int UNLIMITED = 1_000_000_000;

  private Connection connection;
  private String sendMessage;
  private long appended;
  private long replies;

  @Setup
  public void openConnection() {
    GatewaySettings settings =
        GatewaySettings.builder(List.of(new ApiKey("bench", "bench-secret")), Samples.GATEWAY_ID)
            .connectionRate(UNLIMITED, UNLIMITED)
            .apiKeyRate(UNLIMITED, UNLIMITED)
            .build();
    WalAppender acknowledgeAtOnce =
        (record, callback) -> {
          appended++;
          callback.onAcknowledged();
          return true;
        };
    ActionIntake intake =
        new ActionIntake(settings, acknowledgeAtOnce, Clock.systemUTC(), Ids::newId);
    connection =
        intake
            .open(
                null,
                "203.0.113.7",
                "roomlog-bench",
                "bench",
                Authorizer.apiKey("bench"),
                (ServerFrame frame) -> replies++,
                refresh -> {
                  throw new IllegalStateException("the benchmark sends no refresh");
                })
            .orElseThrow(() -> new IllegalStateException("the intake refused the connection"));
    sendMessage = Samples.SEND_MESSAGE_JSON;
    // A connection's first record is preceded by its $connect; the benchmark measures the ones
    // after it, so the check sends the sample twice and counts the second.
    connection.onText(sendMessage);
    long before = appended;
    if (connection.onText(sendMessage) != Connection.Verdict.KEEP_OPEN
        || appended != before + 1
        || replies != 0) {
      throw new IllegalStateException("the sample sendMessage was not appended to the log");
    }
  }

  /** One valid sendMessage from the socket's text to the log's queue. */
  @Benchmark
  public Connection.Verdict onTextSendMessage() {
    return connection.onText(sendMessage);
  }

  /** The gateway's request id alone: 12 bytes of SecureRandom in base64url. */
  @Benchmark
  public String newRequestId() {
    return Ids.newId();
  }
}
