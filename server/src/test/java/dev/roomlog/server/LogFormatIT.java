package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.Checkout;
import dev.roomlog.systemtest.KafkaNode;
import dev.roomlog.systemtest.SharedKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roomlog jar's logs as an operator gets them, from JVMs of their own against a real broker:
 * JSON with {@code --log-format json} (or {@code ROOMLOG_LOG_FORMAT=json}), one object a line on
 * stderr, an exception's stack trace inside its line; text by default; and {@code tail}'s stdout
 * nothing but records either way.
 *
 * <p>One gateway for the class, started on a port that is taken: it creates the topics, writes its
 * first heartbeat to every partition of the log, then fails to listen and logs why, with the
 * exception, and exits 1. The heartbeats are what {@code tail} then reads.
 */
class LogFormatIT {
  private static final long DEADLINE_SECONDS = 90;

  /** The default text line: time, level, logger, message. */
  private static final Pattern TEXT_LINE =
      Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - .*");

  @TempDir static Path dir;
  private static List<String> kafkaFlags;
  private static String actionsTopic;
  private static Run gateway;

  private record Run(int exit, List<String> out, List<String> err) {
    String describe() {
      return "exit "
          + exit
          + "\nstdout:\n"
          + String.join("\n", out)
          + "\nstderr:\n"
          + String.join("\n", err);
    }
  }

  @BeforeAll
  static void aGatewayThatCannotListenLogsWhyAsJson() throws Exception {
    String prefix = SharedKafka.uniquePrefix();
    actionsTopic = prefix + ".roomlog.actions";
    kafkaFlags =
        List.of(
            "--bootstrap-servers",
            SharedKafka.bootstrapServers(),
            "--topic-prefix",
            prefix,
            "--partitions",
            "2",
            "--replication-factor",
            "1");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(KafkaNode.HOST))) {
      List<String> args = new ArrayList<>(List.of("--log-format", "json", "gateway"));
      args.addAll(kafkaFlags);
      args.addAll(
          List.of(
              "--bind-host",
              KafkaNode.HOST,
              "--port",
              String.valueOf(taken.getLocalPort()),
              "--gateway-id",
              "gw-logs",
              "--api-key",
              "k:secret"));
      gateway = roomlog("gateway", args, Map.of());
    }
  }

  @Test
  void jsonLogsAreOneObjectPerLineWithTheExceptionInsideIt() {
    assertEquals(1, gateway.exit(), gateway.describe());
    List<JsonNode> logs = jsonLogLines(gateway);
    assertTrue(
        logs.stream()
            .anyMatch(
                l ->
                    l.path("formattedMessage")
                        .asText()
                        .startsWith("Created topic " + actionsTopic)),
        "its start-up lines: " + gateway.describe());
    JsonNode failure =
        logs.stream()
            .filter(l -> l.path("formattedMessage").asText().equals("roomlog could not start"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no failure line: " + gateway.describe()));
    assertEquals("ERROR", failure.path("level").asText());
    assertEquals(RoomlogCommand.class.getName(), failure.path("loggerName").asText());
    JsonNode throwable = failure.path("throwable");
    assertTrue(throwable.path("className").asText().endsWith("Exception"), failure.toString());
    assertTrue(throwable.path("stepArray").size() > 0, "the stack trace: " + failure);
  }

  @Test
  void tailsStdoutIsOnlyRecordsWhileItsLogsAreJsonOnStderr() {
    // Kafka's consumer at INFO: a dozen lines, one of them the config dump, a message of many
    // lines.
    List<String> args = new ArrayList<>(List.of("tail"));
    args.addAll(kafkaFlags);
    args.addAll(
        List.of("--from", "beginning", "--no-follow", "--log-level", "org.apache.kafka=info"));
    Run tail = roomlog("tail-json", args, Map.of("ROOMLOG_LOG_FORMAT", "json"));

    assertEquals(0, tail.exit(), tail.describe());
    assertRecordsOnly(tail);
    List<JsonNode> logs = jsonLogLines(tail);
    assertTrue(
        logs.stream().anyMatch(l -> l.path("loggerName").asText().startsWith("org.apache.kafka")),
        "Kafka's INFO lines, as asked: " + tail.describe());
    assertTrue(
        logs.stream().anyMatch(l -> l.path("formattedMessage").asText().contains("\n")),
        "a message of several lines stays one JSON line: " + tail.describe());
  }

  @Test
  void logsAreTextByDefaultAndStdoutTheSame() {
    List<String> args = new ArrayList<>(List.of("tail"));
    args.addAll(kafkaFlags);
    args.addAll(
        List.of("--from", "beginning", "--no-follow", "--log-level", "org.apache.kafka=info"));
    Run tail = roomlog("tail-text", args, Map.of());

    assertEquals(0, tail.exit(), tail.describe());
    assertRecordsOnly(tail);
    assertFalse(tail.err().isEmpty(), tail.describe());
    assertTrue(TEXT_LINE.matcher(tail.err().get(0)).matches(), tail.describe());
    assertTrue(tail.err().stream().noneMatch(l -> l.startsWith("{")), tail.describe());
  }

  /** Every stdout line is a record of the log: the gateway's heartbeat on each partition. */
  private static void assertRecordsOnly(Run run) {
    assertEquals(2, run.out().size(), "one heartbeat per partition: " + run.describe());
    for (String line : run.out()) {
      JsonNode record = parse(line, run);
      assertEquals(actionsTopic, record.path("topic").asText(), line);
      assertTrue(record.has("offset") && record.has("value"), line);
    }
  }

  /** Every stderr line as the JSON object it must be, with the fields every line has. */
  private static List<JsonNode> jsonLogLines(Run run) {
    assertFalse(run.err().isEmpty(), "no log lines: " + run.describe());
    List<JsonNode> logs = new ArrayList<>();
    for (String line : run.err()) {
      JsonNode log = parse(line, run);
      for (String field :
          List.of("timestamp", "level", "threadName", "loggerName", "formattedMessage")) {
        assertTrue(log.hasNonNull(field), "no " + field + " in " + line);
      }
      logs.add(log);
    }
    return logs;
  }

  private static JsonNode parse(String line, Run run) {
    try {
      JsonNode node = Json.MAPPER.readTree(line);
      assertTrue(
          node != null && node.isObject(), "not a JSON object: " + line + "\n" + run.describe());
      return node;
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + line + "\n" + run.describe(), e);
    }
  }

  /** Runs the roomlog jar to its end, stdout and stderr apart. */
  private static Run roomlog(String name, List<String> args, Map<String, String> env) {
    Path jar = Checkout.root().resolve("server/target/roomlog.jar");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString()));
    command.addAll(args);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove("ROOMLOG_LOG_FORMAT");
    builder.environment().remove("ROOMLOG_LOG_LEVEL");
    builder.environment().putAll(env);
    Process process = null;
    try {
      process = builder.start();
      if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError(
            name + " did not end within " + DEADLINE_SECONDS + " s: " + command);
      }
      return new Run(
          process.exitValue(),
          Files.readAllLines(out, StandardCharsets.UTF_8),
          Files.readAllLines(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
