package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.ParkedCall;
import dev.roomlog.protocol.integration.WebhookSubscription;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The engine's bookkeeping with a fake endpoint: order, batches, parking, dead letters, limits. */
class DispatcherTest {
  private static final Source EVENTS = new Source("roomlog.room-events", 0);
  private static final Source RETRY = new Source("roomlog.webhook-retry", 0);
  private static final Instant T0 = Instant.parse("2025-11-26T10:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final List<Pending> calls = new ArrayList<>();
  private final List<String> done = new ArrayList<>();
  private final List<ParkedCall> parked = new ArrayList<>();
  private final List<ParkedCall> dead = new ArrayList<>();

  private record Pending(Call call, CompletableFuture<Answer> answer) {
    JsonNode body() {
      try {
        return Json.MAPPER.readTree(call.body());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    List<Long> seqs() {
      List<Long> seqs = new ArrayList<>();
      body().path("events").forEach(e -> seqs.add(e.path("seq").asLong()));
      return seqs;
    }
  }

  private Dispatcher dispatcher(int maxConcurrency) {
    WebhookSubscription sub =
        new WebhookSubscription(
            "crm",
            URI.create("http://127.0.0.1:1/hook"),
            List.of(new WebhookSubscription.Secret("k1", "0123456789abcdef".getBytes())),
            Set.of("message"),
            null,
            maxConcurrency,
            Duration.ofMinutes(10));
    return new Dispatcher(
        new Subscriptions(List.of(sub)),
        new RetryDecider(
            new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 1.0),
            3,
            Duration.ofSeconds(30)),
        call -> {
          CompletableFuture<Answer> answer = new CompletableFuture<>();
          calls.add(new Pending(call, answer));
          return answer;
        },
        Runnable::run,
        new Dispatcher.Sink() {
          @Override
          public void done(Item item, Answer answer) {
            done.add(item.event.roomId() + ":" + item.event.seq());
          }

          @Override
          public void park(Item item, ParkedCall call) {
            parked.add(call);
          }

          @Override
          public void deadLetter(Item item, ParkedCall call) {
            dead.add(call);
          }
        },
        clock,
        2,
        Duration.ofHours(1));
  }

  private static Item message(String room, long seq) {
    RoomEvent event = new RoomEvent.MessagePosted(room, seq, 1L, "c1", "ann", "hi " + seq, null);
    return Item.fresh("crm", event, List.of("message"), EVENTS, seq);
  }

  @Test
  void aRoomsEventsGoInSeqOrderOneBatchAtATimeBatchedWhenReadyTogether() {
    Dispatcher dispatcher = dispatcher(4);
    dispatcher.offer(message("lobby", 3));
    dispatcher.pump();
    dispatcher.offer(message("lobby", 4));
    dispatcher.offer(message("lobby", 5));
    dispatcher.offer(message("lobby", 6));
    dispatcher.pump();

    assertEquals(1, calls.size(), "the room's next batch waits for the call in flight");
    calls.get(0).answer().complete(Answer.of(200, null));
    dispatcher.pump();

    assertEquals(List.of(3L), calls.get(0).seqs());
    assertEquals(List.of(4L, 5L), calls.get(1).seqs(), "batched, at most maxBatch");
    assertEquals("lobby:4-5", calls.get(1).call().idempotencyKey());
    assertEquals("lobby:4", calls.get(1).body().path("events").get(0).path("id").asText());
    calls.get(1).answer().complete(Answer.of(204, null));
    dispatcher.pump();
    calls.get(2).answer().complete(Answer.of(204, null));

    assertEquals(List.of(6L), calls.get(2).seqs());
    assertEquals(List.of("lobby:3", "lobby:4", "lobby:5", "lobby:6"), done);
    assertEquals(0, dispatcher.buffered());
  }

  @Test
  void aFailedBatchIsSentAgainUnchangedAfterTheBackoffAndNotBefore() {
    Dispatcher dispatcher = dispatcher(4);
    dispatcher.offer(message("lobby", 1));
    dispatcher.pump();
    dispatcher.offer(message("lobby", 2));
    calls.get(0).answer().complete(Answer.of(500, null));

    dispatcher.pump();
    assertEquals(1, calls.size(), "not before the backoff's 1 s");
    clock.advance(Duration.ofSeconds(1));
    dispatcher.pump();

    assertEquals(2, calls.size());
    assertEquals(List.of(1L), calls.get(1).seqs(), "the same batch, seq 2 still behind it");
  }

  @Test
  void afterTheInMemoryBudgetTheRoomIsParkedInOrderAndOtherRoomsGoOn() {
    Dispatcher dispatcher = dispatcher(4);
    dispatcher.offer(message("lobby", 1));
    dispatcher.offer(message("lobby", 2));
    dispatcher.offer(message("lobby", 3));
    dispatcher.offer(message("other", 1));
    for (int attempt = 0; attempt < 3; attempt++) {
      dispatcher.pump();
      for (Pending call : calls) {
        boolean lobby = call.call().orderingKey().equals("lobby");
        call.answer().complete(Answer.of(lobby ? 500 : 200, null));
      }
      clock.advance(Duration.ofSeconds(5));
    }

    assertEquals(
        List.of("lobby:1", "lobby:2", "lobby:3"),
        parked.stream().map(ParkedCall::idempotencyKey).toList(),
        "the failing batch, then its room's followers, in order");
    assertEquals(3, parked.get(0).attempts());
    assertEquals(500, parked.get(0).lastStatus());
    assertEquals(0, parked.get(2).attempts(), "never tried: it waited behind");
    assertTrue(dispatcher.parked("crm", "lobby"));
    assertEquals(List.of("other:1"), done, "the other room was not held up");

    dispatcher.offer(message("lobby", 4));
    assertEquals("lobby:4", parked.get(3).idempotencyKey(), "a later event goes behind them");
  }

  @Test
  void parkedCallsReadBackAreDeliveredThenTheRoomIsCalledFromMemoryAgain() {
    Dispatcher dispatcher = dispatcher(4);
    dispatcher.offer(message("lobby", 1));
    for (int attempt = 0; attempt < 3; attempt++) {
      dispatcher.pump();
      calls.get(calls.size() - 1).answer().complete(Answer.of(503, null));
      clock.advance(Duration.ofSeconds(5));
    }
    assertEquals(1, parked.size());

    dispatcher.offerParked(Item.parked(parked.get(0), RETRY, 0), true);
    dispatcher.pump();
    calls.get(calls.size() - 1).answer().complete(Answer.of(200, null));

    assertFalse(dispatcher.parked("crm", "lobby"));
    dispatcher.offer(message("lobby", 2));
    dispatcher.pump();
    assertEquals(List.of(2L), calls.get(calls.size() - 1).seqs(), "called, not parked");
    assertEquals(1, parked.size());
  }

  @Test
  void aParkedCallFoundAfterARestartHoldsItsRoomsNewEventsBehindIt() {
    Dispatcher dispatcher = dispatcher(4);
    ParkedCall earlier = message("lobby", 7).toParked(T0.minusSeconds(30));

    dispatcher.offerParked(Item.parked(earlier, RETRY, 12), false);
    dispatcher.offer(message("lobby", 8));

    assertEquals(List.of("lobby:8"), parked.stream().map(ParkedCall::idempotencyKey).toList());
  }

  @Test
  void aParkedCallPastItsRetryPeriodIsADeadLetterWithTheReason() {
    Dispatcher dispatcher = dispatcher(4);
    ParkedCall old = message("lobby", 1).toParked(T0.minus(Duration.ofMinutes(10)));

    dispatcher.offerParked(Item.parked(old, RETRY, 0), false);
    dispatcher.pump();
    calls.get(0).answer().complete(Answer.none("no answer within PT10S"));

    assertEquals(1, dead.size());
    ParkedCall letter = dead.get(0);
    assertEquals("lobby:1", letter.idempotencyKey());
    assertEquals(1, letter.attempts());
    assertEquals(T0.minus(Duration.ofMinutes(10)).toEpochMilli(), letter.firstAttemptAt());
    assertEquals(T0.toEpochMilli(), letter.lastAttemptAt());
    assertTrue(letter.reason().contains("no answer within PT10S"), letter.reason());
    assertFalse(dispatcher.parked("crm", "lobby"));
  }

  @Test
  void callsToOneTargetAreBoundedAcrossRooms() {
    Dispatcher dispatcher = dispatcher(2);
    for (int room = 0; room < 5; room++) {
      dispatcher.offer(message("r" + room, 1));
    }
    dispatcher.pump();

    assertEquals(2, calls.size());
    calls.get(0).answer().complete(Answer.of(200, null));
    dispatcher.pump();
    assertEquals(3, calls.size());
  }

  @Test
  void everyCallIsSignedWithItsIdAndTimestamp() {
    Dispatcher dispatcher = dispatcher(4);
    dispatcher.offer(message("lobby", 1));
    dispatcher.pump();
    Call call = calls.get(0).call();

    String signed =
        Signatures.sign(
            List.of(new WebhookSubscription.Secret("k1", "0123456789abcdef".getBytes())),
            "lobby:1",
            T0.getEpochSecond(),
            call.body());
    assertEquals(signed, call.headers().get("webhook-signature"));
    assertEquals("lobby:1", call.headers().get("webhook-id"));
    assertEquals(String.valueOf(T0.getEpochSecond()), call.headers().get("webhook-timestamp"));
    assertEquals("k1", call.headers().get("webhook-secret-id"));
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
