import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The management API's latency, for bench/management.sh: one WebSocket client on gateway 1, then
 * sequential requests (one at a time, so each figure is a round trip, not a queue) to
 * /@connections/{id} through the client's own gateway (local) and through gateway 2 (remote,
 * through Kafka), server posts into the client's room, and remote sends with 8 in flight for a
 * throughput figure. Each send is timed until the frame reached the client. JDK only:
 *
 *   java bench/ManagementLatency.java WS_URL API_KEY MGMT_1 MGMT_2 ADMIN_KEY N
 */
public class ManagementLatency {
  private static final Pattern CONNECTION_ID = Pattern.compile("\"connectionId\":\"([^\"]+)\"");
  private static final Pattern ROOM_ID = Pattern.compile("\"roomId\":\"([^\"]+)\"");
  private static final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
  /** Makes every body unique: two threads may read the same System.nanoTime(). */
  private static final AtomicLong sequence = new AtomicLong();
  private static final CompletableFuture<String> connected = new CompletableFuture<>();
  private static final CompletableFuture<String> created = new CompletableFuture<>();

  public static void main(String[] args) throws Exception {
    String wsUrl = args[0], apiKey = args[1], local = args[2], remote = args[3], adminKey = args[4];
    int n = Integer.parseInt(args[5]);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    WebSocket ws =
        http.newWebSocketBuilder()
            .header("x-api-key", apiKey)
            .buildAsync(URI.create(wsUrl), new Listener())
            .get(10, TimeUnit.SECONDS);
    String connectionId = connected.get(10, TimeUnit.SECONDS);
    ws.sendText("{\"action\":\"createRoom\",\"username\":\"bench\",\"requestId\":\"c\"}", true).join();
    String roomId = created.get(30, TimeUnit.SECONDS);

    // Warm up both paths (class loading, connections, the control producer's metadata).
    for (int i = 0; i < 50; i++) {
      send(http, local, adminKey, connectionId, "warm-l-" + i);
      send(http, remote, adminKey, connectionId, "warm-r-" + i);
      post(http, local, adminKey, roomId, "warm-p-" + i);
    }

    report("POST /@connections, own gateway (HTTP answer)", "POST /@connections, own gateway (frame at the client)",
        () -> send(http, local, adminKey, connectionId, null), n);
    report("POST /@connections, other gateway (HTTP answer)", "POST /@connections, other gateway (frame at the client)",
        () -> send(http, remote, adminKey, connectionId, null), n);
    report("GET /@connections, own gateway", null, () -> get(http, local, adminKey, connectionId), n);
    report("GET /@connections, other gateway", null, () -> get(http, remote, adminKey, connectionId), n);
    report("POST /rooms/{id}/messages (201 answer)", "POST /rooms/{id}/messages (message at the member)",
        () -> post(http, local, adminKey, roomId, null), n);

    // Throughput: remote sends, 8 in flight, each to completion of its HTTP answer.
    int total = n * 4;
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(8);
    long start = System.nanoTime();
    for (int w = 0; w < 8; w++) {
      new Thread(() -> {
        try {
          while (next.getAndIncrement() < total) {
            send(http, remote, adminKey, connectionId, null);
          }
        } catch (Exception e) {
          throw new RuntimeException(e);
        } finally {
          done.countDown();
        }
      }).start();
    }
    done.await();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "| POST /@connections, other gateway, 8 in flight | %d requests in %.1f s: %.0f/s | | | |%n",
        total, seconds, total / seconds);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
  }

  interface Timed {
    long[] run() throws Exception;
  }

  /** Runs {@code call} n times; each returns {HTTP nanos, arrival nanos or -1}. */
  private static void report(String what, String arrivalWhat, Timed call, int n) throws Exception {
    long[] answer = new long[n];
    long[] arrival = new long[n];
    for (int i = 0; i < n; i++) {
      long[] t = call.run();
      answer[i] = t[0];
      arrival[i] = t[1];
    }
    row(what, answer);
    if (arrivalWhat != null) {
      row(arrivalWhat, arrival);
    }
  }

  private static void row(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "| %s | %d | %.2f ms | %.2f ms | %.2f ms |%n",
        what, sorted.length, ms(sorted, 0.50), ms(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static long[] send(HttpClient http, String base, String key, String connectionId, String text) throws Exception {
    String body = text != null ? text : "m-" + sequence.incrementAndGet();
    CompletableFuture<Long> arrived = new CompletableFuture<>();
    arrivals.put(body, arrived);
    long start = System.nanoTime();
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create(base + "/@connections/" + connectionId))
            .header("x-admin-key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    long answered = System.nanoTime() - start;
    check(r, 200);
    long at = arrived.get(10, TimeUnit.SECONDS);
    arrivals.remove(body);
    return new long[] {answered, at - start};
  }

  private static long[] get(HttpClient http, String base, String key, String connectionId) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create(base + "/@connections/" + connectionId)).header("x-admin-key", key).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    check(r, 200);
    return new long[] {System.nanoTime() - start, -1};
  }

  private static long[] post(HttpClient http, String base, String key, String roomId, String text) throws Exception {
    String body = text != null ? text : "p-" + sequence.incrementAndGet();
    CompletableFuture<Long> arrived = new CompletableFuture<>();
    arrivals.put(body, arrived);
    long start = System.nanoTime();
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create(base + "/rooms/" + roomId + "/messages"))
            .header("x-admin-key", key).POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + body + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    long answered = System.nanoTime() - start;
    check(r, 201);
    long at = arrived.get(10, TimeUnit.SECONDS);
    arrivals.remove(body);
    return new long[] {answered, at - start};
  }

  private static void check(HttpResponse<String> r, int expected) {
    if (r.statusCode() != expected) {
      throw new IllegalStateException(r.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        long now = System.nanoTime();
        String text = partial.toString();
        partial.setLength(0);
        CompletableFuture<Long> raw = arrivals.get(text);
        if (raw != null) {
          raw.complete(now);
        } else if (text.contains("\"type\":\"connected\"")) {
          Matcher m = CONNECTION_ID.matcher(text);
          m.find();
          connected.complete(m.group(1));
        } else if (text.contains("\"type\":\"roomCreated\"")) {
          Matcher m = ROOM_ID.matcher(text);
          m.find();
          created.complete(m.group(1));
        } else if (text.contains("\"type\":\"message\"")) {
          for (var e : arrivals.entrySet()) {
            if (text.contains("\"text\":\"" + e.getKey() + "\"")) {
              e.getValue().complete(now);
            }
          }
        }
      }
      socket.request(1);
      return null;
    }
  }
}
