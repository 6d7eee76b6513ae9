package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code roomlog dev}'s partitions when {@code --partitions} is not given. */
class DevPartitionsTest {
  @Test
  void aNewDataDirectoryGetsTwiceTheCoresWithinTheBounds() {
    assertEquals(4, DevCommand.defaultPartitions(0, 2));
    assertEquals(16, DevCommand.defaultPartitions(0, 8));
    assertEquals(DevCommand.MIN_DEFAULT_PARTITIONS, DevCommand.defaultPartitions(0, 1));
    assertEquals(DevCommand.MAX_DEFAULT_PARTITIONS, DevCommand.defaultPartitions(0, 64));
  }

  @Test
  void aDataDirectoryWithTopicsKeepsTheirCountWhateverTheMachine() {
    // Written by an earlier version (3 partitions): the start check would refuse any other count.
    assertEquals(3, DevCommand.defaultPartitions(3, 16));
    assertEquals(40, DevCommand.defaultPartitions(40, 2), "set by hand once, kept");
  }
}
