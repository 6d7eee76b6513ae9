package dev.roomlog.processor;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;

/** Builders for the records the tests feed in. */
final class Fixtures {
  static final long CONNECTED_AT = 1_711_924_352_000L;

  private Fixtures() {}

  static RequestContext context(
      String connectionId, String gatewayId, String gatewayRequestId, long at) {
    return context(connectionId, gatewayId, gatewayRequestId, at, "MESSAGE", EventType.MESSAGE);
  }

  static RequestContext context(
      String connectionId,
      String gatewayId,
      String gatewayRequestId,
      long at,
      String routeKey,
      EventType type) {
    return new RequestContext(
        routeKey,
        type,
        connectionId,
        CONNECTED_AT,
        at,
        gatewayRequestId,
        new RequestContext.Identity("203.0.113.7"),
        gatewayId);
  }

  static WalRecord connect(String connectionId, String gatewayId, long at) {
    return new WalRecord(
        new Action.Connect(),
        context(connectionId, gatewayId, "gw-" + connectionId + "-" + at, at, "$connect",
            EventType.CONNECT));
  }

  static WalRecord disconnect(String connectionId, String gatewayId, long at) {
    return new WalRecord(
        new Action.Disconnect(),
        context(connectionId, gatewayId, "gw-" + connectionId + "-" + at, at, "$disconnect",
            EventType.DISCONNECT));
  }

  static WalRecord wal(String connectionId, String gatewayId, long at, Action action) {
    return new WalRecord(action, context(connectionId, gatewayId, "gw-" + connectionId + "-" + at, at));
  }
}
