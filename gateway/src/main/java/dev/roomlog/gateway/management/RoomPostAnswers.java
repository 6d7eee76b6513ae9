package dev.roomlog.gateway.management;

import dev.roomlog.protocol.frame.ServerFrame;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answers of a server post and a kick, from the room's frame (moved out of ManagementApi). */
final class RoomPostAnswers {
  private RoomPostAnswers() {}

  static ApiAnswer moderated(ServerFrame frame) {
    if (frame instanceof ServerFrame.ErrorFrame error) {
      return ApiAnswer.error(error.status(), error.code(), error.message());
    }
    ServerFrame.Moderated done = (ServerFrame.Moderated) frame;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("roomId", done.roomId());
    body.put("user", done.user());
    body.put("removed", done.removed());
    if (done.bannedUntil() != null) {
      body.put("bannedUntil", done.bannedUntil());
    }
    return ApiAnswer.of(200, body);
  }

  static ApiAnswer posted(ServerFrame frame) {
    if (frame instanceof ServerFrame.ErrorFrame error) {
      return ApiAnswer.error(error.status(), error.code(), error.message());
    }
    ServerFrame.Message message = (ServerFrame.Message) frame;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("roomId", message.roomId());
    body.put("seq", message.seq());
    body.put("from", message.from());
    body.put("sentAt", message.sentAt());
    if (message.clientMsgId() != null) {
      body.put("clientMsgId", message.clientMsgId());
    }
    return ApiAnswer.of(201, body);
  }
}
