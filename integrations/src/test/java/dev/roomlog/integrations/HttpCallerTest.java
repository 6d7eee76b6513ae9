package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HttpCaller against a real HTTP server on loopback: an answer's body is kept up to the limit and
 * not read past it, and a receiver that never finishes its body does not hold the call past the
 * timeout.
 */
class HttpCallerTest {
  private HttpServer server;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/at-limit", exchange -> answer(exchange, HttpCaller.MAX_ANSWER_BYTES));
    server.createContext(
        "/past-limit", exchange -> answer(exchange, HttpCaller.MAX_ANSWER_BYTES + 1));
    server.createContext(
        "/endless",
        exchange -> {
          // Chunked, and never finished: 64 KiB a chunk until the test ends.
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            byte[] chunk = new byte[64 * 1024];
            while (release.getCount() > 0) {
              out.write(chunk);
              out.flush();
            }
          } catch (IOException dropped) {
            // the caller stopped reading and closed the connection: what is expected
          }
        });
    server.createContext(
        "/drip",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write('{');
            out.flush();
            release.await(30, TimeUnit.SECONDS);
          } catch (IOException | InterruptedException dropped) {
            // the test is over
          }
        });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, int size)
      throws IOException {
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'a');
    exchange.sendResponseHeaders(200, size);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private Answer call(String path, Duration timeout) {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    Call call = new Call("t", url, "k", "idem-1", new byte[] {'{', '}'}, Map.of(), true);
    return new HttpCaller(timeout).call(call).orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  void anAnswerBodyOfExactlyTheLimitIsKept() {
    Answer a = call("/at-limit", Duration.ofSeconds(10));
    assertEquals(200, a.status());
    assertEquals(HttpCaller.MAX_ANSWER_BYTES, a.body().length);
    byte[] expected = new byte[HttpCaller.MAX_ANSWER_BYTES];
    Arrays.fill(expected, (byte) 'a');
    assertArrayEquals(expected, a.body());
  }

  @Test
  void anAnswerBodyOneBytePastTheLimitIsNoAnswer() {
    Answer a = call("/past-limit", Duration.ofSeconds(10));
    assertEquals(0, a.status());
    assertTrue(a.error().contains("over " + HttpCaller.MAX_ANSWER_BYTES), a.error());
  }

  @Test
  void anEndlessAnswerBodyIsNotReadPastTheLimit() {
    Answer a = call("/endless", Duration.ofSeconds(10));
    assertEquals(0, a.status());
    assertTrue(a.error().contains("over " + HttpCaller.MAX_ANSWER_BYTES), a.error());
  }

  @Test
  void anAnswerWhoseBodyNeverEndsIsNoAnswerOnceTheTimeoutIsUp() {
    Answer a = call("/drip", Duration.ofMillis(500));
    assertEquals(0, a.status());
    assertTrue(a.error().contains("no answer within"), a.error());
  }
}
