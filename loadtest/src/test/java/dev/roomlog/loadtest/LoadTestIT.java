package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every scenario, tiny, through the command a user runs, against the real {@code roomlog dev} (its
 * own JVM, embedded Kafka included) with the limits raised as the README says. It checks that the
 * tool runs and reports sane figures (everything sent arrived, nothing refused), never how fast
 * anything was.
 */
class LoadTestIT {
  private static final String KEY = "loadtest-it-key";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static RoomlogDev dev;

  @BeforeAll
  static void startRoomlog() throws Exception {
    dev =
        RoomlogDev.start(
            dir.resolve("data"),
            KEY,
            List.of(
                "roomlog.gateway.connectionRatePerSecond=100000",
                "roomlog.gateway.connectionBurst=100000",
                "roomlog.gateway.apiKeyRatePerSecond=1000000",
                "roomlog.gateway.apiKeyBurst=1000000",
                "roomlog.gateway.maxConnectionsPerIp=100000",
                "roomlog.gateway.handshakesPerSecondPerIp=100000",
                "roomlog.gateway.handshakeBurstPerIp=100000",
                "roomlog.gateway.maxInFlightActionsPerConnection=10000",
                "roomlog.gateway.maxUnansweredActionsPerConnection=10000"),
            Duration.ofSeconds(90));
  }

  @AfterAll
  static void stopRoomlog() {
    if (dev != null) {
      dev.close();
    }
  }

  /** Runs the command in this JVM and returns its result file, read. */
  private static JsonNode run(String scenario, String... flags) throws Exception {
    return runAs(scenario, scenario, flags);
  }

  /** As {@link #run}, writing the result to {@code name}.json. */
  private static JsonNode runAs(String name, String scenario, String... flags) throws Exception {
    Path out = dir.resolve(name + ".json");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--scenario",
                scenario,
                "--target",
                "127.0.0.1:" + dev.port(),
                "--api-key",
                KEY,
                "--source-addresses",
                "4",
                "--quiet",
                "--out",
                out.toString()));
    args.addAll(List.of(flags));
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    CommandLine cmd = new CommandLine(new LoadTestCommand());
    cmd.setOut(new PrintWriter(stdout, true));
    cmd.setErr(new PrintWriter(stderr, true));
    int exit = cmd.execute(args.toArray(String[]::new));
    String said = "stdout:\n" + stdout + "\nstderr:\n" + stderr + "\nroomlog dev:\n" + dev.output();
    assertEquals(0, exit, said);
    assertTrue(stdout.toString().startsWith("scenario"), "the table: " + said);
    JsonNode result = JSON.readTree(Files.readString(out));
    assertEquals(scenario, result.get("scenario").asText());
    assertEquals(0, result.get("errorsTotal").asLong(), "no errors: " + result.get("errors"));
    assertEquals(0, result.get("timeouts").asLong());
    assertEquals(0, result.get("duplicates").asLong());
    return result;
  }

  private static void assertEveryMessageReachedEveryMember(JsonNode r) {
    assertTrue(r.get("sent").asLong() > 0, r.toString());
    assertEquals(r.get("sent").asLong(), r.get("acked").asLong());
    assertEquals(r.get("expectedDeliveries").asLong(), r.get("delivered").asLong());
    assertEquals(r.get("sent").asLong() * r.get("roomSize").asLong(), r.get("delivered").asLong());
    assertEquals(0, r.get("missingDeliveries").asLong());
    assertTrue(r.get("latencyCount").asLong() > 0);
    assertTrue(r.get("latencyP50Ms").asDouble() > 0);
    assertTrue(r.get("latencyMaxMs").asDouble() >= r.get("latencyP99Ms").asDouble());
    assertTrue(r.get("throughput").size() > 0);
  }

  @Test
  void ingestCountsAcknowledgedActions() throws Exception {
    JsonNode r =
        run(
            "ingest",
            "--connections",
            "5",
            "--rate",
            "50",
            "--duration",
            "2s",
            "--warmup",
            "500ms");
    assertEquals("ack", r.get("latency").asText());
    assertEveryMessageReachedEveryMember(r);
    assertTrue(r.get("achievedRate").asDouble() > 0);
  }

  @Test
  void chatMeasuresEveryMemberAndDrawsThePlots() throws Exception {
    Path plots = dir.resolve("plots");
    JsonNode r =
        run(
            "chat",
            "--connections",
            "6",
            "--room-size",
            "3",
            "--rate",
            "20",
            "--duration",
            "2s",
            "--warmup",
            "500ms",
            "--plots",
            plots.toString());
    assertEquals("delivery", r.get("latency").asText());
    assertEquals(2, r.get("rooms").asInt());
    assertEveryMessageReachedEveryMember(r);
    assertTrue(r.get("latencyPercentiles").size() > 0);
    assertTrue(Files.size(plots.resolve("chat-latency-by-percentile.png")) > 0);
    assertTrue(Files.size(plots.resolve("chat-throughput.png")) > 0);
  }

  @Test
  void fanoutDeliversEachMessageToTheWholeRoom() throws Exception {
    JsonNode r =
        run(
            "fanout",
            "--connections",
            "20",
            "--rate",
            "10",
            "--duration",
            "2s",
            "--warmup",
            "500ms");
    assertEquals("lastMember", r.get("latency").asText());
    assertEquals(1, r.get("rooms").asInt());
    assertEquals(20, r.get("roomSize").asInt());
    assertEveryMessageReachedEveryMember(r);
    assertTrue(r.get("deliveriesPerSecond").asDouble() > 0);
  }

  /**
   * One room played by three generator processes (here three runs of the command in this JVM, each
   * with its own connections, as three processes would): shard 0 reports the whole room, every
   * message reaching every member of every shard.
   */
  @Test
  void aRoomOfThreeShardsIsReportedWhole() throws Exception {
    Path shardDir = dir.resolve("shards");
    String[] common = {
      "--rate", "10", "--duration", "2s", "--warmup", "500ms", "--shard-dir", shardDir.toString()
    };
    ExecutorService others = Executors.newFixedThreadPool(2);
    try {
      List<Future<JsonNode>> members = new ArrayList<>();
      for (int shard = 1; shard <= 2; shard++) {
        List<String> flags = new ArrayList<>(List.of(common));
        flags.addAll(List.of("--shard", shard + "/3", "--connections", String.valueOf(3 + shard)));
        String name = "fanout-shard-" + shard;
        members.add(others.submit(() -> runAs(name, "fanout", flags.toArray(String[]::new))));
      }
      List<String> flags = new ArrayList<>(List.of(common));
      flags.addAll(
          List.of(
              "--shard", "0/3", "--connections", "6", "--server-pid", String.valueOf(dev.pid())));
      JsonNode room = runAs("fanout-shard-0", "fanout", flags.toArray(String[]::new));

      assertEquals(3, room.get("shards").asInt(), room.toString());
      assertEquals(6 + 4 + 5, room.get("roomSize").asInt());
      assertEquals(6 + 4 + 5, room.get("connections").asInt());
      assertEveryMessageReachedEveryMember(room);
      // Each measured message has one room-wide last member.
      assertTrue(room.get("latencyCount").asLong() <= room.get("sent").asLong(), room.toString());
      assertTrue(room.get("joinAllMs").asDouble() > 0);
      assertTrue(room.get("heapUsedAfterBytes").asLong() > 0);
      for (int shard = 1; shard <= 2; shard++) {
        JsonNode member = members.get(shard - 1).get(60, TimeUnit.SECONDS);
        assertEquals(
            room.get("sent").asLong() * (3 + shard),
            member.get("delivered").asLong(),
            member.toString());
        assertEquals(0, member.get("missingDeliveries").asLong());
      }
    } finally {
      others.shutdownNow();
    }
  }

  @Test
  void connectionsHoldsThemAndMeasuresTheServersHeap() throws Exception {
    JsonNode r =
        run(
            "connections",
            "--connections",
            "40",
            "--duration",
            "1s",
            "--server-pid",
            String.valueOf(dev.pid()));
    assertEquals(40, r.get("connectionsOpened").asLong());
    assertEquals(40, r.get("connectionsHeld").asLong());
    assertEquals(40, r.get("connectCount").asLong());
    assertTrue(r.get("heapUsedBeforeBytes").asLong() > 0);
    assertTrue(r.get("heapUsedAfterBytes").asLong() > 0);
    // Forty connections are within the heap's noise: the figure is there, its size is not checked.
    assertTrue(r.has("bytesPerConnection"), r.toString());
  }

  @Test
  void reconnectBringsEveryoneBackWithTheHistoryTheyHadSeen() throws Exception {
    JsonNode r =
        run(
            "reconnect",
            "--connections",
            "8",
            "--room-size",
            "4",
            "--messages-per-room",
            "3",
            "--rate",
            "20");
    assertEquals("reconnect", r.get("latency").asText());
    assertEquals(6, r.get("messagesBeforeDrop").asLong());
    assertEquals(8, r.get("rejoined").asLong());
    assertEquals(0, r.get("missingAfterReconnect").asLong());
    assertEquals(8, r.get("reconnectCount").asLong());
    assertTrue(r.get("reconnectAllMs").asDouble() > 0);
  }
}
