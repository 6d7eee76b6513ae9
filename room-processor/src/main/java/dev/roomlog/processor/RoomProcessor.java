package dev.roomlog.processor;

import dev.roomlog.protocol.event.RoomEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room processor as one running Kafka Streams client. Lifecycle: construct, {@link #start}
 * once, {@link #close} once (idempotent). Safe to call from any thread.
 *
 * <p>If a stream thread dies with an exception that Kafka Streams did not handle itself, {@link
 * StreamThreadFailures} decides: a transient Kafka failure (FaultToleranceIT met one when a broker
 * froze mid-commit: the transaction was left in an invalid state) gets a new thread, at most
 * {@value #MAX_THREAD_REPLACEMENTS} times per stream thread in {@value #REPLACEMENT_WINDOW_MINUTES}
 * minutes (one frozen broker can fail every thread at once); anything else (a bug, a record the
 * logic cannot apply) shuts the client down ({@code SHUTDOWN_CLIENT}): replacing the thread would
 * only replay the same record in a loop. Then {@link #isRunning} turns false, its tasks move to the
 * other instances of the group, and the {@code onFatalError} callback runs, so that the server can
 * exit for its supervisor to restart it.
 */
public final class RoomProcessor implements AutoCloseable {
  /** How long {@link #close()} waits for the stream threads to commit and stop. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(RoomProcessor.class);

  static final int MAX_THREAD_REPLACEMENTS = 5;
  static final int REPLACEMENT_WINDOW_MINUTES = 10;

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final RoomQueries queries;
  private final boolean staticMember;
  private final StreamThreadFailures failures;

  public RoomProcessor(ProcessorSettings settings) {
    this(settings, () -> {});
  }

  /**
   * @param onFatalError called once, on a Streams thread, when the processor has stopped for good
   *     (state ERROR); it must not block (e.g. start a thread that exits the process)
   */
  public RoomProcessor(ProcessorSettings settings, Runnable onFatalError) {
    this(settings, onFatalError, new SimpleMeterRegistry());
  }

  /**
   * @param onFatalError as above
   * @param registry where the processor's meters go: its actions ({@link ProcessorMetrics}), {@code
   *     roomlog.processor.ready}, and every Kafka Streams metric of this client (threads, tasks,
   *     stores, and its embedded consumers and producers: {@code kafka_stream_*}, {@code
   *     kafka_consumer_*}, {@code kafka_producer_*}...)
   */
  public RoomProcessor(ProcessorSettings settings, Runnable onFatalError, MeterRegistry registry) {
    this.streams =
        new KafkaStreams(
            RoomTopology.buildTopology(settings, new ProcessorMetrics(registry)),
            RoomTopology.streamsConfig(settings));
    // Streams' own metrics, read by the binder (which also picks up new threads' metrics).
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    Gauge.builder(
            "roomlog.processor.ready",
            streams,
            s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
        .description("1 while /readyz answers 200 (Kafka Streams RUNNING), else 0")
        .register(registry);
    this.staticMember = settings.instanceId() != null;
    this.failures =
        new StreamThreadFailures(
            replacementBudget(settings.streamThreads()),
            Duration.ofMinutes(REPLACEMENT_WINDOW_MINUTES).toMillis());
    this.queries =
        new RoomQueries(streams, settings.topics().actions().name(), settings.applicationServer());
    streams.setStateListener(
        (newState, oldState) -> {
          log.info("room processor {}: {} -> {}", settings.applicationId(), oldState, newState);
          if (newState == KafkaStreams.State.ERROR) {
            onFatalError.run();
          }
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          StreamThreadExceptionResponse response;
          synchronized (failures) {
            response = failures.onFailure(e, System.currentTimeMillis());
          }
          if (response == StreamThreadExceptionResponse.REPLACE_THREAD) {
            log.warn(
                "room processor {}: a stream thread died of a Kafka failure; it is replaced",
                settings.applicationId(),
                e);
          } else {
            log.error(
                "room processor {}: a stream thread died; shutting the processor down",
                settings.applicationId(),
                e);
          }
          return response;
        });
  }

  /**
   * How many dead threads may be replaced within the window: {@value #MAX_THREAD_REPLACEMENTS} per
   * thread, since one Kafka failure (a broker that froze mid-commit) can kill every thread at once,
   * and that must not use up the budget of a processor with many threads.
   */
  static int replacementBudget(int streamThreads) {
    return MAX_THREAD_REPLACEMENTS * streamThreads;
  }

  /** Starts processing in the background; returns at once. */
  public void start() {
    streams.start();
  }

  /** True while the client is running or rebalancing, false before start and after any stop. */
  public boolean isRunning() {
    return streams.state().isRunningOrRebalancing();
  }

  /** The Kafka Streams state, for health checks and logs. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * Every room of this client's tasks, by roomId, read from its room stores through Kafka Streams'
   * interactive queries (see {@link RoomStores}; rooms still in the previous layout included). For
   * tests and diagnostics, e.g. comparing the live state with a replay of the write-ahead log into
   * another application id. The values' type ({@code RoomState}) is package-private: callers see
   * plain objects, equal when the states are equal, which {@code Json.MAPPER} turns into {@code
   * roomId}, {@code lastSeq}, {@code members} and {@code recent}. The stores throw {@code
   * InvalidStateStoreException} while the client is not RUNNING.
   */
  public SortedMap<String, Object> rooms() {
    ReadOnlyKeyValueStore<String, RoomStores.Head> heads = store(RoomTopology.ROOM_HEADS_STORE);
    ReadOnlyKeyValueStore<String, RoomStores.StoredMember> members =
        store(RoomTopology.ROOM_MEMBERS_STORE);
    ReadOnlyKeyValueStore<String, RoomEvent> recent = store(RoomTopology.ROOM_RECENT_STORE);
    ReadOnlyKeyValueStore<String, RoomState> legacy = store(RoomTopology.ROOMS_STORE);
    SortedMap<String, Object> rooms = new TreeMap<>();
    try (KeyValueIterator<String, RoomState> all = legacy.all()) {
      all.forEachRemaining(kv -> rooms.put(kv.key, kv.value));
    }
    try (KeyValueIterator<String, RoomStores.Head> all = heads.all()) {
      all.forEachRemaining(
          kv -> rooms.put(kv.key, RoomStores.load(heads, members, recent, kv.key)));
    }
    return rooms;
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
  }

  /**
   * Room state queries: where a room lives among the instances, and its state when it lives here
   * (see {@code query.QueryServer} for the HTTP side).
   */
  public RoomQueries queries() {
    return queries;
  }

  /** Stops within {@link #CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    close(CLOSE_TIMEOUT);
  }

  /** Stops within {@code timeout}; false if the threads had not stopped by then. */
  public boolean close(Duration timeout) {
    // A static member (one with an instance id) leaves the group now, so its rooms move at once.
    // Streams' dynamic members cannot (CloseOptions.leaveGroup acts only on static members):
    // their rooms move after the session timeout, see RoomTopology.
    boolean stopped =
        streams.close(new KafkaStreams.CloseOptions().timeout(timeout).leaveGroup(staticMember));
    streamsMetrics.close();
    if (!stopped) {
      log.warn("room processor did not stop within {}", timeout);
    }
    return stopped;
  }
}
