package dev.roomlog.gateway.management;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a request with SigV4 as the SDKs do (no x-amz-content-sha256, no query), written apart from
 * the class under test but for its URI encoding, so the tests can sign what AWS's suite has no
 * vector for (a body, Roomlog's paths, another clock).
 */
final class TestSigner {
  private TestSigner() {}

  /** The request's headers (lower-case names), the Authorization header among them. */
  static Map<String, List<String>> sign(
      String method,
      String path,
      Map<String, String> headers,
      byte[] body,
      String keyId,
      String secret,
      String service,
      Instant at) {
    String amzDate =
        DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(at);
    TreeMap<String, String> signed = new TreeMap<>(headers);
    signed.putIfAbsent("host", "127.0.0.1:8081");
    signed.put("x-amz-date", amzDate);
    StringBuilder canonicalHeaders = new StringBuilder();
    signed.forEach((n, v) -> canonicalHeaders.append(n).append(':').append(v).append('\n'));
    String signedHeaders = String.join(";", signed.keySet());
    String canonical =
        method
            + "\n"
            + AwsSignatureCheck.canonicalUri(path)
            + "\n\n"
            + canonicalHeaders
            + "\n"
            + signedHeaders
            + "\n"
            + hex(sha256(body));
    String date = amzDate.substring(0, 8);
    String scope = date + "/us-east-1/" + service + "/aws4_request";
    String toSign =
        "AWS4-HMAC-SHA256\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    byte[] key = ("AWS4" + secret).getBytes(StandardCharsets.UTF_8);
    for (String part : List.of(date, "us-east-1", service, "aws4_request")) {
      key = hmac(key, part);
    }
    Map<String, List<String>> out = new TreeMap<>();
    signed.forEach((n, v) -> out.put(n, new ArrayList<>(List.of(v))));
    out.put(
        "authorization",
        new ArrayList<>(
            List.of(
                "AWS4-HMAC-SHA256 Credential="
                    + keyId
                    + "/"
                    + scope
                    + ", SignedHeaders="
                    + signedHeaders
                    + ", Signature="
                    + hex(hmac(key, toSign)))));
    return out;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
