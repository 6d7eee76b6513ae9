package dev.roomlog.processor;

import static dev.roomlog.processor.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A room walking across a presence limit of 3 both ways, through the whole topology: joins, leaves,
 * disconnects, kicks and messages from connections on three gateways. The deliveries are read as
 * the gateways read them. After every record:
 *
 * <ul>
 *   <li>each announced event (by the rule, applied here to the members the room events say) reached
 *       exactly the members it is for, and an unannounced one only its own member;
 *   <li>every frame a member gets follows what it has by the client's rule, {@code (prevSeq ?? seq
 *       - 1) <= lastSeq}, and names exactly the announced event before it, so a member that misses
 *       an announced event would notice;
 *   <li>each gateway's member index equals the members the room events say.
 * </ul>
 */
class PresenceTopologyTest {
  private static final int LIMIT = 3;
  private static final String ROOM = "hall";
  private static final List<String> GATEWAYS = List.of("gw-a", "gw-b", "gw-c");

  @TempDir Path stateDir;

  /** Members by connection id to gateway, in join order, from the room events. */
  private final LinkedHashMap<String, String> members = new LinkedHashMap<>();

  /** The last seq each member has, as a client keeps it: from its join answer and its frames. */
  private final Map<String, Long> lastSeq = new HashMap<>();

  private final List<Client> open = new ArrayList<>();
  private final Random random = new Random(1800);
  private long announcedSeq;

  /** What each member believes from its frames: joins and leaves are not announced. */
  private final Map<String, Boolean> quietView = new HashMap<>();

  private long now = 1_000;
  private int connections;
  private int quiet;
  private int loud;

  @Test
  void membersSeeEveryAnnouncedEventInOrderAndGatewaysKnowEveryMember() {
    try (TopologyHarness h =
        new TopologyHarness(
            ProcessorSettings.defaults("unused:9092", stateDir)
                .withTopics(TopicSet.prefixed("presence"))
                .withPresenceLimit(LIMIT))) {
      Client creator = connect(h);
      send(h, creator.wal(now, new Action.CreateRoom("c", "creator", ROOM, null)));
      int crossings = 0;
      boolean above = false;
      for (int step = 0; step < 600; step++) {
        int dice = random.nextInt(100);
        // Drift up then down, so that the room crosses the limit many times.
        boolean growing = (step / 60) % 2 == 0;
        if (dice < 10 || open.size() < 2) {
          connect(h);
        } else if (dice < (growing ? 45 : 25)) {
          Client c = pick(open);
          send(
              h,
              c.wal(
                  now, new Action.JoinRoom("j" + step, ROOM, "u-" + c.connectionId(), null, null)));
        } else if (dice < 55) {
          Client c = pick(open);
          send(h, c.wal(now, new Action.LeaveRoom("l" + step, ROOM, null)));
        } else if (dice < 62) {
          Client c = pick(open);
          open.remove(c);
          send(h, c.disconnect(now));
        } else if (dice < 67 && !members.isEmpty()) {
          String kicked = pick(new ArrayList<>(members.keySet()));
          Client admin = new Client("gw-a.admin" + step, "gw-a", run("gw-a", 1));
          send(h, admin.wal(now, new Action.Moderate("k" + step, ROOM, "u-" + kicked, "x", null)));
        } else {
          Client c = pick(open);
          send(h, c.wal(now, new Action.SendMessage("s" + step, ROOM, "hi " + step, null)));
        }
        if ((members.size() > LIMIT) != above) {
          above = !above;
          crossings++;
        }
        for (String gateway : GATEWAYS) {
          assertEquals(
              membersOn(gateway),
              h.deliveries.members(gateway, ROOM),
              "step " + step + ": " + gateway + "'s members");
        }
      }
      assertTrue(
          crossings > 10 && quiet > 50 && loud > 50,
          crossings + " crossings, " + quiet + " quiet and " + loud + " announced joins/leaves");
    }
  }

  private Client connect(TopologyHarness h) {
    String gateway = pick(GATEWAYS);
    Client c = new Client(gateway + ".c" + (++connections), gateway, run(gateway, 1));
    open.add(c);
    h.send(c.connect(now));
    now += 10;
    return c;
  }

  /** Sends one record, then checks what reached whom against the room events it wrote. */
  private void send(TopologyHarness h, WalRecord record) {
    h.send(record);
    now += 10;
    List<RoomEvent> events = h.roomEvents.readValuesToList();
    List<KeyValue<String, Delivery>> out = h.deliveries.readKeyValuesToList();
    Map<Long, Set<String>> expected = new LinkedHashMap<>();
    Map<Long, Long> prevOf = new HashMap<>();
    for (RoomEvent event : events) {
      Set<String> told = new HashSet<>();
      if (event instanceof RoomEvent.MemberJoined joined) {
        boolean announced = members.size() <= LIMIT; // the join crossing the limit is told
        told.addAll(announced ? members.keySet() : Set.of());
        members.put(joined.connectionId(), joined.gatewayId());
        count(announced);
        if (announced) {
          prevOf.put(event.seq(), announcedSeq);
          announcedSeq = event.seq();
        }
      } else if (event instanceof RoomEvent.MemberLeft left) {
        boolean announced = members.size() <= LIMIT + 1; // the leave back within it is told
        members.remove(left.connectionId());
        lastSeq.remove(left.connectionId());
        if (announced) {
          told.addAll(members.keySet());
        }
        if (left.reason().equals(RoomEvent.MemberLeft.KICKED)) {
          told.add(left.connectionId());
        }
        count(announced);
        if (announced) {
          prevOf.put(event.seq(), announcedSeq);
          announcedSeq = event.seq();
        }
      } else {
        told.addAll(members.keySet());
        prevOf.put(event.seq(), announcedSeq);
        announcedSeq = event.seq();
      }
      expected.put(event.seq(), told);
    }
    Map<Long, Set<String>> reached = new LinkedHashMap<>();
    for (KeyValue<String, Delivery> kv : out) {
      ServerFrame frame = TopologyHarness.frame(kv.value);
      for (String connectionId : kv.value.connectionIds()) {
        receive(connectionId, frame, prevOf, reached);
      }
    }
    for (Map.Entry<Long, Set<String>> e : expected.entrySet()) {
      assertEquals(
          e.getValue(),
          reached.getOrDefault(e.getKey(), Set.of()),
          "who was told of seq " + e.getKey() + " (" + events + ")");
    }
    // Every member knows from its frames alone whether joins and leaves are being announced.
    quietView.keySet().retainAll(members.keySet());
    for (String member : members.keySet()) {
      assertEquals(
          members.size() > LIMIT,
          quietView.get(member),
          member + " thinks the room of " + members.size() + " is quiet: " + quietView.get(member));
    }
  }

  /** What a client does with a frame: joined sets its seq, the others must follow it. */
  private void receive(
      String connectionId, ServerFrame frame, Map<Long, Long> prevOf, Map<Long, Set<String>> seen) {
    if (frame instanceof ServerFrame.Joined joined) {
      lastSeq.put(connectionId, joined.seq());
      quietView.put(connectionId, Boolean.FALSE.equals(joined.presence()));
      return;
    }
    if (frame instanceof ServerFrame.RoomCreated created) {
      lastSeq.put(connectionId, created.seq());
      quietView.put(connectionId, false);
      return;
    }
    if (frame instanceof ServerFrame.MemberJoined j && j.presence() != null) {
      quietView.put(connectionId, !j.presence());
    }
    if (frame instanceof ServerFrame.MemberLeft l && l.presence() != null) {
      quietView.put(connectionId, !l.presence());
    }
    long seq;
    Long prevSeq;
    if (frame instanceof ServerFrame.Message m) {
      seq = m.seq();
      prevSeq = m.prevSeq();
    } else if (frame instanceof ServerFrame.MemberJoined j) {
      seq = j.seq();
      prevSeq = j.prevSeq();
    } else if (frame instanceof ServerFrame.MemberLeft l) {
      seq = l.seq();
      prevSeq = l.prevSeq();
    } else {
      return;
    }
    seen.computeIfAbsent(seq, s -> new HashSet<>()).add(connectionId);
    long follows = prevSeq != null ? prevSeq : seq - 1;
    Long has = lastSeq.get(connectionId);
    if (frame instanceof ServerFrame.MemberLeft l
        && l.connectionId().equals(connectionId)
        && has == null) {
      return; // its own kick, after its membership ended in the model
    }
    assertNotNull(has, connectionId + " got seq " + seq + " without being a member");
    assertTrue(follows <= has, connectionId + " has " + has + ", got " + frame);
    Long announcedBefore = prevOf.get(seq);
    if (announcedBefore != null) {
      assertEquals(announcedBefore.longValue(), follows, "the prevSeq of " + frame);
    }
    lastSeq.put(connectionId, seq);
  }

  private void count(boolean announced) {
    if (announced) {
      loud++;
    } else {
      quiet++;
    }
  }

  private List<String> membersOn(String gateway) {
    List<String> on = new ArrayList<>();
    members.forEach(
        (id, g) -> {
          if (g.equals(gateway)) {
            on.add(id);
          }
        });
    return on;
  }

  private <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }
}
