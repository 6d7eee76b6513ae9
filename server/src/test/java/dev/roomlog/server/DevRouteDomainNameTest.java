package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.integrations.IntegrationsSettings;
import dev.roomlog.protocol.TopicSet;
import org.junit.jupiter.api.Test;

/** {@code roomlog dev}'s route events name the management API it serves, unless told otherwise. */
class DevRouteDomainNameTest {
  private static final IntegrationsSettings DEFAULTS =
      IntegrationsSettings.of("127.0.0.1:9092", TopicSet.DEFAULT);

  @Test
  void withoutTheFlagRouteEventsNameThisJvmsManagementPort() {
    assertEquals(
        "localhost:18081",
        DevCommand.withRouteDomainName(DEFAULTS, false, 18081).routeDomainName());
  }

  @Test
  void aGivenDomainNameIsKept() {
    IntegrationsSettings given =
        DEFAULTS.with(IntegrationsSettings.ROUTE_DOMAIN_NAME, "chat.example.com");
    assertEquals(
        "chat.example.com", DevCommand.withRouteDomainName(given, true, 18081).routeDomainName());
  }
}
