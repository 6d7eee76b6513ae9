package dev.roomlog.gateway.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS settings: a pair of readable files or none, checked when the settings are built. */
class TlsSettingsTest {
  @TempDir Path dir;

  private static Map<String, String> base() {
    Map<String, String> props = new HashMap<>();
    props.put(GatewaySettings.GATEWAY_ID, "gw-1");
    props.put(GatewaySettings.API_KEYS, "k1");
    return props;
  }

  private static String refused(Map<String, String> props) {
    return assertThrows(IllegalArgumentException.class, () -> GatewaySettings.fromProperties(props))
        .getMessage();
  }

  private Path file(String name) throws Exception {
    return Files.writeString(dir.resolve(name), "-----BEGIN CERTIFICATE-----\n");
  }

  @Test
  void offByDefault() {
    GatewaySettings settings = GatewaySettings.fromProperties(base());

    assertFalse(settings.tls());
    assertFalse(settings.adminTls());
    assertEquals(Duration.ofSeconds(10), settings.tlsReloadInterval());
  }

  @Test
  void bothFilesTurnItOnForBothPorts() throws Exception {
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_CERT_FILE, file("c.pem").toString());
    props.put(GatewaySettings.TLS_KEY_FILE, file("k.pem").toString());

    GatewaySettings settings = GatewaySettings.fromProperties(props);

    assertTrue(settings.tls());
    assertTrue(settings.adminTls(), "the management API uses the same certificate by default");
    assertEquals(dir.resolve("c.pem"), settings.tlsCertFile());
    assertEquals(dir.resolve("k.pem"), settings.tlsKeyFile());
  }

  @Test
  void theManagementApiCanStayPlain() throws Exception {
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_CERT_FILE, file("c.pem").toString());
    props.put(GatewaySettings.TLS_KEY_FILE, file("k.pem").toString());
    props.put(GatewaySettings.ADMIN_TLS, "false");

    GatewaySettings settings = GatewaySettings.fromProperties(props);

    assertTrue(settings.tls());
    assertFalse(settings.adminTls());
  }

  @Test
  void aCertificateWithoutAKeyIsRefusedNamingBoth() throws Exception {
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_CERT_FILE, file("c.pem").toString());

    String message = refused(props);

    assertTrue(message.contains(GatewaySettings.TLS_CERT_FILE), message);
    assertTrue(message.contains(GatewaySettings.TLS_KEY_FILE), message);
  }

  @Test
  void aKeyWithoutACertificateIsRefused() throws Exception {
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_KEY_FILE, file("k.pem").toString());

    assertTrue(refused(props).contains("go together"));
  }

  @Test
  void aMissingKeyFileIsRefusedNamingTheSettingAndThePath() throws Exception {
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_CERT_FILE, file("c.pem").toString());
    props.put(GatewaySettings.TLS_KEY_FILE, dir.resolve("gone.pem").toString());

    String message = refused(props);

    assertTrue(message.startsWith(GatewaySettings.TLS_KEY_FILE), message);
    assertTrue(message.contains("gone.pem"), message);
  }

  @Test
  void aDirectoryIsNotACertificateFile() throws Exception {
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_CERT_FILE, dir.toString());
    props.put(GatewaySettings.TLS_KEY_FILE, file("k.pem").toString());

    assertTrue(refused(props).startsWith(GatewaySettings.TLS_CERT_FILE));
  }

  @Test
  void anUnreadableFileIsRefused() throws Exception {
    Path key = file("k.pem");
    // Root reads any file whatever its mode: there the check cannot be seen failing.
    org.junit.jupiter.api.Assumptions.assumeTrue(
        key.toFile().setReadable(false, false) && !Files.isReadable(key),
        "running as a user who can read a file of mode 000");
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_CERT_FILE, file("c.pem").toString());
    props.put(GatewaySettings.TLS_KEY_FILE, key.toString());

    assertTrue(refused(props).contains("cannot be read"));
  }

  @Test
  void theReloadIntervalMustBePositive() {
    Map<String, String> props = base();
    props.put(GatewaySettings.TLS_RELOAD_INTERVAL, "0s");

    assertTrue(refused(props).startsWith(GatewaySettings.TLS_RELOAD_INTERVAL));
  }
}
