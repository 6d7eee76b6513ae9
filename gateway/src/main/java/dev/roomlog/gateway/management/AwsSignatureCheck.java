package dev.roomlog.gateway.management;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Is a request signed with AWS Signature Version 4 by a configured access key, as AWS documents it
 * ("Create a signed AWS API request", IAM user guide)? So the AWS SDKs' {@code
 * ApiGatewayManagementApi} clients can call the management API with only their endpoint changed.
 * Pure: time comes from the clock it is given; thread-safe.
 *
 * <p>Checked, in order: one {@code Authorization: AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=...}; a configured access key id; the scope {@code
 * date/region/service/aws4_request} with this API's service (any region: Roomlog has none); {@code
 * host} and {@code x-amz-date} among the signed headers (lower case, sorted, each present); {@code
 * x-amz-date} within {@link #MAX_SKEW} of the clock and on the scope's date; the body's SHA-256
 * equal to {@code x-amz-content-sha256} when that is sent; and the signature over the canonical
 * request, compared in constant time. The head alone ({@link #head}) decides everything but the
 * last two, so a request refused there is refused before its body is read.
 *
 * <p>Headers that decide what is signed ({@code authorization}, {@code host}, {@code x-amz-date},
 * {@code x-amz-content-sha256}) sent twice are refused: which copy counts would be up to whoever
 * reads them. Other signed headers sent twice are joined with commas, as AWS canonicalises them.
 */
final class AwsSignatureCheck {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";

  /** How far {@code x-amz-date} may be from the node's clock, either way, as AWS allows. */
  static final Duration MAX_SKEW = Duration.ofMinutes(15);

  /** What a request was told; {@code accessKeyId} when accepted. */
  sealed interface Verdict {}

  record Accepted(String accessKeyId) implements Verdict {}

  record Refused(int status, String code, String message) implements Verdict {}

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT);
  private static final Pattern SCOPE_DATE = Pattern.compile("[0-9]{8}");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");
  private static final Pattern HEX_SIGNATURE = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");
  private static final List<String> SINGLE_HEADERS =
      List.of("authorization", "host", "x-amz-date", "x-amz-content-sha256");

  private final Map<String, byte[]> secrets;
  private final String service;
  private final Clock clock;

  /**
   * @param secrets each access key id's secret access key
   * @param service the service a scope must name ({@code execute-api}, as the SDKs sign for API
   *     Gateway's management API)
   */
  AwsSignatureCheck(Map<String, String> secrets, String service, Clock clock) {
    this.secrets = new HashMap<>();
    secrets.forEach(
        (id, secret) -> this.secrets.put(id, ("AWS4" + secret).getBytes(StandardCharsets.UTF_8)));
    this.service = service;
    this.clock = clock;
  }

  /** Does the request offer a SigV4 signature (whether or not a valid one)? */
  static boolean offered(List<String> authorization) {
    return authorization != null
        && authorization.stream()
            .anyMatch(v -> v.strip().regionMatches(true, 0, ALGORITHM + " ", 0, 17));
  }

  /** What the head alone decides: null when only the body and the signature are left to check. */
  Refused head(Function<String, List<String>> headers) {
    Object parsed = parse(headers);
    return parsed instanceof Refused refused ? refused : null;
  }

  /**
   * The whole check.
   *
   * @param rawPath the request target's path as sent (still percent-encoded)
   * @param rawQuery its query as sent, or null
   * @param headers a header's values by its (case-insensitive) name, empty or null when absent
   */
  Verdict verify(
      String method,
      String rawPath,
      String rawQuery,
      Function<String, List<String>> headers,
      byte[] body) {
    Object parsed = parse(headers);
    if (parsed instanceof Refused refused) {
      return refused;
    }
    Signed signed = (Signed) parsed;
    String bodyHash = hex(sha256(body));
    String declared = one(headers, "x-amz-content-sha256");
    if (declared != null && !declared.strip().equalsIgnoreCase(bodyHash)) {
      return forbidden(
          "the body's SHA-256 is not the x-amz-content-sha256 sent (an unsigned or streamed body"
              + " is not taken)");
    }
    String canonical =
        method
            + "\n"
            + canonicalUri(rawPath)
            + "\n"
            + canonicalQuery(rawQuery)
            + "\n"
            + canonicalHeaders(signed.signedHeaders(), headers)
            + "\n"
            + String.join(";", signed.signedHeaders())
            + "\n"
            + bodyHash;
    String scope = signed.date() + "/" + signed.region() + "/" + service + "/aws4_request";
    String stringToSign =
        ALGORITHM
            + "\n"
            + signed.amzDate()
            + "\n"
            + scope
            + "\n"
            + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    byte[] key = secrets.get(signed.accessKeyId());
    for (String part : List.of(signed.date(), signed.region(), service, "aws4_request")) {
      key = hmac(key, part);
    }
    byte[] expected = hex(hmac(key, stringToSign)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, signed.signature().getBytes(StandardCharsets.US_ASCII))) {
      return forbidden(
          "the signature does not match: check the secret access key and that nothing between"
              + " the client and Roomlog changes the request (its Host header, path or body)");
    }
    return new Accepted(signed.accessKeyId());
  }

  /** The Authorization header's parts, checked against the head. */
  private record Signed(
      String accessKeyId,
      String date,
      String region,
      List<String> signedHeaders,
      String signature,
      String amzDate) {}

  /** A {@link Signed} or a {@link Refused}. */
  private Object parse(Function<String, List<String>> headers) {
    for (String name : SINGLE_HEADERS) {
      List<String> values = headers.apply(name);
      if (values != null && values.size() > 1) {
        return new Refused(
            400,
            "ambiguousSignature",
            "the " + name + " header was sent more than once: send it once");
      }
    }
    String authorization = one(headers, "authorization");
    if (authorization == null || !offered(List.of(authorization))) {
      return forbidden("no " + ALGORITHM + " Authorization header");
    }
    Map<String, String> parts = new HashMap<>();
    for (String part : authorization.strip().substring(ALGORITHM.length()).split(",")) {
      String item = part.strip();
      int eq = item.indexOf('=');
      // Each of the three parts once, nothing else: a second Signature= is not ignored.
      if (eq < 0
          || !List.of("Credential", "SignedHeaders", "Signature").contains(item.substring(0, eq))
          || parts.put(item.substring(0, eq), item.substring(eq + 1).strip()) != null) {
        return malformed();
      }
    }
    String credential = parts.get("Credential");
    String signedHeaders = parts.get("SignedHeaders");
    String signature = parts.get("Signature");
    if (parts.size() != 3) {
      return malformed();
    }
    String[] scope = credential.split("/", -1);
    if (scope.length != 5 || !HEX_SIGNATURE.matcher(signature).matches()) {
      return malformed();
    }
    if (!secrets.containsKey(scope[0])) {
      return forbidden("the access key id " + printable(scope[0]) + " is not configured here");
    }
    if (!SCOPE_DATE.matcher(scope[1]).matches()
        || !REGION.matcher(scope[2]).matches()
        || !scope[3].equals(service)
        || !scope[4].equals("aws4_request")) {
      return forbidden(
          "the credential scope must be DATE/REGION/"
              + service
              + "/aws4_request, was "
              + printable(credential.substring(scope[0].length() + 1)));
    }
    List<String> names = List.of(signedHeaders.split(";", -1));
    for (int i = 0; i < names.size(); i++) {
      if (!HEADER_NAME.matcher(names.get(i)).matches()
          || (i > 0 && names.get(i - 1).compareTo(names.get(i)) >= 0)) {
        return forbidden("SignedHeaders must be lower-case header names, sorted, each once");
      }
      if (headers.apply(names.get(i)) == null || headers.apply(names.get(i)).isEmpty()) {
        return forbidden("the signed header " + names.get(i) + " is not in the request");
      }
    }
    if (!names.contains("host") || !names.contains("x-amz-date")) {
      return forbidden("host and x-amz-date must be among the signed headers");
    }
    String amzDate = one(headers, "x-amz-date").strip();
    Instant signedAt;
    try {
      signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return forbidden("x-amz-date must be YYYYMMDD'T'HHMMSS'Z', was " + printable(amzDate));
    }
    if (!amzDate.startsWith(scope[1])) {
      return forbidden("the credential scope's date is not x-amz-date's day");
    }
    Instant now = clock.instant();
    if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
      return forbidden(
          "signature expired: signed at "
              + signedAt
              + ", and this node's clock says "
              + now.truncatedTo(ChronoUnit.SECONDS)
              + " (at most "
              + MAX_SKEW.toMinutes()
              + " minutes apart either way)");
    }
    return new Signed(scope[0], scope[1], scope[2], names, signature, amzDate);
  }

  /** AWS's canonical URI: the path normalised, each segment URI-encoded (again). */
  static String canonicalUri(String rawPath) {
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : rawPath.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(encode(segment));
      }
    }
    String path = "/" + String.join("/", segments);
    return !segments.isEmpty() && rawPath.endsWith("/") ? path + "/" : path;
  }

  /**
   * AWS's canonical query: each name and value decoded, encoded again, sorted by name then value.
   */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> params = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.add(new String[] {encode(decode(name)), encode(decode(value))});
    }
    params.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    List<String> joined = new ArrayList<>();
    params.forEach(p -> joined.add(p[0] + "=" + p[1]));
    return String.join("&", joined);
  }

  /**
   * One {@code name:value\n} line per signed header: values trimmed, inner runs of spaces made one,
   * repeated headers joined with commas in the order sent.
   */
  private static String canonicalHeaders(
      List<String> names, Function<String, List<String>> headers) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      List<String> values = new ArrayList<>();
      headers.apply(name).forEach(v -> values.add(v.strip().replaceAll("\\s+", " ")));
      out.append(name).append(':').append(String.join(",", values)).append('\n');
    }
    return out.toString();
  }

  /** RFC 3986 encoding as AWS specifies it: unreserved characters kept, the rest %XX upper case. */
  static String encode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    return out.toString();
  }

  /** Percent-decoding only ('+' stays '+'); a broken escape is kept as it is. */
  private static String decode(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = 0;
    while (i < text.length()) {
      if (text.charAt(i) == '%' && isHex(text, i + 1) && isHex(text, i + 2)) {
        bytes.write(HexFormat.fromHexDigits(text, i + 1, i + 3));
        i += 3;
      } else {
        int end = text.indexOf('%', i + 1);
        byte[] plain =
            text.substring(i, end < 0 ? text.length() : end).getBytes(StandardCharsets.UTF_8);
        bytes.write(plain, 0, plain.length);
        i = end < 0 ? text.length() : end;
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isHex(String text, int at) {
    return at < text.length() && Character.digit(text.charAt(at), 16) >= 0;
  }

  private static String one(Function<String, List<String>> headers, String name) {
    List<String> values = headers.apply(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static Refused forbidden(String message) {
    return new Refused(403, "forbidden", message);
  }

  private static Refused malformed() {
    return forbidden(
        "the Authorization header must be "
            + ALGORITHM
            + " Credential=KEYID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b,"
            + " Signature=HEX");
  }

  /** A value from the request, short and safe to put in a message. */
  private static String printable(String value) {
    String shown = value.length() <= 64 ? value : value.substring(0, 64) + "...";
    return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
