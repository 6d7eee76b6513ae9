package dev.roomlog.processor;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The rules of clientMsgId: which earlier action a retry repeats, and how it is answered. Pure; the
 * processor keeps the remembered answers in a window store for the dedup window.
 *
 * <p>Who "the same client" is depends on the action. A message or a room belongs to the username
 * that sent or created it, so a retry from a new connection (after a gateway crash or a reconnect)
 * finds the original. A membership belongs to a connection: a join retried from a new connection is
 * a new membership, which is what the client needs, since the old connection's membership ended
 * with it; so joins and leaves are remembered per connection. Messages the server posts belong to
 * the server. On a connection admitted with a user token, messages and rooms belong to the token's
 * subject ({@code authorizer.principalId}) instead of the username, so that another user's retry
 * with the same clientMsgId is never taken for theirs.
 */
final class Idempotency {
  private Idempotency() {}

  /**
   * An answer given to an action with a clientMsgId.
   *
   * @param fingerprint what the action asked for; a retry must ask for the same
   * @param answer the answer, without its requestId
   */
  record Remembered(String fingerprint, ServerFrame answer) {
    Remembered {
      Objects.requireNonNull(fingerprint, "fingerprint");
      Objects.requireNonNull(answer, "answer");
    }
  }

  /**
   * The key under which the action's answer is remembered, or empty if the action has no
   * clientMsgId, or is a sendMessage from a non-member (refused anyway, and there is no username to
   * key it by).
   */
  static Optional<String> key(RoomState stateOrNull, Action.RoomAction action, RequestContext ctx) {
    String clientMsgId = action.clientMsgId();
    if (clientMsgId == null) {
      return Optional.empty();
    }
    String owner;
    Authorizer who = ctx.authorizer();
    if (who != null
        && who.tokenBased()
        && (action instanceof Action.CreateRoom || action instanceof Action.SendMessage)) {
      // A token's subject is who the user is, signed; a username is only what someone typed.
      owner = "principal\u0000" + who.principalId();
    } else if (action instanceof Action.CreateRoom create) {
      owner = "user\u0000" + create.username();
    } else if (action instanceof Action.SendMessage) {
      Optional<RoomState.Member> sender =
          stateOrNull == null ? Optional.empty() : stateOrNull.member(ctx.connectionId());
      if (sender.isEmpty()) {
        return Optional.empty();
      }
      owner = "user\u0000" + sender.get().username();
    } else if (action instanceof Action.PostMessage) {
      // The server is one sender, whichever gateway or request posted: a retry through another
      // gateway finds the original.
      owner = "server";
    } else {
      owner = "connection\u0000" + ctx.connectionId();
    }
    return Optional.of(action.roomId() + '\u0000' + owner + '\u0000' + clientMsgId);
  }

  /** What an action asks for, so that a clientMsgId reused for something else is caught. */
  static String fingerprint(Action.RoomAction action) {
    if (action instanceof Action.SendMessage send) {
      return "sendMessage\u0000" + send.text();
    }
    if (action instanceof Action.PostMessage post) {
      return "postMessage\u0000" + post.username() + "\u0000" + post.text();
    }
    if (action instanceof Action.CreateRoom) {
      return "createRoom";
    }
    if (action instanceof Action.JoinRoom) {
      return "joinRoom";
    }
    if (action instanceof Action.LeaveRoom) {
      return "leaveRoom";
    }
    throw new IllegalArgumentException(action + " takes no clientMsgId");
  }

  /**
   * The answer to a retry of a remembered action: the original answer with the retry's requestId,
   * or 409 clientMsgIdReused if the clientMsgId was used for a different request. Nothing is
   * applied either way.
   */
  static Decision answerRetry(Remembered earlier, Action.RoomAction retry, RequestContext ctx) {
    if (!earlier.fingerprint().equals(fingerprint(retry))) {
      return RoomLogic.error(
          ctx,
          retry,
          ErrorCode.CLIENT_MSG_ID_REUSED,
          "clientMsgId '"
              + retry.clientMsgId()
              + "' was already used in room '"
              + retry.roomId()
              + "' for a different request; use a new clientMsgId for a new request");
    }
    ServerFrame answer = earlier.answer();
    if (answer instanceof ServerFrame.Answer a) {
      answer = a.withRequestId(retry.requestId());
    }
    return Decision.reply(Reply.to(RoomLogic.requester(ctx), answer));
  }

  /**
   * As {@link #answerRetry(Remembered, Action.RoomAction, RequestContext)}, with one exception: the
   * creator of a room, retrying its createRoom from a new connection (its first connection died
   * before the answer), must end up in the room as the original answer said, so that connection
   * joins it ({@link RoomLogic#joinAsCreator}) instead of getting the bare answer.
   */
  static Decision answerRetry(
      Remembered earlier,
      RoomState stateOrNull,
      Action.RoomAction retry,
      RequestContext ctx,
      RoomLogic logic) {
    Decision answer = answerRetry(earlier, retry, ctx);
    boolean creatorOnANewConnection =
        retry instanceof Action.CreateRoom
            && stateOrNull != null
            && stateOrNull.member(ctx.connectionId()).isEmpty()
            && answer.replies().get(0).frame() instanceof ServerFrame.RoomCreated;
    return creatorOnANewConnection
        ? logic.joinAsCreator(stateOrNull, (Action.CreateRoom) retry, ctx)
        : answer;
  }

  /**
   * What to remember of a decision: its answer to the requester, when the action changed the room.
   * Refusals are not remembered, so a retry of a refused action is decided afresh (the room may
   * have changed: a join refused before the room existed can succeed later).
   */
  static Optional<Remembered> toRemember(
      Decision decision, Action.RoomAction action, RequestContext ctx) {
    if (decision.events().isEmpty()) {
      return Optional.empty();
    }
    Recipient requester = RoomLogic.requester(ctx);
    return decision.replies().stream()
        .filter(r -> r.recipients().equals(List.of(requester)))
        .map(Reply::frame)
        .filter(ServerFrame.Answer.class::isInstance)
        .map(f -> ((ServerFrame.Answer) f).withRequestId(null))
        .findFirst()
        .map(answer -> new Remembered(fingerprint(action), answer));
  }
}
