package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.event.RoomEvent;
import java.util.List;

/** Builders for the records the tests feed in. */
final class Fixtures {
  static final long CONNECTED_AT = 1_711_924_352_000L;

  private Fixtures() {}

  /** The id of run {@code n} of a gateway: each start of a gateway process is a new run. */
  static String run(String gatewayId, int n) {
    return gatewayId + "/run-" + n;
  }

  /**
   * One client connection: the gateway node and the run of it that hold the connection. Its records
   * carry a gateway request id made of the connection id and the time, so they are unique as long
   * as a test gives each record of a connection its own time.
   */
  record Client(String connectionId, String gatewayId, String gatewayInstance) {
    /** A connection on the first run of {@code gatewayId}. */
    static Client on(String gatewayId, String connectionId) {
      return new Client(connectionId, gatewayId, run(gatewayId, 1));
    }

    Recipient recipient() {
      return new Recipient(connectionId, gatewayId);
    }

    RequestContext context(long at) {
      return Fixtures.context(this, at, "MESSAGE", EventType.MESSAGE);
    }

    WalRecord wal(long at, Action action) {
      return new WalRecord(action, context(at));
    }

    /** As {@link #wal}, from a connection the gateway admitted as {@code authorizer}. */
    WalRecord wal(long at, Action action, Authorizer authorizer) {
      return new WalRecord(action, context(at, authorizer));
    }

    /** As {@link #context(long)}, from a connection the gateway admitted as {@code authorizer}. */
    RequestContext context(long at, Authorizer authorizer) {
      RequestContext c = context(at);
      return new RequestContext(
          c.routeKey(),
          c.eventType(),
          c.connectionId(),
          c.connectedAt(),
          c.requestTimeEpoch(),
          c.requestId(),
          c.identity(),
          c.gatewayId(),
          c.gatewayInstance(),
          authorizer);
    }

    WalRecord connect(long at) {
      return new WalRecord(
          new Action.Connect(), Fixtures.context(this, at, ActionNames.CONNECT, EventType.CONNECT));
    }

    WalRecord disconnect(long at) {
      return new WalRecord(
          new Action.Disconnect(),
          Fixtures.context(this, at, ActionNames.DISCONNECT, EventType.DISCONNECT));
    }
  }

  /** A heartbeat of one gateway run, as the gateway writes it to every partition. */
  static WalRecord heartbeat(String gatewayId, String gatewayInstance, long at) {
    return new WalRecord(
        new Action.Heartbeat(),
        new RequestContext(
            ActionNames.HEARTBEAT,
            EventType.HEARTBEAT,
            null,
            at,
            at,
            gatewayInstance + "-hb-" + at,
            new RequestContext.Identity(null),
            gatewayId,
            gatewayInstance,
            null));
  }

  private static RequestContext context(Client client, long at, String routeKey, EventType type) {
    return new RequestContext(
        routeKey,
        type,
        client.connectionId(),
        CONNECTED_AT,
        at,
        "gw-" + client.connectionId() + "-" + at,
        new RequestContext.Identity("203.0.113.7"),
        client.gatewayId(),
        client.gatewayInstance(),
        null);
  }

  /**
   * {@code state} after {@code decision}'s events, each applied by {@code logic} and added to
   * {@code log}, checking that their seqs follow the room's without a gap.
   */
  static RoomState applyAll(
      RoomLogic logic, RoomState state, Decision decision, List<RoomEvent> log) {
    long seq = state == null ? 0 : state.lastSeq();
    for (RoomEvent e : decision.events()) {
      assertEquals(++seq, e.seq(), "seq has no gap");
      state = logic.apply(state, e);
      log.add(e);
    }
    return state;
  }
}
