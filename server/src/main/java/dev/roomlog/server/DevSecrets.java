package dev.roomlog.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secrets {@code roomlog dev} makes once per data directory and keeps there, so that a restart
 * keeps the same API key, admin key, token secret and AWS access key pair, and {@code roomlog
 * token} signs with the secret the dev gateway checks.
 */
final class DevSecrets {
  static final String API_KEY_FILE = "dev-api-key";
  static final String ADMIN_KEY_FILE = "dev-admin-key";
  static final String TOKEN_SECRET_FILE = "dev-token-secret";
  static final String AWS_ACCESS_KEY_FILE = "dev-aws-access-key";

  private static final SecureRandom RANDOM = new SecureRandom();

  private DevSecrets() {}

  /**
   * The secret in {@code dataDir/fileName}; made (from {@code randomBytes} random bytes, base64url,
   * after {@code prefix}) and written there, readable by its owner only, when the file is absent.
   */
  static String readOrCreate(Path dataDir, String fileName, String prefix, int randomBytes)
      throws IOException {
    Path file = dataDir.resolve(fileName);
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    Files.createDirectories(dataDir);
    byte[] bytes = new byte[randomBytes];
    RANDOM.nextBytes(bytes);
    String secret = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // A file system without POSIX permissions: the data directory's own protection applies.
    }
    return secret;
  }

  /**
   * The dev token secret: 32 random bytes (43 characters), so its UTF-8 bytes are the 256 bits
   * HS256 needs.
   */
  static String tokenSecret(Path dataDir) throws IOException {
    return readOrCreate(dataDir, TOKEN_SECRET_FILE, "", 32);
  }

  /**
   * The dev AWS access key pair, {@code id:secret}: an id shaped as AWS's ({@code AKIA} and 16
   * upper-case letters and digits, so tools that check the shape take it) and a 40-character
   * secret, as the SDKs read them from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
   */
  static String awsAccessKey(Path dataDir) throws IOException {
    StringBuilder id = new StringBuilder("AKIA");
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    for (int i = 0; i < 16; i++) {
      id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    // Used only when the file is new; 30 random bytes are 40 base64url characters.
    return readOrCreate(dataDir, AWS_ACCESS_KEY_FILE, id + ":", 30);
  }
}
