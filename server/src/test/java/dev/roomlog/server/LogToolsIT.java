package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.Checkout;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.consumer.ConsoleConsumer;
import org.apache.kafka.tools.consumer.ConsoleConsumerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Reading the log as an operator does, against a real broker: {@code roomlog tail} and {@code
 * roomlog replay} run in-process as the command line runs them, and the README's
 * kafka-console-consumer commands run with Kafka's own ConsoleConsumer. One Roomlog for the class:
 * two rooms on the same partition, one per client, the clients kept open (so the log has no
 * $disconnect while the tests read it).
 */
class LogToolsIT {
  private static InProcessRoomlog roomlog;
  private static WsClient alice;
  private static WsClient bob;
  private static String lobby;
  private static String hall;

  /** The {@code sentAt} of alice's second message: its event's {@code at}. */
  private static long secondMessageAt;

  @BeforeAll
  static void makeTwoRoomsOnOnePartition() {
    roomlog = InProcessRoomlog.start();
    lobby = "lobby-" + SharedKafka.uniquePrefix();
    hall = sharingPartitionWith(lobby);
    alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
    bob = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);

    alice.sendAction("createRoom", "username", "alice", "roomId", lobby, "requestId", "c");
    alice.awaitAnswer("c");
    bob.sendAction("createRoom", "username", "bob", "roomId", hall, "requestId", "c");
    bob.awaitAnswer("c");
    for (int i = 1; i <= 3; i++) {
      alice.sendAction("sendMessage", "roomId", lobby, "text", "m" + i, "requestId", "m" + i);
      JsonNode answer = alice.awaitAnswer("m" + i);
      if (i == 2) {
        secondMessageAt = answer.get("sentAt").asLong();
      }
    }
    bob.sendAction("sendMessage", "roomId", hall, "text", "in the hall", "requestId", "h1");
    bob.awaitAnswer("h1");
  }

  @AfterAll
  static void stop() {
    alice.close();
    bob.close();
    roomlog.close();
  }

  /** A room id the producer puts on the same partition as {@code room}. */
  private static String sharingPartitionWith(String room) {
    int partition = partitionOf(room);
    for (int i = 0; ; i++) {
      String candidate = "hall-" + i + "-" + room;
      if (partitionOf(candidate) == partition) {
        return candidate;
      }
    }
  }

  private static int partitionOf(String room) {
    return BuiltInPartitioner.partitionForKey(
        room.getBytes(StandardCharsets.UTF_8), InProcessRoomlog.PARTITIONS);
  }

  private record Run(int exit, List<JsonNode> lines, String out, String err) {}

  private static Run roomlog(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-servers", roomlog.bootstrapServers()));
    if (!all.contains("--topic-prefix")) {
      all.addAll(
          List.of(
              "--topic-prefix", roomlog.topics().actions().name().replace(".roomlog.actions", "")));
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = RoomlogCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exit = commandLine.execute(all.toArray(String[]::new));
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString().lines().toList()) {
      try {
        lines.add(Json.MAPPER.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }
    return new Run(exit, lines, out.toString(), err.toString());
  }

  private static List<Long> seqs(Run run) {
    return run.lines().stream().map(e -> e.get("seq").asLong()).toList();
  }

  private static List<String> actions(Run run) {
    return run.lines().stream().map(l -> l.at("/value/action").asText()).toList();
  }

  @Test
  void replayFromASeqPrintsExactlyThatRoomsEventsFromThere() {
    Run run = roomlog("replay", "--room", lobby, "--from-seq", "3");

    assertEquals(0, run.exit(), run.err());
    assertEquals("", run.err());
    assertEquals(List.of(3L, 4L, 5L), seqs(run), run.out());
    assertEquals(
        List.of("m1", "m2", "m3"), run.lines().stream().map(e -> e.get("text").asText()).toList());
    for (JsonNode event : run.lines()) {
      assertEquals(lobby, event.get("roomId").asText());
      assertEquals("messagePosted", event.get("type").asText());
    }

    Run all = roomlog("replay", "--room", lobby, "--from-seq", "0");
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(all));
    assertEquals(
        List.of("roomCreated", "memberJoined"),
        all.lines().subList(0, 2).stream().map(e -> e.get("type").asText()).toList());

    Run window = roomlog("replay", "--room", lobby, "--from-seq", "2", "--to-seq", "3");
    assertEquals(List.of(2L, 3L), seqs(window));
  }

  @Test
  void replayPrintsEachEventAsItIsInTheTopic() throws IOException {
    List<JsonNode> inTopic = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r :
        SharedKafka.readAll(
            roomlog.bootstrapServers(),
            roomlog.topics().roomEvents().name(),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      if (r.key().equals(hall)) {
        inTopic.add(Json.MAPPER.readTree(r.value()));
      }
    }
    Run run = roomlog("replay", "--room", hall, "--from-seq", "1");
    assertEquals(3, inTopic.size(), "the hall's events: " + inTopic);
    assertEquals(inTopic, run.lines());
  }

  @Test
  void replayFromATimePrintsTheEventsFromThatTimeOn() {
    Run run =
        roomlog(
            "replay",
            "--room",
            lobby,
            "--from-time",
            Instant.ofEpochMilli(secondMessageAt).toString());

    assertEquals(0, run.exit(), run.err());
    assertEquals(List.of(4L, 5L), seqs(run), run.out());
    assertEquals(
        List.of("m2", "m3"), run.lines().stream().map(e -> e.get("text").asText()).toList());

    Run later =
        roomlog(
            "replay",
            "--room",
            lobby,
            "--from-time",
            Instant.ofEpochMilli(secondMessageAt + 1).toString());
    assertEquals(List.of(5L), seqs(later));
  }

  @Test
  void replayOfAnUnknownRoomSaysSoAndExits1() {
    Run run = roomlog("replay", "--room", "no-such-room", "--from-seq", "1");

    assertEquals(1, run.exit());
    assertEquals("", run.out());
    assertEquals("no events for room no-such-room", run.err().strip());

    Run pastTheEnd = roomlog("replay", "--room", lobby, "--from-seq", "6");
    assertEquals(1, pastTheEnd.exit());
    assertEquals(
        "no events for room "
            + lobby
            + " from seq 6 (its history in the log starts at seq 1 and ends at seq 5)",
        pastTheEnd.err().strip());
  }

  @Test
  void badFlagsAreRefusedWithExit2AndTheReason() {
    Map<List<String>, String> cases =
        Map.of(
            List.of(
                "replay",
                "--room",
                lobby,
                "--from-seq",
                "1",
                "--from-time",
                "2025-11-26T10:00:00Z"),
            "roomlog: give exactly one of --from-seq and --from-time",
            List.of("replay", "--room", lobby),
            "roomlog: give exactly one of --from-seq and --from-time",
            List.of("replay", "--room", lobby, "--from-seq", "-1"),
            "roomlog: --from-seq must be 0 or more, was -1",
            List.of("replay", "--room", lobby, "--from-time", "yesterday"),
            "roomlog: --from-time must be an ISO-8601 time with its offset, such as 2025-11-26T10:00:00Z, was 'yesterday'",
            List.of("tail", "--from", "somewhere"),
            "roomlog: --from must be beginning, end, <partition>:<offset> or an ISO-8601 time such as 2025-11-26T10:00:00Z, was 'somewhere'",
            List.of("tail", "--topic", "deliveries"),
            "roomlog: --topic must be one of actions, room-events, was 'deliveries'",
            List.of("tail", "--from", "7:0", "--no-follow"),
            "roomlog: --from names a partition "
                + roomlog.topics().actions().name()
                + " does not have: it has 3 (0 to 2)",
            List.of("tail", "--no-follow", "--topic-prefix", "no-such-prefix"),
            "roomlog: topic no-such-prefix.roomlog.actions does not exist on "
                + roomlog.bootstrapServers()
                + " (check --bootstrap-servers and --topic-prefix)");
    cases.forEach(
        (args, message) -> {
          Run run = roomlog(args.toArray(String[]::new));
          assertEquals(2, run.exit(), args + ": " + run.err());
          assertEquals(message, run.err().strip(), args.toString());
          assertEquals("", run.out(), args.toString());
        });
  }

  @Test
  void tailOfARoomShowsOnlyThatRoomsActions() {
    Run run = roomlog("tail", "--room", lobby, "--from", "beginning", "--no-follow");

    assertEquals(0, run.exit(), run.err());
    assertEquals(
        List.of("createRoom", "sendMessage", "sendMessage", "sendMessage"),
        actions(run),
        run.out());
    for (JsonNode line : run.lines()) {
      assertEquals(roomlog.topics().actions().name(), line.get("topic").asText());
      assertEquals(lobby, line.get("key").asText());
      assertEquals(alice.connectionId(), line.at("/value/requestContext/connectionId").asText());
      assertEquals(partitionOf(lobby), line.get("partition").asInt());
      assertTrue(line.get("timestamp").asLong() > 0);
      assertFalse(line.has("unreadable"));
    }
  }

  @Test
  void tailOfAConnectionShowsOnlyThatConnectionsRecords() {
    Run actions =
        roomlog("tail", "--connection", bob.connectionId(), "--from", "beginning", "--no-follow");

    assertEquals(0, actions.exit(), actions.err());
    assertEquals(
        List.of("$connect", "createRoom", "sendMessage"),
        sortedLikeTheClient(actions),
        actions.out());
    actions
        .lines()
        .forEach(
            l ->
                assertEquals(
                    bob.connectionId(), l.at("/value/requestContext/connectionId").asText()));

    Run events =
        roomlog(
            "tail",
            "--topic",
            "room-events",
            "--connection",
            bob.connectionId(),
            "--from",
            "beginning",
            "--no-follow");
    assertEquals(
        List.of("memberJoined", "messagePosted"),
        events.lines().stream().map(l -> l.at("/value/type").asText()).toList(),
        events.out());
    events.lines().forEach(l -> assertEquals(hall, l.get("key").asText()));
  }

  /** Lines of several partitions come partition by partition; put them in the client's order. */
  private static List<String> sortedLikeTheClient(Run run) {
    List<String> order = List.of("$connect", "createRoom", "sendMessage");
    return actions(run).stream().sorted(java.util.Comparator.comparingInt(order::indexOf)).toList();
  }

  @Test
  void tailStopsAtItsLimitAndStartsWhereItIsTold() {
    Run two =
        roomlog("tail", "--room", lobby, "--from", "beginning", "--no-follow", "--limit", "2");
    assertEquals(List.of("createRoom", "sendMessage"), actions(two));

    long thirdOffset = two.lines().get(1).get("offset").asLong() + 1;
    Run fromOffset =
        roomlog(
            "tail",
            "--room",
            lobby,
            "--from",
            partitionOf(lobby) + ":" + thirdOffset,
            "--no-follow");
    assertTrue(
        fromOffset.lines().stream()
            .allMatch(
                l ->
                    l.get("offset").asLong() >= thirdOffset
                        && l.get("partition").asInt() == partitionOf(lobby)),
        fromOffset.out());
    assertEquals(
        List.of("m2", "m3"),
        fromOffset.lines().stream().map(l -> l.at("/value/text").asText()).toList());

    Run fromTime =
        roomlog(
            "tail",
            "--room",
            lobby,
            "--from",
            Instant.ofEpochMilli(secondMessageAt).toString(),
            "--no-follow");
    assertEquals(
        List.of("m2", "m3"),
        fromTime.lines().stream().map(l -> l.at("/value/text").asText()).toList());
  }

  @Test
  void aRecordThatIsNotJsonIsShownAsTextAndTheTailGoesOn() throws Exception {
    String prefix = SharedKafka.uniquePrefix();
    String topic = prefix + ".roomlog.actions";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, roomlog.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, roomlog.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "lobby", "not json {")).get(30, TimeUnit.SECONDS);
      producer
          .send(
              new ProducerRecord<>(
                  topic, "lobby", "{\"action\":\"sendMessage\",\"roomId\":\"lobby\"}"))
          .get(30, TimeUnit.SECONDS);
    }

    Run run = roomlog("tail", "--topic-prefix", prefix, "--from", "beginning", "--no-follow");

    assertEquals(0, run.exit(), run.err());
    assertEquals(2, run.lines().size(), run.out());
    assertEquals("not json {", run.lines().get(0).get("value").asText());
    assertTrue(run.lines().get(0).get("unreadable").asBoolean());
    assertEquals("sendMessage", run.lines().get(1).at("/value/action").asText());
    assertFalse(run.lines().get(1).has("unreadable"));
  }

  @Test
  void theReadmesConsoleConsumerCommandsPrintAKeyAndAJsonObjectOnEachLine() throws Exception {
    List<List<String>> commands = readmeConsoleConsumerCommands();
    List<String> topics = commands.stream().map(c -> c.get(c.indexOf("--topic") + 1)).toList();
    assertEquals(List.of("roomlog.actions", "roomlog.room-events", "roomlog.deliveries"), topics);

    String prefix = roomlog.topics().actions().name().replace(".roomlog.actions", "");
    for (List<String> command : commands) {
      String topic = prefix + "." + command.get(command.indexOf("--topic") + 1);
      int records =
          SharedKafka.readAll(
                  roomlog.bootstrapServers(),
                  topic,
                  new StringDeserializer(),
                  new ByteArrayDeserializer())
              .size();
      assertTrue(records > 0, topic + " is empty");
      List<String> args = new ArrayList<>();
      for (String word : command.subList(1, command.size())) {
        args.add(
            word.replace("localhost:9092", roomlog.bootstrapServers())
                .replaceFirst("^roomlog\\.", prefix + ".roomlog."));
      }
      args.addAll(List.of("--max-messages", String.valueOf(records), "--timeout-ms", "30000"));

      List<String> lines = consoleConsumer(args);

      assertEquals(records, lines.size(), topic + ": " + lines);
      for (String line : lines) {
        String[] keyAndValue = line.split("\t", 2);
        assertEquals(2, keyAndValue.length, "key<TAB>value: " + line);
        assertFalse(keyAndValue[0].isBlank(), line);
        assertTrue(Json.MAPPER.readTree(keyAndValue[1]).isObject(), line);
      }
    }
  }

  /** The README's kafka-console-consumer commands, each as its words. */
  private static List<List<String>> readmeConsoleConsumerCommands() throws IOException {
    String readme = Files.readString(Checkout.root().resolve("README.md"));
    Matcher command =
        Pattern.compile("(?m)^bin/kafka-console-consumer (?:[^\\n]*\\\\\\n)*[^\\n]*$")
            .matcher(readme);
    List<List<String>> commands = new ArrayList<>();
    while (command.find()) {
      commands.add(List.of(command.group().replace("\\\n", " ").trim().split("\\s+")));
    }
    return commands;
  }

  /**
   * Runs Kafka's ConsoleConsumer (what bin/kafka-console-consumer runs) in this JVM and returns its
   * lines. It prints to System.out, which is swapped for the run; it would exit the JVM on a bad
   * argument, which is made to throw instead.
   */
  private static synchronized List<String> consoleConsumer(List<String> args) throws IOException {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    Exit.setExitProcedure(
        (code, message) -> {
          throw new AssertionError("ConsoleConsumer exited " + code + ": " + message);
        });
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      ConsoleConsumer.run(new ConsoleConsumerOptions(args.toArray(String[]::new)));
    } finally {
      System.setOut(stdout);
      Exit.resetExitProcedure();
    }
    return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }
}
