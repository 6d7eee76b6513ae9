package dev.roomlog.gateway.metrics;

import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.frame.ServerFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;

/**
 * The gateway's meters, all named {@code roomlog.gateway.*} (Prometheus: {@code
 * roomlog_gateway_*}), in base units. The classes that see something happen call one method here;
 * counts the gateway already keeps (the connection registry, the intake: {@link ConnectionCounts},
 * {@link IntakeCounts}) are read, not copied. It depends on no other gateway package: the parts it
 * reads implement its interfaces. docs/OPERATIONS.md lists every meter.
 *
 * <p>Label values are bounded: action names, stable error codes, HTTP statuses and fixed reason
 * codes, never a client's text.
 *
 * <p>Thread-safe; one instance per gateway node, on the registry the node was given (tests and
 * tools that pass none get a fresh {@code SimpleMeterRegistry} that nobody reads).
 */
public final class GatewayMetrics {
  /** The action type of a message refused before it was parsed, or that is no valid action. */
  public static final String UNKNOWN_TYPE = "unknown";

  /** Outcomes of a client message besides the error codes the client is sent. */
  public static final String APPENDED = "appended";

  public static final String FLOODING = "flooding";
  public static final String SHUTTING_DOWN = "shuttingDown";

  /** Outcomes of a token connection's refresh besides the error codes it may be answered with. */
  public static final String REFRESHED = "refreshed";

  /** The refresh was answered, and the connection then closed with 4003 to take new rights. */
  public static final String RIGHTS_CHANGED = "rightsChanged";

  /** The status label of a socket closed before it could be answered. */
  public static final String NO_STATUS = "none";

  private final MeterRegistry registry;
  // The meters of the hot paths, by their label values (bounded: names, codes, statuses), so
  // that an increment is a map lookup, not a registry lookup with a new builder.
  private final Map<String, Counter> actions = new ConcurrentHashMap<>();
  private final Map<String, Counter> errorFrames = new ConcurrentHashMap<>();
  private final Map<String, Timer> walAppends = new ConcurrentHashMap<>();

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The registry these meters are on. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The counts the connection registry keeps, which the meters read. */
  public interface ConnectionCounts {
    /** Connections open now. */
    int size();

    /** Frames handed to a socket so far. */
    long framesWritten();

    /** Delivery recipients skipped so far because their connection was gone. */
    long unknownRecipients();

    /** Connections closed so far because they did not read their frames. */
    long slowClientsCut();
  }

  /** The count the action intake keeps, which a meter reads. */
  public interface IntakeCounts {
    /** Client actions accepted and not yet acknowledged or failed by Kafka. */
    int inFlight();
  }

  /** Reads the open connections and the delivery counts of {@code connections}. Once per node. */
  public void bindConnections(ConnectionCounts connections) {
    Gauge.builder("roomlog.gateway.connections.open", connections, ConnectionCounts::size)
        .description("WebSocket connections open on this gateway")
        .register(registry);
    FunctionCounter.builder(
            "roomlog.gateway.frames.written", connections, ConnectionCounts::framesWritten)
        .description("Frames from the delivery consumer handed to a socket")
        .register(registry);
    FunctionCounter.builder(
            "roomlog.gateway.unknown.recipients", connections, ConnectionCounts::unknownRecipients)
        .description("Delivery recipients skipped because their connection is no longer here")
        .register(registry);
    FunctionCounter.builder(
            "roomlog.gateway.slow.reader.closes", connections, ConnectionCounts::slowClientsCut)
        .description("Connections closed with 1013 because they did not read their frames")
        .register(registry);
  }

  /** Reads the in-flight actions and the readiness (can the log take new connections?). */
  public void bindIntake(IntakeCounts intake, BooleanSupplier ready) {
    Gauge.builder("roomlog.gateway.actions.in.flight", intake, IntakeCounts::inFlight)
        .description("Client actions accepted and not yet acknowledged or failed by Kafka")
        .register(registry);
    Gauge.builder("roomlog.gateway.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
        .description(
            "1 while /readyz answers 200 (the log takes new connections and the node has room), else 0")
        .register(registry);
  }

  /**
   * A handshake answered with an HTTP error (or a socket closed before its request was read: status
   * {@value #NO_STATUS}).
   *
   * @param reason a fixed code ({@code HandshakePolicy.Refuse#code()} or this class's callers')
   */
  public void handshakeRefused(String status, String reason) {
    Counter.builder("roomlog.gateway.handshakes.refused")
        .description("WebSocket handshakes refused, by HTTP status and reason")
        .tag("status", status)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /**
   * How a client's message ended: {@value #APPENDED} (Kafka acknowledged it), the code of the error
   * the client was sent ({@code rateLimited}, {@code overloaded}, {@code logUnavailable}, {@code
   * badJson}, ...), {@value #SHUTTING_DOWN} or {@value #FLOODING} (closed with 1008).
   *
   * @param type the action's wire name, or {@value #UNKNOWN_TYPE} before or without parsing
   */
  public void action(String type, String outcome) {
    actions
        .computeIfAbsent(
            type + '\u0000' + outcome,
            key ->
                Counter.builder("roomlog.gateway.actions")
                    .description("Client messages by action type and outcome")
                    .tag("type", type)
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  /**
   * How a token connection's {@code refresh} ended: {@value #REFRESHED} (its end moved, its rights
   * kept or widened), {@value #RIGHTS_CHANGED} (answered, then closed with 4003), or the code of
   * the error it was answered with ({@code tokenInvalid}, {@code tokenExpired}, {@code
   * refreshSubjectMismatch}, {@code rateLimited}, {@code invalidField}).
   */
  public void tokenRefresh(String outcome) {
    Counter.builder("roomlog.gateway.token.refreshes")
        .description("Refreshes of token connections, by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /** A token connection closed because of its token, by close code (4001 expired, 4003 rights). */
  public void tokenClose(int code) {
    Counter.builder("roomlog.gateway.token.closes")
        .description("Token connections closed by the gateway because of their token, by code")
        .tag("code", Integer.toString(code))
        .register(registry)
        .increment();
  }

  /** An error frame the gateway itself sent a client (429, 503, 400...). */
  public void errorFrame(ServerFrame.ErrorFrame error) {
    errorFrames
        .computeIfAbsent(
            error.status() + "\u0000" + error.code(),
            key ->
                Counter.builder("roomlog.gateway.error.frames")
                    .description("Error frames the gateway itself sent, by status and code")
                    .tag("status", Integer.toString(error.status()))
                    .tag("code", error.code())
                    .register(registry))
        .increment();
  }

  /**
   * A WAL record settled {@code nanos} after it was appended.
   *
   * @param acknowledged true if Kafka acknowledged it, false if it failed or timed out
   */
  public void walSettled(EventType kind, boolean acknowledged, long nanos) {
    walAppends
        .computeIfAbsent(
            kind.name() + (acknowledged ? "+" : "-"), key -> walTimer(kind, acknowledged))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer walTimer(EventType kind, boolean acknowledged) {
    return Timer.builder("roomlog.gateway.wal.append")
        .description(
            "From a record's append to the WAL appender until Kafka acknowledged (acks=all)"
                + " or failed it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .tag("kind", kind.name().toLowerCase(Locale.ROOT))
        .tag("result", acknowledged ? "acknowledged" : "failed")
        .register(registry);
  }

  /**
   * Binds the Kafka producer's own metrics ({@code kafka_producer_*}); close it with the producer.
   */
  public AutoCloseable bindProducer(Producer<?, ?> producer) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(producer);
    metrics.bindTo(registry);
    return metrics;
  }
}
