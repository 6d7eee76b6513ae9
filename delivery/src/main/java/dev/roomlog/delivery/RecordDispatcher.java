package dev.roomlog.delivery;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.GatewayMembers;
import dev.roomlog.protocol.control.GatewayControl;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one record of the deliveries topic to where it goes: a delivery to the {@link
 * ConnectionSink}, a control message to the {@link ControlSink}, anything else nowhere. {@link
 * DeliveryRouter} decides; this class reads the record's parts for it, keeps this gateway's members
 * of each room ({@link GatewayMembers}: a frame to a room goes to them), calls the sink, counts the
 * outcome and times the delivery.
 *
 * <p>Error policy: an unreadable record is logged and skipped; an exception from either sink is
 * logged and counted, and the next record is handed on. Nothing here stops the loop.
 *
 * <p>Threading: called on the consumer's thread only (which is why the members need no lock).
 */
final class RecordDispatcher {
  // The consumer's own logger: its log lines keep one name whichever part writes them.
  private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);

  private final DeliveryRouter router;
  private final ConnectionSink sink;
  private final ControlSink controls;
  private final DeliveryCounts counts;
  private final DeliveryMetrics metrics;
  private final Clock clock;
  private final GatewayMembers members = new GatewayMembers();

  /**
   * @param clock the time a delivery is measured against its record's timestamp
   */
  RecordDispatcher(
      DeliveryRouter router,
      ConnectionSink sink,
      ControlSink controls,
      DeliveryCounts counts,
      DeliveryMetrics metrics,
      Clock clock) {
    this.router = Objects.requireNonNull(router, "router");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.controls = Objects.requireNonNull(controls, "controls");
    this.counts = Objects.requireNonNull(counts, "counts");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  void dispatch(ConsumerRecord<byte[], byte[]> record) {
    Header kind = record.headers().lastHeader(GatewayControl.KIND_HEADER);
    DeliveryRouter.Route route =
        router.route(
            record.key(),
            record.value(),
            kind == null || kind.value() == null
                ? null
                : new String(kind.value(), StandardCharsets.UTF_8));
    if (route instanceof DeliveryRouter.Route.Control control) {
      try {
        controls.accept(control.message());
        counts.addControl();
      } catch (RuntimeException e) {
        counts.addSinkFailure();
        log.error("the control sink failed on {}; going on with the next", control.message(), e);
      }
    } else if (route instanceof DeliveryRouter.Route.Deliver deliver) {
      Delivery delivery = deliver.delivery();
      List<String> reached = members.apply(delivery);
      if (delivery.isMembershipChange()) {
        counts.addMembershipChange();
        return;
      }
      try {
        if (!reached.isEmpty()) {
          sink.deliver(reached, delivery.frame());
        }
        counts.addDelivered();
        // The processor stamps a delivery with the time of the action record that caused it,
        // which the gateway's producer stamped when it sent the action (CreateTime).
        if (record.timestamp() >= 0) {
          metrics.delivered(clock.millis() - record.timestamp());
        }
      } catch (RuntimeException e) {
        counts.addSinkFailure();
        log.error(
            "the connection sink failed on delivery {}-{}@{}; going on with the next",
            record.topic(),
            record.partition(),
            record.offset(),
            e);
      }
    } else if (route instanceof DeliveryRouter.Route.Unreadable bad) {
      counts.addUnreadable();
      log.warn(
          "skipping unreadable delivery {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          bad.reason());
    } else {
      counts.addSkippedOtherGateway();
    }
  }
}
