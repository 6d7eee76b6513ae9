package dev.roomlog.server;

import dev.roomlog.gateway.Durations;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.protocol.TopicSet;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The room processor's flags, each with its environment variable. */
final class ProcessorOptions {
  @Option(
      names = "--application-id",
      defaultValue = "${env:ROOMLOG_APPLICATION_ID:-roomlog-processor}",
      description =
          "Kafka Streams application id, shared by every processor of one deployment (env ROOMLOG_APPLICATION_ID; default ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(
      names = "--history-size",
      defaultValue = "${env:ROOMLOG_HISTORY_SIZE:-100}",
      description =
          "Recent events per room kept in the processor's state: the history a join shows and how far back a resume can start (env ROOMLOG_HISTORY_SIZE; default ${DEFAULT-VALUE}).")
  int historySize;

  @Option(
      names = "--dedup-window",
      defaultValue = "${env:ROOMLOG_DEDUP_WINDOW:-1h}",
      description =
          "How long a clientMsgId is remembered: a retry within it is answered with the original result and not applied again (env ROOMLOG_DEDUP_WINDOW; default ${DEFAULT-VALUE}).")
  String dedupWindow;

  @Option(
      names = "--gateway-timeout",
      defaultValue = "${env:ROOMLOG_GATEWAY_TIMEOUT:-15s}",
      description =
          "How long a gateway may go without a heartbeat before its members are removed from their rooms (env ROOMLOG_GATEWAY_TIMEOUT; default ${DEFAULT-VALUE}).")
  String gatewayTimeout;

  @Option(
      names = "--commit-interval-ms",
      defaultValue = "${env:ROOMLOG_COMMIT_INTERVAL_MS:-10}",
      description =
          "Exactly-once commit interval; bounds the latency of every answer (env ROOMLOG_COMMIT_INTERVAL_MS; default ${DEFAULT-VALUE}).")
  long commitIntervalMs;

  @Option(
      names = "--instance-id",
      defaultValue = "${env:ROOMLOG_INSTANCE_ID}",
      description =
          "A stable id for this processor, unique among the processors of the application id (e.g. the host name). With one, a stop hands this processor's rooms over at once and a restart within 10 s gets them back without a rebalance; without one, a stopped processor's rooms wait 10 s for the group to notice (env ROOMLOG_INSTANCE_ID; default none).")
  String instanceId;

  @Option(
      names = "--max-room-members",
      defaultValue = "${env:ROOMLOG_MAX_ROOM_MEMBERS:-1000}",
      description =
          "Members one room may have; a join past it is refused with 409 roomFull. At most 5000: a room's members are part of its state record and of every joined frame (env ROOMLOG_MAX_ROOM_MEMBERS; default ${DEFAULT-VALUE}).")
  int maxRoomMembers;

  @Option(
      names = "--standby-replicas",
      defaultValue = "${env:ROOMLOG_STANDBY_REPLICAS:-1}",
      description =
          "Warm copies of each partition's room state kept by other processors, so a stopped processor's rooms move without a restore; no cost with one processor (env ROOMLOG_STANDBY_REPLICAS; default ${DEFAULT-VALUE}).")
  int standbyReplicas;

  @Option(
      names = "--rpc-port",
      defaultValue = "${env:ROOMLOG_RPC_PORT:-7070}",
      description =
          "The processor's query port (HTTP: /rooms, /rooms/{roomId}, /healthz, /readyz), by which processors also reach each other; 0 picks a free one (env ROOMLOG_RPC_PORT; default ${DEFAULT-VALUE}).")
  int rpcPort;

  @Option(
      names = "--rpc-bind",
      defaultValue = "${env:ROOMLOG_RPC_BIND:-0.0.0.0}",
      description =
          "Address the query port listens on (env ROOMLOG_RPC_BIND; default ${DEFAULT-VALUE}).")
  String rpcBind;

  @Option(
      names = "--rpc-host",
      defaultValue = "${env:ROOMLOG_RPC_HOST}",
      description =
          "The host name other processors reach this one's query port by (env ROOMLOG_RPC_HOST; default this machine's host name).")
  String rpcHost;

  /** The host other instances reach this one by. */
  String rpcHost() {
    if (rpcHost != null && !rpcHost.isBlank()) {
      return rpcHost.strip();
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(
          "this machine's host name does not resolve (" + e.getMessage() + "): set --rpc-host");
    }
  }

  ProcessorSettings settings(
      String bootstrapServers, Path stateDir, TopicSet topics, int replicationFactor) {
    return ProcessorSettings.defaults(bootstrapServers, stateDir)
        .withApplicationId(applicationId)
        .withHistorySize(historySize)
        .withDedupWindow(Durations.parse("--dedup-window", dedupWindow))
        .withGatewayTimeout(Durations.parse("--gateway-timeout", gatewayTimeout))
        .withCommitIntervalMs(commitIntervalMs)
        .withReplicationFactor(replicationFactor)
        .withStandbyReplicas(standbyReplicas)
        .withMaxRoomMembers(maxRoomMembers)
        .withInstanceId(instanceId == null || instanceId.isBlank() ? null : instanceId.strip())
        .withTopics(topics);
  }
}
