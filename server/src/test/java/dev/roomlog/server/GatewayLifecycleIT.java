package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.systemtest.Checkout;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A gateway node starts its parts in the order the gateway README promises (a newcomer reads the
 * order there; the code is what runs), serves once started, and lets go of both ports on close.
 */
class GatewayLifecycleIT {
  /** A numbered item of the README's start order: "1. `idCheck`: ...". */
  private static final Pattern STEP = Pattern.compile("^\\d+\\. `([A-Za-z]+)`", Pattern.MULTILINE);

  @Test
  void startsItsPartsInTheOrderTheReadmeListsAndFreesItsPortsOnClose() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicSet topics = TopicSet.prefixed(SharedKafka.uniquePrefix());
    TopicProvisioner.ensureTopics(bootstrap, topics, 3, (short) 1);
    GatewaySettings settings =
        GatewaySettings.of(Set.of(InProcessRoomlog.API_KEY), "gw-lifecycle").toBuilder()
            .bindHost("127.0.0.1")
            .port(0)
            .adminPort(0)
            .build();

    int port;
    int managementPort;
    try (Gateway gateway = Gateway.start(bootstrap, topics, settings)) {
      assertEquals(readmeStartOrder(), gateway.startOrder(), "gateway/README.md, Lifecycle");
      port = gateway.port();
      managementPort = gateway.managementPort();
      try (WsClient alice = WsClient.connect(port, InProcessRoomlog.API_KEY)) {
        assertTrue(alice.connectionId().startsWith("gw-lifecycle."), alice.connectionId());
      }
      assertTrue(accepts(managementPort), "the management API listens");
    }
    assertThrows(ConnectException.class, () -> connect(port), "the WebSocket port is closed");
    assertThrows(
        ConnectException.class, () -> connect(managementPort), "the management port is closed");
  }

  private static List<String> readmeStartOrder() throws IOException {
    String readme = Files.readString(Checkout.root().resolve("gateway/README.md"));
    int start = readme.indexOf("## Lifecycle");
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
    List<String> steps = new ArrayList<>();
    Matcher step = STEP.matcher(section);
    while (step.find()) {
      steps.add(step.group(1));
    }
    return steps;
  }

  private static boolean accepts(int port) throws IOException {
    connect(port);
    return true;
  }

  private static void connect(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    }
  }
}
