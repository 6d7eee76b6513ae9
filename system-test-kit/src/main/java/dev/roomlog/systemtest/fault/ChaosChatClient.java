package dev.roomlog.systemtest.fault;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A chat client that keeps going while the servers under it are killed: it reconnects, rejoins its
 * rooms from the last seq it saw, and resends every unacknowledged message with the same
 * clientMsgId and text until it is acknowledged. Everything it sends and receives goes to a shared
 * {@link HistoryChecker}, which judges the run afterwards.
 *
 * <p>Behaviour, in protocol terms:
 *
 * <ul>
 *   <li>connects to the gateway ports in turn, starting at the first (give clients rotated lists to
 *       spread them over the gateways), and moves to the next port after every failed handshake or
 *       lost connection, with a backoff that doubles up to {@link Options#maxBackoff} and starts
 *       again after a {@code connected};
 *   <li>joins each of its rooms: the first time plainly (creating the room on 404 if told to),
 *       later with {@code afterSeq} = the last seq it saw there; on 410 {@code resumeTooOld} it
 *       joins plainly and tells the checker which seqs it gave up;
 *   <li>sends one message per 1/{@link Options#messagesPerSecond}, at most {@link
 *       Options#maxInFlight} unacknowledged at a time (a slot that finds the window full is
 *       skipped, not queued) and {@link Options#maxMessages} in all; clientMsgId {@code
 *       <name>-<n>}, a fresh requestId per attempt;
 *   <li>resends an unacknowledged message after a reconnect and rejoin, after a 503 or 429 (not
 *       before {@code retryAfterMs}, and pausing every send for as long), and after {@link
 *       Options#answerTimeout} without an answer; an answer to any of its attempts acknowledges it;
 *   <li>drops a connection on which nothing arrived for {@link Options#silenceTimeout} while it
 *       waited for an answer (a frozen gateway), or that is answered 503 {@code staleGateway}, and
 *       reconnects;
 *   <li>rejoins with {@code afterSeq} a room that removed it while it stayed connected (a {@code
 *       memberLeft} naming its own connection, e.g. reason {@code gatewayLost}), and one that
 *       answers a send with 403 {@code notMember}; joins afresh, without declaring a gap, a room
 *       that refuses its {@code afterSeq} as ahead of the room (400: the room lost events).
 * </ul>
 *
 * <p>Threading: all state is confined to one thread per client (the "loop"); socket callbacks and
 * public methods hand work to it. The public methods may be called from any thread. Lifecycle:
 * {@link #start} connects at once; {@link #stop} ends the sending and waits for the
 * acknowledgements; {@link #close} leaves the socket and the thread, as the client does by itself
 * after {@link Options#maxLifetime}. Memory is bounded by the window of unacknowledged messages and
 * a bounded map of recent requestIds.
 *
 * <p>Over 400 lines because it is one client's state machine (connection, rooms, window, resends),
 * all of it confined to the loop thread, so its parts share state that one class keeps private; it
 * came here from server/src/test as it was (issue 15 moved the kit, it did not redesign it).
 */
public final class ChaosChatClient implements AutoCloseable {
  private static final Duration TICK = Duration.ofMillis(10);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofMillis(200);
  private static final int REMEMBERED_REQUESTS = 1024;

  /**
   * How a client behaves.
   *
   * @param name the client's name: its username, and the stem of its clientMsgIds and requestIds;
   *     also its name in the {@link HistoryChecker}
   * @param ports the gateways' WebSocket ports on 127.0.0.1
   * @param apiKey sent as {@code x-api-key} on every handshake; null for none
   * @param rooms the rooms to join and post in (in turn)
   * @param createMissingRooms create a room that joinRoom finds missing (404)
   * @param messagesPerSecond the pace of new messages; 0 sends none
   * @param maxMessages how many distinct messages to send in all
   * @param maxInFlight how many may be unacknowledged at a time (1-25); few, so that a retry comes
   *     soon after its original, well inside the server's dedup window
   * @param answerTimeout after this long without an answer, a request is sent again
   * @param silenceTimeout a connection that stays this long silent while an answer is awaited is
   *     given up
   * @param maxBackoff the longest wait between connection attempts
   * @param maxLifetime after this long the client closes itself, whatever state it is in, so that a
   *     forgotten client does not reconnect forever
   */
  public record Options(
      String name,
      List<Integer> ports,
      String apiKey,
      List<String> rooms,
      boolean createMissingRooms,
      double messagesPerSecond,
      int maxMessages,
      int maxInFlight,
      Duration answerTimeout,
      Duration silenceTimeout,
      Duration maxBackoff,
      Duration maxLifetime) {
    public Options {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty() || name.length() > 64) {
        throw new IllegalArgumentException("name must be 1-64 characters, got '" + name + "'");
      }
      ports = List.copyOf(ports);
      rooms = List.copyOf(rooms);
      if (ports.isEmpty()) {
        throw new IllegalArgumentException("ports must name at least one gateway port");
      }
      if (rooms.isEmpty()) {
        throw new IllegalArgumentException("rooms must name at least one room");
      }
      if (!(messagesPerSecond >= 0) || messagesPerSecond > 1000) {
        throw new IllegalArgumentException(
            "messagesPerSecond must be 0..1000, got " + messagesPerSecond);
      }
      if (maxMessages < 0) {
        throw new IllegalArgumentException("maxMessages must be >= 0, got " + maxMessages);
      }
      if (maxInFlight < 1 || maxInFlight > 25) {
        throw new IllegalArgumentException("maxInFlight must be 1..25, got " + maxInFlight);
      }
      positive(answerTimeout, "answerTimeout");
      positive(silenceTimeout, "silenceTimeout");
      positive(maxBackoff, "maxBackoff");
      positive(maxLifetime, "maxLifetime");
    }

    /**
     * A client named {@code name} on these ports and rooms: creates missing rooms, 20 messages a
     * second, at most 1,000, 4 in flight, answers awaited 3 s, a silent connection given up after
     * 10 s, backoff up to 1 s, closed after 10 minutes at the latest.
     */
    static Options of(String name, List<Integer> ports, String apiKey, List<String> rooms) {
      return new Options(
          name,
          ports,
          apiKey,
          rooms,
          true,
          20,
          1000,
          4,
          Duration.ofSeconds(3),
          Duration.ofSeconds(10),
          Duration.ofSeconds(1),
          Duration.ofMinutes(10));
    }

    Options withPace(double messagesPerSecond, int maxMessages) {
      return new Options(
          name,
          ports,
          apiKey,
          rooms,
          createMissingRooms,
          messagesPerSecond,
          maxMessages,
          maxInFlight,
          answerTimeout,
          silenceTimeout,
          maxBackoff,
          maxLifetime);
    }

    Options withTimeouts(Duration answerTimeout, Duration silenceTimeout) {
      return new Options(
          name,
          ports,
          apiKey,
          rooms,
          createMissingRooms,
          messagesPerSecond,
          maxMessages,
          maxInFlight,
          answerTimeout,
          silenceTimeout,
          maxBackoff,
          maxLifetime);
    }

    Options withMaxInFlight(int maxInFlight) {
      return new Options(
          name,
          ports,
          apiKey,
          rooms,
          createMissingRooms,
          messagesPerSecond,
          maxMessages,
          maxInFlight,
          answerTimeout,
          silenceTimeout,
          maxBackoff,
          maxLifetime);
    }

    private static void positive(Duration d, String setting) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(setting + " must be a positive duration, got " + d);
      }
    }
  }

  /**
   * What a client did, counted since it started.
   *
   * @param generated distinct messages created
   * @param acknowledged of those, acknowledged
   * @param resends attempts beyond the first of any message
   * @param connections handshakes that succeeded
   * @param connectFailures handshakes that failed
   * @param connectionsLost connections that closed or were given up under the client
   * @param retryableErrors 429 and 503 answers
   * @param gaveUpSeqs seqs given up after a 410 resumeTooOld
   * @param refused answers that the client cannot act on (4xx other than the ones it handles)
   */
  public record Stats(
      int generated,
      int acknowledged,
      int resends,
      int connections,
      int connectFailures,
      int connectionsLost,
      int retryableErrors,
      long gaveUpSeqs,
      int refused) {}

  private final Options options;
  private final HistoryChecker checker;
  private final HttpClient http;
  private final ScheduledExecutorService loop;
  private final Random random;

  // Read from other threads.
  private final Map<String, Long> lastSeqs = new ConcurrentHashMap<>();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final Counters counters = new Counters();
  private volatile boolean sending = true;

  // Confined to the loop.
  private final Map<String, RoomState> rooms = new LinkedHashMap<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, Purpose> requests =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Purpose> eldest) {
          return size() > REMEMBERED_REQUESTS;
        }
      };
  private Connection connection;
  private int incarnation;
  private int portIndex;
  private Duration backoff = FIRST_BACKOFF;
  private long startedAt;
  private long nextMessageAt;
  private int roomTurn;
  private int messageCounter;
  private int requestCounter;
  private boolean closed;

  private ChaosChatClient(Options options, HistoryChecker checker) {
    this.options = options;
    this.checker = checker;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "chaos-" + options.name());
              t.setDaemon(true);
              return t;
            });
    this.random = new Random(options.name().hashCode());
    for (String room : options.rooms()) {
      rooms.put(room, new RoomState(room));
    }
  }

  /** Starts a client: it connects, joins and begins to send at once. */
  public static ChaosChatClient start(Options options, HistoryChecker checker) {
    ChaosChatClient client = new ChaosChatClient(options, checker);
    client.loop.execute(
        () -> {
          client.startedAt = System.nanoTime();
          client.nextMessageAt = client.startedAt;
          client.connect();
        });
    client.loop.scheduleWithFixedDelay(
        client::tick, TICK.toNanos(), TICK.toNanos(), TimeUnit.NANOSECONDS);
    return client;
  }

  public String name() {
    return options.name();
  }

  /** The highest seq this client has seen in the room, over all its connections (0 if none). */
  long lastSeq(String roomId) {
    return lastSeqs.getOrDefault(roomId, 0L);
  }

  /** How many of its messages are not acknowledged yet. */
  int unacknowledged() {
    return pendingCount.get();
  }

  public Stats stats() {
    return counters.snapshot();
  }

  /** Waits until this client has seen the room up to {@code seq}; fails after the deadline. */
  public void awaitSeen(String roomId, long seq, Duration deadline) {
    await()
        .atMost(deadline)
        .pollInterval(Duration.ofMillis(20))
        .alias(name() + " to see " + roomId + "#" + seq + " (it has " + lastSeq(roomId) + ")")
        .until(() -> lastSeq(roomId) >= seq);
  }

  /**
   * Stops creating messages, then waits until every message sent so far is acknowledged, retrying
   * them as usual meanwhile. Returns false if some are still unacknowledged at the deadline (the
   * checker lists them).
   */
  public boolean stop(Duration deadline) {
    sending = false;
    try {
      await()
          .atMost(deadline)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> pendingCount.get() == 0);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /**
   * Tells the checker that this client stops listening, closes the connection (a normal close,
   * aborted after 2 s) and ends the loop. Idempotent.
   */
  @Override
  public void close() {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    try {
      loop.execute(() -> shutDown(closing));
      closing.get(5, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      // Already closed.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // The socket is aborted in any case; nothing more to do.
    } finally {
      loop.shutdownNow();
    }
  }

  private void shutDown(CompletableFuture<Void> done) {
    sending = false;
    if (closed) {
      done.complete(null);
      return;
    }
    closed = true;
    checker.closed(name());
    if (connection != null) {
      connection.close(done);
      connection = null;
    } else {
      done.complete(null);
    }
    loop.shutdown();
  }

  // ---- connection ----

  private void connect() {
    if (closed) {
      return;
    }
    int port = options.ports().get(portIndex % options.ports().size());
    int inc = ++incarnation;
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (options.apiKey() != null) {
      builder.header("x-api-key", options.apiKey());
    }
    // Success is taken from the listener's onOpen, which comes before any frame.
    builder
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), new Listener(inc))
        .whenComplete(
            (ws, error) -> {
              if (error != null) {
                onLoop(
                    () -> {
                      counters.connectFailures.incrementAndGet();
                      reconnectLater();
                    });
              }
            });
  }

  private void opened(int inc, WebSocket ws) {
    if (closed || inc != incarnation) {
      ws.abort();
      return;
    }
    counters.connections.incrementAndGet();
    connection = new Connection(inc, ws);
  }

  private void reconnectLater() {
    portIndex++;
    long jitter = (long) (backoff.toNanos() * random.nextDouble() * 0.5);
    schedule(this::connect, backoff.toNanos() + jitter);
    backoff = backoff.multipliedBy(2);
    if (backoff.compareTo(options.maxBackoff()) > 0) {
      backoff = options.maxBackoff();
    }
  }

  /** The connection is gone (closed, failed, or given up): everything restarts on a new one. */
  private void connectionLost(int inc) {
    if (connection == null || connection.incarnation != inc || closed) {
      return;
    }
    connection.ws.abort();
    connection = null;
    counters.connectionsLost.incrementAndGet();
    for (RoomState room : rooms.values()) {
      room.status = Status.OUT;
    }
    for (Pending p : pending.values()) {
      p.inFlight = false;
    }
    reconnectLater();
  }

  // ---- frames in ----

  private void onFrame(int inc, JsonNode frame) {
    checker.received(name(), inc, frame);
    boolean current = connection != null && connection.incarnation == inc;
    if (current) {
      connection.lastFrameAt = System.nanoTime();
    }
    String type = frame.path("type").asText("");
    if (type.equals("message") && acknowledges(frame)) {
      // An answer is an answer, whichever connection it came on; but only the current
      // connection moves the seq from which a rejoin resumes.
      if (current) {
        seen(frame.path("roomId").asText(), frame.path("seq").asLong());
      }
      return;
    }
    if (!current) {
      return;
    }
    Purpose purpose = requests.get(frame.path("requestId").asText(null));
    switch (type) {
      case "connected" -> {
        backoff = FIRST_BACKOFF;
        rooms.values().forEach(this::join);
      }
      case "joined", "roomCreated", "resumed" -> onJoined(frame, purpose);
      case "message", "memberJoined", "left" ->
          seen(frame.path("roomId").asText(), frame.path("seq").asLong());
      case "memberLeft" -> {
        seen(frame.path("roomId").asText(), frame.path("seq").asLong());
        if (frame.path("connectionId").asText().equals(connection.connectionId)) {
          // Removed while still connected (its gateway was thought lost): rejoin from here.
          outOf(rooms.get(frame.path("roomId").asText()));
        }
      }
      case "error" -> onError(frame, purpose);
      default -> {}
    }
  }

  /** Whether a message frame answers one of this client's sends; acknowledges it if so. */
  private boolean acknowledges(JsonNode frame) {
    Purpose purpose = requests.get(frame.path("requestId").asText(null));
    if (purpose == null || purpose.clientMsgId() == null) {
      return false;
    }
    Pending p = pending.remove(purpose.clientMsgId());
    if (p != null) {
      pendingCount.decrementAndGet();
      counters.acknowledged.incrementAndGet();
    }
    return true;
  }

  private void onJoined(JsonNode frame, Purpose purpose) {
    RoomState room = purpose == null ? null : rooms.get(purpose.roomId());
    if (room == null) {
      return;
    }
    long seq = frame.path("seq").asLong();
    if (frame.get("type").asText().equals("roomCreated")) {
      seq = Math.max(seq, 2);
    }
    for (JsonNode event : frame.path("events")) {
      seen(room.id, event.path("seq").asLong());
    }
    seen(room.id, seq);
    if (room.gaveUpFrom != null && purpose.afterSeq() == null) {
      long from = room.gaveUpFrom;
      long to = frame.get("type").asText().equals("resumed") ? seq : seq - 1;
      checker.acceptedGap(name(), room.id, from, to);
      counters.gaveUpSeqs.addAndGet(Math.max(0, to - from + 1));
      room.gaveUpFrom = null;
    }
    room.status = Status.IN;
    room.everJoined = true;
  }

  private void onError(JsonNode frame, Purpose purpose) {
    int status = frame.path("status").asInt();
    String code = frame.path("code").asText("");
    long now = System.nanoTime();
    if (code.equals("staleGateway")) {
      // The gateway restarted under this connection: start again on a new one.
      counters.retryableErrors.incrementAndGet();
      connectionLost(connection.incarnation);
      return;
    }
    if (purpose == null) {
      return;
    }
    if (status == 429 || status == 503) {
      counters.retryableErrors.incrementAndGet();
      long retryAfter =
          frame.path("retryAfterMs").canConvertToLong()
              ? TimeUnit.MILLISECONDS.toNanos(frame.get("retryAfterMs").asLong())
              : DEFAULT_RETRY_AFTER.toNanos();
      connection.pausedUntil = Math.max(connection.pausedUntil, now + retryAfter);
    }
    if (purpose.clientMsgId() != null) {
      Pending p = pending.get(purpose.clientMsgId());
      if (p == null || !purpose.requestId().equals(p.requestId)) {
        return; // acknowledged already, or an older attempt: the newer one is under way
      }
      if (status == 429 || status == 503) {
        p.inFlight = false;
      } else if (code.equals("notMember") || code.equals("roomNotFound")) {
        outOf(rooms.get(p.roomId));
      } else {
        counters.refused.incrementAndGet();
      }
      return;
    }
    RoomState room = rooms.get(purpose.roomId());
    if (room == null
        || room.status != Status.JOINING
        || !purpose.requestId().equals(room.requestId)) {
      return; // joined already, or an older attempt: the newer one is under way
    }
    switch (code) {
      case "resumeTooOld" -> {
        if (room.gaveUpFrom == null) {
          room.gaveUpFrom = purpose.afterSeq() + 1;
        }
        if (purpose.action().equals("resume")) {
          // Already a member: take the room as it is now.
          long seq = frame.path("room").path("seq").asLong();
          checker.acceptedGap(name(), room.id, room.gaveUpFrom, seq);
          counters.gaveUpSeqs.addAndGet(Math.max(0, seq - room.gaveUpFrom + 1));
          room.gaveUpFrom = null;
          seen(room.id, seq);
          room.status = Status.IN;
        } else {
          room.everJoined = false;
          join(room);
        }
      }
      case "roomNotFound" -> {
        if (options.createMissingRooms()) {
          request(room, "createRoom", null);
        } else {
          room.status = Status.OUT;
          room.retryAt = now + DEFAULT_RETRY_AFTER.toNanos();
        }
      }
      case "roomExists" -> join(room);
      // The join went through, but its answer is lost or late: ask for what was missed.
      case "alreadyMember" -> request(room, "resume", lastSeq(room.id));
      case "invalidField" -> {
        counters.refused.incrementAndGet();
        if (purpose.afterSeq() != null) {
          // The room is behind the last seq this client saw: it lost events. Join afresh
          // without declaring a gap accepted; the checker judges what is missing.
          room.everJoined = false;
        }
        room.status = Status.OUT;
        room.retryAt = now + DEFAULT_RETRY_AFTER.toNanos();
      }
      default -> {
        if (status != 429 && status != 503) {
          counters.refused.incrementAndGet();
        }
        room.status = Status.OUT;
        room.retryAt = Math.max(now + DEFAULT_RETRY_AFTER.toNanos(), connection.pausedUntil);
      }
    }
  }

  /** No longer a member of the room on this connection: rejoin, then resend what is pending. */
  private void outOf(RoomState room) {
    if (room == null) {
      return;
    }
    room.status = Status.OUT;
    room.retryAt = 0;
    for (Pending p : pending.values()) {
      if (p.roomId.equals(room.id)) {
        p.inFlight = false;
      }
    }
  }

  private void seen(String roomId, long seq) {
    if (seq > 0) {
      lastSeqs.merge(roomId, seq, Math::max);
    }
  }

  // ---- requests out ----

  private void join(RoomState room) {
    Long afterSeq = room.everJoined ? lastSeq(room.id) : null;
    request(room, "joinRoom", afterSeq);
  }

  private void request(RoomState room, String action, Long afterSeq) {
    ObjectNode node = Json.MAPPER.createObjectNode().put("action", action).put("roomId", room.id);
    if (!action.equals("resume")) {
      node.put("username", name());
    }
    if (afterSeq != null) {
      node.put("afterSeq", afterSeq);
    }
    String requestId = nextRequestId();
    node.put("requestId", requestId);
    requests.put(requestId, new Purpose(requestId, action, room.id, afterSeq, null));
    room.requestId = requestId;
    room.status = Status.JOINING;
    room.retryAt = System.nanoTime() + options.answerTimeout().toNanos();
    send(node);
  }

  private void sendMessage(Pending p) {
    String requestId = nextRequestId();
    ObjectNode node =
        Json.MAPPER
            .createObjectNode()
            .put("action", "sendMessage")
            .put("roomId", p.roomId)
            .put("text", p.text)
            .put("clientMsgId", p.clientMsgId)
            .put("requestId", requestId);
    requests.put(requestId, new Purpose(requestId, "sendMessage", p.roomId, null, p.clientMsgId));
    if (p.attempts++ > 0) {
      counters.resends.incrementAndGet();
    }
    p.requestId = requestId;
    p.inFlight = true;
    p.answerBy = System.nanoTime() + options.answerTimeout().toNanos();
    send(node);
  }

  private void send(ObjectNode node) {
    Connection c = connection;
    checker.sent(name(), c.incarnation, node);
    c.send(node.toString());
  }

  private String nextRequestId() {
    return name() + "-r" + (++requestCounter);
  }

  // ---- the clock ----

  private void tick() {
    long now = System.nanoTime();
    if (!closed && now - startedAt > options.maxLifetime().toNanos()) {
      shutDown(new CompletableFuture<>());
    }
    if (closed || connection == null || connection.connectionId == null) {
      return;
    }
    boolean waiting = !pending.isEmpty();
    for (RoomState room : rooms.values()) {
      if (room.status != Status.IN && now >= room.retryAt && now >= connection.pausedUntil) {
        join(room); // a first join, a rejoin after an error, or a join that went unanswered
      }
      waiting |= room.status == Status.JOINING;
    }
    if (waiting && now - connection.lastFrameAt > options.silenceTimeout().toNanos()) {
      connectionLost(connection.incarnation);
      return;
    }
    if (now < connection.pausedUntil) {
      return;
    }
    for (Pending p : pending.values()) {
      if (rooms.get(p.roomId).status == Status.IN && (!p.inFlight || now >= p.answerBy)) {
        sendMessage(p);
      }
    }
    newMessages(now);
  }

  private void newMessages(long now) {
    if (!sending || options.messagesPerSecond() == 0) {
      return;
    }
    long period = (long) (TimeUnit.SECONDS.toNanos(1) / options.messagesPerSecond());
    if (now - nextMessageAt > period) {
      nextMessageAt = now - period; // no backlog: a pace missed while down is not made up
    }
    while (nextMessageAt <= now && messageCounter < options.maxMessages()) {
      nextMessageAt += period;
      RoomState room = nextRoom();
      if (room == null || pending.size() >= options.maxInFlight()) {
        continue;
      }
      int n = ++messageCounter;
      counters.generated.incrementAndGet();
      String clientMsgId = name() + "-" + n;
      Pending p = new Pending(clientMsgId, room.id, name() + " says " + n + " in " + room.id);
      pending.put(clientMsgId, p);
      pendingCount.incrementAndGet();
      sendMessage(p);
    }
  }

  private RoomState nextRoom() {
    List<RoomState> joined = new ArrayList<>();
    for (RoomState room : rooms.values()) {
      if (room.status == Status.IN) {
        joined.add(room);
      }
    }
    return joined.isEmpty() ? null : joined.get(roomTurn++ % joined.size());
  }

  // ---- plumbing ----

  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // Closed: late socket callbacks have nowhere to go.
    }
  }

  private void schedule(Runnable task, long delayNanos) {
    try {
      loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closed.
    }
  }

  private enum Status {
    OUT,
    JOINING,
    IN
  }

  /** What a request was for; clientMsgId is set for sends only. */
  private record Purpose(
      String requestId, String action, String roomId, Long afterSeq, String clientMsgId) {}

  private static final class RoomState {
    final String id;
    Status status = Status.OUT;
    boolean everJoined;
    long retryAt;

    /** The latest join, create or resume request. */
    String requestId;

    /** After a 410: the first seq given up, until the fresh join says where the gap ends. */
    Long gaveUpFrom;

    RoomState(String id) {
      this.id = id;
    }
  }

  private static final class Pending {
    final String clientMsgId;
    final String roomId;
    final String text;
    int attempts;
    String requestId;
    boolean inFlight;
    long answerBy;

    Pending(String clientMsgId, String roomId, String text) {
      this.clientMsgId = clientMsgId;
      this.roomId = roomId;
      this.text = text;
    }
  }

  /** One WebSocket; sends go one after the other, as java.net.http requires. */
  private final class Connection {
    final int incarnation;
    final WebSocket ws;
    String connectionId;
    long lastFrameAt = System.nanoTime();
    long pausedUntil;
    private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

    Connection(int incarnation, WebSocket ws) {
      this.incarnation = incarnation;
      this.ws = ws;
    }

    void send(String text) {
      sends =
          sends
              .thenCompose(x -> ws.sendText(text, true))
              .whenComplete(
                  (x, error) -> {
                    if (error != null) {
                      onLoop(() -> connectionLost(incarnation));
                    }
                  });
    }

    void close(CompletableFuture<Void> done) {
      sends
          .handle((x, error) -> null)
          .thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "done"))
          .orTimeout(2, TimeUnit.SECONDS)
          .whenComplete(
              (x, error) -> {
                ws.abort();
                done.complete(null);
              });
    }
  }

  /** Reassembles text frames and hands each, parsed, to the loop, tagged with its incarnation. */
  private final class Listener implements WebSocket.Listener {
    private final int incarnation;
    private final StringBuilder partial = new StringBuilder();

    Listener(int incarnation) {
      this.incarnation = incarnation;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      onLoop(() -> opened(incarnation, webSocket));
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode frame = Json.MAPPER.readTree(text);
          onLoop(
              () -> {
                if (frame.path("type").asText().equals("connected")
                    && connection != null
                    && connection.incarnation == incarnation) {
                  connection.connectionId = frame.path("connectionId").asText();
                }
                onFrame(incarnation, frame);
              });
        } catch (IOException e) {
          onLoop(() -> connectionLost(incarnation));
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      onLoop(() -> connectionLost(incarnation));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      onLoop(() -> connectionLost(incarnation));
    }
  }

  private static final class Counters {
    final AtomicInteger generated = new AtomicInteger();
    final AtomicInteger acknowledged = new AtomicInteger();
    final AtomicInteger resends = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger connectFailures = new AtomicInteger();
    final AtomicInteger connectionsLost = new AtomicInteger();
    final AtomicInteger retryableErrors = new AtomicInteger();
    final AtomicLong gaveUpSeqs = new AtomicLong();
    final AtomicInteger refused = new AtomicInteger();

    Stats snapshot() {
      return new Stats(
          generated.get(),
          acknowledged.get(),
          resends.get(),
          connections.get(),
          connectFailures.get(),
          connectionsLost.get(),
          retryableErrors.get(),
          gaveUpSeqs.get(),
          refused.get());
    }
  }
}
