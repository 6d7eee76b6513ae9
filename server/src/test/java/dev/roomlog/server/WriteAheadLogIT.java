package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.systemtest.Checkout;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the gateway writes to the write-ahead log, read back the way an operator reads it. Each test
 * gets a Roomlog (and topics) of its own, since each asserts the whole content of the log.
 */
class WriteAheadLogIT {
  private InProcessRoomlog roomlog;

  @BeforeEach
  void start() {
    // The churn test opens IDLE_CYCLES connections from 127.0.0.1 as fast as it can, far past
    // the per-address handshake rate that guards a real deployment against exactly that.
    roomlog = InProcessRoomlog.start(g -> g.handshakeRatePerIp(10_000, 10_000));
  }

  @AfterEach
  void stop() {
    roomlog.close();
  }

  @Test
  void anUpgradeWithoutTheRightApiKeyIsRefused401AndNothingIsWritten() {
    assertEquals(401, WsClient.handshakeStatus(roomlog.port(), null));
    assertEquals(401, WsClient.handshakeStatus(roomlog.port(), "wrong-key"));
    assertEquals(401, WsClient.handshakeStatus(roomlog.port(), InProcessRoomlog.API_KEY + "x"));

    // A good connection that acts afterwards proves the log is being written: its $connect and
    // its action are all there is, nothing from the three refused attempts.
    try (WsClient good = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      good.send("{\"action\":\"createRoom\",\"username\":\"test1\",\"requestId\":\"r1\"}");
      good.awaitAnswer("r1");
      List<ConsumerRecord<String, WalRecord>> records = loggedBesidesHeartbeats(2);
      assertEquals(2, records.size(), "records besides the gateway's heartbeats: " + records);
      // Read partition by partition: the $connect (keyed by connection) and the createRoom
      // (keyed by room) may sit on either side of each other.
      ConsumerRecord<String, WalRecord> connect =
          records.stream()
              .filter(r -> r.value().action() instanceof Action.Connect)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no $connect in " + records));
      assertEquals(good.connectionId(), connect.key());
      assertTrue(
          records.stream().anyMatch(r -> r.value().action() instanceof Action.CreateRoom),
          records.toString());
    }
  }

  /**
   * Connection churn costs the permanent log nothing: connections that connect and close, or send
   * only invalid frames, write neither $connect nor $disconnect. Then one that creates a room
   * writes its $connect, its action and its $disconnect (one per partition), and those are all the
   * log holds besides heartbeats.
   */
  @Test
  void connectionsThatNeverActWriteNothingToTheLog() {
    for (int i = 0; i < IDLE_CYCLES; i++) {
      WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY).close();
    }
    try (WsClient invalid = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      invalid.send("{\"action\":\"joinRoom\",\"requestId\":\"bad\"}");
      assertEquals("missingField", invalid.awaitAnswer("bad").get("code").asText());
    }
    String member;
    try (WsClient creator = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      member = creator.connectionId();
      creator.send("{\"action\":\"createRoom\",\"username\":\"test1\",\"requestId\":\"r1\"}");
      creator.awaitAnswer("r1");
    }

    // The creator's records were appended after every earlier connection had closed.
    List<ConsumerRecord<String, WalRecord>> records =
        loggedBesidesHeartbeats(2 + InProcessRoomlog.PARTITIONS);

    assertEquals(
        List.of("$connect", "createRoom", "$disconnect", "$disconnect", "$disconnect"),
        records.stream()
            .map(r -> r.value().requestContext().routeKey())
            .sorted(Comparator.comparing(List.of("$connect", "createRoom", "$disconnect")::indexOf))
            .toList(),
        "only the creator's: " + records);
    records.forEach(r -> assertEquals(member, r.value().requestContext().connectionId()));
  }

  private static final int IDLE_CYCLES = 100;

  /**
   * Waits until the log holds at least {@code count} records besides heartbeats; returns them all.
   */
  private List<ConsumerRecord<String, WalRecord>> loggedBesidesHeartbeats(int count) {
    List<ConsumerRecord<String, WalRecord>> records = new ArrayList<>();
    await()
        .atMost(WsClient.WAIT)
        .until(
            () -> {
              records.clear();
              SharedKafka.readAll(roomlog.topics().actions()).stream()
                  .filter(r -> !(r.value().action() instanceof Action.Heartbeat))
                  .forEach(records::add);
              return records.size() >= count;
            });
    return records;
  }

  @Test
  void kafkaConsoleConsumerShowsEveryActionWithTheGatewayContext() throws Exception {
    String connectionId;
    try (WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      connectionId = alice.connectionId();
      alice.send(
          "{\"action\":\"createRoom\",\"username\":\"test1\",\"requestId\":\"r1\","
              + "\"connectionId\":\"forged\"}");
      alice.awaitAnswer("r1");
    }

    // The $disconnect goes to every partition (each partition's rooms must hear of it); wait
    // for all its copies, then read the whole log with the console consumer.
    int partitions = 3;
    List<ConsumerRecord<String, WalRecord>> all = new ArrayList<>();
    await()
        .atMost(WsClient.WAIT)
        .until(
            () -> {
              all.clear();
              all.addAll(SharedKafka.readAll(roomlog.topics().actions()));
              return all.stream()
                      .filter(r -> r.value().action() instanceof Action.Disconnect)
                      .count()
                  == partitions;
            });
    // Partition by partition, as many records as the snapshot holds in each: heartbeats keep
    // arriving, and a consumer reading all partitions at once for a total count could spend it
    // on new heartbeats of one partition before reaching the records of another.
    List<String> lines = new ArrayList<>();
    for (int partition = 0; partition < partitions; partition++) {
      int p = partition;
      long inPartition = all.stream().filter(r -> r.partition() == p).count();
      lines.addAll(consoleConsume(roomlog.topics().actions().name(), p, inPartition));
    }
    List<String> order = List.of("$connect", "createRoom", "$disconnect");
    List<JsonNode> values = new ArrayList<>();
    String roomId = null;
    for (String line : lines) {
      String[] keyAndValue = line.split("\t", 2);
      JsonNode value = Json.MAPPER.readTree(keyAndValue[1]);
      String action = value.get("action").asText();
      if (action.equals("$heartbeat")) {
        assertEquals(roomlog.gatewayId(), keyAndValue[0], "a heartbeat is keyed by its gateway");
        continue;
      }
      if (action.equals("createRoom")) {
        roomId = value.get("roomId").asText();
        assertTrue(roomId.startsWith("r-"), "the gateway names the room it creates: " + roomId);
        assertEquals(roomId, keyAndValue[0], "a room action is keyed by its room: " + line);
      } else {
        assertEquals(connectionId, keyAndValue[0], "lifecycle is keyed by connection: " + line);
      }
      values.add(value);
    }
    // The console consumer interleaves partitions; sort into the order the client acted in.
    values.sort(Comparator.comparing(v -> order.indexOf(v.get("action").asText())));
    assertEquals(
        List.of("$connect", "createRoom", "$disconnect", "$disconnect", "$disconnect"),
        values.stream().map(v -> v.get("action").asText()).toList(),
        "lines: " + lines);

    JsonNode create = values.get(1);
    assertEquals("test1", create.get("username").asText());
    assertEquals("r1", create.get("requestId").asText());
    JsonNode context = create.get("requestContext");
    assertEquals("createRoom", context.get("routeKey").asText());
    assertEquals("MESSAGE", context.get("eventType").asText());
    assertEquals(connectionId, context.get("connectionId").asText(), "the client cannot forge it");
    assertEquals(roomlog.gatewayId(), context.get("gatewayId").asText());
    assertEquals("127.0.0.1", context.at("/identity/sourceIp").asText());
    assertTrue(context.get("requestTimeEpoch").asLong() >= context.get("connectedAt").asLong());
    assertTrue(context.get("requestId").asText().length() > 0);
    assertEquals("CONNECT", values.get(0).at("/requestContext/eventType").asText());
    assertEquals("DISCONNECT", values.get(2).at("/requestContext/eventType").asText());
  }

  /** Runs bin/kafka-console-consumer, the command the README gives, and returns its lines. */
  private static List<String> consoleConsume(String topic, int partition, long count)
      throws IOException, InterruptedException {
    Path script = Checkout.root().resolve("bin/kafka-console-consumer");
    Process process =
        new ProcessBuilder(
                script.toString(),
                "--bootstrap-server",
                SharedKafka.bootstrapServers(),
                "--topic",
                topic,
                "--partition",
                String.valueOf(partition),
                "--offset",
                "earliest",
                "--property",
                "print.key=true",
                "--max-messages",
                String.valueOf(count),
                "--timeout-ms",
                "30000")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kafka-console-consumer did not end");
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
