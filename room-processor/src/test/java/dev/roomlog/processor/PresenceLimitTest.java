package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The presence limit in {@link RoomLogic}: a room of more than {@code LIMIT} members announces no
 * join or leave to the other members (each is still a room event, and its own member is answered),
 * but the join that takes it past the limit and the leave that brings it back are announced, marked
 * with {@code presence} false and true, frames say with {@code prevSeq} where the announced events
 * skip seqs, and the resume window keeps only announced events, deciding 410 exactly. Every
 * decision is applied as the stage does, and the final state is checked against a replay of the
 * events.
 */
class PresenceLimitTest {
  private static final String ROOM = "arena";
  private static final int LIMIT = 3;
  private static final Client A = Client.on("gw-a", "a");
  private static final Client B = Client.on("gw-b", "b");
  private static final Client C = Client.on("gw-a", "c");
  private static final Client D = Client.on("gw-b", "d");
  private static final Client ADMIN = Client.on("gw-a", "admin");

  private RoomLogic logic = new RoomLogic(5, 1000, LIMIT);
  private final List<RoomEvent> log = new ArrayList<>();
  private RoomState state;
  private long clock = 1_000;

  private Decision run(Client who, Action.RoomAction action) {
    clock += 10;
    Decision d = logic.decide(state, action, who.context(clock));
    for (RoomEvent e : d.events()) {
      state = logic.apply(state, e);
      log.add(e);
    }
    return d;
  }

  private Decision remove(Client who, String reason) {
    clock += 10;
    Decision d = logic.remove(state, who.connectionId(), reason, clock);
    for (RoomEvent e : d.events()) {
      state = logic.apply(state, e);
      log.add(e);
    }
    return d;
  }

  private static Action.JoinRoom join(Client c) {
    return new Action.JoinRoom("j-" + c.connectionId(), ROOM, "u-" + c.connectionId(), null, null);
  }

  private static Action.SendMessage send(String text) {
    return new Action.SendMessage(null, ROOM, text, null);
  }

  /** Who got a frame of {@code seq}, the answers to a request (with its requestId) left out. */
  private static Set<String> toldOf(Decision d, long seq) {
    Set<String> told = new LinkedHashSet<>();
    for (Reply r : d.replies()) {
      if (seqOf(r.frame()) == seq
          && !(r.frame() instanceof ServerFrame.Answer a && a.requestId() != null)) {
        r.recipients().forEach(x -> told.add(x.connectionId()));
      }
    }
    return told;
  }

  private static long seqOf(ServerFrame f) {
    if (f instanceof ServerFrame.MemberJoined j) {
      return j.seq();
    }
    if (f instanceof ServerFrame.MemberLeft l) {
      return l.seq();
    }
    if (f instanceof ServerFrame.Message m) {
      return m.seq();
    }
    if (f instanceof ServerFrame.UserBanned b) {
      return b.seq();
    }
    return -1;
  }

  private static ServerFrame.Joined joined(Decision d) {
    return (ServerFrame.Joined) d.replies().get(0).frame();
  }

  /** A (creator), B, C: three members, at the limit. Seqs 1 (created) to 4 (C's join). */
  private void roomAtTheLimit() {
    run(A, new Action.CreateRoom("c", "u-a", ROOM, null));
    run(B, join(B));
    Decision c = run(C, join(C));
    assertEquals(Set.of("a", "b"), toldOf(c, 4), "the join that makes the room 3 is announced");
    assertNull(joined(c).presence(), "a room at the limit still has presence");
  }

  private static final Client E = Client.on("gw-c", "e");
  private static final Client F = Client.on("gw-c", "f");

  /** D joins a room at the limit: seq 5, told to the others marked presence false; 4 members. */
  private void roomPastTheLimit() {
    roomAtTheLimit();
    Decision d = run(D, join(D));
    assertEquals(Set.of("a", "b", "c"), toldOf(d, 5), "the join crossing the limit is announced");
    ServerFrame.MemberJoined crossing = (ServerFrame.MemberJoined) d.replies().get(1).frame();
    assertEquals(Boolean.FALSE, crossing.presence(), "and says announcements stop");
    assertTrue(crossing.toJson().endsWith(",\"presence\":false}"), crossing.toJson());
    assertEquals(Boolean.FALSE, joined(d).presence(), "the joiner learns the room is quiet");
  }

  @Test
  void theJoinCrossingTheLimitIsAnnouncedMarkedAndTheNextOnesAreQuiet() {
    roomPastTheLimit();
    Decision e = run(E, join(E));

    assertEquals(6, e.events().get(0).seq(), "still a room event with its seq");
    assertEquals(List.of(), toldOf(e, 6).stream().toList(), "the 5th member's join is quiet");
    assertEquals(1, e.replies().size(), "only the joiner's answer");
    ServerFrame.Joined answer = joined(e);
    assertEquals(6, answer.seq());
    assertEquals(5, answer.memberCount());
    assertEquals(Boolean.FALSE, answer.presence());
    assertEquals(replay(), state);
  }

  @Test
  void aLeaveIsQuietPastTheLimitAndTheOneBackWithinItIsMarked() {
    roomPastTheLimit();
    run(E, join(E)); // 6, quiet: 5 members
    Decision eLeaves = run(E, new Action.LeaveRoom("l", ROOM, null)); // 7: 5 before, quiet
    assertEquals(1, eLeaves.replies().size());
    assertTrue(eLeaves.replies().get(0).frame() instanceof ServerFrame.Left);

    Decision dLeaves = run(D, new Action.LeaveRoom("l", ROOM, null)); // 8: 4 before, back within
    assertEquals(Set.of("a", "b", "c"), toldOf(dLeaves, 8));
    ServerFrame.MemberLeft back = (ServerFrame.MemberLeft) dLeaves.replies().get(1).frame();
    assertEquals(5L, back.prevSeq(), "the previous announced event was D's join");
    assertEquals(Boolean.TRUE, back.presence(), "announcements start again from here");

    Decision cLeaves = run(C, new Action.LeaveRoom("l", ROOM, null)); // 9: 3 before
    ServerFrame.MemberLeft within = (ServerFrame.MemberLeft) cLeaves.replies().get(1).frame();
    assertEquals(Set.of("a", "b"), toldOf(cLeaves, 9));
    assertNull(within.prevSeq());
    assertNull(within.presence(), "only the crossings are marked");
    assertEquals(replay(), state);
  }

  @Test
  void framesAfterQuietEventsCarryThePreviousAnnouncedSeq() {
    roomPastTheLimit();
    run(E, join(E)); // 6, quiet
    Decision m = run(B, send("after a quiet join")); // 7

    ServerFrame.Message own = (ServerFrame.Message) m.replies().get(0).frame();
    ServerFrame.Message others = (ServerFrame.Message) m.replies().get(1).frame();
    assertEquals(5L, own.prevSeq(), "the sender's copy says it too");
    assertEquals(5L, others.prevSeq());
    assertEquals(Set.of("a", "b", "c", "d", "e"), toldOf(m, 7), "a quiet joiner gets messages");
    assertTrue(
        others.toJson().contains("\"seq\":7,\"prevSeq\":5,"), "prevSeq follows seq: " + others);
    assertFalse(
        ((ServerFrame.Message) run(B, send("next")).replies().get(1).frame())
            .toJson()
            .contains("prevSeq"),
        "a frame right after the previous one is as before");
  }

  @Test
  void aKickPastTheLimitTellsTheKickedAloneAndTheOneBackWithinItEveryone() {
    roomPastTheLimit();
    run(E, join(E)); // 6: 5 members
    Decision quiet =
        run(ADMIN, new Action.Moderate("k1", ROOM, "u-e", "spam", 60_000L)); // 7 kick, 8 ban
    assertEquals(List.of(7L, 8L), quiet.events().stream().map(RoomEvent::seq).toList());
    assertEquals(Set.of("e"), toldOf(quiet, 7), "only the kicked member hears of its kick");
    assertEquals(Set.of("a", "b", "c", "d"), toldOf(quiet, 8), "the ban is announced");
    ServerFrame.UserBanned ban =
        (ServerFrame.UserBanned)
            quiet.replies().stream()
                .filter(r -> r.frame() instanceof ServerFrame.UserBanned)
                .findFirst()
                .orElseThrow()
                .frame();
    assertEquals(5L, ban.prevSeq(), "the join and kick in between were not announced");

    Decision loud = run(ADMIN, new Action.Moderate("k2", ROOM, "u-d", null, null)); // 9: 4 before
    assertEquals(
        Set.of("a", "b", "c", "d"), toldOf(loud, 9), "back within: the others and the kicked");
    assertEquals(Boolean.TRUE, ((ServerFrame.MemberLeft) loud.replies().get(0).frame()).presence());
    assertEquals(replay(), state);
  }

  @Test
  void aLostGatewayPastTheLimitTellsItsMemberAndADisconnectNobody() {
    roomPastTheLimit();
    run(E, join(E)); // 6
    run(F, join(F)); // 7: 6 members
    Decision lost = remove(F, RoomEvent.MemberLeft.GATEWAY_LOST); // 8: 6 before
    assertEquals(Set.of("f"), toldOf(lost, 8), "in case its gateway was only paused");
    Decision gone = remove(E, RoomEvent.MemberLeft.DISCONNECTED); // 9: 5 before
    assertEquals(List.of(), gone.replies());
    Decision back = remove(D, RoomEvent.MemberLeft.DISCONNECTED); // 10: 4 before
    assertEquals(Set.of("a", "b", "c"), toldOf(back, 10));
    ServerFrame.MemberLeft frame = (ServerFrame.MemberLeft) back.replies().get(0).frame();
    assertEquals(5L, frame.prevSeq(), "after D's join");
    assertEquals(Boolean.TRUE, frame.presence());
    assertEquals(replay(), state);
  }

  @Test
  void quietJoinsDoNotPushMessagesOutOfTheWindow() {
    roomPastTheLimit(); // the crossing join, seq 5, is announced and kept
    for (int i = 1; i <= 5; i++) {
      run(A, send("m" + i)); // 6..10
    }
    for (int i = 0; i < 50; i++) {
      Client c = Client.on("gw-c", "q" + i);
      run(c, join(c));
    }
    Client late = Client.on("gw-c", "late");
    ServerFrame.Joined answer = joined(run(late, join(late)));
    assertEquals(
        List.of("m1", "m2", "m3", "m4", "m5"),
        answer.history().stream().map(ServerFrame.Message::text).toList());
    assertEquals(5, state.recent().size(), "the window holds the messages, not the joins");

    // A member that saw seq 5 can still resume: only quiet joins came after the messages.
    Decision resumed = run(A, new Action.Resume("r", ROOM, 5));
    ServerFrame.Resumed frame = (ServerFrame.Resumed) resumed.replies().get(0).frame();
    assertEquals(5, frame.events().size());
    assertEquals(state.lastSeq(), frame.seq());
  }

  /**
   * A random walk of joins, leaves, kicks and messages around the limit; after every step, a resume
   * from every afterSeq gets exactly what the announced events say: every announced event after
   * afterSeq, in order and each with the prevSeq of the one before, or 410 when one of them has
   * left the window (then {@code oldestSeq - 1} is the newest forgotten one). The model is built
   * from the events alone, with the rule written out here.
   */
  @Test
  void aResumeFromAnySeqIsAnsweredExactlyWhatTheAnnouncedEventsSay() {
    logic = new RoomLogic(4, 1000, LIMIT);
    Random random = new Random(1818);
    run(A, new Action.CreateRoom("c", "u-a", ROOM, null));
    List<Long> announced = new ArrayList<>(List.of(1L, 2L));
    Set<String> members = new LinkedHashSet<>(List.of("a"));
    List<Client> pool = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pool.add(Client.on(i % 2 == 0 ? "gw-a" : "gw-b", "p" + i));
    }
    int refusals = 0;
    int answers = 0;
    for (int step = 0; step < 300; step++) {
      Client c = pool.get(random.nextInt(pool.size()));
      int dice = random.nextInt(10);
      boolean member = members.contains(c.connectionId());
      int before = members.size();
      List<RoomEvent> events;
      if (!member && dice < 6) {
        events = run(c, join(c)).events();
        members.add(c.connectionId());
        if (before <= LIMIT) {
          announced.add(events.get(0).seq());
        }
      } else if (member && dice < 3) {
        events = run(c, new Action.LeaveRoom("l", ROOM, null)).events();
        members.remove(c.connectionId());
        if (before <= LIMIT + 1) {
          announced.add(events.get(0).seq());
        }
      } else if (member && dice < 4) {
        events =
            run(ADMIN, new Action.Moderate("k", ROOM, "u-" + c.connectionId(), null, null))
                .events();
        members.remove(c.connectionId());
        if (before <= LIMIT + 1) {
          announced.add(events.get(0).seq());
        }
      } else {
        events = run(A, send("s" + step)).events();
        announced.add(events.get(0).seq());
      }
      assertEquals(1, events.size());
      List<Long> kept = announced.subList(Math.max(0, announced.size() - 4), announced.size());
      long forgotten = announced.size() > 4 ? announced.get(announced.size() - 5) : 0;
      for (long after = 0; after <= state.lastSeq(); after++) {
        ServerFrame f =
            logic
                .decide(state, new Action.Resume("r", ROOM, after), A.context(clock))
                .replies()
                .get(0)
                .frame();
        if (after < forgotten) {
          ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) f;
          assertEquals(410, error.status(), "step " + step + " after " + after);
          assertEquals(forgotten + 1, error.oldestSeq());
          refusals++;
          continue;
        }
        ServerFrame.Resumed resumed = (ServerFrame.Resumed) f;
        long from = after;
        List<Long> expected = kept.stream().filter(s -> s > from).toList();
        List<Long> seqs = new ArrayList<>();
        long previous = -1;
        for (ServerFrame e : resumed.events()) {
          long seq = e instanceof ServerFrame.RoomCreated rc ? rc.seq() : seqOf(e);
          seqs.add(seq);
          int i = announced.indexOf(seq);
          long prev = i == 0 ? 0 : announced.get(i - 1);
          assertEquals(prev == seq - 1 ? null : prev, prevSeqOf(e), "prevSeq of " + seq);
          assertTrue(seq > previous);
          previous = seq;
        }
        assertEquals(expected, seqs, "step " + step + " after " + after);
        answers++;
      }
    }
    assertEquals(replay(), state);
    assertTrue(refusals > 100 && answers > 1000, refusals + " refusals, " + answers + " answers");
  }

  private static Long prevSeqOf(ServerFrame f) {
    if (f instanceof ServerFrame.MemberJoined j) {
      return j.prevSeq();
    }
    if (f instanceof ServerFrame.MemberLeft l) {
      return l.prevSeq();
    }
    if (f instanceof ServerFrame.Message m) {
      return m.prevSeq();
    }
    return null;
  }

  private RoomState replay() {
    RoomState replayed = null;
    for (RoomEvent e : log) {
      replayed = logic.apply(replayed, e);
    }
    return replayed;
  }
}
