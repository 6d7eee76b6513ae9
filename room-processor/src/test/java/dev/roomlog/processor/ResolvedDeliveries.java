package dev.roomlog.processor;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.GatewayMembers;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The deliveries topic as the gateways see it: each gateway's records go through its own {@link
 * GatewayMembers}, as the gateway's delivery consumer does, so that a frame to a room becomes the
 * connections it reaches there. What a test reads is then "this frame to these connections of this
 * gateway", whatever shape the processor wrote; membership changes, and frames to a room with no
 * other member on that gateway, reach nobody and are not read.
 */
final class ResolvedDeliveries {
  private final TestOutputTopic<String, Delivery> raw;
  private final Map<String, GatewayMembers> gateways = new HashMap<>();
  private final Deque<TestRecord<String, Delivery>> resolved = new ArrayDeque<>();

  ResolvedDeliveries(TestOutputTopic<String, Delivery> raw) {
    this.raw = raw;
  }

  /** What gateway {@code gatewayId} knows of the members of {@code roomId}, after every read. */
  List<String> members(String gatewayId, String roomId) {
    pull();
    GatewayMembers members = gateways.get(gatewayId);
    return members == null ? List.of() : members.members(roomId);
  }

  /**
   * Gateway {@code gatewayId} restarts: its new run starts with no members, as a new delivery
   * consumer does. What was written for it before is resolved by the old run.
   */
  void restart(String gatewayId) {
    pull();
    gateways.put(gatewayId, new GatewayMembers());
  }

  private void pull() {
    for (TestRecord<String, Delivery> record : raw.readRecordsToList()) {
      List<String> reached =
          gateways.computeIfAbsent(record.key(), g -> new GatewayMembers()).apply(record.value());
      if (!reached.isEmpty()) {
        resolved.add(
            new TestRecord<>(
                record.key(),
                new Delivery(reached, record.value().frame()),
                record.headers(),
                record.getRecordTime()));
      }
    }
  }

  boolean isEmpty() {
    pull();
    return resolved.isEmpty();
  }

  List<TestRecord<String, Delivery>> readRecordsToList() {
    pull();
    List<TestRecord<String, Delivery>> all = new ArrayList<>(resolved);
    resolved.clear();
    return all;
  }

  List<KeyValue<String, Delivery>> readKeyValuesToList() {
    return readRecordsToList().stream().map(r -> KeyValue.pair(r.key(), r.value())).toList();
  }

  List<Delivery> readValuesToList() {
    return readRecordsToList().stream().map(TestRecord::value).toList();
  }

  KeyValue<String, Delivery> readKeyValue() {
    TestRecord<String, Delivery> next = readRecord();
    return KeyValue.pair(next.key(), next.value());
  }

  Delivery readValue() {
    return readRecord().value();
  }

  private TestRecord<String, Delivery> readRecord() {
    pull();
    if (resolved.isEmpty()) {
      throw new java.util.NoSuchElementException("no delivery reaches anyone");
    }
    return resolved.poll();
  }
}
