package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The flags of {@code roomlog tail} as picocli reads them; reading the log is LogToolsIT's. */
class TailCommandTest {
  private static TailCommand parse(String... args) {
    TailCommand tail = new TailCommand();
    new CommandLine(tail).parseArgs(args);
    return tail;
  }

  @Test
  void defaultsToFollowingTheActionsFromTheirEnd() {
    TailCommand tail = parse();
    assertEquals("actions", tail.topic);
    assertEquals("end", tail.from);
    assertTrue(tail.follow);
    assertNull(tail.limit);
  }

  @Test
  void noFollowStopsFollowingAndFollowKeepsIt() {
    assertFalse(parse("--no-follow").follow);
    assertTrue(parse("--follow").follow);
  }
}
