package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.settings.GatewaySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class GatewayOptionsTest {
  @Command(name = "test")
  static final class Holder {
    @Mixin GatewayOptions gateway;
  }

  private static GatewayOptions parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.gateway;
  }

  @Test
  void everySettingHasAnEnvironmentVariableNamedAfterIt() {
    assertEquals(
        "ROOMLOG_GATEWAY_MAX_CONNECTIONS_PER_IP",
        GatewaySettings.environmentVariable(GatewaySettings.MAX_CONNECTIONS_PER_IP));
    assertEquals(
        "ROOMLOG_GATEWAY_ID", GatewaySettings.environmentVariable(GatewaySettings.GATEWAY_ID));

    Map<String, String> props =
        parse().properties(Map.of("ROOMLOG_GATEWAY_IDLE_TIMEOUT", "5m", "UNRELATED", "x"));

    assertEquals(Map.of(GatewaySettings.IDLE_TIMEOUT, "5m"), props);
  }

  @Test
  void laterSourcesWinFileThenEnvironmentThenSetThenFlags(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gateway.properties");
    Files.writeString(
        file,
        "roomlog.gateway.maxConnections=100\nroomlog.gateway.idleTimeout=1m\nroomlog.gateway.port=9000\n"
            + "roomlog.gateway.pingInterval=20s\n");

    Map<String, String> props =
        parse(
                "--gateway-config",
                file.toString(),
                "--set",
                "roomlog.gateway.idleTimeout=3m",
                "--set",
                "roomlog.gateway.port=9001",
                "--port",
                "9002")
            .properties(
                Map.of(
                    "ROOMLOG_GATEWAY_MAX_CONNECTIONS",
                    "200",
                    "ROOMLOG_GATEWAY_IDLE_TIMEOUT",
                    "2m"));

    assertEquals("200", props.get(GatewaySettings.MAX_CONNECTIONS));
    assertEquals("3m", props.get(GatewaySettings.IDLE_TIMEOUT));
    assertEquals("9002", props.get(GatewaySettings.PORT));
    assertEquals("20s", props.get(GatewaySettings.PING_INTERVAL));
  }

  @Test
  void aMistypedSettingNameIsAnErrorNotIgnored(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gateway.properties");
    Files.writeString(file, "roomlog.gateway.maxConnection=100\n");

    String fromFile =
        assertThrows(
                IllegalArgumentException.class,
                () -> parse("--gateway-config", file.toString()).properties(Map.of()))
            .getMessage();
    String fromSet =
        assertThrows(
                IllegalArgumentException.class,
                () -> parse("--set", "roomlog.gateway.idle=1m").properties(Map.of()))
            .getMessage();

    assertTrue(fromFile.contains("roomlog.gateway.maxConnection"), fromFile);
    assertTrue(fromSet.contains("roomlog.gateway.idle"), fromSet);
  }

  @Test
  void namedKeysFromFlagsReachTheSettings() {
    GatewaySettings settings =
        parse("--api-key", "web:s1,mobile:s2", "--gateway-id", "gw-9", "--admin-key", "adm")
            .settings(java.util.List.of());

    assertEquals("web", settings.apiKeys().get(0).name());
    assertEquals("s2", settings.apiKeys().get(1).secret());
    assertEquals("gw-9", settings.gatewayId());
    assertEquals("adm", settings.adminKey());
  }

  @Test
  void theTokenSecretFlagReachesTheSettings() {
    String secret = "a-token-secret-of-32-bytes-or-more!!";
    GatewaySettings settings =
        parse("--api-key", "web:s1", "--token-secret", secret).settings(java.util.List.of());
    assertEquals(secret, settings.tokenSecret());
  }
}
