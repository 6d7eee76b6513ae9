package dev.roomlog.systemtest.fault;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges what chat clients were promised against what they saw, for fault tests that kill brokers,
 * processors and gateways while clients chat.
 *
 * <p>Each logical client (a name that survives its reconnects) reports every action frame it sends
 * ({@link #sent}) and every frame it receives ({@link #received}), tagged with the incarnation of
 * its connection (1 for its first connection, 2 after its first reconnect, ...). {@link #report}
 * then finds:
 *
 * <ul>
 *   <li><b>lost</b>: an acknowledged send whose seq in the room's history holds something else (as
 *       other observers, or the log, saw it), or that the log lacks;
 *   <li><b>duplicate effects</b>: one (username, clientMsgId) at two seqs of a room;
 *   <li><b>duplicate deliveries</b>: one seq delivered twice to one incarnation;
 *   <li><b>gaps</b>: a seq a client never received while it was a member, counting the frames that
 *       a rejoin with {@code afterSeq} brought; gaps the client accepted after a 410 {@code
 *       resumeTooOld} are listed apart as acknowledged gaps;
 *   <li><b>reorderings</b>: a seq delivered to an incarnation after a higher one;
 *   <li><b>disagreements</b>: one (room, seq) seen with different content by two observers;
 *   <li><b>log anomalies</b>: missing or repeated seqs in {@code roomlog.room-events}, when the log
 *       is given to {@link #report(Collection)}.
 * </ul>
 *
 * <p>Requests must carry a {@code requestId} that is unique for the client: answers are tied to
 * requests by it (a {@code joined} to its {@code afterSeq}, a {@code message} to the send it
 * acknowledges).
 *
 * <p>Threading: every method is synchronized, so clients on many threads may feed one checker, and
 * {@link #report} may be called at any time; it changes nothing. Memory: the checker keeps the gist
 * of every frame, which suits tests of thousands of events, not of millions.
 *
 * <p>Over 400 lines because it is one judgement over one recorded history; the recording and each
 * check read the same per-client and per-room tracks under one lock. It came here from
 * server/src/test as it was (issue 15 moved the kit, it did not redesign it).
 */
public final class HistoryChecker {
  private static final String LOG = "log";

  private final Map<String, ClientState> clients = new LinkedHashMap<>();
  private final Map<String, NavigableMap<Long, List<Observation>>> observations = new TreeMap<>();
  private final List<HistoryReport.DuplicateDelivery> duplicateDeliveries = new ArrayList<>();
  private final List<HistoryReport.Reordering> reorderings = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** What a room event is. */
  public enum Kind {
    ROOM_CREATED,
    MEMBER_JOINED,
    MEMBER_LEFT,
    MESSAGE
  }

  /**
   * What one room event says, as far as one frame tells it: a null field is one that the frame does
   * not carry (a {@code left} answer names no username), and is never a disagreement.
   */
  public record Content(
      Kind kind,
      String username,
      String connectionId,
      String text,
      String clientMsgId,
      String reason) {
    public Content {
      Objects.requireNonNull(kind, "kind");
    }

    static Content message(String from, String connectionId, String text, String clientMsgId) {
      return new Content(Kind.MESSAGE, from, connectionId, text, clientMsgId, null);
    }

    /**
     * The content of a live frame ({@code message}, {@code memberJoined}, {@code memberLeft},
     * {@code roomCreated}) or of a {@code roomlog.room-events} value ({@code messagePosted} and the
     * same three); null for any other type.
     */
    static Content of(JsonNode event) {
      String username = field(event, "from");
      if (username == null) {
        username = field(event, "username");
      }
      String connectionId = field(event, "connectionId");
      return switch (event.path("type").asText("")) {
        case "message", "messagePosted" ->
            message(username, connectionId, field(event, "text"), field(event, "clientMsgId"));
        case "memberJoined" ->
            new Content(Kind.MEMBER_JOINED, username, connectionId, null, null, null);
        case "memberLeft" ->
            new Content(
                Kind.MEMBER_LEFT, username, connectionId, null, null, field(event, "reason"));
        case "roomCreated" ->
            new Content(
                Kind.ROOM_CREATED,
                field(event, "createdBy") != null ? field(event, "createdBy") : username,
                null,
                null,
                null,
                null);
        default -> null;
      };
    }

    /** True when the two cannot be the same event: another kind, or a field that differs. */
    boolean conflictsWith(Content other) {
      return kind != other.kind
          || differ(username, other.username)
          || differ(connectionId, other.connectionId)
          || differ(text, other.text)
          || differ(clientMsgId, other.clientMsgId)
          || differ(reason, other.reason);
    }

    private static boolean differ(String a, String b) {
      return a != null && b != null && !a.equals(b);
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder(kind.name().toLowerCase(Locale.ROOT));
      if (username != null) {
        s.append(" by ").append(username);
      }
      if (connectionId != null) {
        s.append(" on ").append(connectionId);
      }
      if (text != null) {
        s.append(" \"").append(text).append('"');
      }
      if (clientMsgId != null) {
        s.append(" (").append(clientMsgId).append(')');
      }
      if (reason != null) {
        s.append(" reason ").append(reason);
      }
      return s.toString();
    }
  }

  /** One event of the authoritative room history, {@code roomlog.room-events}. */
  public record LogEvent(String roomId, long seq, Content content) {
    public LogEvent {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(content, "content");
    }

    /** Reads a {@code roomlog.room-events} value, e.g. {@code {"type":"messagePosted",...}}. */
    public static LogEvent fromJson(JsonNode event) {
      Content content = Content.of(event);
      if (content == null
          || field(event, "roomId") == null
          || !event.path("seq").canConvertToLong()) {
        throw new IllegalArgumentException(
            "not a room event (expected type, roomId and seq): " + event);
      }
      return new LogEvent(event.get("roomId").asText(), event.get("seq").asLong(), content);
    }
  }

  /** Records an action frame that {@code client} sent on its connection {@code incarnation}. */
  synchronized void sent(String client, int incarnation, JsonNode request) {
    ClientState c = client(client);
    Request r =
        new Request(
            request.path("action").asText(""),
            field(request, "roomId"),
            field(request, "username"),
            request.path("afterSeq").canConvertToLong() ? request.get("afterSeq").asLong() : null,
            field(request, "clientMsgId"),
            field(request, "text"));
    String requestId = field(request, "requestId");
    if (requestId == null) {
      notes.add(
          client + " sent " + r.action() + " without a requestId; its answer is not tied to it");
    } else if (c.requests.put(requestId, r) != null) {
      notes.add(client + " used requestId " + requestId + " twice");
    }
    if (r.action().equals("sendMessage") && r.roomId() != null) {
      String key = r.clientMsgId() != null ? r.clientMsgId() : "requestId " + requestId;
      Send send = c.sends.computeIfAbsent(key, k -> new Send(r.roomId(), r.text()));
      if (!Objects.equals(send.roomId, r.roomId()) || !Objects.equals(send.text, r.text())) {
        notes.add(client + " reused clientMsgId " + key + " for another room or text");
      }
      send.attempts++;
    }
  }

  /** Records a frame that {@code client} received on its connection {@code incarnation}. */
  synchronized void received(String client, int incarnation, JsonNode frame) {
    ClientState c = client(client);
    String type = frame.path("type").asText("");
    switch (type) {
      case "connected" -> c.connectionIds.put(incarnation, field(frame, "connectionId"));
      case "roomCreated" -> onRoomCreated(c, incarnation, frame);
      case "joined" -> onJoined(c, incarnation, frame);
      case "resumed" -> onResumed(c, incarnation, frame);
      case "left" -> onLeft(c, incarnation, frame);
      case "message", "memberJoined", "memberLeft" -> onLive(c, incarnation, frame);
      case "error" -> onError(c, incarnation, frame);
      default -> notes.add(client + " received a frame of unknown type: " + frame);
    }
  }

  /**
   * Records that {@code client} gave up seqs {@code fromSeq..toSeq} of a room (after a 410 {@code
   * resumeTooOld} it joined afresh): what it missed there is an acknowledged gap.
   */
  synchronized void acceptedGap(String client, String roomId, long fromSeq, long toSeq) {
    if (fromSeq <= toSeq) {
      room(client(client), roomId).acceptedGaps.add(new SeqRange(fromSeq, toSeq));
    }
  }

  /**
   * Records that {@code client} closed its connection on purpose, without leaving: from then on it
   * is not expected to receive anything, so its span in each room ends at the highest seq it had
   * received. Wait for the clients to agree on the last seq before closing them if the tail of the
   * history matters.
   */
  synchronized void closed(String client) {
    for (RoomTrack t : client(client).rooms.values()) {
      Segment s = t.current();
      if (s != null && s.leftAt == null && s.closedAt == null) {
        s.closedAt = t.received.isEmpty() ? s.start - 1 : Math.max(s.start - 1, t.received.last());
      }
    }
  }

  /**
   * How many distinct sends each room has acknowledged so far (by clientMsgId, however often each
   * was retried), over every client; rooms with none are absent.
   */
  public synchronized Map<String, Integer> acknowledgedByRoom() {
    Map<String, Integer> byRoom = new TreeMap<>();
    for (ClientState c : clients.values()) {
      for (Send send : c.sends.values()) {
        if (!send.acks.isEmpty()) {
          byRoom.merge(send.roomId, 1, Integer::sum);
        }
      }
    }
    return byRoom;
  }

  /** The highest seq of the room that any client received (0 if none). */
  synchronized long maxSeq(String roomId) {
    NavigableMap<Long, List<Observation>> room = observations.get(roomId);
    return room == null || room.isEmpty() ? 0 : room.lastKey();
  }

  /** The highest seq of the room that this client received, on any connection (0 if none). */
  synchronized long lastSeq(String client, String roomId) {
    ClientState c = clients.get(client);
    RoomTrack t = c == null ? null : c.rooms.get(roomId);
    return t == null || t.received.isEmpty() ? 0 : t.received.last();
  }

  /** The verdict on everything recorded so far, without the log. */
  HistoryReport report() {
    return report(List.of());
  }

  /**
   * The verdict on everything recorded so far, also against the authoritative room history (every
   * event of {@code roomlog.room-events} for the rooms the clients used, in any order). An empty
   * log means "not checked against the log".
   */
  public synchronized HistoryReport report(Collection<LogEvent> log) {
    Map<String, NavigableMap<Long, List<Observation>>> pool = new TreeMap<>();
    observations.forEach(
        (room, bySeq) -> {
          NavigableMap<Long, List<Observation>> copy = new TreeMap<>();
          bySeq.forEach((seq, list) -> copy.put(seq, new ArrayList<>(list)));
          pool.put(room, copy);
        });
    Map<String, NavigableMap<Long, List<Content>>> logByRoom = new TreeMap<>();
    for (LogEvent e : log) {
      logByRoom
          .computeIfAbsent(e.roomId(), r -> new TreeMap<>())
          .computeIfAbsent(e.seq(), s -> new ArrayList<>())
          .add(e.content());
      pool.computeIfAbsent(e.roomId(), r -> new TreeMap<>())
          .computeIfAbsent(e.seq(), s -> new ArrayList<>())
          .add(new Observation(LOG, 0, e.content(), null));
    }

    List<HistoryReport.Lost> lost = new ArrayList<>();
    List<HistoryReport.Unacknowledged> unacknowledged = new ArrayList<>();
    List<HistoryReport.Unconfirmed> unconfirmed = new ArrayList<>();
    int sends = 0;
    int acknowledged = 0;
    for (ClientState c : clients.values()) {
      for (Map.Entry<String, Send> entry : c.sends.entrySet()) {
        sends++;
        Send send = entry.getValue();
        if (send.acks.isEmpty()) {
          unacknowledged.add(
              new HistoryReport.Unacknowledged(c.name, send.roomId, entry.getKey(), send.attempts));
          continue;
        }
        acknowledged++;
        judgeAcknowledged(c, entry.getKey(), send, pool, logByRoom, lost, unconfirmed);
      }
    }

    List<HistoryReport.Gap> gaps = new ArrayList<>();
    List<HistoryReport.Gap> acknowledgedGaps = new ArrayList<>();
    for (ClientState c : clients.values()) {
      c.rooms.forEach((room, t) -> findGaps(c, room, t, pool, gaps, acknowledgedGaps));
    }

    return new HistoryReport(
        sends,
        acknowledged,
        lost,
        duplicateEffects(pool),
        List.copyOf(duplicateDeliveries),
        gaps,
        acknowledgedGaps,
        List.copyOf(reorderings),
        disagreements(pool),
        logAnomalies(logByRoom),
        unacknowledged,
        unconfirmed,
        List.copyOf(notes));
  }

  // ---- what each frame means ----

  private void onRoomCreated(ClientState c, int incarnation, JsonNode frame) {
    Request request = answered(c, frame, "createRoom");
    String room = roomOf(frame, request);
    if (room == null) {
      return;
    }
    RoomTrack t = room(c, room);
    String username = request != null ? request.username() : firstMemberName(frame);
    t.username = username;
    String connectionId = c.connectionIds.get(incarnation);
    Content joined = new Content(Kind.MEMBER_JOINED, username, connectionId, null, null, null);
    long seq = frame.path("seq").asLong(2);
    if (seq > 2) {
      // A createRoom retried from a new connection: the room was there, this is a plain join.
      observe(c, incarnation, room, seq, joined, null);
      inOrder(c, incarnation, room, seq);
      t.segments.add(new Segment(seq, incarnation, seq));
      return;
    }
    // The answer reports both of the room's first events: its creation (1) and the creator
    // joining (2).
    Content created = new Content(Kind.ROOM_CREATED, username, null, null, null, null);
    observe(c, incarnation, room, 1, created, null);
    inOrder(c, incarnation, room, 1);
    observe(c, incarnation, room, 2, joined, null);
    inOrder(c, incarnation, room, 2);
    t.segments.add(new Segment(1, incarnation, 2));
  }

  private void onJoined(ClientState c, int incarnation, JsonNode frame) {
    Request request = answered(c, frame, "joinRoom");
    String room = roomOf(frame, request);
    if (room == null || !frame.path("seq").canConvertToLong()) {
      notes.add(c.name + " received a joined frame without roomId or seq: " + frame);
      return;
    }
    long seq = frame.get("seq").asLong();
    RoomTrack t = room(c, room);
    if (request != null && request.username() != null) {
      t.username = request.username();
    }
    Long afterSeq = request != null ? request.afterSeq() : null;
    if (request == null && frame.has("events")) {
      notes.add(c.name + " received a joined with events for an unknown request; assumed a resume");
      afterSeq = firstSeq(frame.get("events"), seq) - 1;
    }
    for (JsonNode message : frame.path("history")) {
      snapshot(c, incarnation, room, message);
    }
    if (afterSeq != null) {
      replay(c, incarnation, room, afterSeq, frame.path("events"));
    }
    Content self =
        new Content(
            Kind.MEMBER_JOINED, t.username, c.connectionIds.get(incarnation), null, null, null);
    observe(c, incarnation, room, seq, self, null);
    inOrder(c, incarnation, room, seq);
    Segment current = t.current();
    if (afterSeq == null || current == null) {
      t.segments.add(new Segment(afterSeq == null ? seq : afterSeq + 1, incarnation, seq));
    } else {
      // A rejoin from afterSeq promises every event since: the span goes on unbroken.
      current.incarnation = incarnation;
      current.joinedAt = seq;
      current.leftAt = null;
      current.closedAt = null;
    }
  }

  private void onResumed(ClientState c, int incarnation, JsonNode frame) {
    Request request = answered(c, frame, "resume");
    String room = roomOf(frame, request);
    if (room == null) {
      notes.add(c.name + " received a resumed frame without roomId: " + frame);
      return;
    }
    long afterSeq =
        request != null && request.afterSeq() != null
            ? request.afterSeq()
            : frame.path("afterSeq").asLong(0);
    replay(c, incarnation, room, afterSeq, frame.path("events"));
    RoomTrack t = room(c, room);
    Segment current = t.current();
    if (current != null) {
      current.incarnation = incarnation;
    }
  }

  private void onLeft(ClientState c, int incarnation, JsonNode frame) {
    Request request = answered(c, frame, "leaveRoom");
    String room = roomOf(frame, request);
    if (room == null || !frame.path("seq").canConvertToLong()) {
      notes.add(c.name + " received a left frame without roomId or seq: " + frame);
      return;
    }
    long seq = frame.get("seq").asLong();
    RoomTrack t = room(c, room);
    Content self =
        new Content(
            Kind.MEMBER_LEFT, t.username, c.connectionIds.get(incarnation), null, null, "left");
    observe(c, incarnation, room, seq, self, null);
    inOrder(c, incarnation, room, seq);
    Segment current = t.current();
    if (current != null) {
      current.leftAt = seq;
    }
  }

  private void onLive(ClientState c, int incarnation, JsonNode frame) {
    String room = field(frame, "roomId");
    if (room == null || !frame.path("seq").canConvertToLong()) {
      notes.add(c.name + " received a room frame without roomId or seq: " + frame);
      return;
    }
    long seq = frame.get("seq").asLong();
    Content content = Content.of(frame);
    Request request = answered(c, frame, "sendMessage");
    if (content.kind() == Kind.MESSAGE && request != null) {
      String key =
          request.clientMsgId() != null
              ? request.clientMsgId()
              : "requestId " + field(frame, "requestId");
      Send send = c.sends.get(key);
      if (send != null) {
        // The answer to a retry, or a late answer, may repeat a seq this connection already
        // has, or come after higher ones: that is the protocol working, not a fault.
        boolean echo = send.attempts > 1 || !send.acks.isEmpty();
        send.acks.add(new Ack(seq, content));
        observe(c, incarnation, room, seq, content, key);
        if (echo) {
          cursor(c, incarnation, room).seen.add(seq);
        } else {
          inOrder(c, incarnation, room, seq);
        }
        return;
      }
    }
    observe(c, incarnation, room, seq, content, null);
    inOrder(c, incarnation, room, seq);
  }

  private void onError(ClientState c, int incarnation, JsonNode frame) {
    if (!"resumeTooOld".equals(field(frame, "code"))) {
      return;
    }
    // What the 410 shows of the room is seen content, though not a delivery in order.
    JsonNode room = frame.path("room");
    String roomId = field(room, "roomId");
    if (roomId == null) {
      Request request = c.requests.get(field(frame, "requestId"));
      roomId = request == null ? null : request.roomId();
    }
    if (roomId == null) {
      notes.add(c.name + " received a resumeTooOld without a room: " + frame);
      return;
    }
    for (JsonNode message : room.path("history")) {
      snapshot(c, incarnation, roomId, message);
    }
  }

  // ---- deliveries ----

  /**
   * Events that the client asked for with afterSeq: ascending among themselves, none <= afterSeq.
   */
  private void replay(ClientState c, int incarnation, String room, long afterSeq, JsonNode events) {
    RoomTrack t = room(c, room);
    Cursor cursor = cursor(c, incarnation, room);
    long previous = afterSeq;
    for (JsonNode event : events) {
      Content content = Content.of(event);
      if (content == null || !event.path("seq").canConvertToLong()) {
        notes.add(c.name + " received an event it cannot read: " + event);
        continue;
      }
      long seq = event.get("seq").asLong();
      if (seq <= afterSeq) {
        if (t.received.contains(seq)) {
          duplicateDeliveries.add(
              new HistoryReport.DuplicateDelivery(c.name, incarnation, room, seq));
        }
      } else if (seq == previous) {
        duplicateDeliveries.add(
            new HistoryReport.DuplicateDelivery(c.name, incarnation, room, seq));
      } else if (seq < previous) {
        reorderings.add(new HistoryReport.Reordering(c.name, incarnation, room, seq, previous));
      }
      observe(c, incarnation, room, seq, content, null);
      cursor.seen.add(seq);
      cursor.last = Math.max(cursor.last, seq);
      previous = Math.max(previous, seq);
    }
  }

  private void snapshot(ClientState c, int incarnation, String room, JsonNode message) {
    Content content = Content.of(message);
    if (content != null && message.path("seq").canConvertToLong()) {
      observe(c, incarnation, room, message.get("seq").asLong(), content, null);
    }
  }

  private void inOrder(ClientState c, int incarnation, String room, long seq) {
    Cursor cursor = cursor(c, incarnation, room);
    if (!cursor.seen.add(seq)) {
      duplicateDeliveries.add(new HistoryReport.DuplicateDelivery(c.name, incarnation, room, seq));
    } else if (seq < cursor.last) {
      reorderings.add(new HistoryReport.Reordering(c.name, incarnation, room, seq, cursor.last));
    }
    cursor.last = Math.max(cursor.last, seq);
  }

  private void observe(
      ClientState c, int incarnation, String room, long seq, Content content, String ackOf) {
    observations
        .computeIfAbsent(room, r -> new TreeMap<>())
        .computeIfAbsent(seq, s -> new ArrayList<>())
        .add(new Observation(c.name, incarnation, content, ackOf));
    room(c, room).received.add(seq);
  }

  // ---- the verdict ----

  /**
   * An acknowledged send is lost when its seq holds something else in the agreed history: in the
   * log, when the log is given; otherwise in the version that at least as many observations support
   * as the acknowledged one (the answer itself counts as one).
   */
  private void judgeAcknowledged(
      ClientState c,
      String key,
      Send send,
      Map<String, NavigableMap<Long, List<Observation>>> pool,
      Map<String, NavigableMap<Long, List<Content>>> logByRoom,
      List<HistoryReport.Lost> lost,
      List<HistoryReport.Unconfirmed> unconfirmed) {
    Ack ack = send.acks.get(0);
    Content acked = ack.content();
    long seq = ack.seq();
    if (acked.kind() != Kind.MESSAGE
        || !Objects.equals(acked.text(), send.text)
        || (!key.startsWith("requestId ") && !key.equals(acked.clientMsgId()))) {
      lost.add(new HistoryReport.Lost(c.name, send.roomId, key, seq, "answered with " + acked));
      return;
    }
    if (!logByRoom.isEmpty()) {
      List<Content> logged =
          logByRoom.getOrDefault(send.roomId, new TreeMap<>()).getOrDefault(seq, List.of());
      if (logged.isEmpty()) {
        lost.add(
            new HistoryReport.Lost(c.name, send.roomId, key, seq, "the log has no seq " + seq));
      }
      for (Content content : logged) {
        if (content.conflictsWith(acked)) {
          lost.add(
              new HistoryReport.Lost(
                  c.name, send.roomId, key, seq, "the log's seq " + seq + " holds " + content));
          return;
        }
      }
      return;
    }
    List<Observation> atSeq =
        pool.getOrDefault(send.roomId, new TreeMap<>()).getOrDefault(seq, List.of());
    int support = support(atSeq, acked);
    for (Observation o : atSeq) {
      if (o.content().conflictsWith(acked) && support(atSeq, o.content()) >= support) {
        lost.add(
            new HistoryReport.Lost(
                c.name,
                send.roomId,
                key,
                seq,
                "seq " + seq + " holds " + o.content() + " (seen by " + o.describe() + ")"));
        return;
      }
    }
    boolean witnessed =
        atSeq.stream().anyMatch(o -> !(o.observer().equals(c.name) && key.equals(o.ackOf())));
    if (!witnessed) {
      unconfirmed.add(new HistoryReport.Unconfirmed(c.name, send.roomId, key, seq));
    }
  }

  private static int support(List<Observation> atSeq, Content content) {
    return (int) atSeq.stream().filter(o -> !o.content().conflictsWith(content)).count();
  }

  private void findGaps(
      ClientState c,
      String room,
      RoomTrack t,
      Map<String, NavigableMap<Long, List<Observation>>> pool,
      List<HistoryReport.Gap> gaps,
      List<HistoryReport.Gap> acknowledgedGaps) {
    NavigableMap<Long, List<Observation>> roomPool = pool.getOrDefault(room, new TreeMap<>());
    long horizon = roomPool.isEmpty() ? 0 : roomPool.lastKey();
    for (int i = 0; i < t.segments.size(); i++) {
      Segment s = t.segments.get(i);
      boolean last = i == t.segments.size() - 1;
      long end;
      Long disconnectedAt =
          disconnectedAt(roomPool, c.connectionIds.get(s.incarnation), s.joinedAt);
      if (s.leftAt != null) {
        end = s.leftAt;
      } else if (s.closedAt != null) {
        end = s.closedAt;
      } else if (disconnectedAt != null) {
        // No connection receives the event of its own disconnect.
        end = disconnectedAt - 1;
      } else if (last) {
        end = horizon;
      } else {
        // The span ended unseen before a fresh join: judge only up to what it received.
        Long lastSeen = t.received.lower(t.segments.get(i + 1).start);
        end = lastSeen == null ? s.start - 1 : lastSeen;
      }
      List<Long> missing = new ArrayList<>();
      List<Long> accepted = new ArrayList<>();
      for (long seq = s.start; seq <= end; seq++) {
        if (!t.received.contains(seq)) {
          (t.accepts(seq) ? accepted : missing).add(seq);
        }
      }
      addRanges(c.name, room, missing, gaps);
      addRanges(c.name, room, accepted, acknowledgedGaps);
    }
  }

  private static Long disconnectedAt(
      NavigableMap<Long, List<Observation>> roomPool, String connectionId, long from) {
    if (connectionId == null) {
      return null;
    }
    for (Map.Entry<Long, List<Observation>> e : roomPool.tailMap(from, false).entrySet()) {
      for (Observation o : e.getValue()) {
        if (o.content().kind() == Kind.MEMBER_LEFT
            && connectionId.equals(o.content().connectionId())) {
          return e.getKey();
        }
      }
    }
    return null;
  }

  private static void addRanges(
      String client, String room, List<Long> seqs, List<HistoryReport.Gap> into) {
    int i = 0;
    while (i < seqs.size()) {
      int j = i;
      while (j + 1 < seqs.size() && seqs.get(j + 1) == seqs.get(j) + 1) {
        j++;
      }
      into.add(new HistoryReport.Gap(client, room, seqs.get(i), seqs.get(j)));
      i = j + 1;
    }
  }

  private static List<HistoryReport.DuplicateEffect> duplicateEffects(
      Map<String, NavigableMap<Long, List<Observation>>> pool) {
    List<HistoryReport.DuplicateEffect> found = new ArrayList<>();
    pool.forEach(
        (room, bySeq) -> {
          Map<List<String>, NavigableSet<Long>> seqsOf = new LinkedHashMap<>();
          bySeq.forEach(
              (seq, list) -> {
                for (Observation o : list) {
                  Content content = o.content();
                  if (content.kind() == Kind.MESSAGE && content.clientMsgId() != null) {
                    seqsOf
                        .computeIfAbsent(
                            List.of(String.valueOf(content.username()), content.clientMsgId()),
                            k -> new TreeSet<>())
                        .add(seq);
                  }
                }
              });
          seqsOf.forEach(
              (who, seqs) -> {
                if (seqs.size() > 1) {
                  found.add(
                      new HistoryReport.DuplicateEffect(
                          room, who.get(0), who.get(1), List.copyOf(seqs)));
                }
              });
        });
    return found;
  }

  private static List<HistoryReport.Disagreement> disagreements(
      Map<String, NavigableMap<Long, List<Observation>>> pool) {
    List<HistoryReport.Disagreement> found = new ArrayList<>();
    pool.forEach(
        (room, bySeq) ->
            bySeq.forEach(
                (seq, list) -> {
                  if (!anyConflict(list)) {
                    return;
                  }
                  Map<String, List<String>> versions = new TreeMap<>();
                  for (Observation o : list) {
                    List<String> observers =
                        versions.computeIfAbsent(o.content().toString(), k -> new ArrayList<>());
                    if (!observers.contains(o.describe())) {
                      observers.add(o.describe());
                    }
                  }
                  found.add(new HistoryReport.Disagreement(room, seq, versions));
                }));
    return found;
  }

  private static boolean anyConflict(List<Observation> list) {
    for (int i = 0; i < list.size(); i++) {
      for (int j = i + 1; j < list.size(); j++) {
        if (list.get(i).content().conflictsWith(list.get(j).content())) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<HistoryReport.LogAnomaly> logAnomalies(
      Map<String, NavigableMap<Long, List<Content>>> logByRoom) {
    List<HistoryReport.LogAnomaly> found = new ArrayList<>();
    logByRoom.forEach(
        (room, bySeq) -> {
          long expected = 1;
          for (Map.Entry<Long, List<Content>> e : bySeq.entrySet()) {
            long seq = e.getKey();
            if (seq > expected) {
              found.add(
                  new HistoryReport.LogAnomaly(room, expected, seq - 1, "missing from the log"));
            }
            if (e.getValue().size() > 1) {
              found.add(
                  new HistoryReport.LogAnomaly(
                      room, seq, seq, "in the log " + e.getValue().size() + " times"));
            }
            expected = Math.max(expected, seq + 1);
          }
        });
    return found;
  }

  // ---- bookkeeping ----

  private ClientState client(String name) {
    Objects.requireNonNull(name, "client");
    return clients.computeIfAbsent(name, ClientState::new);
  }

  private static RoomTrack room(ClientState c, String room) {
    return c.rooms.computeIfAbsent(room, r -> new RoomTrack());
  }

  private static Cursor cursor(ClientState c, int incarnation, String room) {
    return room(c, room).cursors.computeIfAbsent(incarnation, i -> new Cursor());
  }

  /** The request this frame answers, if it carries a requestId of one of that action. */
  private static Request answered(ClientState c, JsonNode frame, String action) {
    Request request = c.requests.get(field(frame, "requestId"));
    return request != null && request.action().equals(action) ? request : null;
  }

  private static String roomOf(JsonNode frame, Request request) {
    String room = field(frame, "roomId");
    return room != null ? room : request == null ? null : request.roomId();
  }

  private static String firstMemberName(JsonNode frame) {
    return field(frame.path("members").path(0), "username");
  }

  private static long firstSeq(JsonNode events, long otherwise) {
    return events.size() > 0 ? events.get(0).path("seq").asLong(otherwise) : otherwise;
  }

  private static String field(JsonNode node, String name) {
    if (node == null) {
      return null;
    }
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : value.asText();
  }

  private record Request(
      String action,
      String roomId,
      String username,
      Long afterSeq,
      String clientMsgId,
      String text) {}

  private record Ack(long seq, Content content) {}

  /** One observer's view of one event; {@code ackOf} names the send it acknowledges, if any. */
  private record Observation(String observer, int incarnation, Content content, String ackOf) {
    String describe() {
      return observer.equals(LOG) ? LOG : observer + "#" + incarnation;
    }
  }

  private record SeqRange(long from, long to) {}

  private static final class ClientState {
    final String name;
    final Map<Integer, String> connectionIds = new HashMap<>();
    final Map<String, Request> requests = new HashMap<>();

    /** By clientMsgId (or "requestId ..." for a send without one), in the order first sent. */
    final Map<String, Send> sends = new LinkedHashMap<>();

    final Map<String, RoomTrack> rooms = new TreeMap<>();

    ClientState(String name) {
      this.name = name;
    }
  }

  private static final class Send {
    final String roomId;
    final String text;
    final List<Ack> acks = new ArrayList<>();
    int attempts;

    Send(String roomId, String text) {
      this.roomId = roomId;
      this.text = text;
    }
  }

  /** One client in one room: what it received, and the spans in which it was a member. */
  private static final class RoomTrack {
    String username;
    final NavigableSet<Long> received = new TreeSet<>();
    final Map<Integer, Cursor> cursors = new HashMap<>();
    final List<Segment> segments = new ArrayList<>();
    final List<SeqRange> acceptedGaps = new ArrayList<>();

    Segment current() {
      return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    boolean accepts(long seq) {
      for (SeqRange r : acceptedGaps) {
        if (r.from() <= seq && seq <= r.to()) {
          return true;
        }
      }
      return false;
    }
  }

  /** What one connection got in one room, in arrival order. */
  private static final class Cursor {
    long last;
    final Set<Long> seen = new HashSet<>();
  }

  /**
   * A span of membership: from a plain join (or the creation) on, continued by every rejoin with
   * afterSeq, ended by a leave, a deliberate close, or the disconnect of its connection.
   */
  private static final class Segment {
    final long start;

    /** The connection of the latest (re)join, and that join's seq. */
    int incarnation;

    long joinedAt;
    Long leftAt;
    Long closedAt;

    Segment(long start, int incarnation, long joinedAt) {
      this.start = start;
      this.incarnation = incarnation;
      this.joinedAt = joinedAt;
    }
  }
}
