package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.protocol.event.RoomEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The window's weight is kept beside its events ({@link RecentEvents#oldestToDrop}) instead of
 * summed over them for every message. These tests hold it to the pass over the events it replaced,
 * for windows made from a plain list and for windows that slid many times.
 */
class RecentEventsTest {
  private static final String ROOM = "r";

  /** The pass over the events that the kept weight replaced: newest first, until one is over. */
  private static int droppedByAPassOverTheEvents(
      List<RoomEvent> recent, int maxKept, long extra, long budget) {
    int keep = 0;
    long bytes = extra;
    for (int i = recent.size() - 1; i >= 0 && keep < maxKept; i--) {
      bytes += RoomLogic.boundBytes(recent.get(i));
      if (bytes > budget) {
        break;
      }
      keep++;
    }
    return recent.size() - keep;
  }

  private static RoomEvent message(long seq, int length) {
    return new RoomEvent.MessagePosted(ROOM, seq, seq, "c", "u", "x".repeat(length), null);
  }

  @Test
  void dropsWhatThePassOverTheEventsDroppedForWindowsMadeFromAList() {
    Random random = new Random(18);
    for (int round = 0; round < 2_000; round++) {
      List<RoomEvent> events = new ArrayList<>();
      int size = random.nextInt(12);
      for (int i = 0; i < size; i++) {
        events.add(message(i + 1, random.nextInt(400)));
      }
      RecentEvents window = RecentEvents.of(events);
      int maxKept = random.nextInt(14);
      long extra = RoomLogic.boundBytes(message(size + 1, random.nextInt(400)));
      long budget = random.nextInt(12 * 3_500);
      assertEquals(
          droppedByAPassOverTheEvents(events, maxKept, extra, budget),
          window.oldestToDrop(maxKept, extra, budget),
          "round " + round);
    }
  }

  @Test
  void aWindowThatSlidKeepsItsWeightRight() {
    Random random = new Random(6);
    RecentEvents window = RecentEvents.of(List.of());
    long budget = 20 * 1_024 + 6 * 2_000;
    for (long seq = 1; seq <= 3_000; seq++) {
      RoomEvent next = message(seq, random.nextInt(2_000));
      long extra = RoomLogic.boundBytes(next);
      int dropped = window.oldestToDrop(15, extra, budget);
      assertEquals(droppedByAPassOverTheEvents(window, 15, extra, budget), dropped, "seq " + seq);
      window = window.slide(dropped, next);
    }
  }

  @Test
  void atTheBudgetEverythingStaysAndOneBytePastItTheOldestGoes() {
    List<RoomEvent> events = List.of(message(1, 10), message(2, 20), message(3, 30));
    long weight = events.stream().mapToLong(RoomLogic::boundBytes).sum();
    RecentEvents window = RecentEvents.of(events);
    assertEquals(0, window.oldestToDrop(3, 100, weight + 100));
    assertEquals(1, window.oldestToDrop(3, 101, weight + 100));
    assertEquals(1, window.oldestToDrop(2, 0, weight), "the count bounds it too");
    assertEquals(3, window.oldestToDrop(3, weight + 1, weight), "an event over the budget alone");
  }
}
