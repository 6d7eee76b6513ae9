package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.management.AwsSignatureCheck.Accepted;
import dev.roomlog.gateway.management.AwsSignatureCheck.Refused;
import dev.roomlog.gateway.management.AwsSignatureCheck.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AwsSignatureCheckTest {
  // The credentials, scope and time of AWS's SigV4 test suite (aws-c-auth,
  // tests/aws-signing-test-suite/v4), whose service is "service".
  private static final String KEY_ID = "AKIDEXAMPLE";
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final Instant SUITE_TIME = Instant.parse("2015-08-30T12:36:00Z");

  private static AwsSignatureCheck suiteCheck(Instant now) {
    return new AwsSignatureCheck(
        Map.of(KEY_ID, SECRET), "service", Clock.fixed(now, ZoneOffset.UTC));
  }

  /** A request as the suite's header-signed-request.txt files write it. */
  private record Req(
      String method, String path, String query, List<String[]> headers, byte[] body) {
    static Req parse(String text) {
      int blank = text.indexOf("\n\n");
      String[] lines = text.substring(0, blank).split("\n");
      String[] start = lines[0].split(" ");
      String target = start[1];
      int q = target.indexOf('?');
      List<String[]> headers = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1)});
      }
      return new Req(
          start[0],
          q < 0 ? target : target.substring(0, q),
          q < 0 ? null : target.substring(q + 1),
          headers,
          text.substring(blank + 2).getBytes(StandardCharsets.UTF_8));
    }

    Function<String, List<String>> lookup() {
      return name -> {
        List<String> values = new ArrayList<>();
        for (String[] h : headers) {
          if (h[0].equalsIgnoreCase(name)) {
            values.add(h[1]);
          }
        }
        return values;
      };
    }

    Req with(String name, String value) {
      List<String[]> copy = new ArrayList<>(headers);
      copy.removeIf(h -> h[0].equalsIgnoreCase(name));
      copy.add(new String[] {name, value});
      return new Req(method, path, query, copy, body);
    }

    Req plus(String name, String value) {
      List<String[]> copy = new ArrayList<>(headers);
      copy.add(new String[] {name, value});
      return new Req(method, path, query, copy, body);
    }

    Req withPath(String newPath) {
      return new Req(method, newPath, query, headers, body);
    }

    Req withBody(String text) {
      return new Req(method, path, query, headers, text.getBytes(StandardCharsets.UTF_8));
    }

    Verdict verify(AwsSignatureCheck check) {
      return check.verify(method, path, query, lookup(), body);
    }
  }

  // AWS's published vectors (header-signed-request.txt of each case), verbatim.
  private static final String GET_VANILLA =
      "GET / HTTP/1.1\n"
          + "Host:example.amazonaws.com\n"
          + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
          + " SignedHeaders=host;x-amz-date,"
          + " Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
          + "X-Amz-Date:20150830T123600Z\n\n";

  private static final List<String> SUITE =
      List.of(
          GET_VANILLA,
          // post-vanilla
          "POST / HTTP/1.1\n"
              + "Host:example.amazonaws.com\n"
              + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              + " SignedHeaders=host;x-amz-date,"
              + " Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\n"
              + "X-Amz-Date:20150830T123600Z\n\n",
          // get-vanilla-query-order-key-case
          "GET /?Param2=value2&Param1=value1 HTTP/1.1\n"
              + "Host:example.amazonaws.com\n"
              + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              + " SignedHeaders=host;x-amz-date,"
              + " Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n"
              + "X-Amz-Date:20150830T123600Z\n\n",
          // get-vanilla-query-unreserved
          "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
              + "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\n"
              + "Host:example.amazonaws.com\n"
              + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              + " SignedHeaders=host;x-amz-date,"
              + " Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197\n"
              + "X-Amz-Date:20150830T123600Z\n\n",
          // get-utf8: the suite writes the path unencoded, as the signer encodes it once
          "GET /\u1234 HTTP/1.1\n"
              + "Host:example.amazonaws.com\n"
              + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              + " SignedHeaders=host;x-amz-date,"
              + " Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85\n"
              + "X-Amz-Date:20150830T123600Z\n\n",
          // get-header-value-trim
          "GET / HTTP/1.1\n"
              + "Host:example.amazonaws.com\n"
              + "My-Header1: value1\n"
              + "My-Header2: \"a   b   c\"\n"
              + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              + " SignedHeaders=host;my-header1;my-header2;x-amz-date,"
              + " Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\n"
              + "X-Amz-Date:20150830T123600Z\n\n",
          // get-header-key-duplicate: values of a repeated header joined in the order sent
          "GET / HTTP/1.1\n"
              + "Host:example.amazonaws.com\n"
              + "My-Header1:value2\n"
              + "My-Header1:value2\n"
              + "My-Header1:value1\n"
              + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              + " SignedHeaders=host;my-header1;x-amz-date,"
              + " Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea\n"
              + "X-Amz-Date:20150830T123600Z\n\n",
          // post-x-www-form-urlencoded: a body, and its x-amz-content-sha256
          "POST / HTTP/1.1\n"
              + "Content-Type:application/x-www-form-urlencoded\n"
              + "Host:example.amazonaws.com\n"
              + "Content-Length:13\n"
              + "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
              + "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              + " SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date,"
              + " Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b\n"
              + "X-Amz-Date:20150830T123600Z\n\n"
              + "Param1=value1");

  @Test
  void acceptsAwsPublishedTestVectors() {
    for (String vector : SUITE) {
      Verdict verdict = Req.parse(vector).verify(suiteCheck(SUITE_TIME));
      assertEquals(new Accepted(KEY_ID), verdict, vector.lines().findFirst().orElseThrow());
    }
  }

  @Test
  void acceptsWithinFifteenMinutesEitherWay() {
    Req req = Req.parse(GET_VANILLA);
    assertInstanceOf(
        Accepted.class, req.verify(suiteCheck(SUITE_TIME.plus(Duration.ofMinutes(15)))));
    assertInstanceOf(
        Accepted.class, req.verify(suiteCheck(SUITE_TIME.minus(Duration.ofMinutes(15)))));
  }

  @Test
  void refusesExpiredAndFutureDates() {
    Req req = Req.parse(GET_VANILLA);
    Refused expired =
        assertInstanceOf(
            Refused.class, req.verify(suiteCheck(SUITE_TIME.plus(Duration.ofMinutes(16)))));
    assertEquals(403, expired.status());
    assertTrue(expired.message().startsWith("signature expired"), expired.message());
    assertInstanceOf(
        Refused.class, req.verify(suiteCheck(SUITE_TIME.minus(Duration.ofMinutes(16)))));
  }

  @Test
  void refusesTheWrongSecret() {
    AwsSignatureCheck other =
        new AwsSignatureCheck(
            Map.of(KEY_ID, SECRET + "x"), "service", Clock.fixed(SUITE_TIME, ZoneOffset.UTC));
    Refused refused = assertInstanceOf(Refused.class, Req.parse(GET_VANILLA).verify(other));
    assertEquals(403, refused.status());
    assertTrue(refused.message().contains("signature does not match"), refused.message());
  }

  @Test
  void refusesAnUnknownAccessKeyId() {
    AwsSignatureCheck other =
        new AwsSignatureCheck(
            Map.of("AKIDOTHER", SECRET), "service", Clock.fixed(SUITE_TIME, ZoneOffset.UTC));
    Refused refused = assertInstanceOf(Refused.class, Req.parse(GET_VANILLA).verify(other));
    assertEquals(403, refused.status());
    assertTrue(refused.message().contains("'AKIDEXAMPLE' is not configured"), refused.message());
  }

  @Test
  void refusesAnotherService() {
    AwsSignatureCheck apiGateway =
        new AwsSignatureCheck(
            Map.of(KEY_ID, SECRET), "execute-api", Clock.fixed(SUITE_TIME, ZoneOffset.UTC));
    Refused refused = assertInstanceOf(Refused.class, Req.parse(GET_VANILLA).verify(apiGateway));
    assertTrue(refused.message().contains("execute-api"), refused.message());
  }

  @Test
  void refusesATamperedPathQueryOrSignedHeader() {
    Req req = Req.parse(GET_VANILLA);
    AwsSignatureCheck check = suiteCheck(SUITE_TIME);
    assertInstanceOf(Refused.class, req.withPath("/other").verify(check));
    assertInstanceOf(
        Refused.class,
        new Req(req.method(), req.path(), "a=b", req.headers(), req.body()).verify(check));
    assertInstanceOf(Refused.class, req.with("Host", "evil.example.com").verify(check));
    assertInstanceOf(
        Refused.class,
        new Req("DELETE", req.path(), null, req.headers(), req.body()).verify(check));
  }

  @Test
  void refusesATamperedBodyWithOrWithoutItsDeclaredHash() {
    AwsSignatureCheck check = suiteCheck(SUITE_TIME);
    Req form = Req.parse(SUITE.get(SUITE.size() - 1));
    Refused declared =
        assertInstanceOf(Refused.class, form.withBody("Param1=value2").verify(check));
    assertTrue(declared.message().contains("x-amz-content-sha256"), declared.message());
    // Without x-amz-content-sha256 the body's hash is in the canonical request itself.
    Map<String, List<String>> headers =
        TestSigner.sign(
            "POST",
            "/@connections/gw-1.abc",
            Map.of(),
            "hello".getBytes(StandardCharsets.UTF_8),
            KEY_ID,
            SECRET,
            "service",
            SUITE_TIME);
    List<String[]> list = new ArrayList<>();
    headers.forEach((n, v) -> list.add(new String[] {n, v.get(0)}));
    Req signed =
        new Req(
            "POST", "/@connections/gw-1.abc", null, list, "hello".getBytes(StandardCharsets.UTF_8));
    assertInstanceOf(Accepted.class, signed.verify(check));
    assertInstanceOf(Refused.class, signed.withBody("hellO").verify(check));
  }

  @Test
  void refusesAnUnsignedHostOrDate() {
    AwsSignatureCheck check = suiteCheck(SUITE_TIME);
    Req noHost =
        Req.parse(GET_VANILLA.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"));
    Refused refused = assertInstanceOf(Refused.class, noHost.verify(check));
    assertEquals("host and x-amz-date must be among the signed headers", refused.message());
    Req noDate =
        Req.parse(GET_VANILLA.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=host"));
    assertInstanceOf(Refused.class, noDate.verify(check));
  }

  @Test
  void refusesSignedHeadersThatAreMissingOrUnsorted() {
    AwsSignatureCheck check = suiteCheck(SUITE_TIME);
    assertInstanceOf(
        Refused.class,
        Req.parse(GET_VANILLA.replace("host;x-amz-date", "host;my-header;x-amz-date"))
            .verify(check));
    assertInstanceOf(
        Refused.class,
        Req.parse(GET_VANILLA.replace("host;x-amz-date", "x-amz-date;host")).verify(check));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Host", "X-Amz-Date", "Authorization", "x-amz-content-sha256"})
  void refusesADuplicatedHeaderThatDecidesWhatIsSigned(String name) {
    Req req = Req.parse(SUITE.get(SUITE.size() - 1));
    String value = req.lookup().apply(name).get(0);
    Refused refused =
        assertInstanceOf(Refused.class, req.plus(name, value).verify(suiteCheck(SUITE_TIME)));
    assertEquals(400, refused.status());
    assertEquals("ambiguousSignature", refused.code());
  }

  @Test
  void refusesASecondSignatureOrAMalformedHeader() {
    AwsSignatureCheck check = suiteCheck(SUITE_TIME);
    Req req = Req.parse(GET_VANILLA);
    String authorization = req.lookup().apply("authorization").get(0);
    assertInstanceOf(
        Refused.class,
        req.with("Authorization", authorization + ", Signature=" + "0".repeat(64)).verify(check));
    assertInstanceOf(
        Refused.class,
        req.with("Authorization", authorization.replace("/aws4_request", "")).verify(check));
    assertInstanceOf(
        Refused.class,
        req.with("Authorization", authorization.toUpperCase(Locale.ROOT)).verify(check));
  }

  @Test
  void refusesAScopeDateThatIsNotTheRequestsDay() {
    Req req =
        Req.parse(
            GET_VANILLA.replace(
                "Credential=AKIDEXAMPLE/20150830", "Credential=AKIDEXAMPLE/20150829"));
    Refused refused = assertInstanceOf(Refused.class, req.verify(suiteCheck(SUITE_TIME)));
    assertTrue(refused.message().contains("scope's date"), refused.message());
  }

  @Test
  void headAloneRefusesWhatItCanAndLeavesTheSignatureToTheBody() {
    AwsSignatureCheck check = suiteCheck(SUITE_TIME);
    Req req = Req.parse(GET_VANILLA);
    assertNull(check.head(req.lookup()));
    // A wrong signature is only found with the body.
    Req wrong = Req.parse(GET_VANILLA.replace("Signature=5fa00fa3", "Signature=00000000"));
    assertNull(check.head(wrong.lookup()));
    assertInstanceOf(Refused.class, wrong.verify(check));
    assertEquals(403, suiteCheck(SUITE_TIME.plusSeconds(3600)).head(req.lookup()).status());
  }

  @Test
  void canonicalUriNormalisesAndEncodesEachSegmentAgain() {
    assertEquals("/", AwsSignatureCheck.canonicalUri("//"));
    assertEquals(
        "/%40connections/gw-1.abc", AwsSignatureCheck.canonicalUri("/@connections/gw-1.abc"));
    assertEquals("/a%2520b/", AwsSignatureCheck.canonicalUri("/a%20b/"));
    assertEquals("/b", AwsSignatureCheck.canonicalUri("/a/./../b"));
  }

  @Test
  void tellsWhetherASignatureIsOffered() {
    assertTrue(AwsSignatureCheck.offered(List.of("AWS4-HMAC-SHA256 Credential=x")));
    assertEquals(false, AwsSignatureCheck.offered(List.of("Bearer abc")));
    assertEquals(false, AwsSignatureCheck.offered(null));
  }
}
