package dev.roomlog.processor;

import dev.roomlog.protocol.TopicSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything the room processor needs to run, validated once at start-up so that a bad value fails
 * fast with the name of the setting.
 *
 * @param bootstrapServers Kafka brokers, {@code host:port[,host:port...]}
 * @param applicationId the Kafka Streams application id: consumer group, transactional id prefix
 *     and prefix of the internal topics; every processor instance of one deployment shares it
 * @param stateDir where RocksDB keeps the local copies of the state stores
 * @param historySize how many recent events a room keeps in the processor's state (0..): the
 *     messages among them are the {@code joined} frame's history, and a resume or a join with
 *     afterSeq can start anywhere inside them. The full history stays in roomlog.room-events.
 * @param dedupWindow how long a clientMsgId is remembered: a retry within it is answered with the
 *     original result and not applied again
 * @param gatewayTimeout how long a gateway may go without a heartbeat before its members are
 *     removed from their rooms (as seen on each partition, by the times the gateways stamp)
 * @param commitIntervalMs how often a transaction commits; bounds input-to-output latency
 * @param replicationFactor of the internal topics (repartition, changelogs); -1 = broker default
 * @param topics the write-ahead log and the two output topics
 * @param standbyReplicas warm copies of each partition's stores kept by other instances, so that a
 *     stopped instance's rooms move without a restore from the changelogs
 * @param applicationServer {@code host:port} of this instance's query endpoint, by which other
 *     instances reach it (Kafka Streams' {@code application.server}); null when it has none
 * @param instanceId this instance's stable id among the application's instances, or null: with one,
 *     the instance is a static member of the consumer group (Kafka's {@code group.instance.id}), so
 *     a stop hands its partitions over at once and a restart within the session timeout gets them
 *     back without a rebalance
 * @param maxRoomMembers how many members one room may have: a room's members are part of its state
 *     record, rewritten on every event, and of every joined frame
 */
public record ProcessorSettings(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    int historySize,
    Duration dedupWindow,
    Duration gatewayTimeout,
    long commitIntervalMs,
    int replicationFactor,
    TopicSet topics,
    int standbyReplicas,
    String applicationServer,
    int maxRoomMembers,
    String instanceId) {

  public static final String DEFAULT_APPLICATION_ID = "roomlog-processor";
  public static final int DEFAULT_HISTORY_SIZE = 100;

  /**
   * Long enough to cover a client's retries through a gateway crash and a reconnect, with a wide
   * margin; the dedup store holds every clientMsgId sent in this window (see docs/OPERATIONS.md for
   * its disk cost).
   */
  public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(1);

  /** Five missed heartbeats at the gateway's default interval of 3 s. */
  public static final Duration DEFAULT_GATEWAY_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Exactly-once output becomes visible at commit, so an answer waits for the room stage's commit.
   * Measured on 2 cores with the earlier two-stage topology (two commits per answer), chat in rooms
   * of 10 at 500 messages/s, end to end p50/p99: 196/356 ms at 100 ms, 70/161 at 20, 43/94 at 10,
   * 45/190 at 5 (commits start to cost more CPU than they save). See docs/BENCHMARKS.md for the
   * current figures.
   */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 10;

  /** -1 lets the broker's default.replication.factor decide. */
  public static final int DEFAULT_REPLICATION_FACTOR = -1;

  /**
   * A room's recent events are part of its state record and of joined frames: keep them bounded.
   */
  public static final int MAX_HISTORY_SIZE = 1_000;

  /**
   * Members per room by default. Each member is one entry of the room's state record (rewritten on
   * every event of the room) and of every joined frame; docs/OPERATIONS.md has the cost.
   */
  public static final int DEFAULT_MAX_ROOM_MEMBERS = 1_000;

  /**
   * The most a room can hold and still fit one record ({@link RoomTopology#MAX_RECORD_BYTES}):
   * members at their largest ({@link RoomLogic#MEMBER_BYTES_BOUND} each) plus the recent events'
   * byte budget ({@link RoomLogic#RECENT_BYTES_BUDGET}).
   */
  public static final int MAX_ROOM_MEMBERS = 5_000;

  /**
   * One warm copy: a stopped instance's rooms are served by the copy's holder once the group
   * notices, without replaying the changelogs first. With one instance there is no other to hold
   * it, and it costs nothing.
   */
  public static final int DEFAULT_STANDBY_REPLICAS = 1;

  private static final Pattern APPLICATION_SERVER = Pattern.compile("[^:\\s]+:\\d{1,5}");

  // Internal topic names are "<applicationId>-<store>-changelog", so the id must be topic-legal.
  private static final Pattern TOPIC_LEGAL = Pattern.compile("[A-Za-z0-9._-]+");

  public ProcessorSettings {
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(),
        "bootstrapServers",
        bootstrapServers,
        "a non-empty host:port list");
    require(
        applicationId != null && TOPIC_LEGAL.matcher(applicationId).matches(),
        "applicationId",
        applicationId,
        "letters, digits, '.', '_' or '-'");
    Objects.requireNonNull(stateDir, "stateDir must be set: the directory for RocksDB state");
    require(
        historySize >= 0 && historySize <= MAX_HISTORY_SIZE,
        "historySize",
        historySize,
        "0.." + MAX_HISTORY_SIZE);
    require(
        dedupWindow != null && dedupWindow.toMillis() >= 1,
        "dedupWindow",
        dedupWindow,
        "at least 1 ms");
    require(
        gatewayTimeout != null && gatewayTimeout.toMillis() >= 1,
        "gatewayTimeout",
        gatewayTimeout,
        "at least 1 ms");
    require(commitIntervalMs >= 1, "commitIntervalMs", commitIntervalMs, ">= 1");
    require(
        replicationFactor == -1 || replicationFactor >= 1,
        "replicationFactor",
        replicationFactor,
        "-1 (broker default) or >= 1");
    Objects.requireNonNull(topics, "topics must be set");
    require(
        maxRoomMembers >= 1 && maxRoomMembers <= MAX_ROOM_MEMBERS,
        "maxRoomMembers",
        maxRoomMembers,
        "1.." + MAX_ROOM_MEMBERS);
    require(
        instanceId == null || TOPIC_LEGAL.matcher(instanceId).matches(),
        "instanceId",
        instanceId,
        "letters, digits, '.', '_' or '-'");
    require(standbyReplicas >= 0, "standbyReplicas", standbyReplicas, ">= 0");
    require(
        applicationServer == null || APPLICATION_SERVER.matcher(applicationServer).matches(),
        "applicationServer",
        applicationServer,
        "host:port");
  }

  /** The defaults for everything but the broker and the state directory. */
  public static ProcessorSettings defaults(String bootstrapServers, Path stateDir) {
    return new ProcessorSettings(
        bootstrapServers,
        DEFAULT_APPLICATION_ID,
        stateDir,
        DEFAULT_HISTORY_SIZE,
        DEFAULT_DEDUP_WINDOW,
        DEFAULT_GATEWAY_TIMEOUT,
        DEFAULT_COMMIT_INTERVAL_MS,
        DEFAULT_REPLICATION_FACTOR,
        TopicSet.DEFAULT,
        DEFAULT_STANDBY_REPLICAS,
        null,
        DEFAULT_MAX_ROOM_MEMBERS,
        null);
  }

  public ProcessorSettings withApplicationId(String value) {
    return new ProcessorSettings(
        bootstrapServers,
        value,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        topics,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withHistorySize(int value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        value,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        topics,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withDedupWindow(Duration value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        value,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        topics,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withGatewayTimeout(Duration value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        value,
        commitIntervalMs,
        replicationFactor,
        topics,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withCommitIntervalMs(long value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        value,
        replicationFactor,
        topics,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withReplicationFactor(int value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        value,
        topics,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withTopics(TopicSet value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        value,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withInstanceId(String value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        topics,
        standbyReplicas,
        applicationServer,
        maxRoomMembers,
        value);
  }

  public ProcessorSettings withMaxRoomMembers(int value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        topics,
        standbyReplicas,
        applicationServer,
        value,
        instanceId);
  }

  public ProcessorSettings withStandbyReplicas(int value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        topics,
        value,
        applicationServer,
        maxRoomMembers,
        instanceId);
  }

  public ProcessorSettings withApplicationServer(String value) {
    return new ProcessorSettings(
        bootstrapServers,
        applicationId,
        stateDir,
        historySize,
        dedupWindow,
        gatewayTimeout,
        commitIntervalMs,
        replicationFactor,
        topics,
        standbyReplicas,
        value,
        maxRoomMembers,
        instanceId);
  }

  private static void require(boolean ok, String setting, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "invalid processor setting " + setting + "=" + value + ": expected " + expected);
    }
  }
}
