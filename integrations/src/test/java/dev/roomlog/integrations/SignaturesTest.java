package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.protocol.integration.WebhookSubscription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignaturesTest {
  /** The Standard Webhooks / Svix libraries' published test vector. */
  @Test
  void matchesTheStandardWebhooksTestVector() {
    WebhookSubscription.Secret secret =
        new WebhookSubscription.Secret(
            "k1", WebhookSubscription.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));

    String header =
        Signatures.sign(
            List.of(secret),
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

    assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", header);
  }

  @Test
  void signsOncePerSecretNewestFirstSoAReceiverCanRotate() {
    WebhookSubscription.Secret next =
        new WebhookSubscription.Secret("k2", WebhookSubscription.key("0123456789abcdef-new"));
    WebhookSubscription.Secret old =
        new WebhookSubscription.Secret("k1", WebhookSubscription.key("0123456789abcdef-old"));
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

    String both = Signatures.sign(List.of(next, old), "id", 1, body);

    assertEquals(
        Signatures.sign(List.of(next), "id", 1, body)
            + " "
            + Signatures.sign(List.of(old), "id", 1, body),
        both);
  }
}
