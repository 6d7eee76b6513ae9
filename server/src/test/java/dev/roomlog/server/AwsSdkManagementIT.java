package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.auth.scheme.ApiGatewayManagementApiAuthSchemeProvider;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ForbiddenException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GetConnectionResponse;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * The real AWS SDK for Java v2 ({@code ApiGatewayManagementApiClient}, signing with SigV4) as a
 * backend written for API Gateway would use it, with only its endpoint changed: two gateway nodes
 * with a stage on the real broker, the SDK at one, real WebSocket clients on the other (so each
 * call also goes through Kafka to the holder).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsSdkManagementIT {
  private static final String API_KEY = InProcessRoomlog.API_KEY;
  private static final String ACCESS_KEY_ID = "AKIDROOMLOGIT";
  private static final String SECRET = "it-secret-access-key-0123456789";
  private static final String STAGE = "production";

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Gateway sdkSide;
  private Gateway clientSide;

  @BeforeAll
  void startGateways() {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = SharedKafka.uniquePrefix();
    TopicSet topics = TopicSet.prefixed(prefix);
    TopicProvisioner.ensureTopics(bootstrap, topics, 3, (short) 1);
    sdkSide = gateway(bootstrap, topics, "gw-sdk-" + prefix);
    clientSide = gateway(bootstrap, topics, "gw-ws-" + prefix);
  }

  private Gateway gateway(String bootstrap, TopicSet topics, String id) {
    Gateway node =
        Gateway.start(
            bootstrap,
            topics,
            GatewaySettings.of(Set.of(API_KEY), id).toBuilder()
                .bindHost("127.0.0.1")
                .port(0)
                .adminPort(0)
                .adminKey("it-admin-key")
                .awsAccessKey(ACCESS_KEY_ID, SECRET)
                .set(GatewaySettings.STAGE, STAGE)
                .build());
    toClose.add(node);
    return node;
  }

  @AfterAll
  void stopGateways() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** The SDK's client as an API Gateway backend builds it; the endpoint is the only change. */
  private ApiGatewayManagementApiClient sdk(String secret) {
    return sdk(secret, Clock.systemUTC());
  }

  /** ... signing with {@code clock}, as a host whose clock is off would. */
  private ApiGatewayManagementApiClient sdk(String secret, Clock clock) {
    ApiGatewayManagementApiAuthSchemeProvider defaults =
        ApiGatewayManagementApiAuthSchemeProvider.defaultProvider();
    ApiGatewayManagementApiClient client =
        ApiGatewayManagementApiClient.builder()
            .authSchemeProvider(
                params ->
                    defaults.resolveAuthScheme(params).stream()
                        .map(
                            option ->
                                option.toBuilder()
                                    .putSignerProperty(HttpSigner.SIGNING_CLOCK, clock)
                                    .build())
                        .toList())
            .endpointOverride(
                URI.create("http://127.0.0.1:" + sdkSide.managementPort() + "/" + STAGE))
            .region(Region.EU_WEST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, secret)))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    toClose.add(client);
    return client;
  }

  @Test
  void postsToAConnectionDescribesItAndDeletesIt() {
    ApiGatewayManagementApiClient sdk = sdk(SECRET);
    try (WsClient alice = WsClient.connect(clientSide.port(), API_KEY)) {
      String id = alice.connectionId();
      Instant before = Instant.now().minusSeconds(60);

      sdk.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("from the SDK")));
      alice.awaitText("from the SDK");

      GetConnectionResponse info = sdk.getConnection(b -> b.connectionId(id));
      assertTrue(info.connectedAt().isAfter(before), "connectedAt " + info.connectedAt());
      assertFalse(info.lastActiveAt().isBefore(info.connectedAt()), info.toString());
      assertEquals("127.0.0.1", info.identity().sourceIp());
      assertTrue(info.identity().userAgent().startsWith("Java-http-client"), info.toString());

      sdk.deleteConnection(b -> b.connectionId(id));
      assertEquals(1000, alice.awaitCloseCode());

      GoneException gone =
          assertThrows(
              GoneException.class,
              () ->
                  sdk.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("?"))));
      assertEquals(410, gone.statusCode());
      assertThrows(GoneException.class, () -> sdk.getConnection(b -> b.connectionId(id)));
      assertThrows(GoneException.class, () -> sdk.deleteConnection(b -> b.connectionId(id)));
    }
  }

  @Test
  void aWrongSecretIsForbidden() {
    try (WsClient alice = WsClient.connect(clientSide.port(), API_KEY)) {
      ForbiddenException refused =
          assertThrows(
              ForbiddenException.class,
              () ->
                  sdk(SECRET + "-wrong")
                      .postToConnection(
                          b ->
                              b.connectionId(alice.connectionId())
                                  .data(SdkBytes.fromUtf8String("must not arrive"))));
      assertEquals(403, refused.statusCode());
      assertTrue(
          refused.awsErrorDetails().errorMessage().contains("signature does not match"),
          refused.getMessage());
      // The connection is still there and got nothing: a marker sent after arrives first.
      sdk(SECRET)
          .postToConnection(
              b -> b.connectionId(alice.connectionId()).data(SdkBytes.fromUtf8String("marker")));
      alice.awaitText("marker");
      assertEquals(
          2, alice.texts().size(), "the connected frame, then the marker: " + alice.texts());
    }
  }

  @Test
  void aSignatureTwentyMinutesOldIsRefused() {
    ApiGatewayManagementApiClient behind =
        sdk(SECRET, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20)));
    try (WsClient alice = WsClient.connect(clientSide.port(), API_KEY)) {
      ForbiddenException refused =
          assertThrows(
              ForbiddenException.class,
              () -> behind.getConnection(b -> b.connectionId(alice.connectionId())));
      assertTrue(
          refused.awsErrorDetails().errorMessage().startsWith("signature expired"),
          refused.getMessage());
      // The same call signed with the right time goes through.
      assertEquals(
          "127.0.0.1",
          sdk(SECRET)
              .getConnection(b -> b.connectionId(alice.connectionId()))
              .identity()
              .sourceIp());
    }
  }

  @Test
  void theDocsExampleSendsWithCredentialsFromTheEnvironmentAndForgetsAGoneConnection() {
    // The SDK's default credentials chain reads these system properties as it reads
    // AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (which a JVM cannot set for itself).
    System.setProperty("aws.accessKeyId", ACCESS_KEY_ID);
    System.setProperty("aws.secretAccessKey", SECRET);
    try (WsClient alice = WsClient.connect(clientSide.port(), API_KEY)) {
      URI endpoint = URI.create("http://127.0.0.1:" + sdkSide.managementPort() + "/" + STAGE);
      assertTrue(notify(endpoint, alice.connectionId(), "from the docs"));
      alice.awaitText("from the docs");
      alice.close();
      await("the connection gone")
          .atMost(WsClient.WAIT)
          .until(() -> !notify(endpoint, alice.connectionId(), "too late"));
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  // docs:start java-sdk
  /** Sends {@code text} to a client; false when it has gone. */
  static boolean notify(URI endpoint, String connectionId, String text) {
    try (ApiGatewayManagementApiClient api =
        ApiGatewayManagementApiClient.builder()
            .endpointOverride(endpoint) // http://gateway-1:8081/production: port and stage
            .region(Region.US_EAST_1) // any region: Roomlog has none
            .httpClient(UrlConnectionHttpClient.create())
            .build()) { // credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
      api.postToConnection(b -> b.connectionId(connectionId).data(SdkBytes.fromUtf8String(text)));
      return true;
    } catch (GoneException gone) {
      return false; // closed: forget its connection id
    }
  }
  // docs:end java-sdk
}
