package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.connection.OpenConnections;
import dev.roomlog.protocol.control.CommandAnswer;
import dev.roomlog.protocol.control.CommandAnswer.Outcome;
import dev.roomlog.protocol.control.ConnectionCommand;
import dev.roomlog.protocol.control.ConnectionCommand.Op;
import dev.roomlog.protocol.control.ConnectionInfo;
import dev.roomlog.protocol.control.GatewayControl;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request/answer logic between two gateways' {@link ConnectionCommands}, wired by an in-memory
 * publisher instead of Kafka.
 */
class ConnectionCommandsTest {
  private static final long T = 1_700_000_000_000L;

  /** How long a test waits for an outcome before it fails; never a sleep. */
  private static final long WAIT_SECONDS = 10;

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final Wire wire = new Wire();
  private final ConnectionRegistry registryA = new ConnectionRegistry();
  private final ConnectionRegistry registryB = new ConnectionRegistry();

  @AfterEach
  void stopThreads() {
    timers.shutdownNow();
    wire.thread.shutdownNow();
  }

  /** A clock the test sets by hand. */
  static final class MutableClock extends Clock {
    private final AtomicLong millis;

    MutableClock(long millis) {
      this.millis = new AtomicLong(millis);
    }

    void set(long value) {
      millis.set(value);
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * Records every published message and, while {@code delivering}, hands it to the addressed
   * gateway's {@code accept} on a thread of its own, read back from its bytes as the deliveries
   * topic would carry it.
   */
  static final class Wire implements ControlPublisher {
    record Sent(String gatewayId, GatewayControl message) {}

    final Map<String, ConnectionCommands> gateways = new ConcurrentHashMap<>();
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final ExecutorService thread = Executors.newSingleThreadExecutor();
    volatile boolean delivering = true;

    @Override
    public void publish(String gatewayId, GatewayControl message, Consumer<Exception> onFailure) {
      sent.add(new Sent(gatewayId, message));
      if (delivering) {
        thread.execute(
            () ->
                gateways
                    .get(gatewayId)
                    .accept(GatewayControl.read(message.kind(), message.toBytes())));
      }
    }

    ConnectionCommands join(ConnectionCommands gateway, String gatewayId) {
      gateways.put(gatewayId, gateway);
      return gateway;
    }
  }

  private ConnectionCommands commands(
      String gatewayId,
      ConnectionRegistry registry,
      ControlPublisher publisher,
      Duration timeout,
      Clock clock) {
    ConnectionCommands commands =
        new ConnectionCommands(gatewayId, registry, publisher, timers, timeout, clock);
    if (publisher == wire) {
      wire.join(commands, gatewayId);
    }
    return commands;
  }

  private static CommandAnswer answer(CompletableFuture<CommandAnswer> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<CommandAnswer> future) {
    return assertThrows(ExecutionException.class, () -> future.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .getCause();
  }

  @Test
  void aConnectionOfThisGatewayIsAnsweredAtOnceWithoutAMessage() {
    ConnectionCommands a =
        commands("gw-a", registryA, wire, Duration.ofSeconds(5), Clock.systemUTC());

    for (Op op : Op.values()) {
      CompletableFuture<CommandAnswer> future =
          a.execute("gw-a", op, "gw-a.u1", op == Op.SEND ? "hi" : null);

      assertTrue(future.isDone(), op.name());
      assertEquals(Outcome.GONE, future.join().outcome(), op.name());
    }
    assertEquals(List.of(), wire.sent);
  }

  @Test
  void aLocalSendReachesTheSocket() throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel();
    OpenConnections.open(registryA, "gw-a.u1", ch, T, "192.0.2.1", "ua", "web");
    ConnectionCommands a =
        commands("gw-a", registryA, wire, Duration.ofSeconds(5), Clock.systemUTC());

    CommandAnswer done = answer(a.execute("gw-a", Op.SEND, "gw-a.u1", "{\"type\":\"notice\"}"));

    assertEquals(Outcome.DONE, done.outcome());
    TextWebSocketFrame frame = ch.readOutbound();
    assertEquals("{\"type\":\"notice\"}", frame.text());
    frame.release();
    assertFalse(ch.finish());
  }

  @Test
  void aRemoteConnectionIsAnsweredByTheGatewayThatHoldsIt() throws Exception {
    ConnectionCommands a =
        commands("gw-a", registryA, wire, Duration.ofSeconds(5), Clock.systemUTC());
    commands("gw-b", registryB, wire, Duration.ofSeconds(5), Clock.systemUTC());

    for (Op op : Op.values()) {
      wire.sent.clear();
      CommandAnswer got = answer(a.execute("gw-b", op, "gw-b.u1", op == Op.SEND ? "hi" : null));

      assertEquals(Outcome.GONE, got.outcome(), op.name());
      assertEquals(2, wire.sent.size(), op.name());
      Wire.Sent asked = wire.sent.get(0);
      Wire.Sent answered = wire.sent.get(1);
      assertEquals("gw-b", asked.gatewayId());
      ConnectionCommand command = assertInstanceOf(ConnectionCommand.class, asked.message());
      assertEquals(op, command.op());
      assertEquals("gw-a", command.replyTo());
      assertEquals("gw-a", answered.gatewayId());
      assertEquals(answered.message(), got, "the asker completes with the holder's answer");
      assertEquals(command.requestId(), got.requestId());
    }
  }

  @Test
  void aRemoteConnectionGetsTheFrameIsDescribedAndIsClosed() throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel();
    OpenConnections.open(registryB, "gw-b.u1", ch, T, "192.0.2.9", "curl/8", "web");
    ConnectionCommands a =
        commands("gw-a", registryA, wire, Duration.ofSeconds(5), Clock.systemUTC());
    commands("gw-b", registryB, wire, Duration.ofSeconds(5), Clock.systemUTC());

    assertEquals(Outcome.DONE, answer(a.execute("gw-b", Op.SEND, "gw-b.u1", "héllo")).outcome());
    TextWebSocketFrame frame = ch.readOutbound();
    assertEquals("héllo", frame.text());
    frame.release();

    CommandAnswer described = answer(a.execute("gw-b", Op.GET, "gw-b.u1", null));
    assertEquals(Outcome.DONE, described.outcome());
    assertEquals(
        new ConnectionInfo(
            "gw-b.u1", T, T, new ConnectionInfo.Identity("192.0.2.9", "curl/8", "web")),
        described.info());

    assertEquals(Outcome.DONE, answer(a.execute("gw-b", Op.DELETE, "gw-b.u1", null)).outcome());
    assertFalse(ch.isOpen());
    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, ch.readOutbound());
    assertEquals(1000, close.statusCode());
    close.release();
    assertFalse(ch.finish());
  }

  @Test
  void aHolderThatNeverAnswersEndsInNoAnswerAfterTheTimeout() throws Exception {
    wire.delivering = false;
    ConnectionCommands a =
        commands("gw-a", registryA, wire, Duration.ofMillis(200), Clock.systemUTC());

    long start = System.nanoTime();
    CompletableFuture<CommandAnswer> future = a.execute("gw-b", Op.GET, "gw-b.u1", null);
    Throwable cause = failure(future);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    ConnectionCommands.NoAnswer none = assertInstanceOf(ConnectionCommands.NoAnswer.class, cause);
    assertTrue(none.getMessage().contains("'gw-b'"), none.getMessage());
    assertTrue(elapsedMs >= 200, "gave up after " + elapsedMs + " ms, before the 200 ms timeout");
  }

  @Test
  void theHolderDoesACommandUpToItsDeadlineASecondBeforeTheAskerGivesUpAndDropsItAfter()
      throws Exception {
    wire.delivering = false;
    EmbeddedChannel ch = new EmbeddedChannel();
    OpenConnections.open(registryB, "gw-b.u1", ch, T, "192.0.2.9", null, "web");
    MutableClock clockB = new MutableClock(T);
    ConnectionCommands a =
        commands("gw-a", registryA, wire, Duration.ofSeconds(5), new MutableClock(T));
    ConnectionCommands b = commands("gw-b", registryB, wire, Duration.ofSeconds(5), clockB);

    CompletableFuture<CommandAnswer> future = a.execute("gw-b", Op.SEND, "gw-b.u1", "late?");
    ConnectionCommand command = (ConnectionCommand) wire.sent.get(0).message();
    assertEquals(
        T + 4_000,
        command.deadline(),
        "a second before the asker's 5 s, for the answer's way back");

    clockB.set(T + 4_001);
    b.accept(command);
    assertEquals(1, wire.sent.size(), "a command past its deadline is not answered");
    assertNull(ch.readOutbound(), "a command past its deadline does not reach the socket");

    clockB.set(T + 4_000);
    b.accept(command);
    assertEquals(2, wire.sent.size());
    TextWebSocketFrame frame = ch.readOutbound();
    assertEquals("late?", frame.text());
    frame.release();
    CommandAnswer answered = assertInstanceOf(CommandAnswer.class, wire.sent.get(1).message());
    a.accept(answered);
    assertEquals(Outcome.DONE, answer(future).outcome());
    assertFalse(ch.finish());
  }

  @Test
  void aCommandThatMayNotHaveBeenWrittenIsAnsweredOnlyAtTheTimeoutSoItCannotTakeEffectAfterwards() {
    ExecutorService kafkaThread = Executors.newSingleThreadExecutor();
    try {
      // A failed write may still have landed (acks=1, a timeout): answering at once could let
      // it take effect after the caller was told 504.
      ControlPublisher failing =
          (gatewayId, message, onFailure) ->
              kafkaThread.execute(() -> onFailure.accept(new IllegalStateException("broker down")));
      ConnectionCommands a =
          commands("gw-a", registryA, failing, Duration.ofMillis(300), Clock.systemUTC());

      long start = System.nanoTime();
      Throwable cause = failure(a.execute("gw-b", Op.DELETE, "gw-b.u1", null));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertInstanceOf(ConnectionCommands.NoAnswer.class, cause);
      assertTrue(
          elapsedMs >= 300,
          "answered after " + elapsedMs + " ms, before the holder's deadline passed");
    } finally {
      kafkaThread.shutdownNow();
    }
  }

  @Test
  void refusesTheRequestPastMaxPendingWithBusyWhileTheOthersWait() throws Exception {
    wire.delivering = false;
    ConnectionCommands a =
        commands("gw-a", registryA, wire, Duration.ofMinutes(5), Clock.systemUTC());
    List<CompletableFuture<CommandAnswer>> waiting = new ArrayList<>();
    for (int i = 0; i < ConnectionCommands.MAX_PENDING; i++) {
      waiting.add(a.execute("gw-b", Op.GET, "gw-b.u" + i, null));
    }
    assertEquals(0, waiting.stream().filter(CompletableFuture::isDone).count());

    CompletableFuture<CommandAnswer> over = a.execute("gw-b", Op.GET, "gw-b.over", null);

    assertTrue(over.isDone(), "refused at once, not after the timeout");
    assertInstanceOf(ConnectionCommands.Busy.class, failure(over));
    assertEquals(0, waiting.stream().filter(CompletableFuture::isDone).count());
    assertEquals(ConnectionCommands.MAX_PENDING, wire.sent.size(), "the refused one was not sent");
    // This gateway's own connections need no slot.
    assertEquals(Outcome.GONE, answer(a.execute("gw-a", Op.GET, "gw-a.u1", null)).outcome());

    // One answer frees one slot.
    a.accept(new CommandAnswer(wire.sent.get(0).message().requestId(), Outcome.GONE, null));
    assertEquals(Outcome.GONE, answer(waiting.get(0)).outcome());
    assertFalse(a.execute("gw-b", Op.GET, "gw-b.again", null).isDone());
  }
}
