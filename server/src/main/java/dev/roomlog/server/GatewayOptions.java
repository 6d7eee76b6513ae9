package dev.roomlog.server;

import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The gateway's flags. Every gateway setting ({@link GatewaySettings#PROPERTY_NAMES}) can be given
 * four ways; a later one wins: a properties file ({@code --gateway-config}), an environment
 * variable ({@code ROOMLOG_GATEWAY_MAX_CONNECTIONS} for {@code roomlog.gateway.maxConnections}),
 * {@code --set NAME=VALUE}, and the named flags below. An unknown setting name is an error, so a
 * typo is not silently ignored.
 */
// The named flags' descriptions and the list of every setting --help ends with come from the
// declarations in GatewaySettings (see SettingFlags.Transformer).
@Command(modelTransformer = SettingFlags.Transformer.class)
final class GatewayOptions {
  @Option(names = "--port", defaultValue = "${env:ROOMLOG_PORT}")
  Integer port;

  @Option(names = "--admin-port", defaultValue = "${env:ROOMLOG_ADMIN_PORT}")
  Integer adminPort;

  @Option(names = "--bind-host", defaultValue = "${env:ROOMLOG_BIND_HOST}")
  String bindHost;

  /** The earlier name of --bind-host; still read, with a warning. */
  @Option(names = "--bind", defaultValue = "${env:ROOMLOG_BIND}", hidden = true)
  String bindHostByOldName;

  @Option(
      names = "--api-key",
      paramLabel = "NAME:SECRET",
      split = ",",
      defaultValue = "${env:ROOMLOG_API_KEYS:-}")
  List<String> apiKeys = new ArrayList<>();

  @Option(
      names = "--api-keys-file",
      paramLabel = "FILE",
      defaultValue = "${env:ROOMLOG_API_KEYS_FILE}")
  Path apiKeysFile;

  @Option(names = "--admin-key", defaultValue = "${env:ROOMLOG_ADMIN_KEY}")
  String adminKey;

  @Option(
      names = "--aws-access-keys",
      paramLabel = "ID:SECRET",
      defaultValue = "${env:ROOMLOG_AWS_ACCESS_KEYS}")
  String awsAccessKeys;

  @Option(names = "--token-secret", defaultValue = "${env:ROOMLOG_TOKEN_SECRET}")
  String tokenSecret;

  @Option(names = "--gateway-id", defaultValue = "${env:ROOMLOG_GATEWAY_ID}")
  String gatewayId;

  @Option(
      names = "--tls-cert-file",
      paramLabel = "FILE",
      defaultValue = "${env:ROOMLOG_TLS_CERT_FILE}")
  Path tlsCertFile;

  @Option(
      names = "--tls-key-file",
      paramLabel = "FILE",
      defaultValue = "${env:ROOMLOG_TLS_KEY_FILE}")
  Path tlsKeyFile;

  @Option(
      names = "--gateway-config",
      paramLabel = "FILE",
      defaultValue = "${env:ROOMLOG_GATEWAY_CONFIG}",
      description =
          "A properties file of gateway settings (roomlog.gateway.*; see docs/OPERATIONS.md) (env ROOMLOG_GATEWAY_CONFIG).")
  Path configFile;

  @Option(
      names = "--set",
      paramLabel = "NAME=VALUE",
      description =
          "Sets one gateway setting, e.g. --set roomlog.gateway.maxConnections=20000; repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** True if a client key was given by any means. */
  boolean hasClientKeys() {
    Map<String, String> props = properties(System.getenv());
    return !props.getOrDefault(GatewaySettings.API_KEYS, "").isBlank()
        || props.containsKey(GatewaySettings.API_KEYS_FILE);
  }

  /**
   * The settings from every source. {@code fallbackKeys} (may be empty) are used only when no
   * client key was configured, as {@code roomlog dev} does with its generated key.
   */
  GatewaySettings settings(List<ApiKey> fallbackKeys) {
    Map<String, String> props = properties(System.getenv());
    if (props.getOrDefault(GatewaySettings.API_KEYS, "").isBlank()
        && !props.containsKey(GatewaySettings.API_KEYS_FILE)) {
      List<String> entries = fallbackKeys.stream().map(k -> k.name() + ":" + k.secret()).toList();
      props.put(GatewaySettings.API_KEYS, String.join(",", entries));
    }
    props.putIfAbsent(GatewaySettings.GATEWAY_ID, randomGatewayId());
    deprecations().forEach(LoggerFactory.getLogger(GatewayOptions.class)::warn);
    return GatewaySettings.fromProperties(props);
  }

  /** The merged properties, lowest precedence first; {@code env} is the process environment. */
  Map<String, String> properties(Map<String, String> env) {
    Map<String, String> props = new HashMap<>();
    if (configFile != null) {
      putChecked(props, readProperties(configFile), "in " + configFile);
    }
    for (String name : GatewaySettings.PROPERTY_NAMES) {
      String value = env.get(GatewaySettings.environmentVariable(name));
      if (value != null && !value.isBlank()) {
        props.put(name, value);
      }
    }
    putChecked(props, overrides, "given with --set");
    putIfSet(props, GatewaySettings.PORT, port == null ? null : port.toString());
    putIfSet(props, GatewaySettings.ADMIN_PORT, adminPort == null ? null : adminPort.toString());
    putIfSet(props, GatewaySettings.BIND_HOST, bindHost != null ? bindHost : bindHostByOldName);
    List<String> keys = apiKeys.stream().filter(k -> !k.isBlank()).map(String::strip).toList();
    putIfSet(props, GatewaySettings.API_KEYS, keys.isEmpty() ? null : String.join(",", keys));
    putIfSet(
        props, GatewaySettings.API_KEYS_FILE, apiKeysFile == null ? null : apiKeysFile.toString());
    putIfSet(props, GatewaySettings.ADMIN_KEY, adminKey);
    putIfSet(props, GatewaySettings.AWS_ACCESS_KEYS, awsAccessKeys);
    putIfSet(props, GatewaySettings.TOKEN_SECRET, tokenSecret);
    putIfSet(props, GatewaySettings.GATEWAY_ID, gatewayId);
    putIfSet(
        props, GatewaySettings.TLS_CERT_FILE, tlsCertFile == null ? null : tlsCertFile.toString());
    putIfSet(
        props, GatewaySettings.TLS_KEY_FILE, tlsKeyFile == null ? null : tlsKeyFile.toString());
    return props;
  }

  /** One warning for each earlier flag or variable name used. */
  List<String> deprecations() {
    return bindHostByOldName != null && !bindHostByOldName.isBlank()
        ? List.of(SettingFlags.deprecation(GatewaySettings.DEFS.get(GatewaySettings.BIND_HOST)))
        : List.of();
  }

  private static void putChecked(
      Map<String, String> props, Map<String, String> more, String where) {
    for (Map.Entry<String, String> entry : more.entrySet()) {
      String name = entry.getKey().strip();
      if (!GatewaySettings.PROPERTY_NAMES.contains(name)) {
        throw new IllegalArgumentException(
            "unknown gateway setting '"
                + name
                + "' "
                + where
                + "; the settings are listed in docs/OPERATIONS.md");
      }
      props.put(name, entry.getValue());
    }
  }

  private static void putIfSet(Map<String, String> props, String name, String value) {
    if (value != null && !value.isBlank()) {
      props.put(name, value);
    }
  }

  private static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the gateway config file " + file + ": " + e, e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      map.put(name, properties.getProperty(name));
    }
    return map;
  }

  private static String randomGatewayId() {
    byte[] bytes = new byte[6];
    new SecureRandom().nextBytes(bytes);
    return "gw-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
