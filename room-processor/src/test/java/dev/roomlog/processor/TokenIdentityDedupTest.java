package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.event.RoomEvent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack from issue 16, through the real topology: a client that calls itself "alice" sends
 * clientMsgId m-2 first; the real Alice's m-2 must still be posted. With tokens the owner of a
 * clientMsgId is the token's subject, which the client cannot choose, not the username.
 */
class TokenIdentityDedupTest {
  private static final String ROOM = "lobby";
  private static final Authorizer ALICE_TOKEN =
      new Authorizer("token", "a1", "alice", null, null, 4_000_000_000L);
  // The identity provider gave the attacker a token too, and names are not unique.
  private static final Authorizer ATTACKER_TOKEN =
      new Authorizer("token", "x9", "alice", null, null, 4_000_000_000L);

  @TempDir Path stateDir;
  private TopologyHarness h;

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void twoTokenUsersWithTheSameNameAndClientMsgIdAreBothPosted() {
    h =
        new TopologyHarness(
            ProcessorSettings.defaults("unused:9092", stateDir)
                .withTopics(TopicSet.prefixed("token-dedup")));
    Client alice = Client.on("gw-a", "c1");
    Client attacker = Client.on("gw-b", "c2");
    h.send(alice.wal(100, new Action.CreateRoom("a1", "alice", ROOM, null), ALICE_TOKEN));
    h.send(attacker.wal(110, new Action.JoinRoom("x1", ROOM, "alice", null, null), ATTACKER_TOKEN));
    h.drain();

    h.send(attacker.wal(120, new Action.SendMessage("x2", ROOM, "hello", "m-2"), ATTACKER_TOKEN));
    h.send(alice.wal(130, new Action.SendMessage("a2", ROOM, "hello", "m-2"), ALICE_TOKEN));

    assertEquals(
        List.of(
            new RoomEvent.MessagePosted(ROOM, 4, 120, "c2", "alice", "hello", "m-2"),
            new RoomEvent.MessagePosted(ROOM, 5, 130, "c1", "alice", "hello", "m-2")),
        h.roomEvents.readValuesToList(),
        "both posted: the second is not taken for a retry of the first");

    // Her own retry is still a retry.
    h.send(alice.wal(140, new Action.SendMessage("a3", ROOM, "hello", "m-2"), ALICE_TOKEN));
    assertEquals(List.of(), h.roomEvents.readValuesToList(), "her retry posts nothing");
  }

  @Test
  void withoutTokensTheUsernameStillOwnsTheClientMsgId() {
    h =
        new TopologyHarness(
            ProcessorSettings.defaults("unused:9092", stateDir)
                .withTopics(TopicSet.prefixed("key-dedup")));
    Client alice = Client.on("gw-a", "c1");
    Client other = Client.on("gw-b", "c2");
    h.send(alice.wal(100, new Action.CreateRoom("a1", "alice", ROOM, null)));
    h.send(other.wal(110, new Action.JoinRoom("x1", ROOM, "alice", null, null)));
    h.drain();
    h.send(other.wal(120, new Action.SendMessage("x2", ROOM, "hello", "m-2")));
    h.send(alice.wal(130, new Action.SendMessage("a2", ROOM, "hello", "m-2")));
    // API-key connections keep today's rule (a retry from a new connection of the same username).
    assertEquals(1, h.roomEvents.readValuesToList().size());
  }
}
