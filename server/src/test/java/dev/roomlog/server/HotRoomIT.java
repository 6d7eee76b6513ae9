package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.WsClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 6's proof: one hot room must not stall the other rooms of its gateway. On one gateway, with
 * a real processor and broker, a room of {@value #HOT_READERS} reading members is flooded by
 * {@value #SENDERS} of them, each keeping {@value #WINDOW} messages unanswered; one more member of
 * that room never reads its socket. Meanwhile the two members of a quiet room, on another partition
 * of the log, play {@value #ROUND_TRIPS} rounds of ping-pong. The flood goes on until the quiet
 * room is done and the gateway has cut the member who does not read.
 *
 * <p>What must hold: the quiet room finishes while hot messages are still being answered, and each
 * side got the other's messages once, in seq order; every reading member of the hot room got every
 * event from its join on, in seq order without a gap, every acknowledged message among them; the
 * non-reader's socket is closed by the gateway (its outbound buffer past the cap), the room is told
 * it left, and what it was sent before is a gap-free prefix. 503 overloaded answers to the flood
 * are allowed and counted; any other error fails. Rates and round trips are logged, never asserted.
 *
 * <p>The quiet room shares the gateway (its sockets, event loops, log producer and its one
 * deliveries partition) and the processor's stream thread with the hot room, not the hot room's log
 * partition: a room on that partition waits behind the hot room's backlog by design (one room, one
 * partition), which is for the docs to state.
 */
class HotRoomIT {
  private static final Logger LOG = LoggerFactory.getLogger(HotRoomIT.class);

  /** Members of the hot room who read their frames, the senders among them. */
  private static final int HOT_READERS = 100;

  private static final int SENDERS = 4;

  /**
   * Messages each sender keeps unanswered: more than the gateway's in-flight bound per connection
   * (100), so the gateway may answer 503 overloaded.
   */
  private static final int WINDOW = 150;

  /**
   * Long messages: the non-reader's socket buffers (several MB on loopback, with the kernel's
   * send-buffer autotuning) fill with fewer frames.
   */
  private static final String HOT_TEXT = "x".repeat(2_000);

  /** The gateway's outbound buffer per connection, lowered from its 1 MiB default. */
  private static final int OUTBOUND_CAP = 128 * 1024;

  private static final int ROUND_TRIPS = 10;

  /** For each step that waits: connecting and joining, the flood, the drain after it. */
  private static final Duration DEADLINE = Duration.ofSeconds(45);

  private static final String HOT_ROOM = "hot";

  /** Each JDK HttpClient has one selector thread; a hundred sockets on one would queue on it. */
  private static final int HTTP_CLIENTS = 4;

  private final List<HttpClient> httpClients = new ArrayList<>();
  private final ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor();

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aFloodedRoomOfAHundredDoesNotStallAQuietRoomOnTheSameGatewayAndItsNonReaderIsCut()
      throws Exception {
    for (int i = 0; i < HTTP_CLIENTS; i++) {
      httpClients.add(HttpClient.newHttpClient());
    }
    List<Member> everyone = new ArrayList<>();
    NeverReader stuck = null;
    try (InProcessRoomlog roomlog =
        InProcessRoomlog.start(
            gateway ->
                gateway
                    // The senders flood as fast as the gateway takes actions, not at the rate a
                    // person types: only the in-flight bound may refuse them.
                    .connectionRate(1_000_000, 1_000_000)
                    .apiKeyRate(1_000_000, 1_000_000)
                    // A hundred and two members connect from 127.0.0.1 as fast as they can.
                    .handshakeRatePerIp(1_000_000, 1_000_000)
                    .maxOutboundBytesPerConnection(OUTBOUND_CAP)
                    // Only the outbound cap may close the non-reader, not an unanswered ping.
                    .pingInterval(Duration.ofMinutes(10)))) {
      int port = roomlog.port();
      List<Member> hot = new ArrayList<>();
      for (int i = 0; i < HOT_READERS; i++) {
        hot.add(connect(port, "hot-" + i));
      }
      everyone.addAll(hot);
      Member quietA = connect(port, "quiet-a");
      Member quietB = connect(port, "quiet-b");
      everyone.add(quietA);
      everyone.add(quietB);

      hot.get(0)
          .send(action("createRoom", "roomId", HOT_ROOM, "username", "hot-0", "requestId", "join"));
      awaitFrame(hot.get(0).answer("join"));
      for (Member m : hot.subList(1, hot.size())) {
        m.send(action("joinRoom", "roomId", HOT_ROOM, "username", m.name, "requestId", "join"));
      }
      for (Member m : hot) {
        Seen joined = awaitFrame(m.answer("join"));
        assertTrue(joined.seq() > 0, m.name + " was not let into the hot room: " + joined);
      }
      stuck = NeverReader.connect(port);
      long stuckJoinSeq = stuck.join(HOT_ROOM, "never-reads");
      String stuckId = stuck.connectionId;
      Predicate<Seen> stuckLeft =
          f -> f.type().equals("memberLeft") && stuckId.equals(f.connectionId());
      QuietRoom quiet = new QuietRoom(quietA, quietB, roomOnAnotherPartitionThan(HOT_ROOM));
      quiet.open();

      try (LogWatch watch = new LogWatch(roomlog, quiet.roomId)) {
        Flood flood = new Flood(hot.subList(0, SENDERS));
        long floodStart = System.nanoTime();
        flood.start();
        awaitOrFail(
            "the first hot message answered", () -> !flood.acked.isEmpty(), flood::toString);
        long ackedBeforeQuiet = flood.acked.size();
        AtomicLong ackedWhenQuietDone = new AtomicLong();
        CompletableFuture<Void> quietDone =
            CompletableFuture.runAsync(
                () -> {
                  quiet.playPingPong();
                  ackedWhenQuietDone.set(flood.acked.size());
                });
        CompletableFuture<Seen> cut = hot.get(hot.size() - 1).expect(stuckLeft);
        AtomicLong cutSeenAt = new AtomicLong();
        cut.thenRun(() -> cutSeenAt.set(System.nanoTime()));
        awaitOrFail(
            "the quiet room's "
                + ROUND_TRIPS
                + " round trips and the non-reader's cut, during the flood",
            () -> (quietDone.isDone() && cut.isDone()) || !flood.unexpected.isEmpty(),
            () ->
                "quiet room "
                    + (quietDone.isDone() ? "done" : "not done")
                    + ", where its messages were: "
                    + quiet.trace(watch)
                    + "; non-reader "
                    + (cut.isDone() ? "cut" : "not cut")
                    + "; "
                    + flood);
        flood.stop();
        long floodStop = System.nanoTime();
        assertEquals(
            List.of(),
            List.copyOf(flood.unexpected),
            "answers to the flood other than its messages and 503 overloaded");
        quietDone.join();
        awaitOrFail("every flooded message answered", flood::drained, flood::toString);
        long floodEnd = System.nanoTime();
        assertEquals(
            List.of(),
            List.copyOf(flood.unexpected),
            "answers to the flood other than its messages and 503 overloaded");
        long ackedDuringQuiet = ackedWhenQuietDone.get() - ackedBeforeQuiet;
        assertTrue(ackedDuringQuiet > 0, "no hot message was answered while the quiet room played");
        assertTrue(
            flood.acked.size() > ackedWhenQuietDone.get(),
            "the flood had ended before the quiet room was done");

        // Every reading member of the hot room gets every event up to the last one answered.
        Set<Long> acked = Set.copyOf(flood.acked);
        long stuckLeftSeq = cut.join().seq();
        long hotEnd =
            Math.max(acked.stream().mapToLong(Long::longValue).max().orElseThrow(), stuckLeftSeq);
        awaitOrFail(
            "every hot member up to seq " + hotEnd,
            () -> hot.stream().allMatch(m -> m.lastSeq(HOT_ROOM) >= hotEnd),
            () ->
                "behind: "
                    + hot.stream()
                        .filter(m -> m.lastSeq(HOT_ROOM) < hotEnd)
                        .map(m -> m.name + " at " + m.lastSeq(HOT_ROOM))
                        .toList());
        long deliveries = 0;
        for (Member m : hot) {
          List<Seen> events = m.roomEvents(HOT_ROOM);
          assertGapFree(m.name, events);
          Set<Long> messages =
              events.stream()
                  .filter(f -> f.type().equals("message"))
                  .map(Seen::seq)
                  .collect(Collectors.toSet());
          deliveries += messages.size();
          assertTrue(
              messages.containsAll(acked),
              m.name
                  + " is missing acknowledged messages, e.g. "
                  + acked.stream().filter(s -> !messages.contains(s)).sorted().limit(10).toList());
          Seen left =
              events.stream()
                  .filter(stuckLeft)
                  .findFirst()
                  .orElseThrow(
                      () -> new AssertionError(m.name + " was not told that the non-reader left"));
          assertEquals("disconnected", left.reason(), "why the non-reader left the hot room");
        }

        quiet.assertEachMessageReachedTheOtherOnceInOrder();

        // The non-reader: the gateway closed its socket, and what it had been sent is a prefix.
        NeverReader.Drained drained = stuck.drain();
        stuck = null;
        assertTrue(
            drained.closedByServer(),
            "the gateway did not close the non-reader's socket: " + drained);
        if (drained.closeCode() != null) {
          assertEquals(1013, drained.closeCode(), "the non-reader's close code");
        }
        List<Long> prefix = new ArrayList<>();
        for (long s = stuckJoinSeq + 1; s <= stuckJoinSeq + drained.seqs().size(); s++) {
          prefix.add(s);
        }
        assertEquals(
            prefix, drained.seqs(), "what the non-reader was sent before its cut has a gap");
        assertTrue(
            drained.seqs().size() < stuckLeftSeq - stuckJoinSeq - 1,
            "the non-reader was sent every message before it left: it was not cut for its buffer");

        double floodSeconds = (floodEnd - floodStart) / 1e9;
        LOG.info(
            String.format(
                Locale.ROOT,
                "HotRoomIT figures: hot room of %d readers + 1 non-reader, %d senders x %d in flight, %d-char texts;"
                    + " flood %.1f s (stopped at %.1f s): %d hot messages acknowledged (%.0f/s), %d answered 503"
                    + " overloaded, %d deliveries to the readers (%.0f/s); quiet room: %d round trips (ping + pong)"
                    + " p50 %.0f ms, max %.0f ms; a quiet message from sent to processed p50 %.0f ms, max %.0f ms;"
                    + " %d hot messages acknowledged meanwhile; non-reader cut %.1f s into the flood after %d frames"
                    + " (%d KiB), close code %s",
                HOT_READERS,
                SENDERS,
                WINDOW,
                HOT_TEXT.length(),
                floodSeconds,
                (floodStop - floodStart) / 1e9,
                acked.size(),
                acked.size() / floodSeconds,
                flood.overloaded.get(),
                deliveries,
                deliveries / floodSeconds,
                quiet.roundTrips.size(),
                percentile(quiet.roundTrips, 50),
                percentile(quiet.roundTrips, 100),
                percentile(quiet.processingTimes(watch), 50),
                percentile(quiet.processingTimes(watch), 100),
                ackedDuringQuiet,
                (cutSeenAt.get() - floodStart) / 1e9,
                drained.seqs().size(),
                drained.bytes() / 1024,
                drained.closeCode() == null
                    ? "none (the socket ended after the data)"
                    : drained.closeCode()));
      }
    } finally {
      if (stuck != null) {
        stuck.close();
      }
      closeAll(everyone);
      retryTimer.shutdownNow();
    }
  }

  /** Two members, one room, ping-pong: each message sent once the previous one arrived. */
  private static final class QuietRoom {
    final Member a;
    final Member b;
    final String roomId;
    final List<Long> roundTrips = new ArrayList<>();

    /** When each text was sent, and when the other member had it (nanoTime). */
    private final Map<String, Long> sent = new ConcurrentHashMap<>();

    private final Map<String, Long> arrived = new ConcurrentHashMap<>();

    QuietRoom(Member a, Member b, String roomId) {
      this.a = a;
      this.b = b;
      this.roomId = roomId;
    }

    void open() throws Exception {
      a.send(action("createRoom", "roomId", roomId, "username", "quiet-a", "requestId", "join"));
      awaitFrame(a.answer("join"));
      b.send(action("joinRoom", "roomId", roomId, "username", "quiet-b", "requestId", "join"));
      awaitFrame(b.answer("join"));
    }

    /** A sends "ping i"; B, once it has it, sends "pong i"; the round ends when A has the pong. */
    void playPingPong() {
      try {
        for (int i = 0; i < ROUND_TRIPS; i++) {
          long start = System.nanoTime();
          pass(a, b, "ping " + i);
          pass(b, a, "pong " + i);
          roundTrips.add(System.nanoTime() - start);
        }
      } catch (Exception e) {
        throw new AssertionError(
            "the quiet room's round trip " + roundTrips.size() + " did not complete", e);
      }
    }

    private void pass(Member from, Member to, String text) throws Exception {
      sent.put(text, System.nanoTime());
      from.send(action("sendMessage", "roomId", roomId, "text", text, "requestId", text));
      awaitFrame(to.expect(f -> f.type().equals("message") && text.equals(f.text())));
      arrived.put(text, System.nanoTime());
    }

    /** From sent to the processor's answer committed, for each message that got that far. */
    List<Long> processingTimes(LogWatch watch) {
      List<Long> times = new ArrayList<>();
      sent.forEach(
          (text, at) -> {
            Long processed = watch.processedAt(text);
            if (processed != null) {
              times.add(processed - at);
            }
          });
      return times;
    }

    /** Where each message sent so far was seen: in the log, processed, at the other member. */
    String trace(LogWatch watch) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < ROUND_TRIPS; i++) {
        for (String text : List.of("ping " + i, "pong " + i)) {
          Long at = sent.get(text);
          if (at != null) {
            out.append(
                String.format(
                    Locale.ROOT,
                    "%n  %s: in the log +%s, processed +%s, at the other member +%s",
                    text,
                    since(at, watch.loggedAt(text)),
                    since(at, watch.processedAt(text)),
                    since(at, arrived.get(text))));
          }
        }
      }
      return out.toString();
    }

    private static String since(long start, Long at) {
      return at == null ? "never" : (at - start) / 1_000_000 + " ms";
    }

    void assertEachMessageReachedTheOtherOnceInOrder() {
      List<String> pings = new ArrayList<>();
      List<String> pongs = new ArrayList<>();
      for (int i = 0; i < ROUND_TRIPS; i++) {
        pings.add("ping " + i);
        pongs.add("pong " + i);
      }
      assertGapFree("quiet-a", a.roomEvents(roomId));
      assertGapFree("quiet-b", b.roomEvents(roomId));
      assertEquals(pings, textsFrom(b, a.connectionId), "the pings quiet-b got");
      assertEquals(pongs, textsFrom(a, b.connectionId), "the pongs quiet-a got");
    }

    private List<String> textsFrom(Member member, String fromConnection) {
      return member.roomEvents(roomId).stream()
          .filter(f -> f.type().equals("message") && fromConnection.equals(f.connectionId()))
          .map(Seen::text)
          .toList();
    }
  }

  /**
   * When each of a room's messages reached the log, and when the processor's answer to it became
   * visible (its room event, read_committed, as the gateway's delivery consumer reads): what tells
   * the gateway's share of a delay from the processor's.
   */
  private static final class LogWatch implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final String roomId;
    private final String actionsTopic;
    private final Map<String, Long> logged = new ConcurrentHashMap<>();
    private final Map<String, Long> processed = new ConcurrentHashMap<>();
    private final Thread thread;

    LogWatch(InProcessRoomlog roomlog, String roomId) {
      this.roomId = roomId;
      this.actionsTopic = roomlog.topics().actions().name();
      consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  roomlog.bootstrapServers(),
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed"),
              new StringDeserializer(),
              new StringDeserializer());
      int partition = partitionOf(roomId);
      List<TopicPartition> partitions =
          List.of(
              new TopicPartition(actionsTopic, partition),
              new TopicPartition(roomlog.topics().roomEvents().name(), partition));
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      thread = new Thread(this::run, "hot-room-log-watch");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      try {
        while (true) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
            if (roomId.equals(record.key()) && record.value() != null) {
              String text = Json.MAPPER.readTree(record.value()).path("text").asText(null);
              if (text != null) {
                (record.topic().equals(actionsTopic) ? logged : processed)
                    .putIfAbsent(text, System.nanoTime());
              }
            }
          }
        }
      } catch (WakeupException e) {
        // Closed.
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        consumer.close();
      }
    }

    Long loggedAt(String text) {
      return logged.get(text);
    }

    Long processedAt(String text) {
      return processed.get(text);
    }

    @Override
    public void close() {
      consumer.wakeup();
      try {
        thread.join(DEADLINE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The senders: each keeps {@link #WINDOW} messages unanswered until stopped. */
  private final class Flood {
    private final List<Member> senders;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final Set<String> outstanding = ConcurrentHashMap.newKeySet();

    /** The seq of each acknowledged hot message. */
    final ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();

    final AtomicLong overloaded = new AtomicLong();
    final ConcurrentLinkedQueue<Seen> unexpected = new ConcurrentLinkedQueue<>();

    Flood(List<Member> senders) {
      this.senders = senders;
    }

    void start() {
      for (Member sender : senders) {
        Semaphore window = new Semaphore(WINDOW);
        sender.onAnswer = answer -> answered(answer, window);
        Thread thread = new Thread(() -> send(sender, window), "hot-sender-" + sender.name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    private void answered(Seen answer, Semaphore window) {
      if (!outstanding.remove(answer.requestId())) {
        return;
      }
      if (answer.type().equals("message")) {
        acked.add(answer.seq());
        window.release();
      } else if ("overloaded".equals(answer.code())) {
        overloaded.incrementAndGet();
        // As a client should: the slot comes back when the gateway said to retry.
        retryTimer.schedule(
            () -> window.release(), Math.max(1, answer.retryAfterMs()), TimeUnit.MILLISECONDS);
      } else {
        unexpected.add(answer);
        window.release();
      }
    }

    private void send(Member sender, Semaphore window) {
      try {
        for (long n = 0; !stopping.get(); ) {
          if (window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
            String requestId = sender.name + "-" + n++;
            outstanding.add(requestId);
            sender.send(
                action(
                    "sendMessage",
                    "roomId",
                    HOT_ROOM,
                    "text",
                    requestId + " " + HOT_TEXT,
                    "requestId",
                    requestId));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void stop() throws InterruptedException {
      stopping.set(true);
      for (Thread thread : threads) {
        thread.join(DEADLINE.toMillis());
      }
    }

    /** Every message sent has its answer. */
    boolean drained() {
      return outstanding.isEmpty();
    }

    @Override
    public String toString() {
      return "flood: "
          + acked.size()
          + " acknowledged, "
          + overloaded.get()
          + " overloaded, "
          + outstanding.size()
          + " unanswered, unexpected answers "
          + List.copyOf(unexpected);
    }
  }

  /**
   * What the checks need of a frame: long texts are not kept (the hot ones would be hundreds of
   * MB).
   */
  private record Seen(
      String type,
      String roomId,
      long seq,
      String requestId,
      String text,
      String connectionId,
      String reason,
      String code,
      long retryAfterMs) {
    static Seen of(JsonNode f) {
      String text = f.path("text").asText(null);
      return new Seen(
          f.path("type").asText(),
          f.path("roomId").asText(null),
          f.path("seq").asLong(-1),
          f.path("requestId").asText(null),
          text != null && text.length() <= 64 ? text : null,
          f.path("connectionId").asText(null),
          f.path("reason").asText(null),
          f.path("code").asText(null),
          f.path("retryAfterMs").asLong(0));
    }
  }

  /**
   * A member over the JDK's WebSocket client that reads every frame as it comes. Unlike {@link
   * WsClient} it keeps only a {@link Seen} of each frame, and a test waits for a frame on a future
   * rather than by polling (a round trip's time is the figure here).
   */
  private static final class Member implements WebSocket.Listener {
    final String name;
    private final StringBuilder partial = new StringBuilder();
    private final List<Seen> frames = new ArrayList<>(); // guarded by this
    private final List<Expectation> expectations = new ArrayList<>(); // guarded by this
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();

    /** Called with each frame that carries a requestId, on the client's thread. */
    volatile Consumer<Seen> onAnswer = f -> {};

    private WebSocket socket;
    String connectionId;

    private record Expectation(Predicate<Seen> matching, CompletableFuture<Seen> found) {}

    Member(String name) {
      this.name = name;
    }

    void send(String json) {
      socket.sendText(json, true).join();
    }

    /** The first frame, already received or yet to come, that matches. */
    CompletableFuture<Seen> expect(Predicate<Seen> matching) {
      CompletableFuture<Seen> found = new CompletableFuture<>();
      synchronized (this) {
        for (Seen f : frames) {
          if (matching.test(f)) {
            found.complete(f);
            return found;
          }
        }
        expectations.add(new Expectation(matching, found));
      }
      return found;
    }

    CompletableFuture<Seen> answer(String requestId) {
      return expect(f -> requestId.equals(f.requestId()));
    }

    /** The frames of this room that carry a seq, in the order they came. */
    synchronized List<Seen> roomEvents(String roomId) {
      return frames.stream().filter(f -> roomId.equals(f.roomId()) && f.seq() > 0).toList();
    }

    synchronized long lastSeq(String roomId) {
      for (int i = frames.size() - 1; i >= 0; i--) {
        Seen f = frames.get(i);
        if (roomId.equals(f.roomId()) && f.seq() > 0) {
          return f.seq();
        }
      }
      return -1;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        Seen frame;
        try {
          frame = Seen.of(Json.MAPPER.readTree(partial.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException("the server sent a frame that is not JSON", e);
        }
        partial.setLength(0);
        List<CompletableFuture<Seen>> matched = new ArrayList<>();
        synchronized (this) {
          frames.add(frame);
          for (Iterator<Expectation> it = expectations.iterator(); it.hasNext(); ) {
            Expectation e = it.next();
            if (e.matching().test(frame)) {
              matched.add(e.found());
              it.remove();
            }
          }
        }
        matched.forEach(found -> found.complete(frame));
        if (frame.requestId() != null) {
          onAnswer.accept(frame);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  private Member connect(int port, String name) throws Exception {
    Member member = new Member(name);
    HttpClient http = httpClients.get(Math.floorMod(name.hashCode(), httpClients.size()));
    member.socket =
        http.newWebSocketBuilder()
            .header("x-api-key", InProcessRoomlog.API_KEY)
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), member)
            .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    member.connectionId =
        awaitFrame(member.expect(f -> f.type().equals("connected"))).connectionId();
    return member;
  }

  /** Closes every member's socket and waits for them together, with one deadline. */
  private static void closeAll(List<Member> members) {
    for (Member m : members) {
      if (!m.socket.isOutputClosed()) {
        m.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
      }
    }
    try {
      CompletableFuture.allOf(
              members.stream()
                  .map(m -> m.closed.exceptionally(e -> -1))
                  .toArray(CompletableFuture[]::new))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      members.forEach(m -> m.socket.abort());
    }
  }

  /**
   * A client that joins a room and then never reads its socket again, over a raw TCP socket with
   * the smallest receive buffer the kernel allows, so that the gateway's buffer for it fills.
   */
  private static final class NeverReader implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();
    private long bytesRead;
    String connectionId;

    /** The seqs of the frames it was sent after its join, and how its connection ended. */
    record Drained(List<Long> seqs, long bytes, Integer closeCode, boolean closedByServer) {}

    private NeverReader(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      this.out = socket.getOutputStream();
    }

    static NeverReader connect(int port) throws IOException {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout((int) DEADLINE.toMillis());
      NeverReader client = new NeverReader(socket);
      byte[] nonce = new byte[16];
      client.random.nextBytes(nonce);
      String request =
          "GET / HTTP/1.1\r\nHost: 127.0.0.1:"
              + port
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: "
              + Base64.getEncoder().encodeToString(nonce)
              + "\r\n"
              + "Sec-WebSocket-Version: 13\r\nx-api-key: "
              + InProcessRoomlog.API_KEY
              + "\r\n\r\n";
      client.out.write(request.getBytes(StandardCharsets.US_ASCII));
      client.out.flush();
      String response = client.readHttpHead();
      if (!response.startsWith("HTTP/1.1 101")) {
        throw new AssertionError("the gateway refused the raw client's upgrade: " + response);
      }
      client.connectionId =
          Json.MAPPER.readTree(client.readFrame().payload()).get("connectionId").asText();
      return client;
    }

    /** Joins and reads up to the answer, returning the join's seq; reads nothing after it. */
    long join(String roomId, String username) throws IOException {
      sendText(action("joinRoom", "roomId", roomId, "username", username, "requestId", "join"));
      while (true) {
        JsonNode frame = Json.MAPPER.readTree(readFrame().payload());
        if ("join".equals(frame.path("requestId").asText(null))) {
          assertEquals("joined", frame.path("type").asText(), "the non-reader's join: " + frame);
          return frame.get("seq").asLong();
        }
      }
    }

    /** Reads what the gateway sent, until it ends the connection (or the deadline), and closes. */
    Drained drain() throws IOException {
      long before = bytesRead;
      List<Long> seqs = new ArrayList<>();
      Integer closeCode = null;
      boolean closedByServer = false;
      try {
        while (true) {
          Frame frame = readFrame();
          if (frame.opcode() == 0x8) {
            byte[] p = frame.payload();
            closeCode = p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : null;
            closedByServer = true;
            break;
          }
          JsonNode json = Json.MAPPER.readTree(frame.payload());
          if (json.has("seq")) {
            seqs.add(json.get("seq").asLong());
          }
        }
      } catch (EOFException e) {
        closedByServer = true;
      } finally {
        close();
      }
      return new Drained(seqs, bytesRead - before, closeCode, closedByServer);
    }

    private record Frame(int opcode, byte[] payload) {}

    private Frame readFrame() throws IOException {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long length = b1 & 0x7f;
      bytesRead += 2;
      if (length == 126) {
        length = in.readUnsignedShort();
        bytesRead += 2;
      } else if (length == 127) {
        length = in.readLong();
        bytesRead += 8;
      }
      assertFalse(
          (b1 & 0x80) != 0 || (b0 & 0x80) == 0, "the gateway sent a masked or fragmented frame");
      byte[] payload = new byte[Math.toIntExact(length)];
      in.readFully(payload);
      bytesRead += length;
      return new Frame(b0 & 0x0f, payload);
    }

    private void sendText(String text) throws IOException {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x81);
      if (payload.length < 126) {
        frame.write(0x80 | payload.length);
      } else {
        frame.write(0x80 | 126);
        frame.write(payload.length >>> 8);
        frame.write(payload.length & 0xff);
      }
      byte[] mask = new byte[4];
      random.nextBytes(mask);
      frame.write(mask);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
      out.write(frame.toByteArray());
      out.flush();
    }

    private String readHttpHead() throws IOException {
      StringBuilder head = new StringBuilder();
      while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
        head.append((char) in.readUnsignedByte());
      }
      return head.toString();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // Nothing more to do with it.
      }
    }
  }

  private static Seen awaitFrame(CompletableFuture<Seen> frame) throws Exception {
    return frame.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  /** Waits for the condition, with {@link #DEADLINE}; on timeout, says what {@code state} was. */
  private static void awaitOrFail(String what, BooleanSupplier condition, Supplier<String> state) {
    try {
      await(what)
          .atMost(DEADLINE)
          .pollInterval(Duration.ofMillis(20))
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("not within " + DEADLINE + ": " + what + "; " + state.get(), e);
    }
  }

  /** Each event's seq is the one before plus one, from the member's own join on. */
  private static void assertGapFree(String who, List<Seen> events) {
    assertFalse(events.isEmpty(), who + " saw no event of its room");
    for (int i = 1; i < events.size(); i++) {
      if (events.get(i).seq() != events.get(i - 1).seq() + 1) {
        throw new AssertionError(
            who
                + " got seq "
                + events.get(i).seq()
                + " after "
                + events.get(i - 1).seq()
                + ": "
                + events.get(i));
      }
    }
  }

  /** A room id whose actions go to another partition of the log than {@code roomId}'s. */
  private static String roomOnAnotherPartitionThan(String roomId) {
    int taken = partitionOf(roomId);
    for (int i = 0; ; i++) {
      String candidate = "quiet-" + i;
      if (partitionOf(candidate) != taken) {
        return candidate;
      }
    }
  }

  /** Where the producer's default partitioner puts a record keyed by this room id. */
  private static int partitionOf(String roomId) {
    return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8)))
        % InProcessRoomlog.PARTITIONS;
  }

  private static String action(String name, String... fieldsAndValues) {
    ObjectNode node = Json.MAPPER.createObjectNode().put("action", name);
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      node.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    return node.toString();
  }

  /** The p-th percentile in milliseconds (nearest rank); 100 is the maximum. */
  private static double percentile(List<Long> nanos, int p) {
    if (nanos.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = nanos.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1)) / 1e6;
  }
}
