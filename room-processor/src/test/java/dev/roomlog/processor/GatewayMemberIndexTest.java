package dev.roomlog.processor;

import static dev.roomlog.processor.Fixtures.heartbeat;
import static dev.roomlog.processor.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
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
 * Each gateway's member index ({@code GatewayMembers}, fed only by the deliveries the processor
 * writes for that gateway) against a model of the room's members built from the room events, the
 * processor's truth: random joins, leaves, kicks of users with several connections, disconnects and
 * gateway restarts (a new run with an empty index, whose first heartbeat sweeps the old run's
 * members) across three gateways and two rooms. After every record each gateway knows exactly the
 * members it holds, in join order, and every message reaches every member but its sender, once.
 */
class GatewayMemberIndexTest {
  private static final List<String> GATEWAYS = List.of("gw-a", "gw-b", "gw-c");
  private static final List<String> ROOMS = List.of("r1", "r2");
  private static final List<String> USERS = List.of("ann", "ben", "cat", "dan");

  @TempDir Path stateDir;

  /** roomId to its members' connection ids and gateways, in join order: from the room events. */
  private final Map<String, LinkedHashMap<String, String>> model = new HashMap<>();

  private final Map<String, Integer> runs = new HashMap<>();
  private final List<Client> open = new ArrayList<>();
  private final Map<String, String> usernames = new HashMap<>();
  private final Random random = new Random(18);
  private long now = 1_000;
  private int connections;

  @Test
  void eachGatewayKnowsExactlyItsMembersAndEveryMessageReachesEveryOtherMember() {
    try (TopologyHarness h =
        new TopologyHarness(
            ProcessorSettings.defaults("unused:9092", stateDir)
                .withTopics(TopicSet.prefixed("index")))) {
      GATEWAYS.forEach(g -> runs.put(g, 1));
      for (String room : ROOMS) {
        Client creator = connect(h, "gw-a");
        send(h, creator.wal(now, new Action.CreateRoom("c-" + room, name(creator), room, null)));
      }
      int messagesChecked = 0;
      int kicks = 0;
      int restarts = 0;
      for (int step = 0; step < 800; step++) {
        int dice = random.nextInt(100);
        if (dice < 8 || open.size() < 3) {
          connect(h, GATEWAYS.get(random.nextInt(GATEWAYS.size())));
        } else if (dice < 40) {
          Client c = pick(open);
          String room = pick(ROOMS);
          send(h, c.wal(now, new Action.JoinRoom("j" + step, room, name(c), null, null)));
        } else if (dice < 50) {
          Client c = pick(open);
          send(h, c.wal(now, new Action.LeaveRoom("l" + step, pick(ROOMS), null)));
        } else if (dice < 55) {
          Client c = pick(open);
          open.remove(c);
          send(h, c.disconnect(now));
        } else if (dice < 60) {
          Client admin = new Client("gw-a.post-" + step, "gw-a", run("gw-a", runs.get("gw-a")));
          String room = pick(ROOMS);
          List<String> kicked = membersNamed(room, USERS.get(random.nextInt(USERS.size())));
          List<KeyValue<String, Delivery>> out =
              send(
                  h, admin.wal(now, new Action.Moderate("k" + step, room, lastUser, "rude", null)));
          for (String connectionId : kicked) {
            assertTrue(
                out.stream()
                    .anyMatch(
                        kv ->
                            kv.value.connectionIds().contains(connectionId)
                                && TopologyHarness.frame(kv.value)
                                    instanceof ServerFrame.MemberLeft left
                                && left.connectionId().equals(connectionId)),
                "a kicked member is told of its own kick: " + connectionId);
          }
          kicks += kicked.isEmpty() ? 0 : 1;
        } else if (dice < 62) {
          restart(h, pick(GATEWAYS));
          restarts++;
        } else {
          Client c = pick(open);
          String room = pick(ROOMS);
          boolean member =
              model.getOrDefault(room, new LinkedHashMap<>()).containsKey(c.connectionId());
          Set<String> others =
              new HashSet<>(model.getOrDefault(room, new LinkedHashMap<>()).keySet());
          others.remove(c.connectionId());
          List<KeyValue<String, Delivery>> out =
              send(h, c.wal(now, new Action.SendMessage("s" + step, room, "hi " + step, null)));
          if (member) {
            List<String> reached = new ArrayList<>();
            for (KeyValue<String, Delivery> kv : out) {
              if (TopologyHarness.frame(kv.value) instanceof ServerFrame.Message m
                  && m.requestId() == null) {
                reached.addAll(kv.value.connectionIds());
              }
            }
            assertEquals(others, new HashSet<>(reached), "step " + step + ": who got the message");
            assertEquals(others.size(), reached.size(), "step " + step + ": each once");
            messagesChecked++;
          }
        }
        for (String gateway : GATEWAYS) {
          for (String room : ROOMS) {
            assertEquals(
                membersOn(room, gateway),
                h.deliveries.members(gateway, room),
                "step " + step + ": " + gateway + "'s members of " + room);
          }
        }
      }
      assertTrue(
          messagesChecked > 100 && kicks > 5 && restarts > 5,
          "the walk did all kinds: "
              + messagesChecked
              + " messages, "
              + kicks
              + " kicks, "
              + restarts
              + " restarts");
    }
  }

  private String lastUser;

  private List<String> membersNamed(String room, String user) {
    lastUser = user;
    List<String> named = new ArrayList<>();
    model
        .getOrDefault(room, new LinkedHashMap<>())
        .keySet()
        .forEach(
            id -> {
              if (user.equals(usernames.get(id))) {
                named.add(id);
              }
            });
    return named;
  }

  private Client connect(TopologyHarness h, String gateway) {
    String id = gateway + ".r" + runs.get(gateway) + ".c" + (++connections);
    Client c = new Client(id, gateway, run(gateway, runs.get(gateway)));
    usernames.put(id, USERS.get(random.nextInt(USERS.size())));
    open.add(c);
    send(h, c.connect(now));
    return c;
  }

  private String name(Client c) {
    return usernames.get(c.connectionId());
  }

  /** The gateway's process restarts: its sockets are gone, its new run announces itself. */
  private void restart(TopologyHarness h, String gateway) {
    open.removeIf(c -> c.gatewayId().equals(gateway));
    int next = runs.merge(gateway, 1, Integer::sum);
    h.deliveries.restart(gateway);
    send(h, heartbeat(gateway, run(gateway, next), now));
  }

  /** Sends one record and applies its room events to the model; returns its resolved deliveries. */
  private List<KeyValue<String, Delivery>> send(
      TopologyHarness h, dev.roomlog.protocol.WalRecord record) {
    h.send(record);
    now += 10;
    for (RoomEvent event : h.roomEvents.readValuesToList()) {
      LinkedHashMap<String, String> members =
          model.computeIfAbsent(event.roomId(), r -> new LinkedHashMap<>());
      if (event instanceof RoomEvent.MemberJoined joined) {
        members.put(joined.connectionId(), joined.gatewayId());
      } else if (event instanceof RoomEvent.MemberLeft left) {
        members.remove(left.connectionId());
      }
    }
    return h.deliveries.readKeyValuesToList();
  }

  private List<String> membersOn(String room, String gateway) {
    List<String> on = new ArrayList<>();
    model
        .getOrDefault(room, new LinkedHashMap<>())
        .forEach(
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
