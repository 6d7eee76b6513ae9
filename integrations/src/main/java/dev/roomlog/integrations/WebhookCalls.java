package dev.roomlog.integrations;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.WebhookSubscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Webhooks as calls: which webhook events a room event makes for a subscription, and the signed
 * POST of a batch. The body (docs/INTEGRATIONS.md has examples):
 *
 * <pre>{"id":"lobby:4-6","time_ms":1764133390000,"roomId":"lobby","events":[
 *   {"id":"lobby:4","name":"message","roomId":"lobby","seq":4,"at":...,"username":...,"text":...},
 *   ...]}</pre>
 *
 * <p>Each event's {@code id} is {@code roomId:seq} ({@code roomId:seq:roomEmptied} for the emptying
 * that follows a leave), the key receivers deduplicate by; the call's {@code webhook-id} and {@code
 * Idempotency-Key} name its first and last seq. A retry is signed again, with a new timestamp.
 */
final class WebhookCalls {
  static final String USER_AGENT = "Roomlog-Webhooks/0.1";

  private WebhookCalls() {}

  /** The webhook events {@code event} makes for {@code sub}; empty if none. */
  static List<String> names(WebhookSubscription sub, RoomEvent event, boolean emptiedRoom) {
    List<String> names = new ArrayList<>(2);
    if (!sub.covers(event.roomId())) {
      return names;
    }
    String kind = kind(event);
    if (kind != null && sub.kinds().contains(kind)) {
      names.add(kind);
    }
    if (emptiedRoom && sub.kinds().contains("roomEmptied")) {
      names.add("roomEmptied");
    }
    return names;
  }

  /** The webhook kind of a room event; null for those not offered (bans, invites). */
  static String kind(RoomEvent event) {
    if (event instanceof RoomEvent.RoomCreated) {
      return "roomCreated";
    } else if (event instanceof RoomEvent.MemberJoined) {
      return "memberJoined";
    } else if (event instanceof RoomEvent.MemberLeft) {
      return "memberLeft";
    } else if (event instanceof RoomEvent.MessagePosted) {
      return "message";
    }
    return null;
  }

  /** The call's id: {@code room:seq}, or {@code room:first-last} for a batch. */
  static String callId(List<Item> batch) {
    Item first = batch.get(0);
    Item last = batch.get(batch.size() - 1);
    return first.laneKey()
        + ":"
        + first.event.seq()
        + (batch.size() > 1 ? "-" + last.event.seq() : "");
  }

  static byte[] body(String id, List<Item> batch, Instant now) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("id", id);
    body.put("time_ms", now.toEpochMilli());
    body.put("roomId", batch.get(0).laneKey());
    ArrayNode events = body.putArray("events");
    for (Item item : batch) {
      for (String name : item.names) {
        events.add(event(name, item.event));
      }
    }
    return Json.write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static ObjectNode event(String name, RoomEvent event) {
    ObjectNode data = Json.MAPPER.valueToTree(event);
    data.remove("type");
    ObjectNode out = Json.MAPPER.createObjectNode();
    String id = event.roomId() + ":" + event.seq();
    out.put("id", "roomEmptied".equals(name) ? id + ":roomEmptied" : id);
    out.put("name", name);
    if ("roomEmptied".equals(name)) {
      out.put("roomId", event.roomId());
      out.put("seq", event.seq());
      out.put("at", event.at());
    } else {
      out.setAll(data);
    }
    return out;
  }

  /**
   * The signed POST of {@code batch} (one room, in seq order) to {@code sub}, made at {@code now}.
   */
  static Call call(WebhookSubscription sub, List<Item> batch, Instant now) {
    String id = callId(batch);
    byte[] body = body(id, batch, now);
    long timestamp = now.getEpochSecond();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    headers.put("user-agent", USER_AGENT);
    headers.put("webhook-id", id);
    headers.put("webhook-timestamp", Long.toString(timestamp));
    headers.put("webhook-signature", Signatures.sign(sub.secrets(), id, timestamp, body));
    headers.put(
        "webhook-secret-id",
        String.join(" ", sub.secrets().stream().map(WebhookSubscription.Secret::id).toList()));
    return new Call(sub.id(), sub.url(), batch.get(0).laneKey(), id, body, headers, false);
  }
}
