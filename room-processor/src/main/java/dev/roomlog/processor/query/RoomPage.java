package dev.roomlog.processor.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One page of {@code GET /rooms}: rooms in id order after a given id, and the id to ask after for
 * the next page ({@code next}, null on the last page). Pure.
 *
 * <p>Ids are ordered by their UTF-8 bytes, the order the rooms store keeps them in, so that a page
 * of one partition's store is a prefix of that store's range scan.
 */
public record RoomPage(List<RoomSummary> rooms, String next) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1_000;

  public static final Comparator<String> ID_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  public RoomPage {
    rooms = List.copyOf(rooms);
  }

  /**
   * The first {@code limit} rooms of several pages taken together (one per partition or per
   * instance, each already at most {@code limit} long, each in id order).
   */
  public static RoomPage merge(List<RoomPage> pages, int limit) {
    // By id, once: a partition that moved between two instances' answers is in both.
    Map<String, RoomSummary> byId = new LinkedHashMap<>();
    boolean anyHasMore = false;
    for (RoomPage page : pages) {
      page.rooms().forEach(room -> byId.putIfAbsent(room.roomId(), room));
      anyHasMore |= page.next() != null;
    }
    List<RoomSummary> all = new ArrayList<>(byId.values());
    all.sort(Comparator.comparing(RoomSummary::roomId, ID_ORDER));
    return of(all, limit, anyHasMore);
  }

  /**
   * The first {@code limit} of {@code sorted}; there is a next page if some were left out or the
   * source said it had more.
   */
  public static RoomPage of(List<RoomSummary> sorted, int limit, boolean sourceHasMore) {
    List<RoomSummary> page = sorted.size() > limit ? sorted.subList(0, limit) : sorted;
    boolean more = sourceHasMore || sorted.size() > limit;
    String next = more && !page.isEmpty() ? page.get(page.size() - 1).roomId() : null;
    return new RoomPage(page, next);
  }
}
