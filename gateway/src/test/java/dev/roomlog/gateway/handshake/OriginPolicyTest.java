package dev.roomlog.gateway.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginPolicyTest {
  private final OriginPolicy policy =
      new OriginPolicy(Set.of("https://chat.example.com", "http://localhost:3000"));

  @Test
  void exactOriginIsAllowedIgnoringCase() {
    assertTrue(policy.allows(List.of("https://chat.example.com")));
    assertTrue(policy.allows(List.of("HTTPS://Chat.Example.COM")));
    assertTrue(policy.allows(List.of("http://localhost:3000")));
  }

  @Test
  void noOriginHeaderIsANonBrowserClientAndIsAllowed() {
    assertTrue(policy.allows(List.of()));
  }

  @Test
  void emptyAllowListAllowsAnyOrigin() {
    assertTrue(new OriginPolicy(Set.of()).allows(List.of("https://anything.example")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "null",
        "https://chat.example.com.evil.com",
        "https://evilchat.example.com",
        "http://chat.example.com",
        "https://chat.example.com/",
        "https://chat.example.com:443",
        "https://chat.example.com:8443",
        "http://localhost:3001",
        "http://localhost",
        ""
      })
  void anythingButAnAllowedOriginIsRefused(String origin) {
    assertFalse(policy.allows(List.of(origin)));
  }

  @Test
  void twoOriginHeadersAreRefusedEvenIfOneIsAllowed() {
    assertFalse(policy.allows(List.of("https://chat.example.com", "https://evil.example")));
  }
}
