package dev.roomlog.processor;

import static dev.roomlog.protocol.settings.SettingType.DURATION;
import static dev.roomlog.protocol.settings.SettingType.INT;
import static dev.roomlog.protocol.settings.SettingType.LONG;
import static dev.roomlog.protocol.settings.SettingType.STRING;

import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.settings.Setting;
import dev.roomlog.protocol.settings.SettingDefs;
import dev.roomlog.protocol.settings.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Everything the room processor needs to run, validated once at start-up so that a bad value fails
 * fast with the name of the setting. The operator's settings are declared once below (name, type,
 * default, check, doc; each is a flag of {@code roomlog processor} and {@code roomlog dev}, {@code
 * historySize} being {@code --history-size} and {@code ROOMLOG_HISTORY_SIZE}); help text and the
 * docs' table come from them. The rest comes from the Kafka options and the command: the brokers,
 * the state directory, the internal topics' replication factor, the topics, and {@code
 * applicationServer} ({@code host:port} of this instance's query port, by which other instances
 * reach it: Kafka Streams' {@code application.server}; null when it has none), and the log's
 * partitions, which bound the default stream threads. Immutable.
 *
 * <p>Over 400 lines because it is the table of the processor's 14 settings (a declaration each,
 * with the reason for its default beside it, an accessor each and the copies with one changed);
 * split, the table would no longer be read in one place.
 */
public final class ProcessorSettings {
  /** Every operator setting of the processor, in docs order. */
  public static final SettingDefs DEFS = SettingDefs.flags("ROOMLOG_");

  public static final String DEFAULT_APPLICATION_ID = "roomlog-processor";
  public static final int DEFAULT_HISTORY_SIZE = 100;

  /**
   * A room's recent events are part of a join's answer and of the task's cache: keep them bounded.
   */
  public static final int MAX_HISTORY_SIZE = 1_000;

  /**
   * Members per room by default. Each member is one record of the room-members store (written on
   * its join and leave) and one entry of the room's decoded members in memory; a joined frame lists
   * only the first {@code Limits.FIRST_MEMBERS_PAGE}, so no frame grows with the room.
   * docs/OPERATIONS.md has the cost.
   */
  public static final int DEFAULT_MAX_ROOM_MEMBERS = 100_000;

  /**
   * The most a room can hold. No action's cost and no frame grows with the room any more (joins,
   * leaves and messages are O(log n), frames carry a bounded page of members); what still grows is
   * the room in memory and the reading of it: a task keeps its rooms decoded within {@link
   * RoomStores.Cache#MAX_WEIGHT} members and events, and reads a room whole from its stores after a
   * restart or a move (one store read per member), which stalls that task's other rooms meanwhile.
   * At half the cache's weight the largest room leaves room for the others.
   */
  public static final int MAX_ROOM_MEMBERS = (int) (RoomStores.Cache.MAX_WEIGHT / 2);

  /**
   * Members up to which a room announces joins and leaves to the others: past it a join or a leave
   * costs one frame (its member's), not one per member.
   */
  public static final int DEFAULT_PRESENCE_LIMIT = 1_000;

  // Internal topic names are "<applicationId>-<store>-changelog", so the id must be topic-legal.
  private static final Pattern TOPIC_LEGAL = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern APPLICATION_SERVER = Pattern.compile("[^:\\s]+:\\d{1,5}");

  public static final String APPLICATION_ID =
      DEFS.define(
          Setting.of(
              "applicationId",
              STRING,
              DEFAULT_APPLICATION_ID,
              expect(
                  id -> id != null && TOPIC_LEGAL.matcher(id).matches(),
                  "letters, digits," + " '.', '_' or '-'"),
              "Kafka Streams application id, shared by every processor of one deployment: the"
                  + " consumer group, transactional id prefix and prefix of the internal topics"));
  public static final String HISTORY_SIZE =
      DEFS.define(
          Setting.of(
              "historySize",
              INT,
              DEFAULT_HISTORY_SIZE,
              expect(n -> n >= 0 && n <= MAX_HISTORY_SIZE, "0.." + MAX_HISTORY_SIZE),
              "events each room keeps in the processor's state: a plain join shows the messages"
                  + " among them, and a join with `afterSeq` or a `resume` can start anywhere"
                  + " inside them. Older resume points get 410 `resumeTooOld`. At most 1000"));

  /*
   * The dedup window: long enough to cover a client's retries through a gateway crash and a
   * reconnect, with a wide margin; the dedup store holds every clientMsgId sent in this window (see
   * docs/OPERATIONS.md for its disk cost).
   */
  public static final String DEDUP_WINDOW =
      DEFS.define(
          Setting.of(
              "dedupWindow",
              DURATION,
              Duration.ofHours(1),
              expect(d -> d != null && d.toMillis() >= 1, "at least 1 ms"),
              "how long an action's `clientMsgId` is remembered: a retry inside it gets the"
                  + " original answer and changes nothing; after it, the same id is a new action"));

  /* Five missed heartbeats at the gateway's default interval of 3 s. */
  public static final String GATEWAY_TIMEOUT =
      DEFS.define(
          Setting.of(
              "gatewayTimeout",
              DURATION,
              Duration.ofSeconds(15),
              expect(d -> d != null && d.toMillis() >= 1, "at least 1 ms"),
              "a gateway with no heartbeat for this long (judged on each partition by the times"
                  + " other gateways stamp) loses its members (`memberLeft`, reason"
                  + " `gatewayLost`); keep it at least 3 × the gateways' `heartbeatInterval`"));

  /*
   * Exactly-once output becomes visible at commit, so an answer waits for the room stage's commit.
   * Measured on 2 cores with the earlier two-stage topology (two commits per answer), chat in rooms
   * of 10 at 500 messages/s, end to end p50/p99: 196/356 ms at 100 ms, 70/161 at 20, 43/94 at 10,
   * 45/190 at 5 (commits start to cost more CPU than they save). See docs/BENCHMARKS.md for the
   * current figures.
   */
  public static final String COMMIT_INTERVAL_MS =
      DEFS.define(
          Setting.of(
              "commitIntervalMs",
              LONG,
              10L,
              expect(ms -> ms >= 1, ">= 1"),
              "exactly-once commit interval in milliseconds while the processor keeps up: an"
                  + " action after a quiet spell this long commits at once, one in a stream at most"
                  + " this long after it is processed"));

  /*
   * Under load a commit's fixed cost (round trips, a marker per partition written) is shared by
   * more actions when commits are rarer: measured on 2 cores (roomlog dev, chat in rooms of 10, 8 s
   * a step, the generator on the same cores), a 10 ms interval took 1,017 of 2,500 messages/s
   * offered and 100 ms took 1,728. CommitPacing switches between the two intervals.
   */
  public static final String COMMIT_INTERVAL_UNDER_LOAD_MS =
      DEFS.define(
          Setting.of(
              "commitIntervalUnderLoadMs",
              LONG,
              100L,
              expect(ms -> ms >= 1, ">= 1"),
              "exactly-once commit interval in milliseconds while the processor is behind (an"
                  + " action waited in the log longer than this): fewer, larger transactions"
                  + " drain a backlog faster. Taken as at least `commitIntervalMs`"));
  public static final String MAX_ROOM_MEMBERS_SETTING =
      DEFS.define(
          Setting.of(
              "maxRoomMembers",
              INT,
              DEFAULT_MAX_ROOM_MEMBERS,
              expect(n -> n >= 1 && n <= MAX_ROOM_MEMBERS, "1.." + MAX_ROOM_MEMBERS),
              "members one room may have; a join past it gets 409 `roomFull`. At most 250000:"
                  + " a room is kept decoded in its task's memory, and read whole after a restart"
                  + " or a move"));
  /*
   * Announcing every join and leave to every member makes filling a room of n cost n²/2 frames
   * (5 billion for 100,000). Pusher keeps presence to 100 members, Ably to 200; past 1,000 a member
   * list is paged, not watched.
   */
  public static final String PRESENCE_LIMIT =
      DEFS.define(
          Setting.of(
              "presenceLimit",
              INT,
              DEFAULT_PRESENCE_LIMIT,
              expect(n -> n >= 0 && n <= MAX_ROOM_MEMBERS, "0.." + MAX_ROOM_MEMBERS),
              "members up to which a room announces joins and leaves (`memberJoined`,"
                  + " `memberLeft`) to its other members. Each announcement is a frame to every"
                  + " member, so filling a room of n announced costs n²/2 deliveries; past the"
                  + " limit a join or a leave costs its member's own answer only, and clients"
                  + " page `members` for the list (`joined.presence` is false; the join that"
                  + " crosses the limit and the leave back are announced, marked). 0: never"));
  public static final String INSTANCE_ID =
      DEFS.define(
          Setting.of(
              "instanceId",
              STRING,
              null,
              expect(
                  id -> id == null || TOPIC_LEGAL.matcher(id).matches(),
                  "letters, digits," + " '.', '_' or '-'"),
              "a stable id for this processor, unique among the processors of its application"
                  + " id (the host or pod name): a static member of the consumer group, so a stop"
                  + " hands its rooms over at once and a restart within 10 s gets them back"
                  + " without a rebalance"));

  /*
   * One warm copy: a stopped instance's rooms are served by the copy's holder once the group
   * notices, without replaying the changelogs first. With one instance there is no other to hold
   * it, and it costs nothing.
   */
  public static final String STANDBY_REPLICAS =
      DEFS.define(
          Setting.of(
              "standbyReplicas",
              INT,
              1,
              expect(n -> n >= 0, ">= 0"),
              "warm copies of each partition's state kept by other processors, so a stopped"
                  + " processor's rooms move without a restore; nothing with one processor"));
  /*
   * A task (one partition of the log) runs on one thread at a time, so threads past the log's
   * partitions would only sit idle, each with its own consumer and transactional producer.
   */
  public static final String STREAM_THREADS =
      DEFS.define(
          Setting.of(
                  "streamThreads",
                  INT,
                  null,
                  expect(n -> n == null || n >= 1, ">= 1"),
                  "Kafka Streams threads of this processor: each runs the rooms of some partitions"
                      + " of the log, so one processor uses as many cores as it has threads and"
                      + " partitions")
              .withDefaultText("this machine's cores, at most the log's partitions"));
  public static final String QUERY_PORT =
      DEFS.define(
          Setting.of(
                  "queryPort",
                  INT,
                  7070,
                  expect(p -> p >= 0 && p <= 65_535, "0..65535"),
                  "the processor's query port (HTTP: `/rooms`, `/rooms/{roomId}`, `/healthz`,"
                      + " `/readyz`, `/metrics`), by which processors also reach each other; 0"
                      + " picks a free one")
              .deprecating("--rpc-port", "ROOMLOG_RPC_PORT"));
  public static final String QUERY_BIND_HOST =
      DEFS.define(
          Setting.of(
                  "queryBindHost",
                  STRING,
                  "0.0.0.0",
                  Validator.required(),
                  "the address the query port listens on")
              .deprecating("--rpc-bind", "ROOMLOG_RPC_BIND"));
  public static final String QUERY_HOST =
      DEFS.define(
          Setting.of(
                  "queryHost",
                  STRING,
                  null,
                  Validator.any(),
                  "the host name other processors reach this one's query port by (Kafka Streams'"
                      + " `application.server`)")
              .withDefaultText("this machine's host name")
              .deprecating("--rpc-host", "ROOMLOG_RPC_HOST"));

  private final String bootstrapServers;
  private final Path stateDir;
  private final int replicationFactor;
  private final TopicSet topics;
  private final String applicationServer;
  private final int logPartitions;
  private final Map<String, Object> values;

  private ProcessorSettings(
      String bootstrapServers,
      Path stateDir,
      int replicationFactor,
      TopicSet topics,
      String applicationServer,
      int logPartitions,
      Map<String, ?> given) {
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(),
        "bootstrapServers",
        bootstrapServers,
        "a non-empty host:port list");
    Objects.requireNonNull(stateDir, "stateDir must be set: the directory for RocksDB state");
    require(
        replicationFactor == -1 || replicationFactor >= 1,
        "replicationFactor",
        replicationFactor,
        "-1 (broker default) or >= 1");
    Objects.requireNonNull(topics, "topics must be set");
    require(
        applicationServer == null || APPLICATION_SERVER.matcher(applicationServer).matches(),
        "applicationServer",
        applicationServer,
        "host:port");
    require(logPartitions >= 0, "logPartitions", logPartitions, ">= 0 (0 = unknown)");
    this.bootstrapServers = bootstrapServers;
    this.stateDir = stateDir;
    this.replicationFactor = replicationFactor;
    this.topics = topics;
    this.applicationServer = applicationServer;
    this.logPartitions = logPartitions;
    this.values = DEFS.complete(given);
  }

  /**
   * The defaults for everything but the broker and the state directory; the internal topics'
   * replication factor -1 lets the broker's default.replication.factor decide.
   */
  public static ProcessorSettings defaults(String bootstrapServers, Path stateDir) {
    return new ProcessorSettings(
        bootstrapServers, stateDir, -1, TopicSet.DEFAULT, null, 0, Map.of());
  }

  /** A copy with the declared setting {@code name} (one of this class's constants) set. */
  public ProcessorSettings with(String name, Object value) {
    Map<String, Object> changed = new HashMap<>(values);
    changed.put(DEFS.get(name).name(), value);
    return new ProcessorSettings(
        bootstrapServers,
        stateDir,
        replicationFactor,
        topics,
        applicationServer,
        logPartitions,
        changed);
  }

  public ProcessorSettings withApplicationId(String value) {
    return with(APPLICATION_ID, value);
  }

  public ProcessorSettings withHistorySize(int value) {
    return with(HISTORY_SIZE, value);
  }

  public ProcessorSettings withDedupWindow(Duration value) {
    return with(DEDUP_WINDOW, value);
  }

  public ProcessorSettings withGatewayTimeout(Duration value) {
    return with(GATEWAY_TIMEOUT, value);
  }

  public ProcessorSettings withCommitIntervalMs(long value) {
    return with(COMMIT_INTERVAL_MS, value);
  }

  public ProcessorSettings withInstanceId(String value) {
    return with(INSTANCE_ID, value);
  }

  public ProcessorSettings withMaxRoomMembers(int value) {
    return with(MAX_ROOM_MEMBERS_SETTING, value);
  }

  public ProcessorSettings withPresenceLimit(int value) {
    return with(PRESENCE_LIMIT, value);
  }

  public ProcessorSettings withStandbyReplicas(int value) {
    return with(STANDBY_REPLICAS, value);
  }

  /** Of the internal topics (repartition, changelogs); -1 = the broker's default. */
  public ProcessorSettings withReplicationFactor(int value) {
    return new ProcessorSettings(
        bootstrapServers, stateDir, value, topics, applicationServer, logPartitions, values);
  }

  /** The write-ahead log and the two output topics. */
  public ProcessorSettings withTopics(TopicSet value) {
    return new ProcessorSettings(
        bootstrapServers,
        stateDir,
        replicationFactor,
        value,
        applicationServer,
        logPartitions,
        values);
  }

  public ProcessorSettings withApplicationServer(String value) {
    return new ProcessorSettings(
        bootstrapServers, stateDir, replicationFactor, topics, value, logPartitions, values);
  }

  /**
   * The partitions of the write-ahead log, as the command checked them at start (0 = unknown): the
   * default {@link #streamThreads} never exceeds them.
   */
  public ProcessorSettings withLogPartitions(int value) {
    return new ProcessorSettings(
        bootstrapServers, stateDir, replicationFactor, topics, applicationServer, value, values);
  }

  public ProcessorSettings withStreamThreads(int value) {
    return with(STREAM_THREADS, value);
  }

  @SuppressWarnings("unchecked")
  private <T> T get(String name) {
    return (T) values.get(name);
  }

  /** Kafka brokers, {@code host:port[,host:port...]}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Where RocksDB keeps the local copies of the state stores. */
  public Path stateDir() {
    return stateDir;
  }

  public int replicationFactor() {
    return replicationFactor;
  }

  public TopicSet topics() {
    return topics;
  }

  /** {@code host:port} of this instance's query endpoint, or null. */
  public String applicationServer() {
    return applicationServer;
  }

  public String applicationId() {
    return get(APPLICATION_ID);
  }

  public int historySize() {
    return get(HISTORY_SIZE);
  }

  public Duration dedupWindow() {
    return get(DEDUP_WINDOW);
  }

  public Duration gatewayTimeout() {
    return get(GATEWAY_TIMEOUT);
  }

  public long commitIntervalMs() {
    return get(COMMIT_INTERVAL_MS);
  }

  /** The commit interval while behind: the setting, and at least {@link #commitIntervalMs}. */
  public long commitIntervalUnderLoadMs() {
    return Math.max(get(COMMIT_INTERVAL_UNDER_LOAD_MS), commitIntervalMs());
  }

  public int maxRoomMembers() {
    return get(MAX_ROOM_MEMBERS_SETTING);
  }

  public int presenceLimit() {
    return get(PRESENCE_LIMIT);
  }

  /** This instance's stable id (Kafka's {@code group.instance.id}), or null. */
  public String instanceId() {
    return get(INSTANCE_ID);
  }

  public int standbyReplicas() {
    return get(STANDBY_REPLICAS);
  }

  /**
   * The stream threads to run: the setting, or by default {@link #defaultStreamThreads} of this
   * machine's cores and the log's partitions.
   */
  public int streamThreads() {
    Integer given = get(STREAM_THREADS);
    return given != null
        ? given
        : defaultStreamThreads(Runtime.getRuntime().availableProcessors(), logPartitions);
  }

  /**
   * One thread per core, so that one processor can use the whole machine, but no more than the
   * log's partitions ({@code partitions}; 0 = unknown): a partition's rooms are one task, which
   * runs on one thread at a time.
   */
  static int defaultStreamThreads(int cores, int partitions) {
    int threads = partitions > 0 ? Math.min(cores, partitions) : cores;
    return Math.max(1, threads);
  }

  /** The log's partitions as the command gave them, 0 if unknown. */
  public int logPartitions() {
    return logPartitions;
  }

  public int queryPort() {
    return get(QUERY_PORT);
  }

  public String queryBindHost() {
    return get(QUERY_BIND_HOST);
  }

  /** The host other instances reach this one by, or null for this machine's host name. */
  public String queryHost() {
    return get(QUERY_HOST);
  }

  /** "invalid processor setting NAME=VALUE: expected {@code expected}" unless {@code ok}. */
  private static <T> Validator<T> expect(Predicate<T> ok, String expected) {
    return (name, value) -> require(ok.test(value), name, value, expected);
  }

  private static void require(boolean ok, String setting, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "invalid processor setting " + setting + "=" + value + ": expected " + expected);
    }
  }
}
