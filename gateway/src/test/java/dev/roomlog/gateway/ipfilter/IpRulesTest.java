package dev.roomlog.gateway.ipfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.ipfilter.IpRules.Decision;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpRulesTest {
  private static Decision decide(IpRules rules, String ip) {
    return rules.decide(Cidr.parseAddress(ip));
  }

  private static IpRules rules(String... lines) {
    return IpRules.parse("test rules", List.of(lines));
  }

  @Test
  void noRulesAllowEveryone() {
    assertEquals(Decision.ALLOWED, decide(IpRules.NONE, "192.0.2.1"));
    assertEquals(Decision.ALLOWED, decide(rules("# only a comment", ""), "2001:db8::1"));
  }

  @Test
  void onlyBlockRulesBlockTheirNetworksAndAllowTheRest() {
    IpRules rules = rules("block 192.0.2.0/24", "block 2001:db8::/32");

    assertEquals(Decision.BLOCKED, decide(rules, "192.0.2.255"));
    assertEquals(Decision.ALLOWED, decide(rules, "192.0.3.0"));
    assertEquals(Decision.BLOCKED, decide(rules, "2001:db8::7"));
    assertEquals(Decision.ALLOWED, decide(rules, "2001:db9::7"));
  }

  @Test
  void anAllowRuleMeansOnlyAllowedAddressesMayConnect() {
    IpRules rules = rules("allow 10.0.0.0/8");

    assertEquals(Decision.ALLOWED, decide(rules, "10.255.255.255"));
    assertEquals(Decision.NOT_ALLOWED, decide(rules, "11.0.0.0"));
    assertEquals(Decision.NOT_ALLOWED, decide(rules, "2001:db8::1"));
  }

  @Test
  void blockWinsOverAllowWhateverTheOrder() {
    IpRules blockFirst = rules("block 10.1.0.0/16", "allow 10.0.0.0/8");
    IpRules allowFirst = rules("allow 10.0.0.0/8", "block 10.1.0.0/16");

    for (IpRules rules : List.of(blockFirst, allowFirst)) {
      assertEquals(Decision.BLOCKED, decide(rules, "10.1.2.3"));
      assertEquals(Decision.ALLOWED, decide(rules, "10.2.2.3"));
    }
  }

  @Test
  void commentsAndBlankLinesAndTrailingCommentsAreSkipped() {
    IpRules rules =
        rules("# office", "", "   allow   192.0.2.0/24   # the office  ", "\tblock 192.0.2.9");

    assertEquals(1, rules.allowCount());
    assertEquals(1, rules.blockCount());
    assertEquals(Decision.BLOCKED, decide(rules, "192.0.2.9"));
  }

  @Test
  void mappedClientAddressMatchesIpv4Rules() {
    assertEquals(Decision.BLOCKED, decide(rules("block 192.0.2.0/24"), "::ffff:192.0.2.1"));
  }

  @Test
  void badCidrIsRefusedNamingTheLine() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> rules("allow 10.0.0.0/8", "# fine", "block 10.0.0.0/33"));

    assertTrue(e.getMessage().startsWith("test rules line 3: "), e.getMessage());
    assertTrue(e.getMessage().contains("10.0.0.0/33"), e.getMessage());
  }

  @Test
  void unknownVerbOrMissingCidrIsRefusedNamingTheLine() {
    IllegalArgumentException verb =
        assertThrows(IllegalArgumentException.class, () -> rules("deny 10.0.0.0/8"));
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> rules("", "allow"));
    IllegalArgumentException extra =
        assertThrows(IllegalArgumentException.class, () -> rules("allow 10.0.0.0/8 10.1.0.0/16"));

    assertTrue(verb.getMessage().contains("line 1") && verb.getMessage().contains("deny"));
    assertTrue(missing.getMessage().contains("line 2"), missing.getMessage());
    assertTrue(extra.getMessage().contains("line 1"), extra.getMessage());
  }

  @Test
  void readsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ip-rules.txt");
    Files.writeString(file, "allow 192.0.2.0/24\nblock 192.0.2.1\n");
    assertEquals(Decision.BLOCKED, decide(IpRules.read(file), "192.0.2.1"));

    Files.writeString(file, "allow 192.0.2.0/24\nallow nonsense\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IpRules.read(file));
    assertTrue(e.getMessage().contains(file + " line 2"), e.getMessage());

    UncheckedIOException missing =
        assertThrows(UncheckedIOException.class, () -> IpRules.read(dir.resolve("absent.txt")));
    assertTrue(missing.getMessage().contains("absent.txt"), missing.getMessage());
  }
}
