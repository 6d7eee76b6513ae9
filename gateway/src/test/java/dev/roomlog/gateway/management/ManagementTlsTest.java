package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.tls.TestCertificates;
import dev.roomlog.gateway.tls.TlsContextWatcher;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The management API over https, with the WebSocket port's certificate, and plain HTTP refused. */
class ManagementTlsTest {
  private static final String KEY = "admin-s3cret";

  @TempDir Path dir;

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private ManagementServer server;

  @AfterEach
  void stop() {
    server.close();
    timers.shutdownNow();
  }

  private TestCertificates.Pair start() {
    TestCertificates.Pair pair = TestCertificates.write(dir, "server", "localhost");
    ConnectionCommands commands =
        new ConnectionCommands(
            "gw-a",
            new ConnectionRegistry(),
            (gatewayId, message, onFailure) -> {},
            timers,
            Duration.ofMillis(300),
            Clock.systemUTC());
    server =
        new ManagementServer(
            "127.0.0.1",
            0,
            new ManagementApi(null, KEY, commands, null),
            new TlsContextWatcher(pair.certFile(), pair.keyFile()));
    server.start();
    return pair;
  }

  @Test
  void answersOverHttps() throws Exception {
    TestCertificates.Pair pair = start();
    HttpClient client = HttpClient.newBuilder().sslContext(pair.trustingClient()).build();
    // A connection id no gateway holds, past the key: 410 gone.
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("https://localhost:" + server.port() + "/@connections/gw-a.nobody"))
            .header("x-admin-key", KEY)
            .timeout(Duration.ofSeconds(10))
            .build();

    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

    assertEquals(410, response.statusCode(), response.body());
    assertEquals(HttpClient.Version.HTTP_1_1, response.version());
  }

  @Test
  void aPlainHttpRequestGetsNoAnswerAndItsSocketIsClosed() throws Exception {
    start();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /@connections/gw-a.nobody HTTP/1.1\r\nHost: x\r\nx-admin-key: "
                      + KEY
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));

      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertFalse(answer.contains("HTTP/1.1"), "no plain HTTP answer: " + answer);
    }
  }
}
