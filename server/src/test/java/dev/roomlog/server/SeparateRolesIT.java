package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.systemtest.Checkout;
import dev.roomlog.systemtest.ChildProcess;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code roomlog processor} and {@code roomlog gateway}, each in its own JVM from the built jar,
 * against a Kafka they do not start (the test's broker stands in for a cluster).
 */
class SeparateRolesIT {
  private static final String KEY = "roles-it-key";

  @TempDir Path stateDir;

  @Test
  void aGatewayAndAProcessorInSeparateProcessesServeRoomsTogether() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = SharedKafka.uniquePrefix();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> cluster =
        List.of(
            "--bootstrap-servers",
            bootstrap,
            "--replication-factor",
            "1",
            "--topic-prefix",
            prefix);

    try (ChildProcess processor =
            roomlog(
                "processor",
                cluster,
                "--application-id",
                prefix + "-app",
                "--state-dir",
                stateDir.toString(),
                "--query-port",
                "0");
        ChildProcess gateway =
            roomlog(
                "gateway",
                cluster,
                "--port",
                String.valueOf(port),
                "--admin-port",
                "0",
                "--api-key",
                KEY)) {
      processor.awaitLine("REBALANCING -> RUNNING", Duration.ofSeconds(90));
      gateway.awaitLine("listening on port " + port, Duration.ofSeconds(90));

      try (WsClient alice = WsClient.connect(port, KEY);
          WsClient bob = WsClient.connect(port, KEY)) {
        alice.sendAction("createRoom", "username", "alice", "requestId", "c");
        String roomId = alice.awaitAnswer("c").get("roomId").asText();
        bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j");
        JsonNode joined = bob.awaitAnswer("j");
        List<String> members = new ArrayList<>();
        joined.get("members").forEach(m -> members.add(m.get("username").asText()));
        assertEquals(List.of("alice", "bob"), members);

        bob.sendAction(
            "sendMessage", "roomId", roomId, "text", "across processes", "requestId", "s");
        JsonNode seen =
            alice.awaitFrame("message", f -> f.get("text").asText().equals("across processes"));
        assertEquals(bob.awaitAnswer("s").get("seq"), seen.get("seq"));
      }
    }
  }

  private static ChildProcess roomlog(String role, List<String> cluster, String... more) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx384m",
                "-jar",
                Checkout.root().resolve("server/target/roomlog.jar").toString(),
                role));
    command.addAll(cluster);
    command.addAll(List.of(more));
    return ChildProcess.start("roomlog-" + role, command);
  }
}
