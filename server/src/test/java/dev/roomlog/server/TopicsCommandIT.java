package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.systemtest.SharedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code roomlog topics create|check} and the start-up check, against a real broker: a cluster
 * whose topics differ from the settings is refused with the reason, not used.
 */
class TopicsCommandIT {
  private final String bootstrap = SharedKafka.bootstrapServers();

  private record Run(int exit, String out, String err) {}

  private static Run roomlog(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = RoomlogCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exit = commandLine.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private String[] kafkaFlags(String prefix, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--bootstrap-servers", bootstrap,
                "--topic-prefix", prefix,
                "--replication-factor", "1"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static String[] concat(String[] head, String[] tail) {
    String[] all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void createMakesTheTopicsAndCheckThenPasses() {
    String prefix = SharedKafka.uniquePrefix();
    Run check =
        roomlog(concat(new String[] {"topics", "check"}, kafkaFlags(prefix, "--partitions", "4")));
    assertEquals(2, check.exit(), check.err());
    assertTrue(
        check
            .err()
            .contains(
                prefix
                    + ".roomlog.actions (the write-ahead log) does not exist: run `roomlog topics create`."),
        check.err());

    Run create =
        roomlog(concat(new String[] {"topics", "create"}, kafkaFlags(prefix, "--partitions", "4")));
    assertEquals(0, create.exit(), create.err());
    assertTrue(create.out().contains("match the settings"), create.out());
    assertTrue(
        create.out().matches("(?s).*" + prefix + "\\.roomlog\\.actions\\s+4\\s+1\\s+1\\s+-1.*"),
        create.out());

    Run again =
        roomlog(concat(new String[] {"topics", "check"}, kafkaFlags(prefix, "--partitions", "4")));
    assertEquals(0, again.exit(), again.err());

    Run createAgain =
        roomlog(concat(new String[] {"topics", "create"}, kafkaFlags(prefix, "--partitions", "4")));
    assertEquals(0, createAgain.exit(), "create is safe to run again: " + createAgain.err());
  }

  @Test
  void checkNamesEveryTopicWhosePartitionsDiffer() {
    String prefix = SharedKafka.uniquePrefix();
    assertEquals(
        0,
        roomlog(concat(new String[] {"topics", "create"}, kafkaFlags(prefix, "--partitions", "4")))
            .exit());

    Run check =
        roomlog(concat(new String[] {"topics", "check"}, kafkaFlags(prefix, "--partitions", "6")));
    assertEquals(2, check.exit());
    for (String topic : List.of("actions", "room-events", "deliveries")) {
      assertTrue(
          check.err().contains(prefix + ".roomlog." + topic + " (")
              && check.err().contains("has 4 partitions, the settings say 6"),
          check.err());
    }
    assertTrue(check.err().contains("set --partitions to 4"), check.err());
  }

  @Test
  void aGatewayRefusesToStartOnTopicsMadeForOtherSettings() throws Exception {
    String prefix = SharedKafka.uniquePrefix();
    // Made by hand, as an operator might: the log with a week's retention.
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(prefix + ".roomlog.actions", 3, (short) 1)
                      .configs(Map.of("retention.ms", "604800000"))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Run gateway =
        roomlog(
            concat(
                new String[] {"gateway", "--port", "0", "--admin-port", "0", "--api-key", "k:s"},
                kafkaFlags(prefix, "--partitions", "3")));
    assertEquals(2, gateway.exit(), gateway.err());
    assertTrue(
        gateway
            .err()
            .contains(
                prefix
                    + ".roomlog.actions (the write-ahead log) has retention.ms=604800000, it must be -1"),
        gateway.err());
    // The topics it was missing were still created, as the settings say.
    Run check =
        roomlog(concat(new String[] {"topics", "check"}, kafkaFlags(prefix, "--partitions", "3")));
    assertTrue(check.err().contains("retention.ms=604800000"), check.err());
    assertTrue(!check.err().contains("does not exist"), check.err());
  }
}
