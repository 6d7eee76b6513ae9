package dev.roomlog.processor;

import dev.roomlog.protocol.WalRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The Kafka edge of stage 1: loads the connection's state, runs {@link ConnectionLogic}, stores
 * the result and forwards the room commands keyed by roomId. Runs on one stream thread.
 */
final class ConnectionStage implements Processor<String, WalRecord, String, RoomCommand> {
  private ProcessorContext<String, RoomCommand> context;
  private KeyValueStore<String, ConnectionState> connections;

  @Override
  public void init(ProcessorContext<String, RoomCommand> context) {
    this.context = context;
    this.connections = context.getStateStore(RoomTopology.CONNECTIONS_STORE);
  }

  @Override
  public void process(Record<String, WalRecord> record) {
    WalRecord wal = record.value();
    if (wal == null) {
      return; // a tombstone says nothing about a connection
    }
    String connectionId = wal.connectionId();
    ConnectionLogic.Step step = ConnectionLogic.handle(connections.get(connectionId), wal);
    if (step.state() == null) {
      connections.delete(connectionId);
    } else {
      connections.put(connectionId, step.state());
    }
    for (RoomCommand command : step.commands()) {
      context.forward(record.withKey(command.roomId()).withValue(command));
    }
  }
}
