package dev.roomlog.protocol.action;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The values of the {@code action} field, as clients and the log spell them. */
public final class ActionNames {
  public static final String CREATE_ROOM = "createRoom";
  public static final String JOIN_ROOM = "joinRoom";
  public static final String SEND_MESSAGE = "sendMessage";
  public static final String LEAVE_ROOM = "leaveRoom";
  public static final String RESUME = "resume";

  /** A page of a room's members; from a member, answered to it alone, never a room event. */
  public static final String MEMBERS = "members";

  /** Lets a user into a private room; from a member with the right to invite. */
  public static final String INVITE = "invite";

  /**
   * A token connection's new token ({@link ActionParser.Result.Refresh}): answered by the gateway
   * itself, never an {@link Action}, so never written to the log.
   */
  public static final String REFRESH = "refresh";

  public static final String CONNECT = "$connect";
  public static final String DISCONNECT = "$disconnect";
  public static final String HEARTBEAT = "$heartbeat";

  /** A message the server posts into a room through the management API; never from a client. */
  public static final String POST_MESSAGE = "$postMessage";

  /** A kick (and maybe a ban) through the management API; never from a client. */
  public static final String MODERATE = "$moderate";

  /**
   * A client action routed to a backend ({@link Action.Routed}): its own name is its route's, in
   * the record's {@code requestContext.routeKey}; never answered by the room processor.
   */
  public static final String ROUTED = "$routed";

  /**
   * The names a client may send that Roomlog answers itself: none of them can be routed to a
   * backend.
   */
  public static final Set<String> CLIENT_ACTIONS =
      Set.of(CREATE_ROOM, JOIN_ROOM, SEND_MESSAGE, LEAVE_ROOM, RESUME, MEMBERS, INVITE, REFRESH);

  /** Read from {@link Action}'s own Jackson mapping, so the name on the wire has one source. */
  private static final Map<Class<?>, String> BY_CLASS = byClass();

  private ActionNames() {}

  /**
   * The wire name of {@code action}'s kind ({@code "sendMessage"}, {@code "$connect"}...): the
   * {@code action} field of its JSON and the {@code routeKey} of its request context.
   */
  public static String of(Action action) {
    return BY_CLASS.get(action.getClass());
  }

  private static Map<Class<?>, String> byClass() {
    Map<Class<?>, String> names = new HashMap<>();
    for (JsonSubTypes.Type type : Action.class.getAnnotation(JsonSubTypes.class).value()) {
      names.put(type.value(), type.name());
    }
    return Map.copyOf(names);
  }
}
