package dev.roomlog.processor.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.protocol.action.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryRequestTest {
  @Test
  void roomIdsAreDecodedAndAPlusStaysAPlus() {
    assertEquals(
        new QueryRequest.GetRoom("a b+c", false),
        QueryRequest.parse("GET", "/rooms/a%20b+c", null));
    assertEquals(
        new QueryRequest.GetRoom("r-1", true),
        QueryRequest.parse("GET", "/rooms/r-1", "scope=local"));
  }

  @Test
  void aRoomsMembersArePagedWithinTheLimitsOfTheMembersAction() {
    assertEquals(
        new QueryRequest.GetRoom("r", null, Limits.FIRST_MEMBERS_PAGE, false),
        QueryRequest.parse("GET", "/rooms/r", null));
    assertEquals(
        new QueryRequest.GetRoom("r", 41L, 1, false),
        QueryRequest.parse("GET", "/rooms/r", "membersAfter=41&membersLimit=1"));
    assertEquals(
        new QueryRequest.GetRoom("r", 0L, Limits.MAX_MEMBERS_PAGE, true),
        QueryRequest.parse(
            "GET",
            "/rooms/r",
            "scope=local&membersAfter=0&membersLimit=" + Limits.MAX_MEMBERS_PAGE));
    assertEquals(
        "scope=local&membersLimit=7&membersAfter=3",
        new QueryRequest.GetRoom("r", 3L, 7, false).localQuery());
    for (String bad :
        List.of(
            "membersLimit=0",
            "membersLimit=" + (Limits.MAX_MEMBERS_PAGE + 1),
            "membersLimit=x",
            "membersAfter=-1",
            "membersAfter=1.5",
            "membersAfter=99999999999999999999")) {
      QueryRequest parsed = QueryRequest.parse("GET", "/rooms/r", bad);
      assertEquals(400, ((QueryRequest.Invalid) parsed).status(), bad);
    }
  }

  @Test
  void limitAtItsBoundsIsAcceptedAndPastThemRefused() {
    assertEquals(
        new QueryRequest.ListRooms(null, 1, false), QueryRequest.parse("GET", "/rooms", "limit=1"));
    assertEquals(
        new QueryRequest.ListRooms("r-9", RoomPage.MAX_LIMIT, false),
        QueryRequest.parse("GET", "/rooms", "limit=" + RoomPage.MAX_LIMIT + "&after=r-9"));
    assertEquals(
        new QueryRequest.ListRooms(null, RoomPage.DEFAULT_LIMIT, false),
        QueryRequest.parse("GET", "/rooms", null));
    for (String bad : List.of("0", String.valueOf(RoomPage.MAX_LIMIT + 1), "-1", "x", "1.5", "")) {
      QueryRequest parsed = QueryRequest.parse("GET", "/rooms", "limit=" + bad);
      assertEquals(400, ((QueryRequest.Invalid) parsed).status(), bad);
    }
  }

  @Test
  void unknownPathsMethodsAndBrokenEscapesAreRefused() {
    assertEquals(404, ((QueryRequest.Invalid) QueryRequest.parse("GET", "/roomsx", null)).status());
    assertEquals(404, ((QueryRequest.Invalid) QueryRequest.parse("GET", "/rooms/", null)).status());
    assertEquals(
        404, ((QueryRequest.Invalid) QueryRequest.parse("GET", "/rooms/a/b", null)).status());
    assertEquals(
        405, ((QueryRequest.Invalid) QueryRequest.parse("DELETE", "/rooms/a", null)).status());
    assertEquals(
        400, ((QueryRequest.Invalid) QueryRequest.parse("GET", "/rooms/%zz", null)).status());
    assertEquals(new QueryRequest.Health(), QueryRequest.parse("GET", "/healthz", null));
    assertEquals(new QueryRequest.Ready(), QueryRequest.parse("GET", "/readyz", null));
    assertEquals(new QueryRequest.Metrics(), QueryRequest.parse("GET", "/metrics", null));
    assertEquals(
        405, ((QueryRequest.Invalid) QueryRequest.parse("POST", "/metrics", null)).status());
  }
}
