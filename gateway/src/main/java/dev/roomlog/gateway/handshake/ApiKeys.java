package dev.roomlog.gateway.handshake;

import dev.roomlog.gateway.settings.ApiKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Checks a presented API key against the configured client keys in constant time. Both sides are
 * hashed first, so neither the content nor the length of a key leaks through timing, and every
 * configured key is compared (no early exit). Immutable and thread-safe.
 */
public final class ApiKeys {
  private record Entry(ApiKey key, byte[] digest) {}

  private final List<Entry> entries;

  public ApiKeys(List<ApiKey> keys) {
    this.entries = keys.stream().map(k -> new Entry(k, sha256(k.secret()))).toList();
  }

  /** The key whose secret was presented, or empty if none matches (or nothing was presented). */
  public Optional<ApiKey> match(String presented) {
    if (presented == null) {
      return Optional.empty();
    }
    byte[] candidate = sha256(presented);
    ApiKey found = null;
    for (Entry entry : entries) {
      // No early exit: the time taken must not depend on which key (if any) matched.
      if (MessageDigest.isEqual(entry.digest(), candidate)) {
        found = entry.key();
      }
    }
    return Optional.ofNullable(found);
  }

  public boolean accepts(String presented) {
    return match(presented).isPresent();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
