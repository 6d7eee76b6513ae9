package dev.roomlog.loadtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.roomlog.loadtest.ChatProtocol.Incoming;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Socket.IO peer (bench/socketio/server.js, socket.io from npm as pinned in its lock file,
 * installed by the build's {@code npm ci}) driven through {@link SocketIoProtocol} by the JDK's
 * WebSocket client: the frames the load generator will see, from the real server.
 */
class SocketIoServerIT {
  private static final Pattern READY =
      Pattern.compile("listening on ws://[^:]+:(\\d+)/socket\\.io/");
  private static final Duration START = Duration.ofSeconds(30);

  private static final SocketIoProtocol PROTOCOL = new SocketIoProtocol();
  private static Process server;
  private static final List<String> output = new CopyOnWriteArrayList<>();
  private static int port;

  @BeforeAll
  static void startServer() throws Exception {
    assumeTrue(
        nodeAvailable(),
        "node is not on the PATH: the Socket.IO peer (bench/socketio) needs Node.js 20+");
    Path dir = projectHome().resolve("bench/socketio");
    assertTrue(
        Files.isDirectory(dir.resolve("node_modules/socket.io")),
        "socket.io is not installed in " + dir + ": the build runs 'npm ci' there before the ITs");
    // Port 0: the server picks a free one and prints it, so no other process can take it first.
    server =
        new ProcessBuilder("node", "server.js", "0")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    Thread reader = new Thread(SocketIoServerIT::collectOutput, "socketio-server-output");
    reader.setDaemon(true);
    reader.start();
    await()
        .atMost(START)
        .pollInterval(Duration.ofMillis(50))
        .alias("server.js printing its ready line; it printed: " + output)
        .until(() -> readyPort() > 0);
    port = readyPort();
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void twoClientsGetReadyJoinARoomAndBothReceiveAMessageSentInIt() {
    try (RecordingWebSocket alice = RecordingWebSocket.connect(PROTOCOL, "127.0.0.1", port);
        RecordingWebSocket bob = RecordingWebSocket.connect(PROTOCOL, "127.0.0.1", port)) {
      // Ready only comes after the client answered the open packet with "40".
      alice.awaitIncoming(Incoming.Ready.class, r -> true);
      bob.awaitIncoming(Incoming.Ready.class, r -> true);

      alice.send(PROTOCOL.createRoom("lobby", "alice", "c1"));
      Incoming.RoomJoined created =
          alice.awaitIncoming(Incoming.RoomJoined.class, j -> "c1".equals(j.requestId()));
      assertEquals("lobby", created.roomId());

      bob.send(PROTOCOL.joinRoom("lobby", "bob", "j1"));
      Incoming.RoomJoined joined =
          bob.awaitIncoming(Incoming.RoomJoined.class, j -> "j1".equals(j.requestId()));
      assertEquals("lobby", joined.roomId());

      String text = "t=" + System.nanoTime() + " \"quoted\"\n";
      alice.send(PROTOCOL.sendMessage("lobby", text, "m1"));
      Incoming.Message own = alice.awaitIncoming(Incoming.Message.class, m -> true);
      Incoming.Message theirs = bob.awaitIncoming(Incoming.Message.class, m -> true);
      assertEquals(new Incoming.Message("lobby", text, "m1"), own);
      assertEquals("lobby", theirs.roomId());
      assertEquals(text, theirs.text());
      assertNull(theirs.requestId(), "only the sender's copy carries its requestId");
    }
  }

  @Test
  void aRefusedRequestComesBackAsAnErrorWithItsRequestId() {
    try (RecordingWebSocket carol = RecordingWebSocket.connect(PROTOCOL, "127.0.0.1", port)) {
      carol.awaitIncoming(Incoming.Ready.class, r -> true);
      carol.send(PROTOCOL.sendMessage("not-joined", "hi", "e1"));
      Incoming.Error error = carol.awaitIncoming(Incoming.Error.class, e -> true);
      assertEquals(new Incoming.Error(403, "notMember", "e1"), error);
    }
  }

  private static int readyPort() {
    for (String line : output) {
      Matcher matcher = READY.matcher(line);
      if (matcher.find()) {
        return Integer.parseInt(matcher.group(1));
      }
    }
    return -1;
  }

  private static void collectOutput() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        output.add(line);
      }
    } catch (IOException e) {
      output.add("[output unreadable: " + e.getMessage() + "]");
    }
  }

  private static boolean nodeAvailable() {
    try {
      Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      return version.waitFor(10, TimeUnit.SECONDS) && version.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The repository's root: set by the build (roomlog.home), else the module's parent. */
  private static Path projectHome() {
    String home = System.getProperty("roomlog.home");
    Path path = home != null ? Path.of(home) : Path.of("").toAbsolutePath().getParent();
    assertNotNull(path, "cannot tell where the repository is: set -Droomlog.home");
    return path;
  }
}
