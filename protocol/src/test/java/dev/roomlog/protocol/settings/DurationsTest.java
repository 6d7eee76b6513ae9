package dev.roomlog.protocol.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void formatUsesTheLargestUnitThatDividesExactlyAndParsesBack() {
    for (String text : new String[] {"10m", "2h", "30s", "300ms", "1d", "90s", "0s"}) {
      assertEquals(text, Durations.format(Durations.parse("test", text)));
    }
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    assertEquals("1500001ns", Durations.format(Duration.ofNanos(1_500_001)));
  }
}
