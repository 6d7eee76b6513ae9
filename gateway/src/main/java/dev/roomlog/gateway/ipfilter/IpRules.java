package dev.roomlog.gateway.ipfilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which client addresses may connect, from a file of {@code allow CIDR} / {@code block CIDR} lines
 * (IPv4 or IPv6, see {@link Cidr}; {@code #} starts a comment, blank lines are skipped).
 *
 * <p>Semantics: a block rule wins over an allow rule; if there is at least one allow rule, only
 * addresses inside an allow rule may connect; with no allow rule, everything not blocked may.
 * Immutable and thread-safe.
 */
public final class IpRules {
  /** The reason in the 1008 close of a live connection that rules changed since then refuse. */
  public static final String REFUSED_CLOSE_REASON = "your address may no longer connect";

  /** No file: every address may connect. */
  public static final IpRules NONE = new IpRules(List.of(), List.of());

  public enum Decision {
    ALLOWED,
    /** Inside a block rule. */
    BLOCKED,
    /** There are allow rules and the address is in none of them. */
    NOT_ALLOWED
  }

  private final List<Cidr> allow;
  private final List<Cidr> block;

  private IpRules(List<Cidr> allow, List<Cidr> block) {
    this.allow = List.copyOf(allow);
    this.block = List.copyOf(block);
  }

  /**
   * Reads a rules file.
   *
   * @throws IllegalArgumentException naming the file and line of the first bad rule
   * @throws UncheckedIOException if the file cannot be read
   */
  public static IpRules read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the IP rules file " + file + ": " + e, e);
    }
    return parse("IP rules file " + file, lines);
  }

  /**
   * Parses rule lines.
   *
   * @param source what the lines are, for error messages (e.g. the file name)
   * @throws IllegalArgumentException naming the source and line of the first bad rule
   */
  public static IpRules parse(String source, List<String> lines) {
    List<Cidr> allow = new ArrayList<>();
    List<Cidr> block = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String rule = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (rule.isEmpty()) {
        continue;
      }
      String where = source + " line " + (i + 1);
      String[] words = rule.split("\\s+");
      if (words.length != 2) {
        throw new IllegalArgumentException(
            where + ": expected 'allow CIDR' or 'block CIDR', was '" + rule + "'");
      }
      Cidr cidr;
      try {
        cidr = Cidr.parse(words[1]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      switch (words[0]) {
        case "allow" -> allow.add(cidr);
        case "block" -> block.add(cidr);
        default ->
            throw new IllegalArgumentException(
                where + ": a rule starts with 'allow' or 'block', was '" + words[0] + "'");
      }
    }
    return new IpRules(allow, block);
  }

  public Decision decide(InetAddress address) {
    for (Cidr cidr : block) {
      if (cidr.contains(address)) {
        return Decision.BLOCKED;
      }
    }
    if (allow.isEmpty()) {
      return Decision.ALLOWED;
    }
    for (Cidr cidr : allow) {
      if (cidr.contains(address)) {
        return Decision.ALLOWED;
      }
    }
    return Decision.NOT_ALLOWED;
  }

  /**
   * Whether these rules refuse a source IP given as text (as stamped on a connection). Text that is
   * not an IP address (a non-IP transport, only in tests) was never subject to IP rules, so it is
   * not refused.
   */
  public boolean refuses(String sourceIp) {
    InetAddress address;
    try {
      address = Cidr.parseAddress(sourceIp);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return decide(address) != Decision.ALLOWED;
  }

  int allowCount() {
    return allow.size();
  }

  int blockCount() {
    return block.size();
  }

  @Override
  public String toString() {
    return "IpRules[allow=" + allow + ", block=" + block + "]";
  }
}
