package dev.roomlog.server;

import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.TopicSet;
import java.nio.file.Path;

/**
 * What {@code roomlog dev} prints once everything is ready: where each part listens, the dev
 * credentials it made, and commands to try (wscat, curl, the AWS SDK, the log's console consumer).
 * Apart from {@link DevCommand}, which starts things, so each reads in one piece.
 */
final class DevBanner {
  private DevBanner() {}

  static void print(
      Path dataDir,
      String bootstrap,
      int port,
      GatewaySettings settings,
      int queryPort,
      int managementPort) {
    String url = (settings.tls() ? "wss" : "ws") + "://localhost:" + port + "/";
    String http = settings.adminTls() ? "https" : "http";
    String gatewayId = settings.gatewayId();
    String key = settings.apiKeys().get(0).secret();
    System.out.println();
    System.out.println("Roomlog dev is ready.");
    System.out.println("  Gateway     " + url + "  (gateway id " + gatewayId + ")");
    System.out.println(
        "  Kafka       " + bootstrap + "  (data in " + dataDir.toAbsolutePath() + ")");
    System.out.println("  API key     " + key);
    System.out.println(
        "  Admin key   "
            + settings.adminKey()
            + "  (header x-admin-key, or Authorization: Bearer)");
    if (managementPort >= 0) {
      System.out.println(
          "  Management  "
              + http
              + "://localhost:"
              + managementPort
              + "  (/@connections/{id}, /rooms, /rooms/{roomId}, /rooms/{roomId}/messages)");
      System.out.println(
          "  AWS SDK     AWS_ACCESS_KEY_ID="
              + settings.awsAccessKeys().get(0).id()
              + " AWS_SECRET_ACCESS_KEY="
              + settings.awsAccessKeys().get(0).secret()
              + "  (SigV4, any region; endpoint "
              + sdkEndpoint(settings, managementPort)
              + ")");
    }
    if (!"off".equals(settings.pages())) {
      System.out.println(
          "  Chat page   "
              + (settings.tls() ? "https" : "http")
              + "://localhost:"
              + port
              + "/chat/"
              + ("dev".equals(settings.pages())
                  ? "  (pick a name: the page gets a token for it)"
                  : "  (add ?token=<a user token> to the URL)"));
      if (managementPort >= 0) {
        System.out.println(
            "  Inspector   "
                + http
                + "://localhost:"
                + managementPort
                + "/inspector/  (asks for the admin key)");
      }
    }
    System.out.println(
        "  Rooms       http://localhost:"
            + queryPort
            + "/rooms  (the processor's query port, which the management API forwards to)");
    if (settings.tls()) {
      System.out.println(
          "  TLS         "
              + settings.tlsCertFile().toAbsolutePath()
              + "  (self-signed unless you gave your own: trust it in your client, e.g."
              + " NODE_EXTRA_CA_CERTS for wscat, curl --cacert)");
    }
    System.out.println(
        "  Metrics     "
            + (settings.tls() ? "https" : "http")
            + "://localhost:"
            + port
            + "/metrics  (Prometheus; the same on http://localhost:"
            + queryPort
            + "/metrics)");
    System.out.println();
    System.out.println("Chat from another terminal:");
    System.out.println(
        "  "
            + (settings.tls()
                ? "NODE_EXTRA_CA_CERTS=" + settings.tlsCertFile().toAbsolutePath() + " "
                : "")
            + "npx wscat -c "
            + url
            + " -H \"x-api-key: "
            + key
            + "\"");
    System.out.println("  > {\"action\":\"createRoom\",\"username\":\"test1\"}");
    if (settings.tokenSecret() != null) {
      System.out.println(
          "Or as a user with a signed token, as a browser page does (--rooms, --ttl: ./roomlog token"
              + " --help):");
      System.out.println(
          "  "
              + (settings.tls()
                  ? "NODE_EXTRA_CA_CERTS=" + settings.tlsCertFile().toAbsolutePath() + " "
                  : "")
              + "npx wscat -c \""
              + url
              + "?token=$(./roomlog token --sub alice --name Alice --data-dir "
              + dataDir
              + ")\"");
      System.out.println("  > {\"action\":\"createRoom\"}");
    }
    System.out.println("Look at the rooms:");
    System.out.println(
        "  curl -H \"x-admin-key: "
            + settings.adminKey()
            + "\" "
            + (managementPort >= 0
                ? curlBase(settings, managementPort)
                : "http://localhost:" + queryPort)
            + "/rooms");
    if (managementPort >= 0) {
      System.out.println(
          "Post into a room as the server, or to one connection (its id is in its connected frame):");
      System.out.println(
          "  curl -H \"x-admin-key: "
              + settings.adminKey()
              + "\" -d '{\"text\":\"hello from the server\"}' "
              + curlBase(settings, managementPort)
              + "/rooms/ROOM_ID/messages");
      System.out.println(
          "  curl -H \"x-admin-key: "
              + settings.adminKey()
              + "\" -d 'hello' "
              + curlBase(settings, managementPort)
              + "/@connections/CONNECTION_ID");
    }
    if (managementPort >= 0) {
      System.out.println(
          "Or from a backend written for API Gateway, with the AWS SDK for JavaScript:");
      System.out.println(
          "  npm i @aws-sdk/client-apigatewaymanagementapi && AWS_REGION=us-east-1"
              + " AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node -e 'const m ="
              + " require(\"@aws-sdk/client-apigatewaymanagementapi\"); new"
              + " m.ApiGatewayManagementApiClient({ endpoint: \""
              + sdkEndpoint(settings, managementPort)
              + "\" }).send(new m.PostToConnectionCommand({ ConnectionId: process.argv[1],"
              + " Data: \"hello\" }))' CONNECTION_ID");
    }
    System.out.println("Read the write-ahead log:");
    System.out.println(
        "  bin/kafka-console-consumer --bootstrap-server "
            + bootstrap
            + " --topic "
            + TopicSet.DEFAULT.actions().name()
            + " --from-beginning --property print.key=true");
    System.out.println("Ctrl-C stops everything.");
    System.out.flush();
  }

  /** The AWS SDK's endpoint: the management API, under the stage when there is one. */
  private static String sdkEndpoint(GatewaySettings settings, int managementPort) {
    return (settings.adminTls() ? "https" : "http")
        + "://localhost:"
        + managementPort
        + (settings.stage() == null ? "" : "/" + settings.stage());
  }

  /** The management API's base URL for curl, trusting the dev certificate when it is https. */
  private static String curlBase(GatewaySettings settings, int managementPort) {
    return settings.adminTls()
        ? "--cacert "
            + settings.tlsCertFile().toAbsolutePath()
            + " https://localhost:"
            + managementPort
        : "http://localhost:" + managementPort;
  }
}
