package dev.roomlog.processor;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.event.RoomEvent;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The Kafka edge of stage 2: loads the room, runs {@link RoomLogic#decide}, stores the fold of
 * {@link RoomLogic#apply} over the decided events, and forwards the events (key roomId) and the
 * deliveries (key gatewayId). Under exactly-once all of it commits in one transaction with the
 * input offset, so a crash never leaves an event without its state change or vice versa.
 */
final class RoomStage implements Processor<String, RoomCommand, String, RoomStage.Output> {

  /** What stage 2 emits; the topology splits it into the two output topics. */
  sealed interface Output {}

  record EventOut(RoomEvent event) implements Output {}

  record DeliveryOut(Delivery delivery) implements Output {}

  private final RoomLogic logic;
  private ProcessorContext<String, Output> context;
  private KeyValueStore<String, RoomState> rooms;

  RoomStage(RoomLogic logic) {
    this.logic = logic;
  }

  @Override
  public void init(ProcessorContext<String, Output> context) {
    this.context = context;
    this.rooms = context.getStateStore(RoomTopology.ROOMS_STORE);
  }

  @Override
  public void process(Record<String, RoomCommand> record) {
    RoomCommand command = record.value();
    if (command == null) {
      return;
    }
    String roomId = command.roomId();
    RoomState before = rooms.get(roomId);
    Decision decision = logic.decide(before, command);
    RoomState after = before;
    for (RoomEvent event : decision.events()) {
      after = logic.apply(after, event);
    }
    if (after != before) {
      rooms.put(roomId, after);
    }
    for (RoomEvent event : decision.events()) {
      context.forward(record.withKey(roomId).<Output>withValue(new EventOut(event)));
    }
    for (KeyValue<String, Delivery> d : DeliveryRouting.route(decision.replies())) {
      context.forward(record.withKey(d.key).<Output>withValue(new DeliveryOut(d.value)));
    }
  }
}
