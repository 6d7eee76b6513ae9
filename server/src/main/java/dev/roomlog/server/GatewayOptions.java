package dev.roomlog.server;

import dev.roomlog.gateway.GatewaySettings;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The gateway's flags, each with its environment variable. */
final class GatewayOptions {
  @Option(
      names = "--port",
      defaultValue = "${env:ROOMLOG_PORT:-8080}",
      description = "WebSocket port; 0 picks a free one (env ROOMLOG_PORT; default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "${env:ROOMLOG_BIND:-0.0.0.0}",
      description = "Address the WebSocket server listens on (env ROOMLOG_BIND; default ${DEFAULT-VALUE}).")
  String bindHost;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      split = ",",
      defaultValue = "${env:ROOMLOG_API_KEYS:-}",
      description = "An API key clients must send in the x-api-key header; repeat or separate with commas for several (env ROOMLOG_API_KEYS).")
  List<String> apiKeys = new ArrayList<>();

  @Option(
      names = "--gateway-id",
      defaultValue = "${env:ROOMLOG_GATEWAY_ID:-}",
      description = "This gateway node's id, unique in the cluster (env ROOMLOG_GATEWAY_ID; default a random id per start).")
  String gatewayId;

  Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    for (String key : apiKeys) {
      if (!key.isBlank()) {
        keys.add(key.strip());
      }
    }
    return keys;
  }

  GatewaySettings settings(Set<String> keys) {
    String id = gatewayId == null || gatewayId.isBlank() ? randomGatewayId() : gatewayId;
    return GatewaySettings.of(keys, id).withBindHost(bindHost).withPort(port);
  }

  private static String randomGatewayId() {
    byte[] bytes = new byte[6];
    new SecureRandom().nextBytes(bytes);
    return "gw-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
