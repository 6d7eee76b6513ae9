package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.Checkout;
import dev.roomlog.systemtest.ChildProcess;
import dev.roomlog.systemtest.WsClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;

/**
 * The README's promise, kept by the real programs: {@code roomlog dev} (the built jar, in its own
 * JVM, embedded Kafka included) and the real wscat from npm.
 */
class DevCommandIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final String KEY = "dev-it-key";

  @TempDir Path dataDir;

  @Test
  void wscatChatsWithRoomlogDevAndRoomsSurviveARestartOfTheWholeThing() throws Exception {
    int port = freePort();
    int kafkaPort = freePort();
    String roomId;
    // Made with the partitions of earlier versions' default; the restart below names none, and
    // must keep them (a topic's partitions cannot change once it holds rooms).
    try (ChildProcess dev = startDev(port, kafkaPort, "--partitions", "3")) {
      String hint = dev.awaitLine("wscat -c", START);
      assertTrue(hint.contains("ws://localhost:" + port + "/"), hint);

      try (ChildProcess wscat = wscat(port, KEY)) {
        JsonNode connected = frameIn(wscat.awaitLine("\"connected\"", WsClient.WAIT));
        assertTrue(connected.get("connectionId").asText().length() > 0);

        wscat.writeLine("{\"action\":\"createRoom\",\"username\":\"test1\",\"requestId\":\"w1\"}");
        JsonNode created = frameIn(wscat.awaitLine("\"roomCreated\"", WsClient.WAIT));
        roomId = created.get("roomId").asText();
        assertEquals("w1", created.get("requestId").asText());

        wscat.writeLine(
            "{\"action\":\"sendMessage\",\"roomId\":\""
                + roomId
                + "\",\"text\":\"kept\",\"requestId\":\"w2\"}");
        JsonNode message = frameIn(wscat.awaitLine("\"w2\"", WsClient.WAIT));
        assertEquals("message", message.get("type").asText());
        assertEquals("test1", message.get("from").asText());

        // The management API, as the banner gives it: its URL and the admin key.
        String adminKey = dev.awaitLine("  Admin key ", START).strip().split("\\s+")[2];
        String management = dev.awaitLine("  Management ", START).strip().split("\\s+")[1];
        HttpResponse<String> posted =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create(management + "/rooms/" + roomId + "/messages"))
                        .header("x-admin-key", adminKey)
                        .POST(
                            HttpRequest.BodyPublishers.ofString("{\"text\":\"from the backend\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertEquals(201, posted.statusCode(), posted.body());
        JsonNode fromServer = frameIn(wscat.awaitLine("from the backend", WsClient.WAIT));
        assertEquals("server", fromServer.get("from").asText());
        assertEquals(
            4, fromServer.get("seq").asLong(), "after roomCreated, the join and the message");
        HttpResponse<String> room =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(management + "/rooms/" + roomId))
                        .header("x-admin-key", adminKey)
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertEquals(
            200, room.statusCode(), "the same base URL answers room queries: " + room.body());
        assertEquals(4, Json.MAPPER.readTree(room.body()).get("seq").asLong(), room.body());

        // The dev access key pair, as the banner gives it, with the real AWS SDK.
        String[] aws = dev.awaitLine("  AWS SDK ", START).strip().split("\\s+");
        assertTrue(aws[2].startsWith("AWS_ACCESS_KEY_ID=AKIA"), aws[2]);
        try (ApiGatewayManagementApiClient sdk =
            ApiGatewayManagementApiClient.builder()
                .endpointOverride(URI.create(management))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(
                            aws[2].substring("AWS_ACCESS_KEY_ID=".length()),
                            aws[3].substring("AWS_SECRET_ACCESS_KEY=".length()))))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
          sdk.postToConnection(
              b ->
                  b.connectionId(connected.get("connectionId").asText())
                      .data(SdkBytes.fromUtf8String("from the AWS SDK")));
        }
        wscat.awaitLine("from the AWS SDK", WsClient.WAIT);
      }

      // As the banner says: a user token from `roomlog token`, signed with the dev secret the
      // running dev gateway checks, carried as ?token= the way a browser page must.
      assertTrue(dev.awaitLine("?token=$(./roomlog token", START).contains("--data-dir"));
      String token;
      try (ChildProcess tokenCommand = roomlog("token", "--sub", "u-alice", "--name", "Alice")) {
        assertEquals(0, tokenCommand.awaitExit(WsClient.WAIT), tokenCommand.lines().toString());
        assertEquals(1, tokenCommand.lines().size(), "the token alone on stdout");
        token = tokenCommand.lines().get(0).strip();
      }
      try (ChildProcess alice = wscatTo("ws://127.0.0.1:" + port + "/?token=" + token, List.of())) {
        alice.awaitLine("\"connected\"", WsClient.WAIT);
        alice.writeLine(
            "{\"action\":\"joinRoom\",\"roomId\":\"" + roomId + "\",\"requestId\":\"t1\"}");
        JsonNode joined = frameIn(alice.awaitLine("\"t1\"", WsClient.WAIT));
        assertEquals("joined", joined.get("type").asText(), joined.toString());
        List<String> names = new ArrayList<>();
        joined.get("members").forEach(m -> names.add(m.get("username").asText()));
        assertTrue(names.contains("Alice"), "the token's name is the username: " + names);
      }

      // The chat page, as the banner gives it, and the dev token it asks for a name: a token the
      // gateway takes, naming the user as asked.
      String chatPage = dev.awaitLine("  Chat page ", START).strip().split("\\s+")[2];
      assertEquals("http://localhost:" + port + "/chat/", chatPage);
      HttpResponse<String> page =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(chatPage)).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("<title>Roomlog chat</title>"), page.body());
      HttpResponse<String> devToken =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(chatPage + "dev-token?name=Bob")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, devToken.statusCode(), devToken.body());
      String bobToken = Json.MAPPER.readTree(devToken.body()).get("token").asText();
      try (WsClient bob =
          WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?token=" + bobToken))) {
        bob.sendAction("joinRoom", "roomId", roomId, "requestId", "p1");
        JsonNode joined = bob.awaitAnswer("p1");
        assertEquals("joined", joined.get("type").asText(), joined.toString());
        assertTrue(joined.toString().contains("\"username\":\"Bob\""), joined.toString());
      }

      try (ChildProcess refused = wscat(port, "not-the-key")) {
        assertNotEquals(0, refused.awaitExit(WsClient.WAIT));
        assertTrue(String.join("\n", refused.lines()).contains("401"), refused.lines().toString());
      }

      // SIGTERM, as Ctrl-C or a service manager would send: everything closes in order (the
      // shutdown hook says so last), and the JVM ends within the deadline.
      dev.stop(Duration.ofSeconds(60));
      dev.awaitLine("Roomlog dev stopped.", Duration.ofSeconds(1));
    }

    try (ChildProcess again = startDev(port, kafkaPort)) {
      again.awaitLine("wscat -c", START);
      try (WsClient bob = WsClient.connect(port, KEY)) {
        bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j");
        JsonNode joined = bob.awaitAnswer("j");
        assertEquals("joined", joined.get("type").asText(), joined.toString());
        List<String> history = new ArrayList<>();
        joined.get("history").forEach(m -> history.add(m.get("text").asText()));
        assertEquals(
            List.of("kept", "from the backend"), history, "the server's post is history too");
      }
    }
  }

  private ChildProcess startDev(int port, int kafkaPort, String... extra) {
    Path jar = Checkout.root().resolve("server/target/roomlog.jar");
    assertTrue(Files.exists(jar), "the build makes " + jar);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> line =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx512m",
                "-jar",
                jar.toString(),
                "dev",
                "--data-dir",
                dataDir.toString(),
                "--port",
                String.valueOf(port),
                "--kafka-port",
                String.valueOf(kafkaPort),
                "--controller-port",
                "0",
                "--query-port",
                "0",
                "--admin-port",
                "0",
                "--api-key",
                KEY));
    line.addAll(List.of(extra));
    return ChildProcess.start("roomlog-dev", line);
  }

  /**
   * wscat's readline prompt ("> ") can stand before a received frame when its input is not a
   * terminal; the frame is the JSON from the first brace on.
   */
  private static JsonNode frameIn(String line) throws Exception {
    return Json.MAPPER.readTree(line.substring(line.indexOf('{')));
  }

  private static ChildProcess wscat(int port, String key) {
    return wscatTo("ws://127.0.0.1:" + port + "/", List.of("-H", "x-api-key: " + key));
  }

  private static ChildProcess wscatTo(String url, List<String> flags) {
    Path wscat = Checkout.root().resolve("tools/node_modules/.bin/wscat");
    assertTrue(Files.exists(wscat), "the build installs wscat from npm into " + wscat);
    List<String> command = new ArrayList<>(List.of(wscat.toString(), "-c", url));
    command.addAll(flags);
    return ChildProcess.start("wscat", command);
  }

  /** Another roomlog command, from the same jar, on this test's data directory. */
  private ChildProcess roomlog(String command, String... args) {
    Path jar = Checkout.root().resolve("server/target/roomlog.jar");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> line =
        new ArrayList<>(
            List.of(java, "-jar", jar.toString(), command, "--data-dir", dataDir.toString()));
    line.addAll(List.of(args));
    return ChildProcess.start("roomlog-" + command, line);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
