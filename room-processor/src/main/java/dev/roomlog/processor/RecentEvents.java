package dev.roomlog.processor;

import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A room's recent events ({@link RoomState#recent}) as the processor keeps them in memory: an
 * immutable list of the events, oldest first, that also keeps, for each message, the frame a join's
 * {@code history} shows it as ({@link #history}) and that frame's JSON ({@link #historyJson}), each
 * made once while the message stays in the window: the window after the next event ({@link #slide})
 * shares them. So a join into a room with a full window spends no time writing 100 messages to JSON
 * again (issue 18: a join into a room of 100,000 at most 50 µs; the answer's history was most of
 * it).
 *
 * <p>Why this cache can never be wrong: both the frame and its JSON are functions of the event
 * alone ({@link RoomLogic#messageFrame} and {@link Json#write}), made from the event object they
 * sit beside, which is immutable; the state, its stores and the topics are unchanged (equality is
 * the list's, by events). A state read from the stores after a restore, an abort or a task move
 * starts with none of them and makes each again on first use. Nothing of it is stored or sent other
 * than as the same bytes {@link Json#write} gives.
 *
 * <p>Threading: the task's stream thread is the only one to use a room's state; were two threads to
 * race on an entry, each would make the same immutable values and either is right.
 */
final class RecentEvents extends AbstractList<RoomEvent> implements RandomAccess {
  private static final RecentEvents EMPTY = new RecentEvents(new Entry[0], new int[0]);

  /** Oldest first, ascending seqs. */
  private final Entry[] entries;

  /**
   * {@link RoomLogic#boundBytes} of each event, beside the entries, and their sum: how much the
   * window weighs is known without visiting the events, whose objects are spread over the heap (a
   * pass over a full window of 100 cost more than the rest of a message in a real run, in cache
   * misses).
   */
  private final int[] bounds;

  private final long weight;

  private RecentEvents(Entry[] entries, int[] bounds) {
    this.entries = entries;
    this.bounds = bounds;
    long sum = 0;
    for (int bound : bounds) {
      sum += bound;
    }
    this.weight = sum;
  }

  /** {@code events} (oldest first) as a window: itself if it is one already, else a copy. */
  static RecentEvents of(List<RoomEvent> events) {
    if (events instanceof RecentEvents window) {
      return window;
    }
    if (events.isEmpty()) {
      return EMPTY;
    }
    Entry[] entries = new Entry[events.size()];
    int[] bounds = new int[entries.length];
    int i = 0;
    for (RoomEvent event : events) {
      entries[i] = new Entry(Objects.requireNonNull(event, "a recent event"));
      bounds[i++] = RoomLogic.boundBytes(event);
    }
    return new RecentEvents(entries, bounds);
  }

  /**
   * How many of the oldest events to drop so that at most {@code maxKept} remain and they weigh,
   * with {@code extra} more, at most {@code budget}: what is left is the longest run of the newest
   * events that fits both (none, when {@code extra} alone is over the budget).
   */
  int oldestToDrop(int maxKept, long extra, long budget) {
    int dropped = Math.max(0, entries.length - Math.max(0, maxKept));
    long kept = weight;
    for (int i = 0; i < dropped; i++) {
      kept -= bounds[i];
    }
    while (dropped < entries.length && kept + extra > budget) {
      kept -= bounds[dropped++];
    }
    return dropped;
  }

  /**
   * This window without its {@code dropped} oldest events and with {@code event} after the rest:
   * the events kept keep what was made of them.
   */
  RecentEvents slide(int dropped, RoomEvent event) {
    Objects.requireNonNull(event, "event");
    Entry[] next = Arrays.copyOfRange(entries, dropped, entries.length + 1);
    next[next.length - 1] = new Entry(event);
    int[] nextBounds = Arrays.copyOfRange(bounds, dropped, bounds.length + 1);
    nextBounds[nextBounds.length - 1] = RoomLogic.boundBytes(event);
    return new RecentEvents(next, nextBounds);
  }

  @Override
  public RoomEvent get(int index) {
    return entries[index].event;
  }

  @Override
  public int size() {
    return entries.length;
  }

  /**
   * The messages among the events, oldest first, as a join's {@code history} lists them (no {@code
   * prevSeq}, no {@code requestId}): the same frame objects on every call.
   */
  List<ServerFrame.Message> history() {
    List<ServerFrame.Message> frames = new ArrayList<>(entries.length);
    for (Entry entry : entries) {
      if (entry.event instanceof RoomEvent.MessagePosted) {
        frames.add(entry.historyFrame());
      }
    }
    return frames;
  }

  /**
   * {@link Json#write} of {@code frame}: kept from an earlier call when {@code frame} is one that
   * {@link #history} gave, written now otherwise.
   */
  String historyJson(ServerFrame.Message frame) {
    Entry entry = find(frame.seq());
    if (entry != null && entry.historyFrame == frame) {
      return entry.historyJson();
    }
    return Json.write(frame);
  }

  private Entry find(long seq) {
    int low = 0;
    int high = entries.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      long at = entries[mid].event.seq();
      if (at < seq) {
        low = mid + 1;
      } else if (at > seq) {
        high = mid - 1;
      } else {
        return entries[mid];
      }
    }
    return null;
  }

  /** One event and, for a message, what is made of it on first use. */
  private static final class Entry {
    final RoomEvent event;
    private ServerFrame.Message historyFrame;
    private String historyJson;

    Entry(RoomEvent event) {
      this.event = event;
    }

    ServerFrame.Message historyFrame() {
      if (historyFrame == null) {
        historyFrame = RoomLogic.messageFrame((RoomEvent.MessagePosted) event, null);
      }
      return historyFrame;
    }

    String historyJson() {
      if (historyJson == null) {
        historyJson = Json.write(historyFrame());
      }
      return historyJson;
    }
  }
}
