package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.systemtest.KafkaClusterProcess;
import dev.roomlog.systemtest.RoomlogProcess;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roomlog's roles, each in its own JVM from the built jar, serve on the three-node cluster that
 * fault tests use, with exactly-once processing. Here rather than beside the kit's
 * KafkaClusterProcessIT because the roomlog jar is this module's.
 */
class RoomlogProcessIT {
  private static final int PARTITIONS = 3;

  @TempDir static Path dir;
  private static KafkaClusterProcess cluster;

  @BeforeAll
  static void startCluster() {
    cluster = KafkaClusterProcess.onFreePorts(dir.resolve("kafka"));
    cluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void roomlogRolesInJvmsOfTheirOwnServeOnTheClusterAndAKilledGatewayComesBackOnItsPort() {
    String prefix = SharedKafka.uniquePrefix();
    RoomlogProcess.KafkaFlags kafka =
        new RoomlogProcess.KafkaFlags(cluster.bootstrapServers(), prefix, PARTITIONS, (short) 3);
    String key = "cluster-it-key";
    try (RoomlogProcess processor =
            RoomlogProcess.processor(dir.resolve(prefix + "-processor"), kafka, prefix + "-app")
                .start();
        RoomlogProcess gateway =
            RoomlogProcess.gateway(dir.resolve(prefix + "-gateway"), kafka, prefix + "-gw", key)
                .start()) {
      try (WsClient alice = WsClient.connect(gateway.port(), key)) {
        alice.sendAction("createRoom", "username", "alice", "requestId", "c");
        assertEquals("roomCreated", alice.awaitAnswer("c").get("type").asText());
      }

      gateway.kill();
      assertFalse(gateway.isRunning());
      gateway.restart();

      try (WsClient bob = WsClient.connect(gateway.port(), key)) {
        bob.sendAction("createRoom", "username", "bob", "requestId", "c2");
        JsonNode created = bob.awaitAnswer("c2");
        assertEquals("roomCreated", created.get("type").asText(), created.toString());
      }
      assertTrue(processor.isRunning());
    }
  }
}
