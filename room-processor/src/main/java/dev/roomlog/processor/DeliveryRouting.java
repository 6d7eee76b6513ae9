package dev.roomlog.processor;

import dev.roomlog.protocol.Delivery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;

/** Turns replies into deliveries: one per gateway per distinct frame, keyed by gatewayId. */
final class DeliveryRouting {
  private DeliveryRouting() {}

  static List<KeyValue<String, Delivery>> route(List<Reply> replies) {
    List<KeyValue<String, Delivery>> out = new ArrayList<>();
    for (Reply reply : replies) {
      // Encoded once here; every gateway and every connection gets these same bytes.
      String frame = reply.frame().toJson();
      if (reply.recipients() instanceof MemberList.Except others) {
        for (Map.Entry<String, List<String>> gateway : others.byGateway()) {
          out.add(KeyValue.pair(gateway.getKey(), new Delivery(gateway.getValue(), frame)));
        }
        continue;
      }
      Map<String, List<String>> byGateway = new LinkedHashMap<>();
      for (Recipient r : reply.recipients()) {
        byGateway.computeIfAbsent(r.gatewayId(), g -> new ArrayList<>()).add(r.connectionId());
      }
      byGateway.forEach(
          (gateway, ids) -> out.add(KeyValue.pair(gateway, new Delivery(ids, frame))));
    }
    return out;
  }
}
