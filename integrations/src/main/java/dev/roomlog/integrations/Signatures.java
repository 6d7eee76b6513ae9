package dev.roomlog.integrations;

import dev.roomlog.protocol.integration.WebhookSubscription;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures (as Svix's): {@code v1,} and the base64 HMAC-SHA256, keyed by the
 * secret, of {@code id.timestamp.body}; one per secret, separated by spaces.
 */
final class Signatures {
  private Signatures() {}

  static String sign(
      List<WebhookSubscription.Secret> secrets, String id, long timestamp, byte[] body) {
    StringJoiner header = new StringJoiner(" ");
    for (WebhookSubscription.Secret secret : secrets) {
      header.add(
          "v1," + Base64.getEncoder().encodeToString(hmac(secret.key(), id, timestamp, body)));
    }
    return header.toString();
  }

  static byte[] hmac(byte[] key, String id, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
