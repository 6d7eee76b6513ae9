package dev.roomlog.protocol;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One Kafka topic as every module sees it: its name and the serdes of its keys and values.
 *
 * <p>Modules never spell a topic name or pick a serde themselves; they take a descriptor from
 * {@link Topics}, so producer and consumer cannot disagree about the format.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    if (name.isBlank()) {
      throw new IllegalArgumentException("topic name must not be blank");
    }
  }

  /** The same formats under another name, e.g. for a test's private copy of a topic. */
  public Topic<K, V> renamed(String newName) {
    return new Topic<>(newName, keySerde, valueSerde);
  }
}
