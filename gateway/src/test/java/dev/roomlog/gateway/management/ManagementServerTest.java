package dev.roomlog.gateway.management;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.connection.ConnectionRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The management server's own bounds, over real sockets: what it refuses from the request's head
 * alone (before reading a body), answers in request order on a pipelining connection, and the cap
 * on open sockets. The gateway "gw-a" holds no connections; requests for "gw-b"'s are never
 * answered (its 300 ms timeout gives 504).
 */
class ManagementServerTest {
  private static final String KEY = "admin-s3cret";

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final List<Socket> sockets = new ArrayList<>();
  private ManagementServer server;

  @BeforeEach
  void start() {
    ConnectionCommands commands =
        new ConnectionCommands(
            "gw-a",
            new ConnectionRegistry(),
            (gatewayId, message, onFailure) -> {},
            timers,
            Duration.ofMillis(300),
            Clock.systemUTC());
    server =
        new ManagementServer("127.0.0.1", 0, new ManagementApi(null, KEY, commands, null), null);
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    server.close();
    timers.shutdownNow();
  }

  private Socket open() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    sockets.add(socket);
    return socket;
  }

  /** Everything the server sends until it closes the socket. */
  private static String readToEnd(Socket socket) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    socket.getInputStream().transferTo(all);
    return all.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aRequestWithoutTheKeyIsAnsweredFromItsHeadAndItsDeclaredBodyIsNeverRead() throws Exception {
    Socket socket = open();
    // A megabyte declared, none sent: the answer must come anyway, and the socket close.
    socket
        .getOutputStream()
        .write(
            ("POST /@connections/gw-a.u1 HTTP/1.1\r\nHost: x\r\nx-admin-key: guess\r\nContent-Length: 1048576\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));

    String response = readToEnd(socket);

    assertTrue(response.startsWith("HTTP/1.1 403 "), response);
    assertTrue(response.contains("\"code\":\"forbidden\""), response);
  }

  /** Sends one request (no body) on a new socket and reads until the server closes it. */
  private String exchange(String requestLine, String... headers) throws IOException {
    StringBuilder request = new StringBuilder(requestLine).append("\r\nHost: x\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    Socket socket = open();
    socket
        .getOutputStream()
        .write(
            request
                .append("Connection: close\r\n\r\n")
                .toString()
                .getBytes(StandardCharsets.US_ASCII));
    return readToEnd(socket);
  }

  @Test
  void aRepeatedAdminKeyIsRefusedAs400AmbiguousWhicheverValueIsRight() throws Exception {
    // A connection id no gateway holds: a request that got past the key would be 410 gone.
    String target = "GET /@connections/gw-a.u1 HTTP/1.1";
    for (String[] headers :
        List.of(
            new String[] {"x-admin-key: " + KEY, "x-admin-key: wrong"},
            new String[] {"x-admin-key: wrong", "x-admin-key: " + KEY},
            new String[] {"Authorization: Bearer " + KEY, "Authorization: Bearer wrong"},
            new String[] {"x-admin-key: " + KEY, "Authorization: Bearer wrong"})) {
      String response = exchange(target, headers);

      assertTrue(
          response.startsWith("HTTP/1.1 400 "), String.join(", ", headers) + ": " + response);
      assertTrue(response.contains("\"code\":\"ambiguousAdminKey\""), response);
    }
    assertTrue(
        exchange(target, "x-admin-key: " + KEY).startsWith("HTTP/1.1 410 "), "one key is fine");
  }

  @ParameterizedTest
  @ValueSource(strings = {"get", "Get", "post", "delete", "FOO"})
  void aMethodNotSpelledAsRfc9110SpellsItIsNotImplemented501(String method) throws Exception {
    String response = exchange(method + " /@connections/gw-a.u1 HTTP/1.1", "x-admin-key: " + KEY);

    assertTrue(response.startsWith("HTTP/1.1 501 "), response);
    assertTrue(response.contains("\"code\":\"methodNotImplemented\""), response);
  }

  @Test
  void aDeclaredBodyPastTheLimitIsRefusedWithJson413BeforeItIsRead() throws Exception {
    Socket socket = open();
    socket
        .getOutputStream()
        .write(
            ("POST /@connections/gw-a.u1 HTTP/1.1\r\nHost: x\r\nx-admin-key: "
                    + KEY
                    + "\r\nContent-Length: "
                    + (ManagementApi.MAX_SEND_BYTES + 1)
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));

    String response = readToEnd(socket);

    assertTrue(response.startsWith("HTTP/1.1 413 "), response);
    assertTrue(response.contains("\"code\":\"payloadTooLarge\""), response);
  }

  @Test
  void pipelinedRequestsAreAnsweredInTheOrderTheyCameThoughTheSecondIsReadyFirst()
      throws Exception {
    Socket socket = open();
    String slow =
        "GET /@connections/gw-b.u1 HTTP/1.1\r\nHost: x\r\nx-admin-key: " + KEY + "\r\n\r\n";
    String fast =
        "GET /@connections/gw-a.u2 HTTP/1.1\r\nHost: x\r\nx-admin-key: "
            + KEY
            + "\r\nConnection: close\r\n\r\n";
    socket.getOutputStream().write((slow + fast).getBytes(StandardCharsets.US_ASCII));

    String responses = readToEnd(socket);

    int first = responses.indexOf("HTTP/1.1 ");
    int second = responses.indexOf("HTTP/1.1 ", first + 1);
    assertTrue(second > 0, responses);
    assertTrue(
        responses.startsWith("HTTP/1.1 504 ", first), "the slow one's answer first: " + responses);
    assertTrue(responses.startsWith("HTTP/1.1 410 ", second), responses);
  }

  @Test
  void socketsPastTheCapAreClosedAtOnceWhileTheOthersAreServed() throws Exception {
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < ManagementServer.MAX_CONNECTIONS; i++) {
      held.add(open());
    }
    // One event loop sets the accepted sockets up in order: this one comes after all of them.
    Socket extra = open();
    InputStream in = extra.getInputStream();
    assertEquals(-1, in.read(), "the socket past the cap is closed without an answer");

    Socket first = held.get(0);
    first
        .getOutputStream()
        .write(
            ("GET /@connections/gw-a.u3 HTTP/1.1\r\nHost: x\r\nx-admin-key: "
                    + KEY
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    assertTrue(readToEnd(first).startsWith("HTTP/1.1 410 "));

    // Once sockets close, there is room again.
    for (Socket socket : held) {
      socket.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              try (Socket again = new Socket("127.0.0.1", server.port())) {
                again.setSoTimeout(5_000);
                again
                    .getOutputStream()
                    .write(
                        ("GET /@connections/gw-a.u4 HTTP/1.1\r\nHost: x\r\nx-admin-key: "
                                + KEY
                                + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                return readToEnd(again).startsWith("HTTP/1.1 410 ");
              } catch (IOException e) {
                return false;
              }
            });
  }
}
