import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What connection churn costs the permanent log: opens and closes CYCLES idle connections to a
 * gateway, one after the other (each waits for its {@code connected} frame, then closes), and
 * counts the records it added to roomlog.actions, heartbeats left out.
 *
 * <pre>
 * java -cp "server/target/kafka-tools/*" bench/ConnectionChurn.java ws://127.0.0.1:8080/ KEY localhost:9092 2000
 * </pre>
 */
public class ConnectionChurn {
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String key = args[1];
    String bootstrap = args[2];
    int cycles = Integer.parseInt(args[3]);
    String topic = args.length > 4 ? args[4] : "roomlog.actions";

    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      Map<TopicPartition, Long> start = consumer.endOffsets(partitions);

      HttpClient http = HttpClient.newHttpClient();
      long began = System.nanoTime();
      Map<Integer, Integer> refused = new HashMap<>();
      for (int i = 0; i < cycles; i++) {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        WebSocket ws;
        try {
          ws =
              http.newWebSocketBuilder()
                  .header("x-api-key", key)
                  .buildAsync(
                      uri,
                      new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                          connected.complete(null);
                          return null;
                        }
                      })
                  .get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // A refused handshake (429 past the per-address handshake rate, 503 when full)
          // costs the log nothing either; count it by status and go on.
          if (e.getCause() instanceof WebSocketHandshakeException refusal) {
            refused.merge(refusal.getResponse().statusCode(), 1, Integer::sum);
            continue;
          }
          throw e;
        }
        connected.get(10, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        ws.abort();
      }
      double seconds = (System.nanoTime() - began) / 1e9;

      // Read what was added until nothing but heartbeats has come for 3 s (at most 60 s).
      consumer.assign(partitions);
      start.forEach(consumer::seek);
      Map<String, Integer> byAction = new HashMap<>();
      long quietSince = System.nanoTime();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(3)
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          String action = r.value().replaceAll("^\\{\"action\":\"([^\"]*)\".*", "$1");
          if (!action.equals("$heartbeat")) {
            byAction.merge(action, 1, Integer::sum);
            quietSince = System.nanoTime();
          }
        }
      }
      int total = byAction.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf(
          "%d connect/close cycles in %.1f s (handshakes refused, by status: %s); records added"
              + " to %s besides heartbeats: %d %s%n",
          cycles, seconds, refused, topic, total, byAction);
    }
  }
}
