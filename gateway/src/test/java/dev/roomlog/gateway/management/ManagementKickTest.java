package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /rooms/{roomId}/kick}: what it writes to the log, and how the processor's answer
 * (here delivered by hand, as the deliveries consumer would) becomes the HTTP answer.
 */
class ManagementKickTest {
  private static final String KEY = "admin-s3cret";
  private static final Function<String, List<String>> WITH_KEY =
      name -> Map.of("x-admin-key", List.of(KEY)).getOrDefault(name, List.of());

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger ids = new AtomicInteger();
  private final ActionIntake intake =
      new ActionIntake(
          TestPipelines.settings().build(),
          wal,
          Clock.fixed(Instant.parse("2024-04-01T12:00:00Z"), ZoneOffset.UTC),
          () -> "id-" + ids.incrementAndGet());
  private final ManagementApi api =
      new ManagementApi(
          null, KEY, null, new RoomPoster(intake, registry, timers, Duration.ofSeconds(10)));

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  private CompletableFuture<ApiAnswer> kick(String body, Function<String, List<String>> headers) {
    return api.handle(
        "POST", "/rooms/lobby/kick", headers, body.getBytes(StandardCharsets.UTF_8), "192.0.2.1");
  }

  /** The one record written, answered by the processor with {@code answer(requestId)}. */
  private Action.Moderate answerWith(Function<String, ServerFrame> answer) {
    assertEquals(1, wal.records().size());
    WalRecord record = wal.records().get(0);
    Action.Moderate written = (Action.Moderate) record.action();
    assertEquals(ActionNames.MODERATE, record.requestContext().routeKey());
    assertEquals("lobby", record.key(), "keyed by room, like every room action");
    assertNull(record.requestContext().authorizer());
    registry.deliver(
        List.of(record.requestContext().connectionId()),
        answer.apply(written.requestId()).toJson());
    return written;
  }

  @Test
  void writesAModerateRecordAndAnswersHowManyConnectionsWereRemoved() throws Exception {
    CompletableFuture<ApiAnswer> pending =
        kick("{\"user\":\"user-42\",\"reason\":\"spam\",\"banFor\":\"1h\"}", WITH_KEY);

    Action.Moderate written =
        answerWith(id -> new ServerFrame.Moderated("lobby", "user-42", 2, 3_600_123L, id));

    assertEquals("user-42", written.user());
    assertEquals("spam", written.reason());
    assertEquals(3_600_000L, written.banForMs());
    ApiAnswer answer = pending.get(10, TimeUnit.SECONDS);
    assertEquals(200, answer.status());
    JsonNode body = Json.MAPPER.readTree(answer.json());
    assertEquals(2, body.get("removed").intValue());
    assertEquals(3_600_123L, body.get("bannedUntil").longValue());
  }

  @Test
  void anUnknownRoomIs404() throws Exception {
    CompletableFuture<ApiAnswer> pending = kick("{\"user\":\"bob\"}", WITH_KEY);

    Action.Moderate written =
        answerWith(id -> ErrorCode.ROOM_NOT_FOUND.frame("room 'lobby' does not exist", id));

    assertNull(written.banForMs());
    assertEquals(404, pending.get(10, TimeUnit.SECONDS).status());
  }

  @Test
  void badBodiesAre400AndNothingIsWritten() throws Exception {
    for (String body :
        List.of(
            "not json",
            "{}",
            "{\"user\":\"\"}",
            "{\"user\":7}",
            "{\"user\":\"bob\",\"banFor\":\"soon\"}",
            "{\"user\":\"bob\",\"banFor\":\"366d\"}",
            "{\"user\":\"bob\",\"banFor\":\"0s\"}",
            "{\"user\":\"bob\",\"banFor\":3600}",
            "{\"user\":\"bob\",\"reason\":\"" + "x".repeat(513) + "\"}")) {
      ApiAnswer answer = kick(body, WITH_KEY).get(10, TimeUnit.SECONDS);
      assertEquals(400, answer.status(), body);
    }
    assertTrue(wal.records().isEmpty());
  }

  @Test
  void withoutTheAdminKeyIsRefusedAndNothingIsWritten() throws Exception {
    ApiAnswer answer = kick("{\"user\":\"bob\"}", name -> List.of()).get(10, TimeUnit.SECONDS);

    assertEquals(401, answer.status());
    assertFalse(answer.json().contains("bob"));
    assertTrue(wal.records().isEmpty());
  }

  @Test
  void onlyPostIsTaken() throws Exception {
    ApiAnswer answer =
        api.handle("GET", "/rooms/lobby/kick", WITH_KEY, new byte[0], "192.0.2.1")
            .get(10, TimeUnit.SECONDS);
    assertEquals(405, answer.status());
  }
}
