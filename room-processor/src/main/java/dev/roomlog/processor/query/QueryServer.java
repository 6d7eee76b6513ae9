package dev.roomlog.processor.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.processor.RoomQueries;
import dev.roomlog.protocol.AdminKeyCheck;
import dev.roomlog.protocol.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's query port (HTTP): {@code GET /rooms/{roomId}} and {@code GET /rooms}, answered
 * from Kafka Streams' state by whichever instance holds each room, and {@code GET /healthz} (alive)
 * and {@code GET /readyz} (running, not rebalancing).
 *
 * <p>Any instance answers any query: a room held by another instance is fetched from it (its {@code
 * application.server}) with {@code scope=local}, which is never forwarded again. A list asks every
 * instance for its own rooms and merges them; if some partition was in no instance's answer (moving
 * in a rebalance), it answers 503 rather than a page with rooms silently missing.
 *
 * <p>Room queries need the admin key ({@link AdminKeyCheck}); instances forward it to each other,
 * so every instance of a deployment must have the same one. Requests are served by a few threads
 * with a bounded queue; past it, the acceptor itself runs them, which slows accepting rather than
 * growing memory.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryServer.class);
  private static final int THREADS = 4;
  private static final int QUEUE = 64;

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final AdminKeyCheck keyCheck;
  private final PeerClient peers;
  private final int partitions;
  private final Supplier<String> scrape;
  private volatile RoomProcessor processor;

  private QueryServer(HttpServer server, String adminKey, int partitions, Supplier<String> scrape) {
    this.server = server;
    this.scrape = scrape;
    this.peers = new PeerClient(adminKey);
    this.keyCheck = new AdminKeyCheck(adminKey);
    this.partitions = partitions;
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            1,
            TimeUnit.MINUTES,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "query-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    // No executor for the server itself: its dispatcher thread answers health, readiness,
    // metrics and bad requests at once, and hands room queries (which may wait on another
    // instance) to the pool, so a busy pool never delays a probe nor refuses a scrape. A scrape
    // only reads this JVM's meters (a few milliseconds), never another instance.
    server.createContext("/", this::handle);
  }

  /**
   * Binds the port now, so that its number (for {@code application.server}) is known before the
   * processor is built; requests are served after {@link #start}.
   *
   * @param port 0 for a free one
   * @param adminKey the key room queries need; null refuses them all (403)
   * @param partitions the partitions of the write-ahead log (checked at start-up)
   */
  public static QueryServer bind(String host, int port, String adminKey, int partitions)
      throws IOException {
    return bind(host, port, adminKey, partitions, null);
  }

  /**
   * As {@link #bind(String, int, String, int)}, also answering {@code GET /metrics} (no key) with
   * {@code scrape}: the meters in Prometheus' text format. Null answers it 404.
   */
  public static QueryServer bind(
      String host, int port, String adminKey, int partitions, Supplier<String> scrape)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    return new QueryServer(server, adminKey, partitions, scrape);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public void start(RoomProcessor processor) {
    this.processor = processor;
    server.start();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) {
    URI uri = exchange.getRequestURI();
    QueryRequest request =
        QueryRequest.parse(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery());
    if (request instanceof QueryRequest.GetRoom || request instanceof QueryRequest.ListRooms) {
      try {
        executor.execute(() -> serve(exchange, request));
      } catch (RejectedExecutionException full) {
        serve(
            exchange,
            new QueryRequest.Invalid(503, "busy", "too many queries at once; retry shortly"));
      }
      return;
    }
    serve(exchange, request);
  }

  private void serve(HttpExchange exchange, QueryRequest request) {
    try {
      if (request instanceof QueryRequest.Metrics && scrape != null) {
        sendMetrics(exchange, scrape.get());
        return;
      }
      send(exchange, answer(request, exchange));
    } catch (IOException e) {
      log.debug("query port: could not answer {}", exchange.getRequestURI(), e);
    } catch (RuntimeException e) {
      log.warn("query port: {} failed", exchange.getRequestURI(), e);
      try {
        send(
            exchange,
            Answer.error(new QueryRequest.Invalid(500, "internalError", "the query failed: " + e)));
      } catch (IOException | RuntimeException ignored) {
        // the headers were already sent, or the client is gone: nothing more to say
      }
    } finally {
      exchange.close();
    }
  }

  private Answer answer(QueryRequest request, HttpExchange exchange) {
    if (request instanceof QueryRequest.Invalid invalid) {
      return Answer.error(invalid);
    }
    if (request instanceof QueryRequest.Metrics) {
      return Answer.error(
          new QueryRequest.Invalid(404, "notFound", "this processor has no metrics"));
    }
    RoomProcessor rooms = processor;
    if (request instanceof QueryRequest.Health || request instanceof QueryRequest.Ready) {
      KafkaStreams.State state = rooms.state();
      // Alive while running or rebalancing; ready only while running: a rebalancing processor
      // holds its rooms' actions until it is done.
      boolean ok =
          request instanceof QueryRequest.Health
              ? rooms.isRunning()
              : state == KafkaStreams.State.RUNNING;
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", ok ? "ok" : "down");
      body.put("processor", state.toString());
      return new Answer(ok ? 200 : 503, Json.write(body));
    }
    AdminKeyCheck.Refusal refused =
        keyCheck.refusal(
            exchange.getRequestHeaders().get("x-admin-key"),
            exchange.getRequestHeaders().get("authorization"));
    if (refused != null) {
      return Answer.error(
          new QueryRequest.Invalid(refused.status(), refused.code(), refused.message()));
    }
    try {
      if (request instanceof QueryRequest.GetRoom get) {
        return getRoom(rooms.queries(), get);
      }
      return listRooms(rooms, (QueryRequest.ListRooms) request);
    } catch (RoomQueries.NotQueryable e) {
      return Answer.notReady(e.getMessage());
    }
  }

  private Answer getRoom(RoomQueries queries, QueryRequest.GetRoom get) {
    RoomQueries.Location location = queries.locate(get.roomId());
    if (location instanceof RoomQueries.Unknown unknown) {
      return Answer.notReady(unknown.why());
    }
    if (location instanceof RoomQueries.Here here) {
      Optional<RoomView> room =
          queries.local(get.roomId(), here.partition(), get.membersAfter(), get.membersLimit());
      return room.map(r -> new Answer(200, Json.write(r)))
          .orElseGet(
              () ->
                  Answer.error(
                      new QueryRequest.Invalid(404, "roomNotFound", "no room " + get.roomId())));
    }
    RoomQueries.There there = (RoomQueries.There) location;
    if (get.localOnly()) {
      return Answer.notReady("room " + get.roomId() + " is moving between processors");
    }
    return peers
        .forward(
            there.host() + ":" + there.port(),
            "/rooms/" + encode(get.roomId()) + "?" + get.localQuery())
        .map(PeerClient::refusalAsMisconfiguration)
        .orElseGet(
            () ->
                Answer.notReady("the processor holding room " + get.roomId() + " did not answer"));
  }

  private Answer listRooms(RoomProcessor rooms, QueryRequest.ListRooms list) {
    RoomQueries queries = rooms.queries();
    if (list.localOnly()) {
      RoomQueries.LocalPage local = queries.localPage(list.after(), list.limit());
      return new Answer(
          200,
          Json.write(
              Map.of(
                  "rooms", local.page().rooms(),
                  "next", Optional.ofNullable(local.page().next()).orElse(""),
                  "partitions", local.partitions())));
    }
    if (rooms.state() != KafkaStreams.State.RUNNING) {
      return Answer.notReady("the processor is " + rooms.state());
    }
    String query =
        "/rooms?scope=local&limit="
            + list.limit()
            + (list.after() == null ? "" : "&after=" + encode(list.after()));
    List<RoomPage> pages = new ArrayList<>();
    TreeSet<Integer> covered = new TreeSet<>();
    // Every other instance is asked at once, so a list takes the slowest answer, not their sum.
    Map<String, CompletableFuture<Optional<Answer>>> asked = new LinkedHashMap<>();
    for (String instance : queries.instances()) {
      asked.put(
          instance,
          instance.equals(queries.self())
              ? CompletableFuture.completedFuture(
                  Optional.of(
                      listRooms(
                          rooms, new QueryRequest.ListRooms(list.after(), list.limit(), true))))
              : peers.forwardAsync(instance, query));
    }
    for (Map.Entry<String, CompletableFuture<Optional<Answer>>> each : asked.entrySet()) {
      String instance = each.getKey();
      Optional<Answer> answer = each.getValue().join();
      if (answer.isPresent() && (answer.get().status() == 401 || answer.get().status() == 403)) {
        return PeerClient.refusalAsMisconfiguration(answer.get());
      }
      if (answer.isEmpty() || answer.get().status() != 200) {
        return Answer.notReady("processor " + instance + " did not list its rooms");
      }
      JsonNode body;
      try {
        body = Json.MAPPER.readTree(answer.get().json());
      } catch (IOException e) {
        return Answer.notReady("processor " + instance + " sent an unreadable list");
      }
      List<RoomSummary> summaries = new ArrayList<>();
      for (JsonNode room : body.path("rooms")) {
        summaries.add(
            new RoomSummary(
                room.path("roomId").asText(),
                room.path("seq").asLong(),
                room.path("memberCount").asInt(),
                room.path("private").asBoolean(false) ? Boolean.TRUE : null));
      }
      String next = body.path("next").asText("");
      pages.add(new RoomPage(summaries, next.isEmpty() ? null : next));
      body.path("partitions").forEach(p -> covered.add(p.asInt()));
    }
    if (covered.size() < partitions) {
      return Answer.notReady("some partitions are moving between processors");
    }
    RoomPage page = RoomPage.merge(pages, list.limit());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("rooms", page.rooms());
    body.put("next", page.next());
    return new Answer(200, Json.write(body));
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void sendMetrics(HttpExchange exchange, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void send(HttpExchange exchange, Answer answer) throws IOException {
    byte[] body = answer.json().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    if (answer.status() == 503) {
      exchange.getResponseHeaders().set("retry-after", "1");
    }
    exchange.sendResponseHeaders(answer.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
