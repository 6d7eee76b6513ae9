package dev.roomlog.processor.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.roomlog.protocol.event.RoomEvent;
import java.util.List;

/**
 * A room as a query answers it: its latest seq, how many members it has and a page of them (and
 * through which gateway each is connected) in join order, with {@code membersNext}, the cursor of
 * the next page ({@code ?membersAfter=}), absent at the end; and its recent events, oldest first
 * (the resume window: past the presence limit, the joins and leaves it did not announce are not
 * among them). The JSON body of {@code GET /rooms/{roomId}}, which only the admin key reads. {@code
 * private} is true for a private room, absent for one anyone may join.
 */
public record RoomView(
    String roomId,
    long seq,
    int memberCount,
    List<Member> members,
    Long membersNext,
    List<RoomEvent> recent,
    @JsonProperty("private") Boolean privateRoom) {
  public RoomView {
    members = List.copyOf(members);
    recent = List.copyOf(recent);
  }

  public record Member(String connectionId, String username, String gatewayId) {}

  public RoomSummary summary() {
    return new RoomSummary(roomId, seq, memberCount, privateRoom);
  }
}
