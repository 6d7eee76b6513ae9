package dev.roomlog.gateway.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A client API key: a name, used in logs and for the per-key rate limit, and the secret clients
 * send in the {@code x-api-key} header. The secret never appears in {@link #toString()}.
 *
 * <p>Text form, in settings, environment variables and key files: {@code name:secret}. A bare
 * {@code secret} (no colon) is accepted too and named {@code key-N} by its position.
 */
public record ApiKey(String name, String secret) {
  public ApiKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(secret, "secret");
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "an API key name must be 1-64 characters of A-Z a-z 0-9 . _ -, was '" + name + "'");
    }
    if (secret.isBlank() || !secret.equals(secret.strip())) {
      throw new IllegalArgumentException(
          "the secret of API key '" + name + "' must not be blank or start/end with spaces");
    }
  }

  /** Names secrets {@code key-1}, {@code key-2}, ... in iteration order. */
  public static List<ApiKey> unnamed(Collection<String> secrets) {
    List<ApiKey> keys = new ArrayList<>();
    for (String secret : secrets) {
      keys.add(new ApiKey("key-" + (keys.size() + 1), secret));
    }
    return keys;
  }

  /**
   * Parses comma-separated {@code name:secret} entries; blank entries are skipped.
   *
   * @param setting the setting's name, for the error message
   */
  public static List<ApiKey> parseList(String setting, String text) {
    List<ApiKey> keys = new ArrayList<>();
    int position = 0;
    for (String entry : text.split(",")) {
      if (!entry.isBlank()) {
        position++;
        keys.add(parse(setting + " entry " + position, entry.strip(), position));
      }
    }
    return keys;
  }

  /**
   * Reads a key file: one {@code name:secret} per line; blank lines and lines starting with {@code
   * #} are skipped.
   */
  public static List<ApiKey> readFile(String setting, Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          setting + ": cannot read the API key file " + file + ": " + e, e);
    }
    List<ApiKey> keys = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      keys.add(parse(setting + " " + file + " line " + (i + 1), line, keys.size() + 1));
    }
    return keys;
  }

  private static ApiKey parse(String where, String entry, int position) {
    int colon = entry.indexOf(':');
    try {
      if (colon < 0) {
        return new ApiKey("key-" + position, entry);
      }
      return new ApiKey(entry.substring(0, colon).strip(), entry.substring(colon + 1).strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ApiKey[" + name + "]";
  }
}
