package dev.roomlog.processor.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoomPageTest {
  private static RoomSummary room(String id) {
    return new RoomSummary(id, 1, 1);
  }

  private static List<String> ids(RoomPage page) {
    return page.rooms().stream().map(RoomSummary::roomId).toList();
  }

  @Test
  void mergedPagesKeepTheFirstRoomsInIdOrderAndPointPastTheLast() {
    RoomPage merged =
        RoomPage.merge(
            List.of(
                new RoomPage(List.of(room("a"), room("d")), null),
                new RoomPage(List.of(room("b"), room("c")), null)),
            3);
    assertEquals(List.of("a", "b", "c"), ids(merged));
    assertEquals("c", merged.next());
  }

  @Test
  void aRoomInTwoInstancesAnswersIsListedOnce() {
    // Its partition moved from one instance to the other between their answers.
    RoomPage merged =
        RoomPage.merge(
            List.of(
                new RoomPage(List.of(room("a"), room("b")), null),
                new RoomPage(List.of(room("b"), room("c")), null)),
            3);
    assertEquals(List.of("a", "b", "c"), ids(merged));
    assertNull(merged.next());
  }

  @Test
  void thereIsANextPageWhenASourceHadMoreEvenIfAllFit() {
    RoomPage merged = RoomPage.merge(List.of(new RoomPage(List.of(room("a")), "a")), 5);
    assertEquals("a", merged.next());
  }

  @Test
  void exactlyLimitRoomsWithNothingMoreIsTheLastPage() {
    RoomPage page = RoomPage.of(List.of(room("a"), room("b")), 2, false);
    assertNull(page.next());
    assertEquals("a", RoomPage.of(List.of(room("a"), room("b")), 1, false).next());
  }

  @Test
  void idsAreOrderedByTheirUtf8BytesAsTheStoreKeepsThem() {
    // U+FF21 (3 UTF-8 bytes) sorts before U+1F600 (4 bytes, a surrogate pair in UTF-16, which
    // String.compareTo would put first).
    String fullwidth = "\uFF21";
    String emoji = "\uD83D\uDE00";
    RoomPage merged =
        RoomPage.merge(List.of(new RoomPage(List.of(room(emoji), room(fullwidth)), null)), 5);
    assertEquals(List.of(fullwidth, emoji), ids(merged));
  }
}
