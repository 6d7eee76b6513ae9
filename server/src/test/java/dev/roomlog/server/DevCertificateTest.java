package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.tls.TlsCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificateTest {
  @TempDir Path dataDir;

  @Test
  void isMadeOnceForLocalhostAndReadByTheGateway() throws Exception {
    DevCertificate made = DevCertificate.inDataDir(dataDir, Clock.systemUTC());
    String pem = Files.readString(made.certFile());

    DevCertificate again = DevCertificate.inDataDir(dataDir, Clock.systemUTC());

    assertEquals(pem, Files.readString(again.certFile()), "kept across restarts");
    X509Certificate cert = TlsCredentials.read(made.certFile(), made.keyFile()).certificate();
    List<String> names =
        cert.getSubjectAlternativeNames().stream().map(name -> (String) name.get(1)).toList();
    assertTrue(names.contains("localhost"), names.toString());
    assertTrue(names.contains("127.0.0.1"), names.toString());
    assertTrue(cert.getNotAfter().toInstant().isAfter(Clock.systemUTC().instant()));
  }
}
