package dev.roomlog.gateway.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An AWS-style access key pair the management API accepts AWS Signature Version 4 from: the access
 * key id a signature names, and the secret access key it is made with. The secret never appears in
 * {@link #toString()}.
 *
 * <p>Text form, in settings and environment variables: {@code ID:SECRET[,ID:SECRET...]} (the id has
 * no colon; the secret may).
 */
public record AwsAccessKey(String id, String secret) {
  public AwsAccessKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    // An id is a path segment of the signature's scope: no '/', no spaces.
    if (!id.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException(
          "an access key id must be 1-128 characters of A-Z a-z 0-9 . _ -, was '" + id + "'");
    }
    if (secret.length() < 16 || !secret.equals(secret.strip())) {
      throw new IllegalArgumentException(
          "the secret of access key '"
              + id
              + "' must be at least 16 characters, not starting or ending with spaces");
    }
  }

  /**
   * Parses comma-separated {@code id:secret} entries; blank entries are skipped.
   *
   * @param setting the setting's name, for the error message
   */
  public static List<AwsAccessKey> parseList(String setting, String text) {
    List<AwsAccessKey> keys = new ArrayList<>();
    int position = 0;
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      position++;
      int colon = entry.indexOf(':');
      if (colon < 0) {
        // Not Validator.expect: the message must not quote what may be a secret.
        throw new IllegalArgumentException(
            setting
                + " entry "
                + position
                + " must be ID:SECRET (an access key id, a colon, its secret)");
      }
      try {
        keys.add(
            new AwsAccessKey(
                entry.substring(0, colon).strip(), entry.substring(colon + 1).strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            setting + " entry " + position + ": " + e.getMessage(), e);
      }
    }
    return keys;
  }

  @Override
  public String toString() {
    return "AwsAccessKey[" + id + "]";
  }
}
