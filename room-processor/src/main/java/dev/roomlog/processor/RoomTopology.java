package dev.roomlog.processor;

import dev.roomlog.protocol.JsonSerde;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.event.RoomEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The room processor's Kafka Streams topology and its configuration, kept apart so that a test can
 * hand the same topology to {@code TopologyTestDriver}.
 *
 * <pre>
 * actions (key roomId; $connect/$disconnect by connectionId; heartbeats to every partition)
 *   -> room-stage [stores room-heads, room-members, room-recent, memberships, gateways, answers;
 *                  rooms: the previous layout, read to upgrade]   decode + decide + apply + encode
 *   -> room-events (key roomId), deliveries (key gatewayId), dead-letters (key as in actions)
 * </pre>
 *
 * The stage encodes its outputs itself, so the sinks write bytes: a value that cannot be encoded
 * fails while the record is still being planned, where it can be set aside, rather than in a sink
 * after the record's state was written.
 *
 * <p>One stage, not the design brief's two (by connection, then repartitioned by room): with the
 * log keyed by room, a room's order is the log's order, so a replay or a catch-up after downtime
 * rebuilds exactly the same rooms; with two stages, the repartition interleaved different clients'
 * actions differently on every run. It also saves one exactly-once commit per answer. See
 * docs/ARCHITECTURE.md.
 */
public final class RoomTopology {
  /**
   * roomId -> {@link RoomState}, whole: the layout before issue 18, kept so that its changelog
   * restores the rooms of an earlier version, which the stage moves to {@link #ROOM_HEADS_STORE}
   * and the stores beside it (see {@link RoomStores}).
   */
  public static final String ROOMS_STORE = RoomStores.LEGACY;

  /** roomId -> the room's head: seq, member count, bans, access ({@link RoomStores.Head}). */
  public static final String ROOM_HEADS_STORE = RoomStores.HEADS;

  /** roomId NUL connectionId -> a member and the seq of its join. */
  public static final String ROOM_MEMBERS_STORE = RoomStores.MEMBERS;

  /** roomId NUL seq -> one of the room's recent events. */
  public static final String ROOM_RECENT_STORE = RoomStores.RECENT;

  /** "gatewayId NUL connectionId NUL roomId" -> "" for every member. */
  public static final String MEMBERSHIPS_STORE = "memberships";

  /** gatewayId -> {@link GatewayLiveness.Status}. */
  public static final String GATEWAYS_STORE = "gateways";

  /** dedup key -> {@link Idempotency.Remembered}, kept for the dedup window. */
  public static final String ANSWERS_STORE = "answers";

  private RoomTopology() {}

  /** The topology, counting on meters nobody reads. */
  public static Topology buildTopology(ProcessorSettings settings) {
    return buildTopology(settings, new ProcessorMetrics(new SimpleMeterRegistry()));
  }

  /** The topology, counting the actions it applies on {@code metrics}. */
  public static Topology buildTopology(ProcessorSettings settings, ProcessorMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    build(builder, settings, metrics);
    return builder.build();
  }

  public static void build(StreamsBuilder builder, ProcessorSettings settings) {
    build(builder, settings, new ProcessorMetrics(new SimpleMeterRegistry()));
  }

  public static void build(
      StreamsBuilder builder, ProcessorSettings settings, ProcessorMetrics metrics) {
    TopicSet topics = settings.topics();
    RoomLogic logic =
        new RoomLogic(settings.historySize(), settings.maxRoomMembers(), settings.presenceLimit());
    GatewayLiveness liveness = new GatewayLiveness(settings.gatewayTimeout().toMillis());
    long dedupWindowMs = settings.dedupWindow().toMillis();
    // One pacer per stream thread: a commit is the thread's, whichever of its tasks asks.
    ThreadLocal<CommitPacing> pacers =
        ThreadLocal.withInitial(
            () ->
                new CommitPacing(
                    settings.commitIntervalMs(), settings.commitIntervalUnderLoadMs()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ROOMS_STORE),
            Serdes.String(),
            JsonSerde.of(RoomState.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ROOM_HEADS_STORE),
            Serdes.String(),
            JsonSerde.of(RoomStores.Head.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ROOM_MEMBERS_STORE),
            Serdes.String(),
            JsonSerde.of(RoomStores.StoredMember.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ROOM_RECENT_STORE),
            Serdes.String(),
            JsonSerde.of(RoomEvent.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(MEMBERSHIPS_STORE), Serdes.String(), Serdes.String()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(GATEWAYS_STORE),
            Serdes.String(),
            JsonSerde.of(GatewayLiveness.Status.class)));
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                ANSWERS_STORE, settings.dedupWindow(), settings.dedupWindow(), false),
            Serdes.String(),
            JsonSerde.of(Idempotency.Remembered.class)));

    // Read as bytes: the stage decodes each record itself, so that one it cannot read is set
    // aside in the same transaction as everything else (see RoomStage).
    KStream<String, RoomStage.Output> outputs =
        builder.stream(
                topics.actions().name(),
                Consumed.with(topics.actions().keySerde(), Serdes.ByteArray()).withName("actions"))
            .process(
                () -> new RoomStage(logic, liveness, dedupWindowMs, metrics, topics, pacers::get),
                Named.as("room-stage"),
                ROOMS_STORE,
                ROOM_HEADS_STORE,
                ROOM_MEMBERS_STORE,
                ROOM_RECENT_STORE,
                MEMBERSHIPS_STORE,
                GATEWAYS_STORE,
                ANSWERS_STORE);

    outputs
        .split(Named.as("room-output-"))
        .branch(
            (roomId, out) -> out instanceof RoomStage.EventOut,
            Branched.withConsumer(
                events ->
                    events
                        .mapValues(out -> ((RoomStage.EventOut) out).event(), Named.as("event"))
                        .to(
                            topics.roomEvents().name(),
                            Produced.with(topics.roomEvents().keySerde(), Serdes.ByteArray())
                                .withName("room-events")),
                "events"))
        .branch(
            (gatewayId, out) -> out instanceof RoomStage.DeliveryOut,
            Branched.withConsumer(
                deliveries ->
                    deliveries
                        .mapValues(
                            out -> ((RoomStage.DeliveryOut) out).delivery(), Named.as("delivery"))
                        .to(
                            topics.deliveries().name(),
                            Produced.with(topics.deliveries().keySerde(), Serdes.ByteArray())
                                .withName("deliveries")),
                "deliveries"))
        .branch(
            (key, out) -> out instanceof RoomStage.DeadLetterOut,
            Branched.withConsumer(
                deadLetters ->
                    deadLetters
                        .mapValues(
                            out -> ((RoomStage.DeadLetterOut) out).record(),
                            Named.as("dead-letter"))
                        .to(
                            topics.deadLetters().name(),
                            Produced.with(
                                    topics.deadLetters().keySerde(),
                                    topics.deadLetters().valueSerde())
                                .withName("dead-letters")),
                "dead-letters"))
        .noDefaultBranch();
  }

  /** The largest record the processor writes (state, room events, deliveries), in bytes. */
  public static final int MAX_RECORD_BYTES = 4 * 1024 * 1024;

  /**
   * How long the processor's clients wait for a broker's answer. A request sent to a frozen broker
   * (a long GC pause, a hung host: its sockets stay open) fails only at this timeout; with Kafka's
   * 30 s default the producer, then the transaction coordinator lookup, then the group coordinator
   * lookup each waited that long, and rooms went unanswered for over 90 s after one broker froze
   * (FaultToleranceIT). 10 s is still far above a healthy broker's answer time, including an
   * acks=all write that waits for a lagging follower to drop out of the ISR.
   */
  public static final int CLIENT_REQUEST_TIMEOUT_MS = 10_000;

  /** Per partition and fetch, for fairness between rooms (see {@link #streamsConfig}). */
  static final int FETCH_BYTES_PER_PARTITION = 64 * 1024;

  /**
   * Records a stream thread takes per poll: Kafka's default. Under exactly-once each commit costs a
   * few round trips to the broker whatever it holds, so the records between two commits are what
   * throughput scales with; at 50 (the bound before issue 18) a loaded processor committed every 50
   * records, and its rate was about 50 per commit's round trips (1,750 messages/s on 2 cores). The
   * fetch bytes per partition above, not this, keep a hot room's backlog from filling a round.
   */
  static final int MAX_POLL_RECORDS = 1000;

  /** Changelog records a restore takes per poll (see {@link #streamsConfig}). */
  static final int RESTORE_POLL_RECORDS = 10_000;

  /**
   * The transactional producer's first retry backoff, in ms: see {@link #streamsConfig} for why it
   * is not Kafka's 100.
   */
  static final int TRANSACTION_RETRY_BACKOFF_MS = 10;

  /** How long the group waits for a silent processor before moving its rooms elsewhere. */
  public static final int PROCESSOR_SESSION_TIMEOUT_MS = 10_000;

  /**
   * The Kafka Streams configuration. Kafka Streams already forces read_committed consumers and
   * idempotent, transactional producers under exactly_once_v2; they are spelled out here so the
   * contract is visible and cannot be weakened by an override elsewhere.
   */
  public static Properties streamsConfig(ProcessorSettings s) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toAbsolutePath().toString());
    // Kafka Streams commits at the long interval by itself; while actions are fresh, CommitPacing
    // asks for a commit sooner (RoomStage).
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, s.commitIntervalUnderLoadMs());
    // Each thread runs its own tasks (partitions), with its own consumer and transactional
    // producer; RoomStage keeps nothing between tasks (one instance per task).
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.streamThreads());
    // A stream thread commits (and runs the pacer's timers) only between polls, and an idle poll
    // blocks for poll.ms (100 ms by default): with a shorter commit interval, a record processed
    // just before an idle poll would wait for that poll, not for the commit interval.
    p.put(StreamsConfig.POLL_MS_CONFIG, Math.min(100L, s.commitIntervalMs()));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, s.replicationFactor());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, s.standbyReplicas());
    if (s.instanceId() != null) {
      // Static membership: Streams adds "-<thread>" for each stream thread.
      p.put(
          StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
          s.applicationId() + "-" + s.instanceId());
    }
    if (s.applicationServer() != null) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, s.applicationServer());
    }
    // The failure policy (docs/ARCHITECTURE.md, "One record never stops the processor"):
    // records are read as bytes (nothing to fail in deserialization) and every failure of one
    // record is handled inside RoomStage, which sets the record aside in the dead-letter topic
    // within the task's transaction. What still reaches these handlers is not one record's
    // fault: a store or Kafka failure while writing, or a record Kafka refuses to take (too
    // large: the room limits keep events and deliveries under MAX_RECORD_BYTES, and the
    // dead-letter topic takes records of that size, more than the log's own limit). They stop the
    // stream thread, the transaction
    // aborts, and StreamThreadFailures decides whether to replace it; skipping would commit
    // a record's state without its events or deliveries. Spelled out rather than left to
    // the defaults, so the policy is visible here.
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndFailProcessingExceptionHandler.class.getName());
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DefaultProductionExceptionHandler.class.getName());
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndFailExceptionHandler.class.getName());
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
        IsolationLevel.READ_COMMITTED.toString());
    // A new application starts from the beginning of the log: every acknowledged action counts.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // A processor that stops or dies keeps its rooms until the group notices: Streams' dynamic
    // members do not leave the group on close, so this timeout bounds how long rooms go
    // unanswered after a processor restart or crash (Kafka's default is 45 s).
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
        PROCESSOR_SESSION_TIMEOUT_MS);
    // A joined reply is one delivery record (every member and the recent messages), and so was
    // a room's state before issue 18 (the previous layout's changelog still holds such records):
    // room for 50 messages of 4096 four-byte characters and more, past Kafka's 1 MB default.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MAX_RECORD_BYTES);
    p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), MAX_RECORD_BYTES);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG),
        CLIENT_REQUEST_TIMEOUT_MS);
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG),
        CLIENT_REQUEST_TIMEOUT_MS);
    p.put(
        StreamsConfig.restoreConsumerPrefix(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG),
        CLIENT_REQUEST_TIMEOUT_MS);
    p.put(
        StreamsConfig.adminClientPrefix(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG),
        CLIENT_REQUEST_TIMEOUT_MS);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), true);
    // A transaction that starts while the broker still completes the one before (writing its
    // markers) is told CONCURRENT_TRANSACTIONS on its first offsets commit or partition, and the
    // producer retries after retry.backoff.ms: 100 ms by default (it lowers it to 20 ms only for
    // a first AddPartitions). With commits every few ms that hit one action in ten: the stream
    // thread blocked in the commit, and the actions behind it waited 100 ms in the log. Chat at
    // 300 msg/s: p90 123 ms -> 32-37 ms, p99 177-184 -> 56-72 (docs/BENCHMARKS.md). Retries back
    // off exponentially from here (retry.backoff.max.ms), so a broker in trouble is not flooded.
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
        TRANSACTION_RETRY_BACKOFF_MS);
    // Fairness between the rooms of one stream thread. The thread runs the tasks of all its
    // partitions in rounds (poll, process, commit), and with Kafka's defaults (1 MiB fetched per
    // partition, 1000 records a poll) a hot room's backlog filled each round: in HotRoomIT a
    // quiet room on another partition waited 3 to 8 s for its messages to be processed. With
    // small fetches a round holds a few hundred of the hot room's records, and the quiet room's
    // wait fell to under half a second. (Polls of 50 records as well, until issue 18: they capped
    // the records per exactly-once commit, see MAX_POLL_RECORDS.)
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        FETCH_BYTES_PER_PARTITION);
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), MAX_POLL_RECORDS);
    // Restoring a store is a loop of polls of the changelog, each written to RocksDB as one batch;
    // at 1000 records a poll the loop's round trips, not RocksDB or the fetch, set the rate
    // (26,500 records/s against ConsumerPerformance's 818,000 on the same broker, BENCHMARKS.md).
    // A larger poll is a larger batch: memory of a few MB, once, while the state is rebuilt.
    p.put(
        StreamsConfig.restoreConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG),
        RESTORE_POLL_RECORDS);
    return p;
  }
}
