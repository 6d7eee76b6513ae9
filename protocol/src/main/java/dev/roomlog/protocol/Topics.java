package dev.roomlog.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.ParkedCall;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of Roomlog, with their keys:
 *
 * <ul>
 *   <li>{@link #ACTIONS}: the write-ahead log. Key = connectionId, so one client's actions keep the
 *       order it sent them in. Written only by gateways.
 *   <li>{@link #ROOM_EVENTS}: each room's ordered, durable history. Key = roomId, so each room has
 *       one total order (its seq). Written only by the room processor.
 *   <li>{@link #DELIVERIES}: "send this frame to these connections". Key = gatewayId, so each
 *       gateway reads only what concerns its own sockets. Written only by the room processor.
 *   <li>{@link #DEAD_LETTERS}: the WAL records the processor set aside (it could not read, decide
 *       or answer them), byte for byte, with the reason in their headers. Key = the record's key in
 *       the log. Written only by the room processor.
 *   <li>{@link #WEBHOOK_RETRY}: webhook calls the integrations worker parked after its in-memory
 *       retries, retried from there. Key = roomId, so a room's parked events keep their order.
 *       Written and read only by the integrations worker.
 *   <li>{@link #WEBHOOK_DEAD_LETTER}: webhook calls given up after their retry period, with the
 *       reason. Key = roomId. Written only by the integrations worker; read by operators.
 *   <li>{@link #WEBHOOK_SUBSCRIPTIONS}: the webhook subscriptions managed through the gateways'
 *       management API, compacted. Key = subscription id, value its JSON (secrets included) with
 *       {@code createdAt}; a tombstone deletes. Written by gateways; read from the beginning by
 *       every integrations worker and gateway.
 * </ul>
 */
public final class Topics {
  public static final String ACTIONS_NAME = "roomlog.actions";
  public static final String ROOM_EVENTS_NAME = "roomlog.room-events";
  public static final String DELIVERIES_NAME = "roomlog.deliveries";
  public static final String DEAD_LETTERS_NAME = "roomlog.dead-letters";
  public static final String WEBHOOK_RETRY_NAME = "roomlog.webhook-retry";
  public static final String WEBHOOK_DEAD_LETTER_NAME = "roomlog.webhook-dead-letter";
  public static final String WEBHOOK_SUBSCRIPTIONS_NAME = "roomlog.webhook-subscriptions";

  public static final Topic<String, WalRecord> ACTIONS =
      new Topic<>(ACTIONS_NAME, Serdes.String(), JsonSerde.of(WalRecord.class));

  public static final Topic<String, RoomEvent> ROOM_EVENTS =
      new Topic<>(ROOM_EVENTS_NAME, Serdes.String(), JsonSerde.of(RoomEvent.class));

  public static final Topic<String, Delivery> DELIVERIES =
      new Topic<>(DELIVERIES_NAME, Serdes.String(), JsonSerde.of(Delivery.class));

  /** Raw bytes: a record set aside may be unreadable, and is kept exactly as it was logged. */
  public static final Topic<String, byte[]> DEAD_LETTERS =
      new Topic<>(DEAD_LETTERS_NAME, Serdes.String(), Serdes.ByteArray());

  public static final Topic<String, ParkedCall> WEBHOOK_RETRY =
      new Topic<>(WEBHOOK_RETRY_NAME, Serdes.String(), JsonSerde.of(ParkedCall.class));

  public static final Topic<String, ParkedCall> WEBHOOK_DEAD_LETTER =
      new Topic<>(WEBHOOK_DEAD_LETTER_NAME, Serdes.String(), JsonSerde.of(ParkedCall.class));

  public static final Topic<String, JsonNode> WEBHOOK_SUBSCRIPTIONS =
      new Topic<>(WEBHOOK_SUBSCRIPTIONS_NAME, Serdes.String(), JsonSerde.of(JsonNode.class));

  private Topics() {}
}
