package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.processor.query.QueryServer;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.systemtest.Checkout;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics of a real Roomlog (a processor with its query port and a gateway node, each with its
 * own Prometheus registry, as in production) on the shared broker: real WebSocket clients connect,
 * are refused, create, join and talk, and {@code GET /metrics} on the gateway's WebSocket port and
 * on the processor's query port must show the counters moving. Every {@code roomlog_*} family
 * either scrape shows must be listed in docs/OPERATIONS.md.
 */
class MetricsIT {
  private static final String API_KEY = "metrics-it-key";
  private static final int PARTITIONS = 3;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @TempDir Path stateDir;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T part) {
    toClose.add(part);
    return part;
  }

  @Test
  void gatewayAndProcessorMetricsMoveAsClientsAct() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = SharedKafka.uniquePrefix();
    TopicSet topics = TopicSet.prefixed(prefix);
    TopicProvisioner.ensureTopics(bootstrap, topics, PARTITIONS, (short) 1);

    PrometheusMetrics processorMetrics = closing(new PrometheusMetrics());
    QueryServer queries =
        closing(QueryServer.bind("127.0.0.1", 0, null, PARTITIONS, processorMetrics::scrape));
    RoomProcessor processor =
        closing(
            new RoomProcessor(
                ProcessorSettings.defaults(bootstrap, stateDir)
                    .withApplicationId(prefix + "-processor")
                    .withReplicationFactor(1)
                    .withTopics(topics)
                    .withApplicationServer("127.0.0.1:" + queries.port()),
                () -> {},
                processorMetrics.registry()));
    processor.start();
    queries.start(processor);
    Readiness.await(
        "the room processor",
        () -> processor.state() == KafkaStreams.State.RUNNING,
        Duration.ofSeconds(60));

    PrometheusMetrics gatewayMetrics = closing(new PrometheusMetrics());
    Gateway gateway =
        closing(
            Gateway.start(
                bootstrap,
                topics,
                GatewaySettings.of(Set.of(API_KEY), "gw-" + prefix).toBuilder()
                    .bindHost("127.0.0.1")
                    .port(0)
                    .adminPort(0)
                    .build(),
                gatewayMetrics.registry(),
                gatewayMetrics::scrape,
                null));
    String gatewayUrl = "http://127.0.0.1:" + gateway.port() + "/metrics";
    String processorUrl = "http://127.0.0.1:" + queries.port() + "/metrics";

    Scrape before = scrape(gatewayUrl);
    Scrape internal = scrape("http://127.0.0.1:" + gateway.managementPort() + "/metrics");
    assertTrue(
        internal.has("roomlog_gateway_connections_open"),
        "the same meters on the management port, without a key");
    assertEquals(0, before.sum("roomlog_gateway_connections_open"));
    assertEquals(1, before.sum("roomlog_gateway_ready"));
    assertTrue(before.has("jvm_memory_used_bytes"), "JVM meters on the gateway");
    assertTrue(before.has("kafka_producer_record_send_total"), "the WAL producer's own metrics");

    // A refused handshake, counted with its status and reason.
    assertEquals(401, WsClient.handshakeStatus(gateway.port(), "not-the-key"));
    awaitScrape(
        gatewayUrl,
        s ->
            s.sum("roomlog_gateway_handshakes_refused_total", "status", "401", "reason", "apiKey")
                == 1);

    WsClient bob = closing(WsClient.connect(gateway.port(), API_KEY));
    try (WsClient alice = WsClient.connect(gateway.port(), API_KEY)) {
      awaitScrape(gatewayUrl, s -> s.sum("roomlog_gateway_connections_open") == 2);

      alice.sendAction("createRoom", "username", "alice", "requestId", "c1");
      String roomId = alice.awaitFrame("roomCreated", f -> true).get("roomId").asText();
      bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j1");
      bob.awaitFrame("joined", f -> true);
      bob.sendAction("sendMessage", "roomId", roomId, "text", "hello", "requestId", "s1");
      alice.awaitFrame("message", f -> "hello".equals(f.path("text").asText()));
      bob.sendAction("sendMessage", "roomId", "no-such-room", "text", "?", "requestId", "s2");
      bob.awaitAnswer("s2");

      Scrape gw =
          awaitScrape(
              gatewayUrl,
              s ->
                  s.sum(
                              "roomlog_gateway_actions_total",
                              "type",
                              "sendMessage",
                              "outcome",
                              "appended")
                          == 2
                      && s.sum("roomlog_delivery_latency_seconds_count") >= 5);
      assertEquals(
          1, gw.sum("roomlog_gateway_actions_total", "type", "createRoom", "outcome", "appended"));
      assertEquals(
          1, gw.sum("roomlog_gateway_actions_total", "type", "joinRoom", "outcome", "appended"));
      assertTrue(
          gw.sum(
                  "roomlog_gateway_wal_append_seconds_count",
                  "kind",
                  "message",
                  "result",
                  "acknowledged")
              >= 4,
          "each action's append is timed");
      assertTrue(
          gw.has("roomlog_gateway_wal_append_seconds_bucket"), "the append latency is a histogram");
      assertTrue(
          gw.has("roomlog_delivery_latency_seconds_bucket"), "the delivery latency is a histogram");
      assertTrue(gw.sum("roomlog_delivery_latency_seconds_sum") > 0);
      assertTrue(gw.sum("roomlog_gateway_frames_written_total") >= 5, "frames written");
      assertTrue(gw.sum("roomlog_delivery_records_total", "result", "delivered") >= 5);
      assertTrue(gw.has("roomlog_delivery_lag_records"), "the delivery consumer's lag");
      assertTrue(
          gw.has("kafka_consumer_fetch_manager_records_lag_max"),
          "the delivery consumer's own metrics");

      Scrape rooms =
          awaitScrape(
              processorUrl,
              s ->
                  s.sum(
                          "roomlog_processor_actions_total",
                          "type",
                          "sendMessage",
                          "outcome",
                          "applied")
                      == 1);
      assertEquals(
          1,
          rooms.sum("roomlog_processor_actions_total", "type", "createRoom", "outcome", "applied"));
      assertEquals(
          1,
          rooms.sum(
              "roomlog_processor_actions_total", "type", "sendMessage", "outcome", "roomNotFound"));
      assertEquals(1, rooms.sum("roomlog_processor_ready"));
      assertTrue(rooms.has("kafka_stream_alive_stream_threads"), "Kafka Streams client metrics");
      assertTrue(rooms.has("kafka_stream_thread_process_total"), "Kafka Streams thread metrics");
      assertEquals(0, rooms.sum("kafka_stream_failed_stream_threads_total"));
      assertTrue(
          rooms.has("jvm_gc_pause_seconds_count") || rooms.has("jvm_memory_used_bytes"),
          "JVM meters");
      assertDocumented(gw, rooms);

      bob.close();
      awaitScrape(gatewayUrl, s -> s.sum("roomlog_gateway_connections_open") == 1);
      awaitScrape(
          processorUrl,
          s -> s.sum("roomlog_processor_members_removed_total", "reason", "disconnected") == 1);
    }
    awaitScrape(gatewayUrl, s -> s.sum("roomlog_gateway_connections_open") == 0);
  }

  /**
   * Every roomlog_* family is listed in docs/OPERATIONS.md, as Prometheus names it (a histogram's
   * {@code _max} gauge with its histogram).
   */
  private static void assertDocumented(Scrape... scrapes) throws IOException {
    String doc = Files.readString(Checkout.root().resolve("docs/OPERATIONS.md"));
    Set<String> missing = new TreeSet<>();
    for (Scrape s : scrapes) {
      for (String family : s.families()) {
        // A histogram's _max gauge is documented with the histogram.
        String documented =
            family.endsWith("_max") ? family.substring(0, family.length() - 4) : family;
        if (family.startsWith("roomlog_") && !doc.contains("`" + documented + "`")) {
          missing.add(family);
        }
      }
    }
    assertEquals(Set.of(), missing, "meters missing from docs/OPERATIONS.md");
  }

  private interface Condition {
    boolean holds(Scrape scrape);
  }

  private Scrape awaitScrape(String url, Condition condition) {
    Scrape[] last = new Scrape[1];
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .alias("a scrape of " + url + " that matches")
        .until(
            () -> {
              last[0] = scrape(url);
              return condition.holds(last[0]);
            });
    return last[0];
  }

  private Scrape scrape(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), url + ": " + response.body());
    assertTrue(
        response
            .headers()
            .firstValue("content-type")
            .orElse("")
            .startsWith("text/plain; version=0.0.4"),
        url + " answers Prometheus' text format");
    return Scrape.parse(response.body());
  }

  /** One scrape in Prometheus' text format: each sample's name, labels and value. */
  private record Scrape(List<Sample> samples, Set<String> families) {
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {}

    static Scrape parse(String text) {
      List<Sample> samples = new ArrayList<>();
      Set<String> families = new TreeSet<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          families.add(line.split(" ")[2]);
        }
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
        Map<String, String> labels = new HashMap<>();
        if (brace >= 0) {
          Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
          while (m.find()) {
            labels.put(m.group(1), m.group(2));
          }
        }
        samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
      }
      return new Scrape(samples, families);
    }

    boolean has(String name) {
      return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    /** The sum of the samples of {@code name} whose labels include these pairs. */
    double sum(String name, String... labelPairs) {
      double sum = 0;
      for (Sample s : samples) {
        boolean match = s.name().equals(name);
        for (int i = 0; match && i < labelPairs.length; i += 2) {
          match = labelPairs[i + 1].equals(s.labels().get(labelPairs[i]));
        }
        if (match) {
          sum += s.value();
        }
      }
      return sum;
    }
  }
}
