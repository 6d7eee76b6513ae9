package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What a user sees when a run cannot start; no server needed. */
class LoadTestCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = new CommandLine(new LoadTestCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void aBadFlagValueExits2NamingTheFlag() {
    assertEquals(2, run("--scenario", "chat", "--connections", "15"));
    assertEquals(
        "roomlog-loadtest: --connections (15) must be a multiple of --room-size (10)",
        err.toString().strip());
  }

  @Test
  void anUnknownScenarioExits2ListingTheKnownOnes() {
    assertEquals(2, run("--scenario", "soak"));
    assertTrue(
        err.toString().contains("one of ingest, chat, fanout, connections, reconnect"),
        err.toString());
  }

  @Test
  void whenNothingListensTheRunExits1AndSaysTheConnectionsWereRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertEquals(
        1,
        run(
            "--scenario",
            "ingest",
            "--target",
            "127.0.0.1:" + port,
            "--connections",
            "3",
            "--duration",
            "1s",
            "--quiet"));
    assertTrue(
        err.toString().contains("3 of 3 connections failed {connect refused=3}"), err.toString());
    assertEquals("", out.toString(), "no table for a run that did not happen");
  }
}
