package dev.roomlog.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;

/**
 * Checks a presented API key against the configured ones in constant time. Both sides are
 * hashed first, so neither the content nor the length of a key leaks through timing, and every
 * configured key is compared (no early exit). Immutable and thread-safe.
 */
final class ApiKeys {
  private final List<byte[]> digests;

  ApiKeys(Set<String> keys) {
    this.digests = keys.stream().map(ApiKeys::sha256).toList();
  }

  boolean accepts(String presented) {
    if (presented == null) {
      return false;
    }
    byte[] candidate = sha256(presented);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, candidate);
    }
    return match;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
